"""Ctrl-C: the task id and how to resume on stderr, exit code 130, the task in the journal."""

from __future__ import annotations

import json
import signal
import time

from tests.cli.conftest import SAMPLE_PNG, Cli


def wait_for_journal_event(cli: Cli, event: str, timeout: float = 20) -> dict[str, object]:
    """Block until the journal has a line with this event; return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in cli.journal_lines():
            if line["event"] == event:
                return line
        time.sleep(0.02)
    raise AssertionError(f"no {event!r} event in the journal after {timeout} s")


def test_ctrl_c_while_waiting(slow_cli: Cli):
    task_id = slow_cli("submit", "--image", str(SAMPLE_PNG), "--prompt", "a slow river").stdout
    task_id = task_id.strip()
    proc = slow_cli.start("wait", task_id, "--output", "river.mp4", "--poll-interval", "0.2")
    try:
        # "waiting" is journaled once the first query confirmed the task: it is polling now.
        wait_for_journal_event(slow_cli, "waiting")
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, stderr
    assert stdout == ""
    assert "error: interrupted" in stderr
    assert f"runninghub-video wait {task_id} --output river.mp4" in stderr
    assert "Traceback" not in stderr
    events = [line for line in slow_cli.journal_lines() if line["task_id"] == task_id]
    assert events[0]["event"] == "submitted"
    assert events[-1]["event"] == "interrupted"
    assert not (slow_cli.cwd / "river.mp4").exists()


def test_ctrl_c_during_generate_with_json(slow_cli: Cli):
    args = ["generate", "--image", str(SAMPLE_PNG), "--prompt", "a slow dune", "--json"]
    proc = slow_cli.start(*args, "--poll-interval", "0.2")
    try:
        submitted = wait_for_journal_event(slow_cli, "submitted")
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, stderr
    data = json.loads(stdout)
    assert data["task_id"] == submitted["task_id"]
    assert data["error"]["type"] == "KeyboardInterrupt"
    assert (
        data["resume"] == f"runninghub-video wait {data['task_id']} --output {data['task_id']}.mp4"
    )
