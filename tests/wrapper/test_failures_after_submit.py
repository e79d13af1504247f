"""A failure of any kind once a submit may have been sent (MemoryError, a bug in a hook) is
"a paid task may exist": the library says so with task_may_exist and sends nothing again, and
the CLI journals the submit as unconfirmed (and nothing for an error before the submit was
out). A duration that would overflow the OS's timers is refused before any request."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from runninghub_video import APIConnectionError, AsyncRunningHub, InvalidInputError, RunningHub
from runninghub_video._journal import Journal
from runninghub_video.cli._output import Display
from runninghub_video.cli._task_run import TaskRun

from tests.support.constants import KEY

IMAGE_URL = "https://cdn.test/cat.png"


class Exhausted:
    """A transport that runs out of memory on each request (after the request was sent)."""

    def __init__(self) -> None:
        self.sent = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        raise MemoryError


def test_memory_error_during_a_sync_submit_may_have_paid() -> None:
    exhausted = Exhausted()
    with (
        RunningHub(
            KEY, base_url="http://127.0.0.1:9", transport=httpx.MockTransport(exhausted)
        ) as rh,
        pytest.raises(APIConnectionError, match="a paid task may exist") as caught,
    ):
        rh.submit("a cat", IMAGE_URL)
    assert caught.value.task_may_exist
    assert exhausted.sent == 1


def test_memory_error_during_an_async_submit_may_have_paid() -> None:
    exhausted = Exhausted()

    async def go() -> None:
        transport = httpx.MockTransport(exhausted)
        async with AsyncRunningHub(KEY, base_url="http://127.0.0.1:9", transport=transport) as rh:
            await rh.submit("a cat", IMAGE_URL)

    with pytest.raises(APIConnectionError, match="a paid task may exist") as caught:
        asyncio.run(go())
    assert caught.value.task_may_exist
    assert exhausted.sent == 1


def test_memory_error_during_a_query_stays_itself() -> None:
    with (
        RunningHub(
            KEY, base_url="http://127.0.0.1:9", transport=httpx.MockTransport(Exhausted())
        ) as rh,
        pytest.raises(MemoryError),
    ):
        rh.get("2013508786110730241")


def task_run(home: Path) -> TaskRun:
    args = argparse.Namespace(base_url=None, prompt="a cat", output=None, overwrite=False)
    run = TaskRun(args, Display("plain"))
    run._journal = Journal(home)
    return run


def marked(error: BaseException) -> BaseException:
    error.task_may_exist = True  # type: ignore[attr-defined]
    return error


@pytest.mark.parametrize(
    "error",
    [APIConnectionError("sent, no answer", task_may_exist=True), marked(KeyboardInterrupt())],
)
def test_the_cli_journals_a_submit_the_library_says_may_have_paid_as_unconfirmed(
    tmp_path: Path, error: BaseException
) -> None:
    run = task_run(tmp_path)
    run.failed_submit(error, "http://127.0.0.1:9", {"duration": "4"})
    (record,) = Journal(tmp_path).read()
    assert (record.task_id, record.event, record.status) == (None, "unconfirmed", "UNKNOWN")


@pytest.mark.parametrize("error", [KeyboardInterrupt(), RuntimeError("a bug in a check")])
def test_the_cli_journals_nothing_for_an_error_before_the_submit_was_out(
    tmp_path: Path, error: BaseException
) -> None:
    task_run(tmp_path).failed_submit(error, "http://127.0.0.1:9", {"duration": "4"})
    assert Journal(tmp_path).read() == []


def test_an_error_that_says_nothing_was_sent_is_not_journaled(tmp_path: Path) -> None:
    run = task_run(tmp_path)
    error: Any = InvalidInputError("prompt", "", "a prompt")
    run.failed_submit(error, "http://127.0.0.1:9", {})
    assert Journal(tmp_path).read() == []


class Counting:
    """A transport that counts requests and answers nothing useful (none may be sent)."""

    def __init__(self) -> None:
        self.sent = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return httpx.Response(500)


@pytest.mark.parametrize("seconds", [1e10, 1e300, 7 * 24 * 3600 + 1])
def test_an_out_of_range_timeout_is_refused_before_any_request(seconds: float) -> None:
    counting = Counting()
    transport = httpx.MockTransport(counting)
    with RunningHub(KEY, base_url="http://127.0.0.1:9", transport=transport) as rh:
        with pytest.raises(InvalidInputError, match="timeout"):
            rh.run("a cat", IMAGE_URL, timeout=seconds)
        with pytest.raises(InvalidInputError, match="poll_interval"):
            rh.wait("2013508786110730241", poll_interval=seconds)
    assert counting.sent == 0


def test_a_policy_with_an_overflowing_duration_is_refused() -> None:
    from runninghub_video import Policy

    with pytest.raises(ValueError, match="wait_timeout must be between 0 and 604800"):
        Policy(wait_timeout=1e10)
    with pytest.raises(ValueError, match="request_timeout"):
        Policy(request_timeout=float("inf"))
