"""Webhooks (issue 20): runninghub_video.webhooks reads either delivery shape, checks the
URL's token in constant time, dedupes redeliveries, and its ASGI app answers at once; a delivery
is only a hint: rh.confirm() trusts the query (against the sandbox, a forged SUCCESS is not)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator

import httpx
import pytest
from runninghub_video import RunningHub, UnexpectedResponseError, webhooks
from runninghub_video.sandbox import Sandbox

from tests.support.sandboxes import running_sandbox
from tests.wrapper.fakes import KEY, task_body

TASK = "2013508786110730241"
SUCCESS = task_body("SUCCESS", TASK)


def legacy(task: dict[str, object]) -> bytes:
    return json.dumps({"event": "TASK_END", "taskId": TASK, "eventData": json.dumps(task)}).encode()


def v2(task: dict[str, object]) -> bytes:
    return json.dumps({"event": "TASK_END", "taskId": TASK, "eventData": task,
                       "parentTaskId": None, "taskUsageList": []}).encode()  # fmt: skip


@pytest.mark.parametrize("shape", [legacy, v2], ids=["legacy", "v2"])
def test_both_shapes_parse_into_the_task(shape: Callable[[dict[str, object]], bytes]) -> None:
    delivery = webhooks.parse(shape(SUCCESS))
    assert (delivery.task.id, delivery.task.status, delivery.event) == (TASK, "SUCCESS", "TASK_END")
    assert delivery.task.video_url is not None


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1]",
        json.dumps({"event": "TASK_END", "taskId": TASK}).encode(),  # no eventData
        json.dumps({"taskId": "1", "eventData": SUCCESS}).encode(),  # ids differ
        b" " * (2 << 20),
    ],
    ids=["garbage", "array", "no-event-data", "ids-differ", "huge"],
)
def test_what_is_no_delivery_is_refused(body: bytes) -> None:
    with pytest.raises(UnexpectedResponseError):
        webhooks.parse(body)


def test_the_token_goes_in_the_url_and_is_checked() -> None:
    token = webhooks.new_token()
    url = webhooks.url_with_token("https://example.com/hook?a=1&token=old", token)
    assert url == f"https://example.com/hook?a=1&token={token}"
    assert webhooks.token_matches(token, token)
    assert not webhooks.token_matches(token[:-1] + "x", token)
    assert not webhooks.token_matches(None, token)
    assert not webhooks.token_matches("", "")


def test_the_deduper_sees_a_task_and_status_once() -> None:
    dedupe = webhooks.Deduper(size=2)
    first = webhooks.parse(legacy(SUCCESS))
    assert not dedupe.seen(first)
    assert dedupe.seen(webhooks.parse(v2(SUCCESS)))  # the same task and status, other shape
    assert not dedupe.seen(webhooks.parse(legacy(task_body("FAILED", TASK))))


def test_the_asgi_app_answers_at_once_and_hands_each_delivery_on_once() -> None:
    token = webhooks.new_token()

    async def go() -> tuple[list[int], list[str]]:
        handled: list[str] = []
        done = asyncio.Event()

        async def on_delivery(delivery: webhooks.Delivery) -> None:
            handled.append(delivery.task.status)
            done.set()

        app = webhooks.asgi_app(on_delivery, token=token)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hook.test") as client:
            codes = [
                (await client.post(f"/?token={token}", content=legacy(SUCCESS))).status_code,
                (await client.post(f"/?token={token}", content=v2(SUCCESS))).status_code,  # again
                (await client.post("/?token=wrong", content=legacy(SUCCESS))).status_code,
                (await client.post("/", content=legacy(SUCCESS))).status_code,
                (await client.post(f"/?token={token}", content=b"{}")).status_code,
                (await client.get(f"/?token={token}")).status_code,
            ]
        await done.wait()
        return codes, handled

    codes, handled = asyncio.run(go())
    assert codes == [200, 200, 403, 403, 400, 405]
    assert handled == ["SUCCESS"]  # the redelivery was dropped


@pytest.fixture(scope="module")
def still() -> Iterator[Sandbox]:
    with running_sandbox(speed=1e-4) as sandbox:
        yield sandbox


@pytest.mark.integration  # a sandbox of its own (rendering)
def test_confirm_trusts_the_query_not_the_delivery(still: Sandbox) -> None:
    with RunningHub(KEY, base_url=still.base_url) as rh:
        task = rh.submit("a gull", "https://cdn.test/cat.png")
        forged = webhooks.parse(
            json.dumps({"taskId": task.id, "eventData": task_body("SUCCESS", task.id)})
        )
        assert forged.task.status == "SUCCESS"
        assert not rh.confirm(forged).is_final  # the API says it still runs
