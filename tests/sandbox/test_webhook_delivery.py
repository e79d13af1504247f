"""The sandbox delivers webhooks as the vendor does (issue 20): when a task with a webhookUrl
ends, the legacy delivery is POSTed there; a receiver slower than webhook_timeout gets it again
(a duplicate), which a receiver built from runninghub_video.webhooks drops; the delivery is
confirmed by a query; a wrong token is refused; only loopback URLs are called."""

from __future__ import annotations

import contextlib
import http.server
import ipaddress
import socket
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
    arrived: threading.Event = field(default_factory=threading.Event)
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
        self.arrived.set()
        if count == 1:
            self.release.wait(EVENT_TIMEOUT)  # slower than the sandbox waits: it delivers again
        elif count == 2:
            self.second.set()
        return 200


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    with serving(Receiver(token=webhooks.new_token()), "127.0.0.1") as (state, base):
        yield state, base


@contextlib.contextmanager
def serving(state: Receiver, host: str) -> Iterator[tuple[Receiver, str]]:
    """state's receiver over real sockets on host; yields it with its base URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = state.handle(self.path, body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer((host, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://{host}:{server.server_address[1]}/hook"
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


def own_address() -> str:
    """This machine's address on its network (not loopback), or skip: no packet is sent."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: picks the outgoing interface only
        except OSError:
            pytest.skip("no network interface besides loopback")
        address = str(probe.getsockname()[0])
    if ipaddress.ip_address(address).is_loopback:
        pytest.skip("no network interface besides loopback")
    return address


@pytest.mark.integration  # a sandbox and a receiver over sockets
def test_allow_remote_lets_the_sandbox_call_a_webhook_on_another_address() -> None:
    state = Receiver(token=webhooks.new_token())
    state.release.set()  # answers at once
    with (
        serving(state, own_address()) as (_, base),
        running_sandbox(allow_remote=True) as sandbox,
        RunningHub(KEY, base_url=sandbox.base_url, policy=FAST) as rh,
    ):
        url = webhooks.url_with_token(base, state.token)
        task = rh.submit("a gull", "https://cdn.test/cat.png", webhook_url=url)
        assert state.arrived.wait(EVENT_TIMEOUT), "the delivery never came"
        stats = sandbox.stats
    assert state.fresh[0].task.id == task.id
    assert stats.webhooks_refused == 0
