"""SIGINT, SIGTERM and SIGHUP at every phase of every command: real processes, real signals.

Each signal is sent once the server has seen the request it is holding (an event), never
after a sleep. Every one takes the same path: the task in the journal (or "unconfirmed"),
the resume command on stderr, no `.part` file left, exit code 128 + the signal number.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from collections.abc import Callable

import pytest

from tests.reliability.conftest import IMAGE_URL
from tests.reliability.fault_server import (
    Action,
    FaultServer,
    Hold,
    Reply,
    Request,
    json_reply,
    task_body,
)
from tests.support.api import QUERY, SUBMIT, UPLOAD
from tests.support.cli import Cli
from tests.support.constants import SAMPLE_PNG

TASK = "2013508786110730241"
FILE = "/files/result.mp4"
SIGNALS = pytest.mark.parametrize(
    "signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name
)
EVENT_TIMEOUT = 120
"""Only a safety net so that a broken test fails instead of hanging; never a synchronisation."""


def stop(proc: subprocess.Popen[str], signum: int) -> tuple[str, str]:
    """Send the signal, collect the output (killing the process if it does not end)."""
    try:
        proc.send_signal(signum)
        return proc.communicate(timeout=EVENT_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def after_queries(
    count: int, status: str = "RUNNING"
) -> tuple[threading.Event, Callable[[Request], Action]]:
    """A query handler that answers `status` and sets the event at the count-th query."""
    polled = threading.Event()
    seen = [0]

    def answer(request: Request) -> Action:
        seen[0] += 1
        if seen[0] >= count:
            polled.set()
        return json_reply(task_body(status, TASK))

    return polled, answer


def wait_for(condition: Callable[[], bool], proc: subprocess.Popen[str], what: str) -> None:
    """Block until condition() holds (a file appeared...); fail if the process ended first."""
    deadline = time.monotonic() + EVENT_TIMEOUT
    while not condition():
        assert proc.poll() is None, (what, proc.communicate())
        assert time.monotonic() < deadline, f"{what} never happened"
        time.sleep(0.01)


@SIGNALS
def test_signal_during_the_submit_journals_an_unconfirmed_task(
    cli_at: Callable[[str], Cli], faults: FaultServer, signum: signal.Signals
) -> None:
    hold = Hold()
    faults.route(SUBMIT, hold)
    cli = cli_at(faults.base_url)
    proc = cli.start("generate", "--image", IMAGE_URL, "--prompt", "a comet")
    assert hold.arrived.wait(EVENT_TIMEOUT), "the submit never arrived"
    stdout, stderr = stop(proc, signum)
    assert proc.returncode == 128 + signum, stderr
    assert stdout == ""
    assert "error: interrupted" in stderr
    assert "warning: the submit may have reached RunningHub" in stderr
    assert "Traceback" not in stderr
    lines = cli.journal_lines()
    assert [(line["event"], line["status"], line["error"]) for line in lines] == [
        ("unconfirmed", "UNKNOWN", "interrupted" if signum == signal.SIGINT else
         f"interrupted ({signum.name})")
    ]  # fmt: skip
    assert faults.count(SUBMIT) == 1


@SIGNALS
def test_signal_during_the_upload_journals_nothing(
    cli_at: Callable[[str], Cli], faults: FaultServer, signum: signal.Signals
) -> None:
    hold = Hold()
    faults.route(UPLOAD, hold)
    cli = cli_at(faults.base_url)
    proc = cli.start("generate", "--image", str(SAMPLE_PNG), "--prompt", "a comet")
    assert hold.arrived.wait(EVENT_TIMEOUT), "the upload never arrived"
    _, stderr = stop(proc, signum)
    assert proc.returncode == 128 + signum, stderr
    assert "error: interrupted" in stderr
    assert "may have reached" not in stderr  # nothing was paid: no false alarm
    assert cli.journal_lines() == []
    assert faults.count(SUBMIT) == 0


@SIGNALS
def test_signal_while_waiting_prints_the_resume_command(
    cli_at: Callable[[str], Cli], faults: FaultServer, signum: signal.Signals
) -> None:
    polled, answer = after_queries(2)
    faults.route(SUBMIT, json_reply(task_body("QUEUED", TASK)))
    faults.route(QUERY, answer)
    cli = cli_at(faults.base_url)
    args = ["--image", IMAGE_URL, "--prompt", "a comet", "--output", "v.mp4"]
    proc = cli.start("generate", *args, "--poll-interval", "0.01")
    assert polled.wait(EVENT_TIMEOUT), "the task was never polled"
    stdout, stderr = stop(proc, signum)
    assert proc.returncode == 128 + signum, stderr
    assert stdout == ""
    assert (
        f"task {TASK} goes on; resume it with: runninghub-video wait {TASK} --output v.mp4"
        in stderr
    )
    assert "Traceback" not in stderr
    events = [line["event"] for line in cli.journal_lines()]
    assert events[0] == "submitted"
    assert events[-1] == "interrupted"
    assert list(cli.cwd.iterdir()) == []


@SIGNALS
def test_signal_during_the_download_leaves_no_part_file(
    cli_at: Callable[[str], Cli], faults: FaultServer, signum: signal.Signals
) -> None:
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 100000\r\n"
        b"Connection: close\r\n\r\n" + b"\0" * 5000
    )
    hold = Hold(head=head)
    faults.route(SUBMIT, json_reply(task_body("SUCCESS", TASK, result_url=faults.base_url + FILE)))
    faults.route(FILE, hold)
    cli = cli_at(faults.base_url)
    proc = cli.start("generate", "--image", IMAGE_URL, "--prompt", "a comet", "--output", "v.mp4")
    assert hold.arrived.wait(EVENT_TIMEOUT), "the download never started"
    wait_for(lambda: any(cli.cwd.glob(".v.mp4.part")), proc, "a .part file")
    _, stderr = stop(proc, signum)
    assert proc.returncode == 128 + signum, stderr
    assert f"download it again with: runninghub-video download {TASK} --output v.mp4" in stderr
    assert list(cli.cwd.iterdir()) == []  # no .part, no partial video
    assert cli.journal_lines()[-1]["event"] == "interrupted"


def test_a_download_after_a_sigkill_takes_over_the_part_file_it_left(
    cli_at: Callable[[str], Cli], faults: FaultServer
) -> None:
    """kill -9 runs no clean-up: the .part stays. The next download to that name (issue 21)
    takes it over, so none is left beside the complete video."""
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 100000\r\n"
        b"Connection: close\r\n\r\n" + b"\0" * 5000
    )
    hold = Hold(head=head)
    faults.route(SUBMIT, json_reply(task_body("SUCCESS", TASK, result_url=faults.base_url + FILE)))
    faults.route(QUERY, json_reply(task_body("SUCCESS", TASK, result_url=faults.base_url + FILE)))
    faults.route(FILE, hold)
    cli = cli_at(faults.base_url)
    proc = cli.start("generate", "--image", IMAGE_URL, "--prompt", "a comet", "--output", "v.mp4")
    assert hold.arrived.wait(EVENT_TIMEOUT), "the download never started"
    wait_for(lambda: any(cli.cwd.glob(".v.mp4.part")), proc, "a .part file")
    stop(proc, signal.SIGKILL)
    assert [p.name for p in cli.cwd.iterdir()] == [".v.mp4.part"]  # left by the killed run
    video = b"\0\0\0\x18ftypmp42" + b"\0" * 1000
    faults.replace(FILE, Reply(body=video, content_type="video/mp4"))
    result = cli("download", TASK, "--output", "v.mp4")
    assert result.code == 0, result.stderr
    assert [p.name for p in cli.cwd.iterdir()] == ["v.mp4"]
    assert (cli.cwd / "v.mp4").read_bytes() == video


def hold_at(faults: FaultServer, path: str) -> Hold:
    hold = Hold()
    faults.route(path, hold)
    return hold


COMMANDS: dict[str, tuple[list[str], str]] = {
    "submit": (["submit", "--image", IMAGE_URL, "--prompt", "x"], SUBMIT),
    "status": (["status", TASK], QUERY),
    "wait": (["wait", TASK, "--output", "w.mp4"], QUERY),
    "download": (["download", TASK], QUERY),
    "upload": (["upload", str(SAMPLE_PNG)], UPLOAD),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_sigterm_in_every_command(
    cli_at: Callable[[str], Cli], faults: FaultServer, command: str
) -> None:
    args, path = COMMANDS[command]
    hold = hold_at(faults, path)
    cli = cli_at(faults.base_url)
    proc = cli.start(*args)
    assert hold.arrived.wait(EVENT_TIMEOUT), f"{path} never reached"
    _, stderr = stop(proc, signal.SIGTERM)
    assert proc.returncode == 143, stderr
    assert "error: interrupted (SIGTERM)" in stderr
    assert "Traceback" not in stderr
    if command == "wait":
        assert f"resume it with: runninghub-video wait {TASK} --output w.mp4" in stderr
    if command == "submit":
        assert [line["event"] for line in cli.journal_lines()] == ["unconfirmed"]
    assert list(cli.cwd.iterdir()) == []  # nothing written, no .part


@SIGNALS
def test_signal_with_json_still_prints_one_object(
    cli_at: Callable[[str], Cli], faults: FaultServer, signum: signal.Signals
) -> None:
    polled, answer = after_queries(1)
    faults.route(SUBMIT, json_reply(task_body("QUEUED", TASK)))
    faults.route(QUERY, answer)
    cli = cli_at(faults.base_url)
    proc = cli.start("generate", "--image", IMAGE_URL, "--prompt", "a dune", "--json",
                     "--poll-interval", "0.01")  # fmt: skip
    assert polled.wait(EVENT_TIMEOUT), "the task was never polled"
    stdout, stderr = stop(proc, signum)
    assert proc.returncode == 128 + signum, stderr
    data = json.loads(stdout)
    assert data["task_id"] == TASK
    assert data["error"]["type"] == (
        "KeyboardInterrupt" if signum == signal.SIGINT else "Terminated"
    )
    assert data["resume"] == f"runninghub-video wait {TASK} --output {TASK}.mp4"
