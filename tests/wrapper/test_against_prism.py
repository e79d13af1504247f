"""Every wrapper method against the real Prism mock of openapi/runninghub.yaml, over sockets.

Prism keeps no state, so statuses are chosen with its `Prefer: example=NAME` / `code=NNN`
header, added per path by a transport wrapper.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from runninghub_video import (
    AsyncRunningHub,
    AuthenticationError,
    ContentRejectedError,
    Policy,
    RateLimitError,
    RunningHub,
    ServerError,
)

from tests.wrapper.fakes import KEY, QUERY, SUBMIT, UPLOAD

FAST = Policy(poll_interval=0.01, backoff_initial=0.01, max_retry_after=0.05)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


class Prefer(httpx.HTTPTransport):
    """Adds Prism's Prefer header per request path."""

    def __init__(self, choices: dict[str, str]) -> None:
        super().__init__()
        self.choices = choices

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path in self.choices:
            request.headers["Prefer"] = self.choices[request.url.path]
        return super().handle_request(request)


class AsyncPrefer(httpx.AsyncHTTPTransport):
    def __init__(self, choices: dict[str, str]) -> None:
        super().__init__()
        self.choices = choices

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path in self.choices:
            request.headers["Prefer"] = self.choices[request.url.path]
        return await super().handle_async_request(request)


def client(prism_url: str, **choices: str) -> RunningHub:
    paths = {"submit": SUBMIT, "query": QUERY, "upload": UPLOAD}
    return RunningHub(KEY, base_url=prism_url, policy=FAST,
                      transport=Prefer({paths[k]: v for k, v in choices.items()}))  # fmt: skip


@pytest.fixture
def image(tmp_path: Path) -> Path:
    path = tmp_path / "cat.png"
    path.write_bytes(PNG)
    return path


def test_submit_and_get(prism_url: str) -> None:
    with client(prism_url, submit="example=QUEUED", query="example=RUNNING") as rh:
        task = rh.submit("a cat turns its head", "https://cdn.test/cat.png")
        assert (task.id, task.status) == ("2013508786110730241", "QUEUED")
        again = rh.get(task.id)
    assert again.status == "RUNNING"
    assert again.results == ()


def test_wait_returns_typed_success(prism_url: str) -> None:
    with client(prism_url, query="example=SUCCESS") as rh:
        task = rh.wait("2013508786110730241", timeout=5)
    assert task.succeeded
    assert task.video_url is not None
    assert task.video_url.endswith(".mp4")
    assert task.usage is not None
    assert task.usage.consume_money == Decimal("3.2")


def test_wait_raises_content_rejected_for_the_failed_example(prism_url: str) -> None:
    with client(prism_url, query="example=FAILED") as rh, pytest.raises(ContentRejectedError) as e:
        rh.wait("2013508786110730241", timeout=5)
    assert e.value.error_code == "1505"
    assert e.value.task_id == "2013508786110730241"
    assert e.value.failed_reason is not None


def test_run_uploads_a_local_image_then_submits_and_waits(prism_url: str, image: Path) -> None:
    with client(prism_url, submit="example=QUEUED", query="example=SUCCESS") as rh:
        task = rh.run("a cat", image, duration="8", aspect_ratio="9:16")
    assert task.succeeded


def test_upload_returns_the_download_url(prism_url: str, image: Path) -> None:
    with client(prism_url) as rh:
        assert rh.upload(image).startswith("https://")


@pytest.mark.parametrize(
    ("code", "error"), [("401", AuthenticationError), ("429", RateLimitError), ("503", ServerError)]
)
def test_documented_errors_raise_typed_exceptions(
    prism_url: str, code: str, error: type[Exception]
) -> None:
    with client(prism_url, query=f"code={code}") as rh, pytest.raises(error):
        rh.get("2013508786110730241")


def test_async_client_against_prism(prism_url: str, image: Path) -> None:
    async def go() -> None:
        choices = {SUBMIT: "example=RUNNING", QUERY: "example=SUCCESS"}
        async with AsyncRunningHub(KEY, base_url=prism_url, policy=FAST,
                                   transport=AsyncPrefer(choices)) as rh:  # fmt: skip
            url = await rh.upload(image)
            task = await rh.submit("a cat", url)
            assert task.status == "RUNNING"
            done = await rh.wait(task.id, timeout=5)
            assert done.succeeded
            tasks = await asyncio.gather(*(rh.get(task.id) for _ in range(20)))
            assert {t.status for t in tasks} == {"SUCCESS"}

    asyncio.run(go())
