"""Start real servers (Prism, the sandbox) on free loopback ports, and always stop them; the
repository paths they need. Shared by tests/, scripts/demo.py and benchmarks/ (which never import
tests/); it lives here, in the maintainers' package that is not shipped, because Prism and
process groups are development tools, not part of the library.

Modelled on how stripe-python starts stripe-mock: pick a free port, spawn the process, wait
until the port answers, hand out the base URL, kill the whole process group afterwards.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "openapi" / "runninghub.yaml"
UPSTREAM_SPEC = ROOT / "openapi" / "upstream" / "image-to-video-realistic.yaml"
PRISM = ROOT / "node_modules" / ".bin" / "prism"
SCHEMATHESIS_CONFIG = ROOT / "tests" / "contract" / "schemathesis.toml"
"""The contract run's settings (`make contract`, the contract tests, the pipeline benchmark)."""


@contextlib.contextmanager
def default_sigint_for_children() -> Iterator[None]:
    """Processes started in the block get the default SIGINT, even where ours is ignored.

    A child inherits an ignored SIGINT (e.g. when pytest itself runs as a background job);
    our own handler for the fork means the exec'd child starts with the default one instead.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> float:
    """Block until 127.0.0.1:port accepts connections; return the seconds it took."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc.poll() is not None:
            output = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            raise RuntimeError(f"server exited with {proc.returncode} before listening:\n{output}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return time.monotonic() - start
        time.sleep(0.05)
    raise TimeoutError(f"nothing listened on 127.0.0.1:{port} within {timeout} s")


@contextlib.contextmanager
def running(argv: Sequence[str], port: int, env: dict[str, str] | None = None) -> Iterator[float]:
    """Run argv (which must listen on port) for the duration of the block; yield its start time."""
    proc = subprocess.Popen(
        list(argv),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )
    try:
        yield wait_for_port(port, proc)
    finally:
        stop_group(proc)
        if proc.stdout:
            proc.stdout.close()


def stop_group(proc: subprocess.Popen[Any]) -> None:
    """SIGTERM the process group started with start_new_session, SIGKILL it after 10 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def prism_mock_argv(port: int, spec: Path = SPEC, *extra: str) -> list[str]:
    """Prism in mock mode on 127.0.0.1:port."""
    return [str(PRISM), "mock", str(spec), "--host", "127.0.0.1", "--port", str(port), *extra]


def prism_proxy_argv(port: int, upstream_url: str, spec: Path = SPEC) -> list[str]:
    """Prism as a validating proxy: every request and response is checked against spec."""
    return [
        str(PRISM), "proxy", str(spec), upstream_url,
        "--host", "127.0.0.1", "--port", str(port), "--errors",
    ]  # fmt: skip


@contextlib.contextmanager
def prism_mock(*extra: str, spec: Path = SPEC) -> Iterator[str]:
    """A Prism mock of spec (the merged spec) on a free port; yields its base URL."""
    port = free_port()
    with running(prism_mock_argv(port, spec, *extra), port):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def prism_proxy(upstream_url: str, spec: Path = SPEC) -> Iterator[str]:
    """A validating Prism proxy of spec (the merged spec) in front of upstream_url on a free
    port; yields its base URL."""
    port = free_port()
    with running(prism_proxy_argv(port, upstream_url, spec), port):
        yield f"http://127.0.0.1:{port}"
