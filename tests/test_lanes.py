"""The unit lane's rules (tests/support/lanes.py): which tests are integration tests, and the
guard that fails a unit test trying to start a process or the sandbox, or to leave loopback."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import multiprocessing.util
import os
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from runninghub_video.sandbox import Sandbox

from tests.support.lanes import GUARD, INTEGRATION, UnitLaneViolation, is_integration


@dataclass
class StubItem:
    """What the lane rules read of a pytest item."""

    nodeid: str = "tests/test_stub.py::test_stub"
    markers: tuple[str, ...] = ()
    fixturenames: list[str] = field(default_factory=list)

    def get_closest_marker(self, name: str) -> pytest.Mark | None:
        return getattr(pytest.mark, name).mark if name in self.markers else None


@contextlib.contextmanager
def refused() -> Iterator[None]:
    """The block runs as a unit test's phase that must end failed, naming what it tried."""
    with (
        pytest.raises(pytest.fail.Exception, match="a unit test must not"),
        GUARD.watching(StubItem()),  # type: ignore[arg-type]
    ):
        yield


@pytest.mark.parametrize(
    ("item", "integration"),
    [
        (StubItem(fixturenames=["tmp_path", "monkeypatch"]), False),
        (StubItem(fixturenames=["tmp_path", "sandbox"]), True),
        (StubItem(fixturenames=["cli", "sandbox", "tmp_path"]), True),
        (StubItem(fixturenames=["prism_url"]), True),
        (StubItem(fixturenames=["cli_at"]), True),
        (StubItem(markers=(INTEGRATION,)), True),
        (StubItem(markers=("live",)), True),
    ],
)
def test_integration_tests_are_known_by_marker_or_fixture(item: StubItem, integration: bool):
    assert is_integration(item) is integration  # type: ignore[arg-type]


def test_a_process_is_refused() -> None:
    with refused():
        with pytest.raises(UnitLaneViolation, match="start a process"):
            subprocess.run(["true"], check=False)
        with pytest.raises(UnitLaneViolation, match=r"os\.system"):
            os.system("true")


def test_an_asyncio_subprocess_is_refused() -> None:
    with refused():

        async def spawn() -> None:
            await asyncio.create_subprocess_exec("true")

        with pytest.raises(UnitLaneViolation, match="start a process"):
            asyncio.run(spawn())


def _child() -> None:
    """A multiprocessing target (never run: the start is refused)."""


@pytest.mark.parametrize("method", ["spawn", "forkserver", "fork"])
def test_a_multiprocessing_process_is_refused(method: str) -> None:
    """spawn and forkserver exec through fork_exec, not Popen or os.fork."""
    process = multiprocessing.get_context(method).Process(target=_child)  # type: ignore[attr-defined]
    with refused(), pytest.raises(UnitLaneViolation, match="start a process"):
        process.start()


def test_a_spawned_interpreter_is_refused() -> None:
    """What the spawn and forkserver start methods call underneath."""
    with refused(), pytest.raises(UnitLaneViolation, match="start a process"):
        multiprocessing.util.spawnv_passfds(b"/bin/true", ["true"], ())


def test_the_sandbox_is_refused() -> None:
    with (
        refused(),
        pytest.raises(UnitLaneViolation, match="rendering sandbox"),
        Sandbox(port=0),
    ):
        pass


def test_a_caught_refusal_still_fails_the_test() -> None:
    with refused(), contextlib.suppress(Exception):  # code under test that swallows the error
        subprocess.run(["true"], check=False)


@pytest.mark.parametrize("address", [("192.0.2.1", 9), ("2001:db8::1", 9)])
def test_a_connection_beyond_loopback_is_refused(address: tuple[str, int]) -> None:
    with refused():
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        with socket.socket(family) as sock, pytest.raises(UnitLaneViolation, match="connect to"):
            sock.connect(address)


@pytest.mark.parametrize("protocol", [socket.SOCK_DGRAM, socket.SOCK_STREAM])
def test_connect_ex_beyond_loopback_is_refused(protocol: int) -> None:
    with (
        refused(),
        socket.socket(socket.AF_INET, protocol) as sock,
        pytest.raises(UnitLaneViolation, match="connect to"),
    ):
        sock.connect_ex(("192.0.2.1", 9))


