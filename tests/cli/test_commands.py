"""The CLI end to end: a subprocess per command against a real sandbox on a free port."""

from __future__ import annotations

import json
import shlex

import pytest
from runninghub_video.sandbox import INVALID_API_KEY, Sandbox

from tests.cli.conftest import FAST_POLL, SAMPLE_PNG, SENTINEL_KEY, Cli, is_mp4
from tests.support.api import SUBMIT

IMAGE = str(SAMPLE_PNG)
JSON_FIELDS = {"task_id", "status", "results", "output", "error", "usage"}


def generate(prompt: str, *extra: str) -> list[str]:
    """Arguments of a generate call with fast polling."""
    return ["generate", "--image", IMAGE, "--prompt", prompt, *FAST_POLL, *extra]


def test_generate_writes_the_video_and_journals_it(cli: Cli):
    result = cli("generate", "--image", IMAGE, "--prompt", "a calm lake", *FAST_POLL)
    assert result.code == 0, result.stderr
    path = cli.cwd / result.stdout.strip()
    task_id = path.stem
    assert path.name == f"{task_id}.mp4"  # default: ./<task id>.mp4
    assert is_mp4(path)
    assert f"task {task_id} submitted" in result.stderr  # the id as soon as it exists
    assert f"task {task_id}: SUCCESS" in result.stderr
    assert f"saved {task_id}.mp4" in result.stderr
    lines = cli.journal_lines()
    assert lines[0]["event"] == "submitted"
    assert lines[0]["task_id"] == task_id
    assert lines[0]["params"] == {
        "image": str(SAMPLE_PNG),
        "resolution": "720p",
        "aspect_ratio": "16:9",
        "duration": "4",
    }
    assert lines[0]["base_url"] == cli.base_url
    assert lines[0]["endpoint"] == SUBMIT  # the API path the task went to
    assert lines[-1]["event"] == "downloaded"
    assert lines[-1]["output"] == str(path)


def test_generate_json_is_one_object_on_stdout(cli: Cli):
    args = ["generate", "--image", IMAGE, "--prompt", "a kite", "--output", "kite.mp4"]
    result = cli(*args, "--duration", "8", "--aspect-ratio", "9:16", "--json", *FAST_POLL)
    assert result.code == 0, result.stderr
    data = result.json()
    assert set(data) >= JSON_FIELDS
    assert data["status"] == "SUCCESS"
    assert data["output"] == "kite.mp4"
    assert data["error"] is None
    assert data["results"][0]["output_type"] == "mp4"
    assert data["results"][0]["url"].startswith("http")
    assert data["usage"]["consume_money"]
    assert is_mp4(cli.cwd / "kite.mp4")
    # No progress with --json: only the paid task's id, printed before anything can fail.
    assert result.stderr == f"task {data['task_id']} submitted (CREATE)\n"
    assert cli.journal_lines()[0]["params"]["duration"] == "8"


def test_submit_status_wait_tasks(cli: Cli):
    submitted = cli("submit", "--image", IMAGE, "--prompt", "a red fox")
    assert submitted.code == 0, submitted.stderr
    task_id = submitted.stdout.strip()
    assert task_id.isdigit()
    assert f"runninghub-video wait {task_id} --output {task_id}.mp4" in submitted.stderr
    assert task_id in cli.journaled_ids()

    status = cli("status", task_id, "--json")
    assert status.code == 0, status.stderr
    assert status.json()["task_id"] == task_id
    assert status.json()["status"] in {"QUEUED", "RUNNING", "SUCCESS"}

    waited = cli("wait", task_id, "--output", "fox.mp4", *FAST_POLL)
    assert waited.code == 0, waited.stderr
    assert waited.stdout.strip() == "fox.mp4"
    assert is_mp4(cli.cwd / "fox.mp4")

    status = cli("status", task_id)
    assert status.code == 0
    assert status.stdout.startswith(f"{task_id} SUCCESS")
    assert "result: http" in status.stdout

    other = cli("submit", "--image", IMAGE, "--prompt", "a blue whale", "--json").json()
    tasks = cli("tasks")
    assert tasks.code == 0
    rows = tasks.stdout.splitlines()
    assert rows[1].split()[2] == other["task_id"]  # newest first
    assert task_id in rows[2]
    assert "SUCCESS" in rows[2]
    assert str(cli.cwd / "fox.mp4") in rows[2]
    listed = cli("tasks", "--json").json()
    assert [t["task_id"] for t in listed["tasks"]] == [other["task_id"], task_id]
    assert listed["tasks"][1]["status"] == "SUCCESS"
    assert listed["tasks"][1]["prompt"] == "a red fox"


