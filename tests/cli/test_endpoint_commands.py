"""A CLI command per task endpoint, made from the generated code: the text-to-video fixture page
imported and generated in a temporary copy becomes `runninghub-video text-to-video`, with its
enum choices, required fields and generate's run options, journal, resume and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from runninghub_video._journal import Journal
from runninghub_video.cli._commands import COMMANDS
from runninghub_video.sandbox import Sandbox

from tests.support.cli import FAST_POLL, Cli, modules_loaded_by_help
from tests.support.constants import SAMPLE_PNG
from tests.support.pages import python_path

pytestmark = pytest.mark.integration  # the generator, the CLI in subprocesses, the sandbox


def test_the_seed_has_generate_and_no_second_command() -> None:
    assert "generate" in COMMANDS
    assert "image-to-video-realistic" not in COMMANDS


@pytest.fixture
def t2v(page_sandbox: Sandbox, second_page: Path, tmp_path: Path) -> Cli:
    """The CLI against the sandbox of the new spec, seeing the client generated from it."""
    (tmp_path / "home").mkdir()
    return _PagedCli(page_sandbox.base_url, tmp_path / "home", tmp_path, python_path(second_page))


class _PagedCli(Cli):
    def __init__(self, base_url: str, home: Path, cwd: Path, pythonpath: str) -> None:
        super().__init__(base_url, home, cwd)
        self.pythonpath = pythonpath

    def env(self, **extra: str) -> dict[str, str]:
        return super().env(PYTHONPATH=self.pythonpath, **extra)


def test_help_lists_the_new_command_and_its_choices(t2v: Cli) -> None:
    top = t2v("--help")
    assert top.code == 0
    assert "text-to-video" in top.stdout
    assert "全能视频S-官方-文生视频" in top.stdout
    assert "image-to-video-realistic" not in top.stdout  # the seed's command is generate
    own = t2v("text-to-video", "--help")
    assert own.code == 0
    usage = " ".join(own.stdout.split())
    assert "--size {720x1280,1280x720}" in usage
    assert "--duration {4,8,12}" in usage
    for option in ("--prompt PROMPT", "--output FILE", "--timeout SECONDS",
                   "--poll-interval SECONDS", "--no-wait", "--json", "--webhook-url"):  # fmt: skip
        assert option in usage
    assert "[--prompt" not in usage  # required fields are required
    assert "[--webhook-url" in usage  # optional ones are not


def test_help_lists_it_without_loading_the_client(t2v: Cli) -> None:
    """The list is read from the generated package's file, not imported (httpx stays out)."""
    text, loaded = modules_loaded_by_help(("httpx", "runninghub_client"), t2v.env())
    assert "text-to-video" in text
    assert loaded == []


def test_a_bad_choice_or_a_missing_field_exits_2_before_any_request(
    t2v: Cli, page_sandbox: Sandbox
) -> None:
    before = page_sandbox.stats
    bad = t2v("text-to-video", "--prompt", "a lake", "--size", "99x99", "--duration", "4")
    assert bad.code == 2
    assert "invalid choice: '99x99'" in bad.stderr
    missing = t2v("text-to-video", "--prompt", "a lake", "--duration", "4", "--json")
    assert missing.code == 2
    assert "--size" in missing.json()["error"]["message"]
    blank = t2v("text-to-video", "--prompt", " ", "--size", "720x1280", "--duration", "4")
    assert blank.code == 2
    assert "prompt" in blank.stderr
    after = page_sandbox.stats
    assert (after.submit_attempts, after.uploads) == (before.submit_attempts, before.uploads)
    assert not Journal(t2v.home).read()


