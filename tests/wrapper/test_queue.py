"""Queue status (issue 20): rh.queue() reads the key's limit and its running and queued tasks,
bare or in an envelope, numbers or strings, from Prism's examples and from the sandbox (through
Prism's validating proxy too); a refused key is an AuthenticationError, as everywhere."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from runninghub_video import (
    AsyncRunningHub,
    AuthenticationError,
    Queue,
    RunningHub,
    UnexpectedResponseError,
)
from runninghub_video.sandbox import INVALID_API_KEY, Limits, Sandbox

from tests.support.api import QUEUE
from tests.support.sandboxes import running_sandbox
from tests.wrapper.fakes import KEY, answering
from tests.wrapper.test_against_prism import Prefer

IMAGE_URL = "https://cdn.test/cat.png"


@pytest.mark.parametrize(("example", "limit", "running"), [("BARE", 50, 1), ("WRAPPED", 50, 1)])
def test_queue_reads_both_documented_forms_from_prism(
    prism_url: str, example: str, limit: int, running: int
) -> None:
    transport = Prefer({QUEUE: f"example={example}"})
    with RunningHub(KEY, base_url=prism_url, transport=transport) as rh:
        queue = rh.queue()
    assert queue == Queue(concurrency_limit=limit, running=running, queued=0, key_type="NORMAL")


def test_a_key_refused_by_queue_status_is_an_authentication_error(prism_url: str) -> None:
    with (
        RunningHub(KEY, base_url=prism_url, transport=Prefer({QUEUE: "code=401"})) as rh,
        pytest.raises(AuthenticationError),
    ):
        rh.check_key()


@pytest.fixture(scope="module")
def still() -> Iterator[Sandbox]:
    """A sandbox whose tasks stay QUEUED for hours, with a key limit of 2."""
    with running_sandbox(speed=1e-4, limits=Limits(concurrency_limit=2)) as sandbox:
        yield sandbox


@pytest.mark.integration  # a sandbox of its own (rendering)
def test_queue_counts_the_tasks_of_the_sandbox(still: Sandbox) -> None:
    with RunningHub(KEY, base_url=still.base_url) as rh:
        before = rh.queue()
        for _ in range(3):
            rh.submit("a gull", IMAGE_URL)
        after = rh.queue()
    assert before.concurrency_limit == after.concurrency_limit == 2
    assert after.running + after.queued == before.running + before.queued + 3


@pytest.mark.integration  # a sandbox of its own (rendering)
def test_async_queue_and_check_key_against_the_sandbox(still: Sandbox) -> None:
    async def go() -> Queue:
        async with AsyncRunningHub(KEY, base_url=still.base_url) as rh:
            await rh.check_key()
            return await rh.queue()

    assert asyncio.run(go()).concurrency_limit == 2
    with (
        RunningHub(INVALID_API_KEY, base_url=still.base_url) as rh,
        pytest.raises(AuthenticationError),
    ):
        rh.check_key()


def test_the_sandbox_queue_answer_passes_prisms_validating_proxy(prism_proxy_url: str) -> None:
    with RunningHub(KEY, base_url=prism_proxy_url) as rh:
        queue = rh.queue()
    assert queue.concurrency_limit == 50  # the sandbox's default, the vendor's


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"code": 0, "msg": "success", "data": {"concurrentLimit": "5", "runningCount": "2",
                                                   "queuedCount": "7"}},
            Queue(concurrency_limit=5, running=2, queued=7),
        ),
        ({"runningCount": 0}, Queue(concurrency_limit=None, running=0, queued=0)),
    ],
)  # fmt: skip
def test_strings_and_missing_fields_are_read_liberally(body: object, expected: Queue) -> None:
    with answering(body) as rh:
        assert rh.queue() == expected


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"errorCode": "1002", "errorMessage": "invalid key"}, AuthenticationError),
        ({"code": 1002, "msg": "invalid key", "data": None}, AuthenticationError),
        ({"runningCount": "-1", "queuedCount": 0}, UnexpectedResponseError),
        ({"runningCount": "\u0661", "queuedCount": 0}, UnexpectedResponseError),  # non-ASCII
        ({"runningCount": True}, UnexpectedResponseError),
        ({"apiKeyType": "NORMAL"}, UnexpectedResponseError),
        ({"runningCount": "1" + "0" * 5000, "queuedCount": 0}, UnexpectedResponseError),  # helper-9
        (
            {"code": 5.0, "msg": "quota exceeded", "data": {"runningCount": 3}},
            UnexpectedResponseError,
        ),
        ({"code": {"err": 1}, "runningCount": 2}, UnexpectedResponseError),
        ({"code": False, "runningCount": 2}, UnexpectedResponseError),
        (["not", "an", "object"], UnexpectedResponseError),
    ],
)
def test_refusals_and_odd_answers_are_clear_errors(body: object, error: type[Exception]) -> None:
    with answering(body) as rh, pytest.raises(error):
        rh.queue()
