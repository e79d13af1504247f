"""run() and run_request() promise that once the submit is paid, whatever stops them (Ctrl-C,
a cancellation) leaves with an exception naming the task. The CLI's window between the
library's submit returning and its next line was closed with on_submitted=; run() still has
it: between submit() returning and _follow()'s try, an interrupt carries no task id."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from runninghub_video import AsyncRunningHub, RunningHub

from tests.reliability.conftest import FAST, IMAGE_URL
from tests.reliability.fault_server import FaultServer, json_reply, task_body
from tests.support.api import SUBMIT
from tests.support.constants import KEY

TASK = "2013508786110730241"


def interrupted_right_after(real: Callable[..., Any]) -> Callable[..., Any]:
    """real (a sync submit method), then Ctrl-C as it returns: before the caller's next line."""

    def submit(self: object, *args: object, **kwargs: object) -> Any:
        real(self, *args, **kwargs)
        raise KeyboardInterrupt

    return submit


def async_interrupted_right_after(real: Callable[..., Any]) -> Callable[..., Any]:
    async def submit(self: object, *args: object, **kwargs: object) -> Any:
        await real(self, *args, **kwargs)
        raise KeyboardInterrupt

    return submit


@pytest.mark.parametrize("method", ["run", "run_request"])
@pytest.mark.parametrize("client", ["sync", "async"])
def test_an_interrupt_as_submit_returns_inside_run_names_the_task(
    faults: FaultServer, monkeypatch: pytest.MonkeyPatch, client: str, method: str
) -> None:
    faults.route(SUBMIT, json_reply(task_body("QUEUED", TASK)))
    inner = "_submit_checked"  # the one submit of every run
    if client == "sync":
        cls: type = RunningHub
        monkeypatch.setattr(cls, inner, interrupted_right_after(getattr(cls, inner)))
    else:
        cls = AsyncRunningHub
        monkeypatch.setattr(cls, inner, async_interrupted_right_after(getattr(cls, inner)))

    def call(hub: Any) -> Any:
        if method == "run":
            return hub.run("a cat", IMAGE_URL)
        from runninghub_client.models import ImageToVideoRealisticRequest

        body = ImageToVideoRealisticRequest(
            prompt="a cat", resolution="720p", image_url=IMAGE_URL, duration="4"
        )
        return hub.run_request(body)

    async def go_async() -> None:
        async with AsyncRunningHub(KEY, base_url=faults.base_url, policy=FAST) as hub:
            await call(hub)

    def go_sync() -> None:
        with RunningHub(KEY, base_url=faults.base_url, policy=FAST) as hub:
            call(hub)

    with pytest.raises(KeyboardInterrupt) as raised:
        go_sync() if client == "sync" else asyncio.run(go_async())
    assert [request.path for request in faults.requests] == [SUBMIT]  # the task was paid for
    assert getattr(raised.value, "task_id", None) == TASK