def test_generate_no_wait_only_submits(cli: Cli, sandbox: Sandbox):
    before = sandbox.stats
    result = cli("generate", "--image", IMAGE, "--prompt", "a heron", "--no-wait", "--json")
    assert result.code == 0, result.stderr
    assert result.json()["task_id"]
    assert result.json()["output"] is None
    after = sandbox.stats
    assert after.submits == before.submits + 1
    assert after.file_requests == before.file_requests


def test_generate_has_every_field_of_the_seed_such_as_webhook_url(cli: Cli, sandbox: Sandbox):
    """generate is the seed's endpoint command, made by the code of every other one: the spec's
    optional webhookUrl is an option, checked before anything is sent, and journaled."""
    assert "--webhook-url" in cli("generate", "--help").stdout
    before = sandbox.stats
    bad = cli("generate", "--image", IMAGE, "--prompt", "a heron", "--webhook-url", "ftp://x")
    assert bad.code == 2, bad.stderr
    assert "invalid webhook_url: 'ftp://x'" in bad.stderr
    assert sandbox.stats.submits == before.submits  # refused before any request
    hook = "https://user:secret@hooks.test/done?token=secret"
    result = cli("submit", "--image", IMAGE, "--prompt", "a heron", "--webhook-url", hook)
    assert result.code == 0, result.stderr
    assert sandbox.stats.submits == before.submits + 1
    journaled = cli.journal_lines()[0]["params"]["webhook_url"]
    assert journaled == "https://hooks.test/done"  # its credentials are not kept


def test_download_by_task_id(cli: Cli):
    task_id = cli("submit", "--image", IMAGE, "--prompt", "an owl [sandbox:instant]").stdout
    task_id = task_id.strip()
    result = cli("download", task_id, "--output", "owl.mp4")
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == "owl.mp4"
    assert is_mp4(cli.cwd / "owl.mp4")
    folder = cli.cwd / "videos"
    folder.mkdir()
    into = cli("download", task_id, "--output", "videos", "--json")
    assert into.code == 0, into.stderr
    assert is_mp4(folder / f"{task_id}.mp4")
    assert into.json()["output"] == f"videos/{task_id}.mp4"


def test_download_of_a_running_task_says_to_wait(slow_cli: Cli):
    task_id = slow_cli("submit", "--image", IMAGE, "--prompt", "a snail").stdout.strip()
    result = slow_cli("download", task_id, "--output", "snail.mp4")
    assert result.code == 1
    assert "no result yet" in result.stderr
    assert f"runninghub-video wait {task_id} --output snail.mp4" in result.stderr
    assert not (slow_cli.cwd / "snail.mp4").exists()


