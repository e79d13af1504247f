"""The unit lane's rules (tests/support/lanes.py): which tests are integration tests, and the
guard that fails a unit test trying to start a process or the sandbox, or to leave loopback."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
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


def test_a_name_lookup_is_refused() -> None:
    with refused(), pytest.raises(UnitLaneViolation, match="resolve the name"):
        socket.getaddrinfo("cdn.example", 443)


def test_loopback_is_allowed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
        with socket.create_connection(("localhost", server.getsockname()[1]), timeout=5):
            pass


def test_threads_running_before_the_test_are_left_alone() -> None:
    """E.g. the session sandbox rendering for an earlier integration test: not this test's."""
    go, done = threading.Event(), threading.Event()
    outcome: list[BaseException | None] = []

    def earlier() -> None:
        go.wait()
        try:
            socket.getaddrinfo("cdn.example", 443, flags=socket.AI_NUMERICHOST)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)
        done.set()

    thread = threading.Thread(target=earlier)
    thread.start()
    with GUARD.watching(StubItem()):  # type: ignore[arg-type]
        go.set()
        done.wait()
    thread.join()
    assert not isinstance(outcome[0], UnitLaneViolation), outcome
