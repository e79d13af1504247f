"""The two lanes of the suite: unit tests (`make test-unit`: no Node, no ffmpeg, no process at all,
loopback only) and integration tests (everything else, run by `make test` with the unit tests).

A test is an integration test when it is marked `integration` (itself, its class or its module),
or marked `live`, or uses a fixture that starts a real server or process (INTEGRATION_FIXTURES,
looked up in the test's whole fixture closure). Every other test is a unit test, and while it is
set up, run and torn down, the guard refuses to start a process (subprocess, os.fork/spawn,
multiprocessing in any start method) or the rendering sandbox, to resolve a name other than
localhost, and to connect or send (TCP or UDP) beyond loopback: the attempt raises, and the test
fails naming it even if the code under test caught the error. A mis-marked test therefore fails
in every lane, instead of slowing the fast one.
"""

from __future__ import annotations

import _posixsubprocess
import contextlib
import ipaddress
import multiprocessing.process
import multiprocessing.util
import os
import socket
import subprocess
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from runninghub_video.sandbox import Sandbox

INTEGRATION = "integration"
INTEGRATION_FIXTURES = frozenset(
    {
        "sandbox",  # the rendering sandbox (ffmpeg), and every fixture built on it (cli, client...)
        "slow_sandbox",
        "prism_url",  # Node: a Prism mock
        "prism_proxy_url",  # Node: a Prism proxy in front of the sandbox
        "cli_at",  # the CLI in a subprocess
        "second_page",  # the generator (a second page generated in a temporary copy)
        "page_sandbox",
    }
)
"""Fixtures that start Node, the rendering sandbox, ffmpeg or a subprocess."""


def is_integration(item: pytest.Item) -> bool:
    """Whether item belongs to the integration lane (see the module docstring)."""
    if item.get_closest_marker(INTEGRATION) or item.get_closest_marker("live"):
        return True
    return not INTEGRATION_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))


def mark_integration_tests(items: list[pytest.Item]) -> None:
    """Add the integration marker wherever is_integration says so, for `-m "not integration"`."""
    for item in items:
        if is_integration(item) and not item.get_closest_marker(INTEGRATION):
            item.add_marker(INTEGRATION)


class UnitLaneViolation(RuntimeError):
    """A unit test tried to start a process or the sandbox, or to reach beyond loopback."""


