"""Fixtures for the reliability suite: a scriptable fault server, short policies, the CLI as a
subprocess; and a terminal summary of the figures the suite collected. (The fast sandbox is the
session's, from tests/conftest.py.)
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from runninghub_video import AsyncRunningHub, Policy, RunningHub

from tests.reliability.fault_server import FaultServer
from tests.reliability.figures import COUNTERS, FIGURES
from tests.support.cli import Cli, cli_in
from tests.support.constants import KEY

IMAGE_URL = "https://cdn.test/cat.png"
FAST = Policy(
    poll_interval=0.05,
    wait_timeout=20.0,
    backoff_initial=0.01,
    backoff_max=0.05,
    connect_timeout=1.0,
    request_timeout=1.0,
)
"""Short timings so that the suite is fast; retry counts stay the defaults."""


@pytest.fixture
def faults() -> Iterator[FaultServer]:
    """A fresh fault server per test (nothing scripted yet)."""
    with FaultServer() as server:
        yield server


@pytest.fixture
def cli_at(tmp_path: Path) -> Callable[[str], Cli]:
    """The CLI, in its own working and journal folders, against a base URL."""

    return lambda base_url: cli_in(tmp_path, base_url)


def _children() -> set[int]:
    """Process ids of this process's children (Linux /proc)."""
    pids: set[int] = set()
    for path in Path("/proc/self/task").glob("*/children"):
        with contextlib.suppress(OSError):
            pids.update(int(pid) for pid in path.read_text().split())
    return pids


@pytest.fixture(autouse=True)
def nothing_left_running() -> Iterator[None]:
    """Every test stops the servers, pools and processes it started. (Executor threads of
    the session's sandbox, named asyncio_N, may appear on first use and stay.)"""
    threads, children = set(threading.enumerate()), _children()
    yield
    deadline = time.monotonic() + 30  # an event wait: a loaded host may take a while to reap
    while True:
        extra = [
            t
            for t in threading.enumerate()
            if t not in threads and t.is_alive() and not t.name.startswith("asyncio_")
        ]
        orphans = _children() - children
        if not (extra or orphans) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not extra, f"threads left running: {extra}"
    assert not orphans, f"child processes left running: {orphans}"


class Sleeps:
    """A sleep that really sleeps and records how long it was asked to."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        self.calls.append(seconds)
        await asyncio.sleep(seconds)


def call(
    mode: str,
    base_url: str,
    method: str,
    *args: Any,
    policy: Policy = FAST,
    sleeps: Sleeps | None = None,
    key: str = KEY,
    **kwargs: Any,
) -> Any:
    """One client method, sync or async, on a fresh client over real sockets."""
    sleeps = sleeps or Sleeps()
    if mode == "sync":
        with RunningHub(key, base_url=base_url, policy=policy, sleep=sleeps) as rh:
            return getattr(rh, method)(*args, **kwargs)

    async def go() -> Any:
        async with AsyncRunningHub(
            key, base_url=base_url, policy=policy, sleep=sleeps.asleep
        ) as rh:
            result: Awaitable[Any] = getattr(rh, method)(*args, **kwargs)
            return await result

    return asyncio.run(go())


modes = pytest.mark.parametrize("mode", ["sync", "async"])


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the figures the reliability tests collected (fuzz examples, concurrency)."""
    if not FIGURES and not COUNTERS:
        return
    terminalreporter.section("reliability figures")
    for name, value in sorted({**FIGURES, **COUNTERS}.items()):
        terminalreporter.write_line(f"{name}: {value}")
