"""The sandbox delivers webhooks as the vendor does (issue 20): when a task with a webhookUrl
ends, the legacy delivery is POSTed there; a receiver slower than webhook_timeout gets it again
(a duplicate), which a receiver built from runninghub_video.webhooks drops; the delivery is
confirmed by a query; a wrong token is refused; only loopback URLs are called."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from runninghub_video import Policy, RunningHub, webhooks
from runninghub_video.sandbox import Limits, Sandbox

from tests.support.sandboxes import running_sandbox
from tests.wrapper.fakes import KEY

FAST = Policy(poll_interval=0.05)
EVENT_TIMEOUT = 60
"""Only a safety net so that a broken test fails instead of hanging."""


@dataclass
class Receiver:
    """A webhook receiver over real sockets: checks the token, parses, dedupes; holds its first
    delivery unanswered until `release` is set (a slow receiver)."""

    token: str
    deliveries: list[webhooks.Delivery] = field(default_factory=list)
    fresh: list[webhooks.Delivery] = field(default_factory=list)
    refused: int = 0
    second: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    dedupe: webhooks.Deduper = field(default_factory=webhooks.Deduper)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, path: str, body: bytes) -> int:
        query = httpx.URL(path).params
        if not webhooks.token_matches(query.get("token"), self.token):
            with self.lock:
                self.refused += 1
            return 403
        delivery = webhooks.parse(body)
        with self.lock:
            self.deliveries.append(delivery)
            count = len(self.deliveries)
            if not self.dedupe.seen(delivery):
                self.fresh.append(delivery)
        if count == 1:
            self.release.wait(EVENT_TIMEOUT)  # slower than the sandbox waits: it delivers again
        elif count == 2:
            self.second.set()
        return 200


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver(token=webhooks.new_token())

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = state.handle(self.path, body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield state, base
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def impatient() -> Iterator[Sandbox]:
    """A sandbox that waits 0.3 s for a webhook receiver, then delivers again."""
    with running_sandbox(limits=Limits(webhook_timeout=0.3)) as sandbox:
        yield sandbox


@pytest.mark.integration  # a sandbox and a receiver over sockets
def test_a_delivery_is_retried_deduped_and_confirmed(
    impatient: Sandbox, receiver: tuple[Receiver, str]
) -> None:
    state, base = receiver
    url = webhooks.url_with_token(base, state.token)
    with RunningHub(KEY, base_url=impatient.base_url, policy=FAST) as rh:
        task = rh.submit("a gull", "https://cdn.test/cat.png", webhook_url=url)
        assert state.second.wait(EVENT_TIMEOUT), "the delivery was never made again"
        state.release.set()
        (fresh,) = state.fresh  # the redelivery was dropped
        assert fresh.task.id == task.id
        assert fresh.event == "TASK_END"
        confirmed = rh.confirm(fresh)
    assert confirmed.succeeded
    assert len(state.deliveries) == 2
    assert httpx.post(f"{base}?token=wrong", content=b"{}").status_code == 403
    assert state.refused == 1


@pytest.mark.integration  # a sandbox of its own
def test_a_webhook_url_off_this_machine_is_never_called(impatient: Sandbox) -> None:
    with RunningHub(KEY, base_url=impatient.base_url, policy=FAST) as rh:
        task = rh.submit("a gull", "https://cdn.test/cat.png", webhook_url="https://example.com/h")
        rh.wait(task.id, timeout=30)
    stats = impatient.stats
    assert (stats.webhooks_refused, stats.webhook_attempts) == (1, 0)
