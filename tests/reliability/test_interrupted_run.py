"""Promise 1 in the library: `run()` stopped after its submit (Ctrl-C, a cancelled asyncio
task) raises an exception that names the paid task (attribute, note) and logs a WARNING; one
stopped while its submit is out says that a paid task may exist (task_may_exist, a note, a
WARNING), and one stopped during the upload says nothing of the kind."""

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
from tests.support.api import QUERY, SUBMIT, UPLOAD
from tests.support.constants import KEY, SAMPLE_PNG

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


async def _stopped(faults: FaultServer, path: str, image: str, stop: str) -> BaseException:
    """submit() with its request to `path` held, stopped once it arrived: by a cancel, or by
    an asyncio.timeout() whose deadline is moved to now; the exception it ended with."""
    async with AsyncRunningHub(KEY, base_url=faults.base_url, policy=PATIENT) as rh:
        arrived = faults.on_hold(path).arrived
        if stop == "cancel":
            job = asyncio.ensure_future(rh.submit("a cat", image))
            assert await asyncio.to_thread(arrived.wait, 120), f"{path} never arrived"
            job.cancel()
            try:
                await job
            except asyncio.CancelledError as exc:
                return exc
        else:
            try:
                async with asyncio.timeout(None) as deadline:
                    job = asyncio.ensure_future(rh.submit("a cat", image))
                    assert await asyncio.to_thread(arrived.wait, 120), f"{path} never arrived"
                    deadline.reschedule(asyncio.get_running_loop().time())
                    await job
            except TimeoutError as exc:  # the CancelledError the timeout turned into this
                return exc.__cause__ or exc
        raise AssertionError("submit() was not stopped")


@pytest.mark.parametrize("stop", ["cancel", "asyncio.timeout"])
def test_a_submit_stopped_in_flight_says_a_paid_task_may_exist(
    faults: FaultServer, caplog: pytest.LogCaptureFixture, stop: str
) -> None:
    caplog.set_level(logging.WARNING, logger="runninghub_video")
    faults.route(SUBMIT, Hold())
    error = asyncio.run(_stopped(faults, SUBMIT, IMAGE_URL, stop))
    assert isinstance(error, asyncio.CancelledError)
    assert getattr(error, "task_may_exist", False) is True
    assert "a paid task may exist" in "".join(getattr(error, "__notes__", []))
    assert any(
        "a paid task may exist" in r.getMessage() and r.levelno == logging.WARNING
        for r in caplog.records
    )


def test_a_submit_stopped_during_its_upload_says_nothing_was_paid(
    faults: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="runninghub_video")
    faults.route(UPLOAD, Hold())
    error = asyncio.run(_stopped(faults, UPLOAD, str(SAMPLE_PNG), "cancel"))
    assert not getattr(error, "task_may_exist", False)
    assert not getattr(error, "__notes__", [])
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert faults.count(SUBMIT) == 0