def test_upload_prints_the_url(cli: Cli, sandbox: Sandbox):
    before = sandbox.stats.uploads
    result = cli("upload", IMAGE)
    assert result.code == 0, result.stderr
    assert result.stdout.strip().startswith(sandbox.base_url + "/files/uploads/")
    assert sandbox.stats.uploads == before + 1


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["generate", "--image", "missing.png", "--prompt", "x"], "invalid image"),
        (["generate", "--image", IMAGE, "--prompt", "x", "--duration", "5"], "--duration"),
        (["generate", "--image", IMAGE, "--prompt", ""], "invalid prompt"),
        (["generate", "--image", IMAGE, "--prompt", "   "], "invalid prompt"),
        (["submit", "--image", IMAGE, "--prompt", "x", "--resolution", "4k"], "--resolution"),
        (["generate", "--image", IMAGE], "--prompt"),
        (["generate", "--image", IMAGE, "--prompt", "x", "--timeout", "-1"], "--timeout"),
        (["generate", "--image", IMAGE, "--prompt", "x", "--timeout", "1e10"], "--timeout"),
        (["wait", "T1", "--poll-interval", "1e300"], "--poll-interval"),
        (["upload", "missing.png"], "invalid image"),
        (["upload", __file__], "JPG or PNG"),
        (["frobnicate"], "invalid choice"),
        ([], "required"),
    ],
)
def test_bad_input_exits_2_without_any_request(cli: Cli, sandbox: Sandbox, args, needle):
    before = sandbox.stats
    result = cli(*args)
    assert result.code == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert needle in lines[0]
    after = sandbox.stats
    assert (after.submit_attempts, after.upload_attempts, after.queries) == (
        before.submit_attempts,
        before.upload_attempts,
        before.queries,
    )
    assert not cli.journal_lines()


def test_bad_input_with_json_still_prints_one_object(cli: Cli):
    for args in (["--duration", "5"], ["--prompt", ""]):
        result = cli("generate", "--image", IMAGE, "--prompt", "x", *args, "--json")
        assert result.code == 2
        data = result.json()
        assert set(data) >= JSON_FIELDS
        assert data["task_id"] is None
        assert data["error"]["message"]


def test_missing_api_key_is_a_usage_error(cli: Cli):
    result = cli("status", "123", RUNNINGHUB_API_KEY="")
    assert result.code == 2
    assert "RUNNINGHUB_API_KEY" in result.stderr


def test_failed_task_exits_4_with_the_code_and_stays_in_the_journal(cli: Cli):
    result = cli(*generate("a face [sandbox:fail=1505]"))
    assert result.code == 4, result.stderr
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1
    assert "1505" in error_lines[0]
    task_id = result.stderr.split("task ", 1)[1].split()[0]
    assert task_id in cli.journaled_ids()
    record = cli("tasks", "--json").json()["tasks"][0]
    assert record["task_id"] == task_id
    assert record["status"] == "FAILED"
    assert "1505" in record["error"]


def test_failed_task_json(cli: Cli):
    result = cli(*generate("a face [sandbox:fail=1501]"), "--json")
    assert result.code == 4
    data = result.json()
    assert data["status"] == "FAILED"
    assert data["error"]["code"] == "1501"
    assert data["error"]["type"] == "ContentRejectedError"
    assert data["task_id"] in cli.journaled_ids()


def test_cancelled_task_exits_4(cli: Cli):
    result = cli(*generate("a boat [sandbox:cancel]"))
    assert result.code == 4
    assert "cancelled" in result.stderr


def test_refused_submit_exits_4(cli: Cli):
    result = cli(*generate("a typo [sandbox:nonsense]"))
    assert result.code == 4
    assert "1007" in result.stderr
    assert not cli.journaled_ids()


def test_invalid_key_exits_3(cli: Cli, sandbox: Sandbox):
    before = sandbox.stats.submits
    result = cli(*generate("a cat"), RUNNINGHUB_API_KEY=INVALID_API_KEY)
    assert result.code == 3
    assert "error: " in result.stderr
    assert "API key refused" in result.stderr
    assert sandbox.stats.submits == before
    assert cli("status", "1", "--api-key", INVALID_API_KEY).code == 3


def test_expired_result_link_exits_1_and_says_how_to_retry(cli: Cli):
    result = cli(*generate("a bridge [sandbox:expire]", "--output", "b.mp4"))
    assert result.code == 1
    assert "HTTP 403" in result.stderr
    task_id = cli.journal_lines()[0]["task_id"]
    assert f"runninghub-video download {task_id} --output b.mp4" in result.stderr
    assert not (cli.cwd / "b.mp4").exists()