@pytest.mark.parametrize(
    "send",
    [
        lambda udp: udp.sendto(b"x", ("192.0.2.1", 9)),
        lambda udp: udp.sendto(b"x", 0, ("192.0.2.1", 9)),
        lambda udp: udp.sendmsg([b"x"], [], 0, ("192.0.2.1", 9)),
    ],
    ids=["sendto", "sendto-flags", "sendmsg"],
)
def test_a_datagram_beyond_loopback_is_refused(send: Callable[[socket.socket], int]) -> None:
    with (
        refused(),
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp,
        pytest.raises(UnitLaneViolation, match="send to"),
    ):
        send(udp)


@pytest.mark.parametrize(
    "resolve", [socket.getaddrinfo, socket.gethostbyname, socket.gethostbyname_ex]
)
def test_a_name_lookup_is_refused(resolve: Callable[..., object]) -> None:
    args = ("cdn.example", 443) if resolve is socket.getaddrinfo else ("cdn.example",)
    with refused(), pytest.raises(UnitLaneViolation, match="resolve the name"):
        resolve(*args)


def test_loopback_is_allowed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
        with socket.create_connection(("localhost", server.getsockname()[1]), timeout=5):
            pass
    assert socket.gethostbyname("localhost").startswith("127.")
    assert socket.gethostbyname_ex("127.0.0.1")[2] == ["127.0.0.1"]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink:
        sink.bind(("127.0.0.1", 0))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            assert udp.sendto(b"x", sink.getsockname()) == 1
            assert udp.connect_ex(sink.getsockname()) == 0
        assert sink.recv(1) == b"x"


def _tries_a_name_lookup_when(go: threading.Event) -> tuple[threading.Thread, list[object]]:
    """A thread that, once go is set, tries a lookup the guard refuses; its outcome is kept."""
    outcome: list[object] = []

    def run() -> None:
        go.wait()
        try:
            socket.getaddrinfo("cdn.example", 443, flags=socket.AI_NUMERICHOST)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    return threading.Thread(target=run), outcome


def test_threads_started_outside_unit_tests_are_left_alone() -> None:
    """E.g. the session sandbox, started for an earlier integration test and still rendering."""
    go = threading.Event()
    thread, outcome = _tries_a_name_lookup_when(go)
    with GUARD.watching(StubItem(markers=(INTEGRATION,))):  # type: ignore[arg-type]
        thread.start()
    with GUARD.watching(StubItem()):  # type: ignore[arg-type]
        go.set()
        thread.join()
    assert not isinstance(outcome[0], UnitLaneViolation), outcome


def test_a_thread_a_unit_test_left_running_stays_guarded() -> None:
    """It cannot do in the next unit test what its own test would have been refused."""
    go = threading.Event()
    thread, outcome = _tries_a_name_lookup_when(go)
    with GUARD.watching(StubItem(nodeid="tests/test_stub.py::test_first")):  # type: ignore[arg-type]
        thread.start()
    with refused():
        go.set()
        thread.join()
    assert isinstance(outcome[0], UnitLaneViolation), outcome


def test_a_thread_started_by_a_guarded_thread_is_guarded() -> None:
    go, started = threading.Event(), threading.Event()
    inner: list[tuple[threading.Thread, list[object]]] = []

    def starter() -> None:
        started.wait()
        inner.append(_tries_a_name_lookup_when(go))
        inner[0][0].start()

    thread = threading.Thread(target=starter)
    with GUARD.watching(StubItem()):  # type: ignore[arg-type]
        thread.start()
    with GUARD.watching(StubItem(markers=(INTEGRATION,))):  # type: ignore[arg-type]
        started.set()  # no unit test is active, but a guarded thread starts this one
        thread.join()
    with refused():
        go.set()
        inner[0][0].join()
    assert isinstance(inner[0][1][0], UnitLaneViolation), inner
