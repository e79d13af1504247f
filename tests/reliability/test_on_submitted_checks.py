"""on_submitted= is input like any other: one that cannot be called is an InvalidInputError
before any request (the standard: bad input gets a clear error before anything is sent), not a
TypeError once the paid task exists. submit_to()'s keyword fields are the page's: a field the
spec names on_submitted can no longer be given there, and the value meant for it must not be
taken for the callback after the submit was paid for."""

from __future__ import annotations

import asyncio

import pytest
from runninghub_video import AsyncRunningHub, InvalidInputError, RunningHub

from tests.reliability.conftest import FAST, IMAGE_URL
from tests.reliability.fault_server import FaultServer, json_reply, task_body
from tests.support.api import SUBMIT
from tests.support.constants import KEY

TASK = "2013508786110730241"
SEED = "image-to-video-realistic"


def submit_sync(base_url: str, how: str, on_submitted: object) -> None:
    with RunningHub(KEY, base_url=base_url, policy=FAST) as hub:
        if how == "submit":
            hub.submit("a cat", IMAGE_URL, on_submitted=on_submitted)  # type: ignore[arg-type]
        else:
            hub.submit_to(
                SEED, prompt="a cat", image_url=IMAGE_URL, resolution="720p",
                duration="4", on_submitted=on_submitted,  # type: ignore[arg-type]
            )  # fmt: skip


def submit_async(base_url: str, how: str, on_submitted: object) -> None:
    async def go() -> None:
        async with AsyncRunningHub(KEY, base_url=base_url, policy=FAST) as hub:
            if how == "submit":
                await hub.submit("a cat", IMAGE_URL, on_submitted=on_submitted)  # type: ignore[arg-type]
            else:
                await hub.submit_to(
                    SEED, prompt="a cat", image_url=IMAGE_URL, resolution="720p",
                    duration="4", on_submitted=on_submitted,  # type: ignore[arg-type]
                )  # fmt: skip

    asyncio.run(go())


@pytest.mark.parametrize("client", ["sync", "async"])
@pytest.mark.parametrize("how", ["submit", "submit_to"])
def test_an_on_submitted_that_cannot_be_called_is_refused_before_the_paid_submit(
    faults: FaultServer, client: str, how: str
) -> None:
    faults.route(SUBMIT, json_reply(task_body("QUEUED", TASK)))
    go = submit_sync if client == "sync" else submit_async
    with pytest.raises(InvalidInputError, match="on_submitted"):
        go(faults.base_url, how, "https://hooks.example/done")  # a field value, not a callback
    assert [request.path for request in faults.requests] == []  # nothing paid