def test_deadline_exits_5_and_prints_the_command_that_resumes(slow_cli: Cli):
    args = ["generate", "--image", IMAGE, "--prompt", "a slow cloud", "--output", "cloud.mp4"]
    result = slow_cli(*args, "--timeout", "0.4", "--poll-interval", "0.1")
    assert result.code == 5, result.stderr
    task_id = slow_cli.journal_lines()[0]["task_id"]
    resume = f"runninghub-video wait {task_id} --output cloud.mp4"
    assert task_id in result.stderr
    assert resume in result.stderr
    assert not (slow_cli.cwd / "cloud.mp4").exists()
    # The printed command really picks the task up and finishes the job.
    resumed = slow_cli(*shlex.split(resume)[1:], "--poll-interval", "0.2")
    assert resumed.code == 0, resumed.stderr
    assert is_mp4(slow_cli.cwd / "cloud.mp4")


def test_deadline_json_has_the_resume_command(slow_cli: Cli):
    task_id = slow_cli("submit", "--image", IMAGE, "--prompt", "a glacier").stdout.strip()
    result = slow_cli("wait", task_id, "--timeout", "0.2", "--poll-interval", "0.1", "--json")
    assert result.code == 5
    data = result.json()
    assert data["task_id"] == task_id
    assert data["status"] in {"QUEUED", "RUNNING"}
    assert data["error"]["type"] == "WaitTimeoutError"
    assert data["resume"] == f"runninghub-video wait {task_id}"


def test_base_url_flag_is_kept_in_the_resume_command(slow_cli: Cli):
    task_id = slow_cli("submit", "--image", IMAGE, "--prompt", "a tide").stdout.strip()
    url = slow_cli.base_url
    result = slow_cli(
        "--base-url", url, "wait", task_id, "--timeout", "0.2", RUNNINGHUB_BASE_URL=""
    )
    assert result.code == 5
    assert f"runninghub-video --base-url {url} wait {task_id}" in result.stderr


def test_unreachable_api_exits_1(cli: Cli):
    from scripts._processes import free_port

    result = cli("status", "1", "--base-url", f"http://127.0.0.1:{free_port()}")
    assert result.code == 1
    assert result.stderr.startswith("error: could not reach RunningHub")
    assert "Traceback" not in result.stderr


def test_api_key_never_printed_or_journaled(cli: Cli, slow_cli: Cli):
    runs = [
        cli(*generate("a fern", "--verbose")),
        cli(*generate("a fern [sandbox:fail=1505]", "--verbose", "--json")),
        cli("--verbose", "--api-key", SENTINEL_KEY, "status", "1"),
        cli("--verbose", "status", "1", SENTINEL_KEY),  # echoed by argparse, then redacted
        cli("--api-key", SENTINEL_KEY + "x", "tasks", "--verbose"),
        # the slow sandbox (about 5 s a task): on a loaded machine the fast one's task (0.1 s)
        # was done before the 0.01 s wait began, and the run ended 0, not 5
        slow_cli(
            "generate", "--image", IMAGE, "--prompt", "a fern", "--timeout", "0.01", "--verbose"
        ),
    ]
    assert [r.code for r in runs] == [0, 4, 4, 2, 0, 5]  # status 1: task not found
    assert "DEBUG" in runs[0].stderr or "INFO" in runs[0].stderr  # --verbose logs
    assert "Traceback" in runs[1].stderr  # and shows tracebacks
    for result in runs:
        assert SENTINEL_KEY not in result.stdout + result.stderr
    assert "[redacted]" in runs[3].stderr
    assert SENTINEL_KEY not in cli.journal.read_text()
    assert len(cli.journaled_ids()) == 3
    assert "Traceback" not in cli("status", "1", "--base-url", "ftp://x").stderr


