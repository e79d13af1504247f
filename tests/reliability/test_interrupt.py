"""Ctrl-C while a submit is in flight: the one moment a paid task may exist without an id.

Ctrl-C during `wait` (task id on stderr and in the journal, exit 130) is covered by
tests/cli/test_interrupt.py::test_ctrl_c_while_waiting and ..._during_generate_with_json.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable

from tests.cli.conftest import Cli
from tests.reliability.conftest import IMAGE_URL
from tests.reliability.fault_server import FaultServer, Stall
from tests.wrapper.fakes import SUBMIT


def test_ctrl_c_during_the_submit_journals_an_unconfirmed_task(
    cli_at: Callable[[str], Cli], faults: FaultServer
) -> None:
    faults.route(SUBMIT, Stall(10.0))
    cli = cli_at(faults.base_url)
    proc = cli.start("generate", "--image", IMAGE_URL, "--prompt", "a comet")
    try:
        deadline = time.monotonic() + 15
        while faults.count(SUBMIT) == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert faults.count(SUBMIT) == 1, "the submit never arrived"
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, stderr
    assert stdout == ""
    assert "error: interrupted" in stderr
    assert "warning: the submit may have reached RunningHub" in stderr
    assert "Traceback" not in stderr
    lines = cli.journal_lines()
    assert [(line["event"], line["status"], line["error"]) for line in lines] == [
        ("unconfirmed", "UNKNOWN", "interrupted")
    ]
    assert faults.count(SUBMIT) == 1
