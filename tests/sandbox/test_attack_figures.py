"""The hostile figures measure the sandbox, not a lucky scan: a thread of the sandbox that ends
while its process tree is listed (asyncio's ThreadedChildWatcher runs one thread per ffmpeg
render and it ends with the render) must not drop the sandbox itself, else its RSS reads 0 and
wait_for_renders() finds "no child" while a render still runs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.sandbox import attacks

GONE_THREAD = "999999999"  # a thread id listed, then gone before its children file is read


@pytest.fixture
def a_thread_ends_during_the_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """/proc/<pid>/task of this process lists one more thread, which has ended when read."""
    real = os.listdir
    own = f"/proc/{os.getpid()}/task"

    def listdir(path: str | os.PathLike[str] = ".") -> list[str]:
        found = real(path)
        return [*found, GONE_THREAD] if os.fspath(path) == own else found

    monkeypatch.setattr(os, "listdir", listdir)


@pytest.mark.usefixtures("a_thread_ends_during_the_scan")
def test_a_thread_ending_mid_scan_does_not_drop_the_process() -> None:
    assert os.getpid() in attacks.tree_pids(os.getpid())
    assert attacks.tree_rss_bytes(os.getpid()) > 0  # was 0: a leak would read as none


@pytest.mark.integration  # a child process stands for a render
@pytest.mark.usefixtures("a_thread_ends_during_the_scan")
def test_wait_for_renders_does_not_end_early_when_the_scan_misses_the_sandbox(
    tmp_path: Path,
) -> None:
    # This process stands for the sandbox; a child it runs is a render. The scan fails on the
    # ended thread: "no process at all" must not read as "no render running" (timeout 0: one
    # look, no waiting).
    with subprocess.Popen(["sleep", "600"]) as render:
        try:
            sandbox = attacks.SandboxProcess(_Proc(os.getpid()), 0, tmp_path)  # type: ignore[arg-type]
            assert sandbox.wait_for_renders(timeout=0) is False
        finally:
            render.kill()


class _Proc:
    """The one attribute SandboxProcess reads of its Popen."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
