"""Narrow unit-test fakes: a scripted API (httpx.MockTransport) and a fake clock."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from runninghub_video import AsyncRunningHub, Policy, RunningHub

from tests.support.api import QUERY, SUBMIT, UPLOAD
from tests.support.bodies import VIDEO_URL, task_body
from tests.support.constants import KEY

__all__ = ["KEY", "QUERY", "SUBMIT", "UPLOAD", "VIDEO_URL", "answering", "task_body"]
BASE = "https://api.test"


def answering(body: object, status: int = 200) -> RunningHub:
    """A client whose every request is answered `status` with `body` as JSON."""
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json=body))
    return RunningHub(KEY, base_url=BASE, transport=transport)


Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


@dataclass
class FakeClock:
    """monotonic() and sleep() that only move when slept."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


@dataclass
class ScriptedAPI:
    """Answers each path from a queue of replies; records every request."""

    replies: dict[str, list[Reply]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def add(self, path: str, *replies: Reply) -> ScriptedAPI:
        self.replies.setdefault(path, []).extend(replies)
        return self

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        queue = self.replies.get(request.url.path)
        if not queue:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(reply, Exception):
            raise reply
        if callable(reply) and not isinstance(reply, httpx.Response):
            return reply(request)
        return reply

    def count(self, path: str) -> int:
        return sum(1 for r in self.requests if r.url.path == path)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


def ok(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode(), headers={
        "content-type": "application/json", **(headers or {})})  # fmt: skip


def raw(content: bytes, status: int = 200, ctype: str = "text/html") -> httpx.Response:
    return httpx.Response(status, content=content, headers={"content-type": ctype})


def make_client(api: ScriptedAPI, clock: FakeClock, **policy: Any) -> RunningHub:
    return RunningHub(
        KEY,
        base_url=BASE,
        policy=Policy(**policy),
        clock=clock,
        sleep=clock.sleep,
        transport=api.transport(),
    )


def make_async_client(api: ScriptedAPI, clock: FakeClock, **policy: Any) -> AsyncRunningHub:
    return AsyncRunningHub(
        KEY,
        base_url=BASE,
        policy=Policy(**policy),
        clock=clock,
        sleep=clock.asleep,
        transport=api.transport(),
    )