def test_the_new_command_runs_like_generate(t2v: Cli, tmp_path: Path) -> None:
    out = tmp_path / "lake.mp4"
    run = t2v("text-to-video", "--prompt", "a lake at dawn", "--size", "720x1280",
              "--duration", "8", "--output", str(out), "--json", *FAST_POLL)  # fmt: skip
    assert run.code == 0, run.stderr
    result = run.json()
    assert result["status"] == "SUCCESS"
    assert result["output"] == str(out)
    assert out.read_bytes()[4:8] == b"ftyp"
    assert f"task {result['task_id']} submitted" in run.stderr
    journal = Journal(t2v.home)
    events = [line["event"] for line in journal.lines()]
    assert events[0] == "submitting"  # the intent, journaled before the paid request
    events = events[1:]
    assert (events[0], events[-1]) == ("submitted", "downloaded")
    assert {line["task_id"] for line in journal.lines()} == {result["task_id"], None}
    (submitted,) = journal.read()
    assert submitted.prompt == "a lake at dawn"
    assert submitted.params == {"size": "720x1280", "duration": "8"}
    assert submitted.endpoint == "/openapi/v2/rhart-video-s-official/text-to-video"
    listed = json.loads(t2v("tasks", "--json").stdout)["tasks"][0]
    assert listed["endpoint"] == submitted.endpoint


def test_no_wait_then_wait_resumes_the_task(t2v: Cli, tmp_path: Path) -> None:
    sent = t2v("text-to-video", "--prompt", "a boat", "--size", "1280x720", "--duration", "4",
               "--no-wait")  # fmt: skip
    assert sent.code == 0, sent.stderr
    task_id = sent.stdout.strip()
    assert f"wait {task_id}" in sent.stderr
    out = tmp_path / "boat.mp4"
    waited = t2v("wait", task_id, "--output", str(out), "--json", *FAST_POLL)
    assert waited.code == 0, waited.stderr
    assert json.loads(waited.stdout)["status"] == "SUCCESS"
    assert out.exists()


