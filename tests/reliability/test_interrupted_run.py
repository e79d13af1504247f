"""Promise 1 in the library: `run()` stopped after its submit (Ctrl-C, a cancelled asyncio
task) raises an exception that names the paid task (attribute, note) and logs a WARNING."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
from dataclasses import replace

import pytest
from runninghub_video import AsyncRunningHub

from scripts._processes import default_sigint_for_children
from tests.reliability.conftest import FAST, IMAGE_URL
from tests.reliability.fault_server import FaultServer, Hold, json_reply, task_body
from tests.support.api import QUERY, SUBMIT
from tests.support.constants import KEY

TASK = "2013508786110730241"
PATIENT = replace(FAST, request_timeout=120.0)
"""The held query never times out before the test's signal."""

SCRIPT = """
import json, logging, sys
from runninghub_video import Policy, RunningHub
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
policy = Policy(poll_interval=0.01, request_timeout=120.0)
with RunningHub(sys.argv[2], base_url=sys.argv[1], policy=policy) as rh:
    try:
        rh.run("a cat", "https://cdn.test/cat.png")
    except KeyboardInterrupt as exc:
        print(json.dumps({"task_id": getattr(exc, "task_id", None),
                          "notes": getattr(exc, "__notes__", [])}))
"""


@pytest.fixture
def held(faults: FaultServer) -> FaultServer:
    """The submit answers a QUEUED task; its first status query is held."""
    faults.route(SUBMIT, json_reply(task_body("QUEUED", TASK)))
    faults.route(QUERY, Hold())
    return faults


@pytest.mark.integration  # a Python process it interrupts
def test_ctrl_c_during_run_names_the_submitted_task(held: FaultServer) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNNINGHUB_")}
    with default_sigint_for_children():
        proc = subprocess.Popen(
            [sys.executable, "-c", SCRIPT, held.base_url, KEY],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    try:
        assert held.on_hold(QUERY).arrived.wait(timeout=120), "the query never arrived"
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr
    caught = json.loads(stdout)
    assert caught["task_id"] == TASK
    assert caught["notes"] == [f"task {TASK} was submitted and goes on; resume with wait('{TASK}')"]
    assert f"WARNING:runninghub_video:task {TASK} was submitted and goes on" in stderr
    assert KEY not in stdout + stderr


def test_a_cancelled_async_run_names_the_submitted_task(
    held: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="runninghub_video")

    async def go() -> BaseException:
        async with AsyncRunningHub(KEY, base_url=held.base_url, policy=PATIENT) as rh:
            job = asyncio.ensure_future(rh.run("a cat", IMAGE_URL))
            arrived = held.on_hold(QUERY).arrived
            assert await asyncio.to_thread(arrived.wait, 120), "the query never arrived"
            job.cancel()
            try:
                await job
            except asyncio.CancelledError as exc:
                return exc
            raise AssertionError("run() was not cancelled")

    error = asyncio.run(go())
    assert getattr(error, "task_id", None) == TASK
    assert f"resume with wait('{TASK}')" in "".join(getattr(error, "__notes__", []))
    assert any(TASK in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
