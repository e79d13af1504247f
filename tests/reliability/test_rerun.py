"""`generate` is idempotent on re-run (issue 21): killed with SIGKILL once its task was
journaled, the same command resumes that task instead of paying again (the sandbox's submit
counter), and `--new` pays for a new one; a command identical to a submit left unconfirmed
sends nothing; a different command, or one whose task is done, submits as usual."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator

import pytest
from runninghub_video.sandbox import Sandbox

from tests.reliability.conftest import IMAGE_URL
from tests.reliability.fault_server import FaultServer, Hold, json_reply, task_body
from tests.reliability.test_signals import EVENT_TIMEOUT, stop, wait_for
from tests.support.api import SUBMIT, UPLOAD
from tests.support.cli import FAST_POLL, Cli, cli_in, is_mp4
from tests.support.constants import SAMPLE_PNG
from tests.support.sandboxes import running_sandbox

pytestmark = pytest.mark.integration  # the CLI in processes, a sandbox of its own

TASK = "2013508786110730241"


@pytest.fixture(scope="module")
def slow() -> Iterator[Sandbox]:
    with running_sandbox(speed=0.5) as sandbox:  # about 10 s a task: a kill lands mid-wait
        yield sandbox


def generate(*extra: str) -> list[str]:
    return ["generate", "--image", str(SAMPLE_PNG), "--prompt", "a lighthouse", "--output",
            "v.mp4", *FAST_POLL, *extra]  # fmt: skip


def test_generate_killed_and_rerun_submits_once(slow: Sandbox, tmp_path) -> None:
    cli = cli_in(tmp_path, slow.base_url)
    before = slow.stats.submits
    proc = cli.start(*generate())
    wait_for(lambda: bool(cli.journaled_ids()), proc, "the submit journaled")
    stop(proc, signal.SIGKILL)
    (task_id,) = cli.journaled_ids()
    again = cli(*generate(), timeout=120)
    assert again.code == 0, again.stderr
    assert f"task {task_id} of an identical command" in again.stderr
    assert "resuming it instead of paying again" in again.stderr
    assert is_mp4(cli.cwd / "v.mp4")
    assert slow.stats.submits - before == 1  # paid once
    assert [p.name for p in cli.cwd.iterdir()] == ["v.mp4"]  # no .part left
    done = cli(*generate(), "--overwrite", timeout=120)  # downloaded: a re-run is new work
    assert done.code == 0, done.stderr
    assert slow.stats.submits - before == 2


def test_new_pays_for_a_new_task_and_submit_prints_the_unfinished_one(
    slow: Sandbox, tmp_path
) -> None:
    cli = cli_in(tmp_path, slow.base_url)
    before = slow.stats.submits
    first = cli("submit", "--image", str(SAMPLE_PNG), "--prompt", "a fox")
    assert first.code == 0, first.stderr
    repeated = cli("submit", "--image", str(SAMPLE_PNG), "--prompt", "a fox")
    assert (repeated.code, repeated.stdout) == (0, first.stdout)
    assert slow.stats.submits - before == 1
    other = cli("submit", "--image", str(SAMPLE_PNG), "--prompt", "a fox, at night")
    assert other.code == 0
    assert other.stdout != first.stdout
    forced = cli("submit", "--image", str(SAMPLE_PNG), "--prompt", "a fox", "--new")
    assert forced.code == 0
    assert forced.stdout != first.stdout
    assert slow.stats.submits - before == 3


def test_a_command_identical_to_an_unconfirmed_submit_sends_nothing(
    cli_at: Callable[[str], Cli], faults: FaultServer
) -> None:
    hold = Hold()
    faults.route(SUBMIT, hold)
    cli = cli_at(faults.base_url)
    args = ["generate", "--image", IMAGE_URL, "--prompt", "a comet"]
    proc = cli.start(*args)
    assert hold.arrived.wait(EVENT_TIMEOUT), "the submit never arrived"
    stop(proc, signal.SIGINT)
    assert [line["event"] for line in cli.journal_lines()] == ["unconfirmed"]
    again = cli(*args)
    assert again.code == 2, again.stderr
    assert "may have created a paid task" in again.stderr
    assert "--new" in again.stderr
    assert faults.count(SUBMIT) == 1  # nothing sent again


def test_generate_killed_while_its_submit_is_out_is_not_paid_again(
    cli_at: Callable[[str], Cli], faults: FaultServer
) -> None:
    """kill -9 runs no handler: only the intent journaled before the paid request tells the
    re-run that a task may exist (helper-10)."""
    hold = Hold()
    faults.route(SUBMIT, hold)
    cli = cli_at(faults.base_url)
    args = ["generate", "--image", IMAGE_URL, "--prompt", "a comet", "--output", "c.mp4"]
    proc = cli.start(*args)
    assert hold.arrived.wait(EVENT_TIMEOUT), "the submit never arrived"
    stop(proc, signal.SIGKILL)
    again = cli(*args)
    assert again.code == 2, again.stderr
    assert "may have created a paid task" in again.stderr
    assert faults.count(SUBMIT) == 1
    listed = cli("tasks", "--json").json()["tasks"]
    assert [(t["task_id"], t["last_event"]) for t in listed] == [(None, "submitting")]


def test_a_refused_output_journals_no_intent(
    cli_at: Callable[[str], Cli], faults: FaultServer, tmp_path
) -> None:
    cli = cli_at(faults.base_url)
    (cli.cwd / "taken.mp4").write_bytes(b"mine")
    args = ["generate", "--image", IMAGE_URL, "--prompt", "x", "--output", "taken.mp4"]
    assert cli(*args).code == 2
    assert cli.journal_lines(intents=True) == []
    assert faults.count(SUBMIT) == 0


def test_generate_killed_during_its_upload_is_simply_run_again(
    cli_at: Callable[[str], Cli], faults: FaultServer
) -> None:
    """The intent is journaled once the uploads are done (on_sending): a kill during an upload
    has paid for nothing, so the same command just runs, nothing held."""
    hold = Hold()
    faults.route(UPLOAD, hold)
    cli = cli_at(faults.base_url)
    args = ["submit", "--image", str(SAMPLE_PNG), "--prompt", "a comet"]
    proc = cli.start(*args)
    assert hold.arrived.wait(EVENT_TIMEOUT), "the upload never arrived"
    stop(proc, signal.SIGKILL)
    assert cli.journal_lines(intents=True) == []
    faults.replace(UPLOAD, json_reply({"code": 0, "msg": "", "data": {
        "download_url": faults.base_url + "/files/up.png"}}))  # fmt: skip
    faults.route(SUBMIT, json_reply(task_body("QUEUED", TASK)))
    again = cli(*args)
    assert again.code == 0, again.stderr
    assert again.stdout == f"{TASK}\n"
    assert faults.count(SUBMIT) == 1
    assert [line["event"] for line in cli.journal_lines(intents=True)] == ["submitting",
                                                                           "submitted"]  # fmt: skip
