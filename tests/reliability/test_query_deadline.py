"""The per-call deadline of wait() and watch() bounds the query in flight too, sync and async,
over real sockets: an answer trickling in (each byte well inside the read timeout) is cut at
the deadline, and a query that stalls with no byte at all ends at the read timeout, both with
WaitTimeoutError. run(timeout=) bounds its submit's answer the same way. The only time limit
is the test's own timeout: no timed assertion.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import replace
from typing import Any

import pytest
from runninghub_video import (
    APITimeoutError,
    AsyncRunningHub,
    Policy,
    RunningHub,
    RunningHubError,
    WaitTimeoutError,
)

from tests.reliability.conftest import FAST, IMAGE_URL, call, modes
from tests.reliability.fault_server import FaultServer, Hold, Trickle, task_body
from tests.support.constants import KEY
from tests.wrapper.fakes import QUERY, SUBMIT

TASK = "2013508786110730241"
POLICY = replace(FAST, request_timeout=1.0)
"""Each trickled byte arrives well inside the read timeout; the deadlines below are shorter."""
ENDLESS = json.dumps(task_body("RUNNING", TASK)).encode() + b" " * 10_000_000
"""A RUNNING answer followed by 10 MB of spaces: at one byte per 0.05 s, days of answer."""


def until_the_end(mode: str, base_url: str, method: str, policy: Policy = POLICY) -> None:
    """wait(TASK, timeout=0.5), or watch() iterated to its end, on a fresh client."""
    if mode == "sync":
        with RunningHub(KEY, base_url=base_url, policy=policy) as hub:
            if method == "wait":
                hub.wait(TASK, timeout=0.5)
            else:
                for _ in hub.watch(TASK, timeout=0.5):
                    pass
        return

    async def go() -> None:
        async with AsyncRunningHub(KEY, base_url=base_url, policy=policy) as hub:
            if method == "wait":
                await hub.wait(TASK, timeout=0.5)
            else:
                async for _ in hub.watch(TASK, timeout=0.5):
                    pass

    asyncio.run(go())


methods = pytest.mark.parametrize("method", ["wait", "watch"])


@pytest.mark.timeout(60)
@modes
@methods
def test_the_deadline_cuts_a_trickling_answer(mode: str, method: str, faults: FaultServer) -> None:
    trickle = Trickle(ENDLESS, chunk=1, gap=0.05, content_type="application/json")
    faults.route(QUERY, trickle)
    with pytest.raises(WaitTimeoutError) as caught:
        until_the_end(mode, faults.base_url, method)
    assert caught.value.task_id == TASK
    assert caught.value.last_status is None  # the one answer never finished
    assert faults.count(QUERY) == 1  # not retried past the deadline
    assert 0 < trickle.sent[0] < len(ENDLESS)  # the client read some, then hung up


@pytest.mark.timeout(60)
@modes
@methods
def test_a_query_that_never_answers_ends_at_the_read_timeout(
    mode: str, method: str, faults: FaultServer
) -> None:
    faults.route(QUERY, Hold())  # reads the request, then not one byte until the server stops
    with pytest.raises(WaitTimeoutError) as caught:
        until_the_end(mode, faults.base_url, method)
    assert caught.value.task_id == TASK
    assert faults.count(QUERY) == 1


@pytest.mark.timeout(60)
@modes
def test_the_last_query_at_the_deadline_still_gets_its_answer(
    mode: str, faults: FaultServer
) -> None:
    """The first chunk of an answer is always taken: a query made at the deadline (as wait's
    last one is, its sleep ending there) is read, a final status returned."""
    body = json.dumps(task_body("SUCCESS", TASK, result_url="https://cdn.test/out.mp4")).encode()
    faults.route(QUERY, Trickle(body, chunk=len(body), gap=0, content_type="application/json"))
    clock = itertools.chain([0.0], itertools.repeat(100.0))  # the deadline (0.5) has passed
    kwargs: dict[str, Any] = {"policy": POLICY, "clock": lambda: next(clock)}
    if mode == "sync":
        with RunningHub(KEY, base_url=faults.base_url, **kwargs) as hub:
            task = hub.wait(TASK, timeout=0.5)
    else:

        async def go() -> Any:
            async with AsyncRunningHub(KEY, base_url=faults.base_url, **kwargs) as hub:
                return await hub.wait(TASK, timeout=0.5)

        task = asyncio.run(go())
    assert task.succeeded


def run_to_the_end(mode: str, base_url: str) -> BaseException:
    """run(..., timeout=0.5) on a fresh client; what it raised."""
    try:
        call(mode, base_url, "run", "a cat", IMAGE_URL, policy=POLICY, timeout=0.5)
    except RunningHubError as error:
        return error
    raise AssertionError("run() returned")


@pytest.mark.timeout(60)
@modes
def test_the_run_deadline_cuts_a_trickling_submit_answer(mode: str, faults: FaultServer) -> None:
    """A paid submit whose answer trickles in: run(timeout=) drops it at the deadline, as a
    task that may exist (never retried)."""
    faults.route(SUBMIT, Trickle(ENDLESS, chunk=1, gap=0.05, content_type="application/json"))
    error = run_to_the_end(mode, faults.base_url)
    assert isinstance(error, APITimeoutError), repr(error)
    assert error.task_may_exist
    assert faults.count(SUBMIT) == 1