class Guard:
    """Process and network wrappers installed once for the session. They refuse only while a
    unit test is active, in the main thread and in every thread except the "earlier" ones: those
    alive before the session's first unit test, and those started (by an earlier thread or the
    main thread) while no unit test was active, such as the session sandbox's threads started
    for an integration test. A thread started during a unit test stays guarded for good, so it
    cannot do in the next unit test what its own test was refused (servers under test run in
    threads of their own)."""

    def __init__(self) -> None:
        self.test: str | None = None
        self.attempts: list[str] = []
        self._earlier_threads: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
        self._seen_a_unit_test = False
        self._lock = threading.Lock()

    def refuse(self, what: str) -> None:
        """Record and refuse `what` if a unit test is active (see the class docstring)."""
        with self._lock:
            test = self.test
            if test is None or threading.current_thread() in self._earlier_threads:
                return
            self.attempts.append(what)
        raise UnitLaneViolation(
            f"the unit test {test} tried to {what}; unit tests start no process and reach "
            "loopback only: mark it @pytest.mark.integration (or use a fixture that does)"
        )

    def thread_starting(self, thread: threading.Thread) -> None:
        """Count thread as earlier if no unit test is active and an earlier thread starts it."""
        with self._lock:
            starter = threading.current_thread()
            if self.test is None and (
                starter is threading.main_thread() or starter in self._earlier_threads
            ):
                self._earlier_threads.add(thread)

    @contextlib.contextmanager
    def watching(self, item: pytest.Item) -> Iterator[None]:
        """Guard one phase (setup, call or teardown) of item if it is a unit test; fail it if
        it tried what the guard refuses. (Nests: the state before is restored afterwards.)"""
        unit = not item.get_closest_marker(INTEGRATION)
        with self._lock:
            if unit and not self._seen_a_unit_test:
                self._seen_a_unit_test = True
                main = threading.main_thread()
                self._earlier_threads.update(t for t in threading.enumerate() if t is not main)
            before = self.test, self.attempts
            self.test, self.attempts = (item.nodeid if unit else None), []
        try:
            yield
        finally:
            with self._lock:
                attempts = self.attempts
                self.test, self.attempts = before
            if attempts:
                pytest.fail("\n".join(["a unit test must not:", *attempts]), pytrace=False)

    def install(self) -> None:
        """Wrap process creation, the sandbox's start and socket connections (for the rest of
        the process)."""
        guard = self
        start = Sandbox.start

        def checked_start(sandbox: Sandbox) -> Sandbox:
            guard.refuse("start the rendering sandbox (ffmpeg)")
            return start(sandbox)

        Sandbox.start = checked_start  # type: ignore[method-assign,assignment]
        execute_child = subprocess.Popen._execute_child  # type: ignore[attr-defined]

        def _execute_child(popen: subprocess.Popen[Any], args: Any, *rest: Any) -> Any:
            guard.refuse(f"start a process: {args!r}")
            return execute_child(popen, args, *rest)

        subprocess.Popen._execute_child = _execute_child  # type: ignore[attr-defined]
        for name in ("system", "fork", "forkpty", "posix_spawn", "posix_spawnp"):
            if hasattr(os, name):
                setattr(os, name, self._refusing(getattr(os, name), f"call os.{name}"))
        # multiprocessing's spawn and forkserver start methods exec through fork_exec directly
        process_start = multiprocessing.process.BaseProcess.start

        def checked_process_start(process: multiprocessing.process.BaseProcess) -> None:
            guard.refuse(f"start a process: multiprocessing {process!r}")
            process_start(process)

        multiprocessing.process.BaseProcess.start = checked_process_start  # type: ignore[method-assign,assignment]
        multiprocessing.util.spawnv_passfds = self._refusing(
            multiprocessing.util.spawnv_passfds, "start a process: spawnv_passfds"
        )
        _posixsubprocess.fork_exec = self._refusing(
            _posixsubprocess.fork_exec, "start a process: fork_exec"
        )
        thread_start = threading.Thread.start

        def checked_thread_start(thread: threading.Thread) -> None:
            guard.thread_starting(thread)
            thread_start(thread)

        threading.Thread.start = checked_thread_start  # type: ignore[method-assign,assignment]

        connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

        def checked_connect(sock: socket.socket, address: Any) -> None:
            if not _is_local(sock.family, address):
                guard.refuse(f"connect to {address!r}")
            connect(sock, address)

        def checked_connect_ex(sock: socket.socket, address: Any) -> int:
            if not _is_local(sock.family, address):
                guard.refuse(f"connect to {address!r}")
            return connect_ex(sock, address)

        sendto, sendmsg = socket.socket.sendto, socket.socket.sendmsg

        def checked_sendto(sock: socket.socket, data: Any, *rest: Any) -> int:
            if rest and not _is_local(sock.family, rest[-1]):
                guard.refuse(f"send to {rest[-1]!r}")
            return sendto(sock, data, *rest)

        def checked_sendmsg(sock: socket.socket, *args: Any) -> int:
            if len(args) >= 4 and args[3] is not None and not _is_local(sock.family, args[3]):
                guard.refuse(f"send to {args[3]!r}")
            return sendmsg(sock, *args)

        socket.socket.connect = checked_connect  # type: ignore[method-assign,assignment]
        socket.socket.connect_ex = checked_connect_ex  # type: ignore[method-assign,assignment]
        socket.socket.sendto = checked_sendto  # type: ignore[method-assign,assignment]
        socket.socket.sendmsg = checked_sendmsg  # type: ignore[method-assign,assignment]
        for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex"):
            setattr(socket, name, self._resolving(getattr(socket, name)))

    def _resolving(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def resolving(host: Any, *args: Any, **kwargs: Any) -> Any:
            if not _is_local_name(host):
                self.refuse(f"resolve the name {host!r}")
            return function(host, *args, **kwargs)

        return resolving

    def _refusing(self, function: Callable[..., Any], what: str) -> Callable[..., Any]:
        def refusing(*args: Any, **kwargs: Any) -> Any:
            self.refuse(f"{what}{args[:1]!r}")
            return function(*args, **kwargs)

        return refusing


def _is_local_name(host: Any) -> bool:
    """None, localhost, or an IP literal (connecting to a literal is checked by connect)."""
    if host is None or (isinstance(host, bytes | str) and _text(host) in {"", "localhost"}):
        return True
    try:
        ipaddress.ip_address(_text(host).split("%")[0])
    except (TypeError, ValueError, UnicodeDecodeError):
        return False
    return True


def _is_local(family: int, address: Any) -> bool:
    """Whether a connect() address stays on this machine (a Unix socket or loopback)."""
    if family == getattr(socket, "AF_UNIX", None):
        return True
    host = address[0] if isinstance(address, tuple) and address else address
    if _text(host) == "localhost":
        return True
    try:
        return ipaddress.ip_address(_text(host).split("%")[0]).is_loopback
    except (TypeError, ValueError, UnicodeDecodeError):
        return False


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


GUARD = Guard()