def test_help_documents_exit_codes_environment_and_markers(cli: Cli):
    from runninghub_video.sandbox import MARKERS

    top = cli("--help")
    assert top.code == 0
    for text in ("exit codes:", "130", "RUNNINGHUB_API_KEY", "RUNNINGHUB_BASE_URL"):
        assert text in top.stdout
    assert "RUNNINGHUB_VIDEO_HOME" in top.stdout
    for command in ("generate", "submit", "status", "wait", "download", "upload", "tasks"):
        assert command in top.stdout
        assert cli(command, "--help").code == 0
    sandbox_help = cli("sandbox", "--help")
    assert sandbox_help.code == 0
    for marker in MARKERS:
        assert marker in sandbox_help.stdout
    generate_help = cli("generate", "--help").stdout
    assert "{720p,1080p}" in generate_help
    assert "{4,8,12}" in generate_help


def test_tasks_on_an_empty_journal(cli: Cli):
    result = cli("tasks")
    assert result.code == 0
    assert result.stdout == ""
    assert "no tasks yet" in result.stderr
    assert cli("tasks", "--json").json() == {"journal": str(cli.journal), "tasks": []}


def test_json_on_stdout_only(cli: Cli):
    result = cli(*generate("a leaf", "--json"))
    assert result.code == 0
    json.loads(result.stdout)
    assert result.stdout.count("\n") == 1


def test_unwritable_journal_stops_before_anything_is_paid(cli: Cli, sandbox: Sandbox):
    blocker = cli.cwd / "not-a-folder"
    blocker.write_text("")
    before = sandbox.stats
    result = cli(*generate("a moth"), RUNNINGHUB_VIDEO_HOME=str(blocker))
    assert result.code == 1
    assert "cannot write the task journal" in result.stderr
    assert "unexpected" not in result.stderr
    after = sandbox.stats
    assert (after.submit_attempts, after.upload_attempts) == (
        before.submit_attempts,
        before.upload_attempts,
    )


@pytest.mark.parametrize("shape", ["minimal", "task_id", "envelope"])
def test_a_kit_shaped_submit_answer_keeps_its_task_id(cli: Cli, sandbox: Sandbox, shape: str):
    """The kit's submit answers ({"taskId"}, {"task_id"}, a data envelope) reach the journal,
    stderr and the result, for submit and for generate (a whole run, to the video) [KIT]."""
    prompt = f"a calm lake [sandbox:shape={shape}]"
    sent = cli("submit", "--image", IMAGE, "--prompt", prompt, "--json")
    assert sent.code == 0, sent.stderr
    task_id = sent.json()["task_id"]
    assert task_id
    assert f"task {task_id} submitted" in sent.stderr
    assert cli.journaled_ids() == {task_id}
    run = cli(*generate(prompt, "--json", "--new"))  # a second task (else: resumes the first)
    assert run.code == 0, run.stderr
    result = run.json()
    assert result["status"] == "SUCCESS"
    assert is_mp4(cli.cwd / result["output"])
    assert f"task {result['task_id']} submitted" in run.stderr
    assert cli.journaled_ids() == {task_id, result["task_id"]}
    assert sandbox.stats.submit_attempts >= 2


def test_tasks_refresh_asks_the_api_and_shows_no_missing_output(cli: Cli, sandbox: Sandbox):
    from runninghub_video import RunningHub

    sent = cli("submit", "--image", IMAGE, "--prompt", "a gull", "--output", "g.mp4")
    assert sent.code == 0, sent.stderr
    task_id = sent.stdout.strip()
    with RunningHub(SENTINEL_KEY, base_url=sandbox.base_url) as rh:
        rh.wait(task_id, poll_interval=0.05)  # ended, the journal does not know yet
    (stale,) = cli("tasks", "--json").json()["tasks"]
    assert stale["status"] != "SUCCESS"
    assert stale["output_exists"] is False
    (fresh,) = cli("tasks", "--refresh", "--json").json()["tasks"]
    assert fresh["status"] == "SUCCESS"
    table = cli("tasks").stdout
    assert "g.mp4" not in table  # never downloaded: no path shown