def test_an_interrupt_right_after_the_submit_returned_journals_the_task(t2v: Cli) -> None:
    from tests.reliability.test_interrupted_submit import RETURN_SCRIPT

    done = subprocess.run(
        [sys.executable, "-c", RETURN_SCRIPT, "text-to-video", "--prompt", "a boat",
         "--size", "1280x720", "--duration", "4"],
        cwd=t2v.cwd, env=t2v.env(), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 130, done.stderr
    events = [(line["event"], line["task_id"]) for line in t2v.journal_lines()]
    task_id = events[0][1]
    assert events == [("submitted", task_id), ("interrupted", task_id)]
    assert t2v("status", task_id).code == 0  # the task the sandbox created
    assert f"resume it with: runninghub-video wait {task_id}" in done.stderr


def test_an_existing_output_is_refused_before_the_submit(
    t2v: Cli, page_sandbox: Sandbox, tmp_path: Path
) -> None:
    out = tmp_path / "taken.mp4"
    out.write_bytes(b"mine")
    before = page_sandbox.stats.submit_attempts
    run = t2v("text-to-video", "--prompt", "a lake", "--size", "720x1280", "--duration", "4",
              "--output", str(out))  # fmt: skip
    assert run.code == 2
    assert "--overwrite" in run.stderr or "exists" in run.stderr
    assert page_sandbox.stats.submit_attempts == before
    assert out.read_bytes() == b"mine"


# ---------------------------------------------------------------- typed fields (review 13)


@pytest.fixture
def typed(typed_sandbox: Sandbox, typed_page: Path, tmp_path: Path) -> Cli:
    """The CLI against the sandbox of the first-frame-to-video fixture page's spec."""
    (tmp_path / "home").mkdir()
    return _PagedCli(typed_sandbox.base_url, tmp_path / "home", tmp_path, python_path(typed_page))


def test_typed_options_follow_the_generated_types(typed: Cli) -> None:
    """Review 13 F1, F2, F4, F9: an integer enum's choices, an array's repeated values, an
    image field not named imageUrl, options named --type and --from."""
    own = typed("first-frame-to-video", "--help")
    assert own.code == 0, own.stderr
    usage = " ".join(own.stdout.split())
    for option in ("--duration {4,8,12}", "--first-frame-url PATH_OR_URL",
                   "--last-frame-url PATH_OR_URL", "--image PATH_OR_URL",
                   "--image-urls PATH_OR_URL [PATH_OR_URL ...]", "--styles {anime,cinematic}",
                   "--seeds SEEDS [SEEDS ...]", "--type {fast,quality}", "--from FROM",
                   "by repeating it"):  # fmt: skip
        assert option in usage
    assert "--type-" not in usage
    assert "--from-" not in usage


def test_typed_options_reach_the_sandbox_typed(
    typed: Cli, typed_sandbox: Sandbox, tmp_path: Path
) -> None:
    before = typed_sandbox.stats
    bad = typed("first-frame-to-video", "--prompt", "x", "--first-frame-url", str(SAMPLE_PNG),
                "--duration", "5")  # fmt: skip
    assert bad.code == 2
    assert "invalid choice: 5" in bad.stderr
    assert typed_sandbox.stats.submit_attempts == before.submit_attempts
    other = tmp_path / "other.png"
    other.write_bytes(SAMPLE_PNG.read_bytes())
    run = typed(
        "first-frame-to-video", "--prompt", "a lake", "--first-frame-url", str(SAMPLE_PNG),
        "--duration", "8", "--image-urls", str(other), "https://cdn.test/b.png",
        "--image-urls", str(SAMPLE_PNG), "--styles", "anime", "--seeds", "3",
        "--type", "quality", "--from", "cli", "--no-wait", "--json",
    )  # fmt: skip
    assert run.code == 0, run.stderr  # the sandbox validates the body against its spec
    after = typed_sandbox.stats
    assert after.submits == before.submits + 1
    assert after.uploads == before.uploads + 1  # three local images of one content: reused
    (submitted,) = Journal(typed.home).read()
    params = submitted.params
    assert params["duration"] == 8  # an integer, as the spec types it
    local = [str(other.resolve()), "https://cdn.test/b.png", str(SAMPLE_PNG.resolve())]
    assert params["image_urls"] == local  # in order, the local files uploaded
    assert params["first_frame_url"] == str(SAMPLE_PNG.resolve())
    assert (params["styles"], params["seeds"]) == (["anime"], [3])
    assert (params["type_"], params["from_"]) == ("quality", "cli")


@pytest.mark.parametrize("shape", ["minimal", "task_id", "envelope"])
def test_a_kit_shaped_submit_answer_keeps_its_task_id(t2v: Cli, shape: str) -> None:
    """An endpoint command reads the kit's submit answers as generate does [KIT]."""
    run = t2v("text-to-video", "--prompt", f"a boat [sandbox:shape={shape}]", "--size",
              "720x1280", "--duration", "4", "--json", *FAST_POLL)  # fmt: skip
    assert run.code == 0, run.stderr
    result = run.json()
    assert result["status"] == "SUCCESS"
    assert f"task {result['task_id']} submitted" in run.stderr
    assert {line["task_id"] for line in Journal(t2v.home).lines()} == {result["task_id"], None}


# ------------------------------------------------------------------ the price first (issue 20)


@pytest.mark.parametrize(
    "args",
    [["price", "--duration", "8"], ["generate", "--duration", "8", "--dry-run"]],
    ids=["price", "generate --dry-run"],
)
def test_price_and_dry_run_print_the_price_and_submit_nothing(
    cli: Cli, sandbox: Sandbox, args: list[str]
) -> None:
    before = sandbox.stats.submit_attempts
    command, *rest = args
    result = cli(command, "--image", str(SAMPLE_PNG), "--prompt", "a heron", *rest, "--json")
    assert result.code == 0, result.stderr
    shown = result.json()
    assert shown["price"] == {"amount": "6.5", "currency": "CNY", "free": False}
    assert shown["submitted"] is False
    assert shown["fields"]["prompt"] == "a heron"
    assert sandbox.stats.submit_attempts == before
    assert cli.journal_lines() == []  # nothing paid, nothing journaled
    plain = cli(command, "--image", str(SAMPLE_PNG), "--prompt", "a heron", *rest)
    assert plain.stdout == "price: 6.5 CNY\n"
    assert "nothing was submitted" in plain.stderr


def test_dry_run_refuses_bad_input_before_any_request(cli: Cli, sandbox: Sandbox) -> None:
    before = (sandbox.stats.submit_attempts, sandbox.stats.upload_attempts)
    result = cli("generate", "--image", str(SAMPLE_PNG), "--prompt", "", "--dry-run")
    assert result.code == 2, result.stderr
    assert (sandbox.stats.submit_attempts, sandbox.stats.upload_attempts) == before
