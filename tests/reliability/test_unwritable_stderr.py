"""Promise 1 when stderr fails: a submitted task is journaled (and its id printed on stdout)
even if the progress lines cannot be written (stderr closed, on a full disk, its reader
gone), and even if a signal arrives while the `task ... submitted` line is being written."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from runninghub_video.sandbox import Sandbox

from tests.reliability.conftest import IMAGE_URL
from tests.support.cli import CLI, Cli

SUBMIT = ["submit", "--image", IMAGE_URL, "--prompt", "a cat", "--json"]
F_SETPIPE_SZ = 1031


def _run(cli: Cli, args: list[str], stderr: int | None, shell_suffix: str = "") -> tuple[int, str]:
    """Run the CLI with the given stderr; (exit code, stdout)."""
    if shell_suffix:  # e.g. `2>&-`: a closed stderr needs the shell
        argv = ["sh", "-c", f'exec "$@" {shell_suffix}', "sh", *CLI, *args]
    else:
        argv = [*CLI, *args]
    proc = subprocess.run(
        argv,
        cwd=cli.cwd,
        env=cli.env(),
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        timeout=60,
        check=False,
    )
    return proc.returncode, proc.stdout


def _closed_reader() -> int:
    """The write end of a pipe whose reader has gone (like `2>&1 | head -n0`)."""
    read, write = os.pipe()
    os.close(read)
    return write


@pytest.mark.parametrize("how", ["closed", "full", "broken-pipe"])
def test_submit_journals_the_task_whatever_stderr_does(
    how: str, sandbox: Sandbox, cli_at: Callable[[str], Cli]
) -> None:
    cli = cli_at(sandbox.base_url)
    if how == "closed":
        code, stdout = _run(cli, SUBMIT, None, "2>&-")
    elif how == "full":
        with open("/dev/full", "w") as full:
            code, stdout = _run(cli, SUBMIT, full.fileno())
    else:
        write = _closed_reader()
        try:
            code, stdout = _run(cli, SUBMIT, write)
        finally:
            os.close(write)
    task_id = json.loads(stdout)["task_id"]
    assert code == 0
    assert task_id in cli.journaled_ids()


def test_generate_finishes_with_a_closed_stderr(
    sandbox: Sandbox, cli_at: Callable[[str], Cli]
) -> None:
    cli = cli_at(sandbox.base_url)
    args = ["generate", "--image", IMAGE_URL, "--prompt", "a cat", "--poll-interval", "0.05"]
    code, stdout = _run(cli, [*args, "--json"], None, "2>&-")
    result = json.loads(stdout)
    assert code == 0, stdout
    assert result["task_id"] in cli.journaled_ids()
    assert (cli.cwd / result["output"]).stat().st_size > 0


def _writing_to_stderr(pid: int) -> bool:
    """True while the process is blocked in write(2, ...) (Linux /proc/PID/syscall)."""
    try:
        return Path(f"/proc/{pid}/syscall").read_text().startswith("1 0x2 ")
    except OSError:
        return False


def test_sigterm_while_the_task_id_is_shown_still_journals_it(
    sandbox: Sandbox, cli_at: Callable[[str], Cli]
) -> None:
    """The `task ... submitted` line blocks on a full stderr pipe: the task is journaled
    already (stored before shown: SIGKILL here would lose nothing); SIGTERM then ends the
    command with the resume advice, and the journal keeps the one task."""
    cli = cli_at(sandbox.base_url)
    read, write = os.pipe()
    fcntl.fcntl(write, F_SETPIPE_SZ, 4096)
    os.write(write, b"x" * 4096)  # full: the child's first stderr write blocks
    try:
        proc = subprocess.Popen(
            [*CLI, "submit", "--image", IMAGE_URL, "--prompt", "a cat"],
            cwd=cli.cwd,
            env=cli.env(),
            stdout=subprocess.PIPE,
            stderr=write,
            text=True,
        )
    finally:
        os.close(write)
    blocked = threading.Event()

    def watch() -> None:  # event-driven: /proc tells when the write blocks
        while proc.poll() is None and not _writing_to_stderr(proc.pid):
            time.sleep(0.005)  # a pause, not a deadline
        blocked.set()

    watcher = threading.Thread(target=watch)
    watcher.start()
    watcher.join(timeout=60)
    assert blocked.is_set()
    assert proc.poll() is None, "the child ended instead of blocking on stderr"
    assert len(cli.journaled_ids()) == 1  # stored before it is shown: no window
    proc.send_signal(signal.SIGTERM)
    drained: list[bytes] = []
    drainer = threading.Thread(target=lambda: drained.append(_read_all(read)))
    drainer.start()
    proc.communicate(timeout=60)
    drainer.join(timeout=60)
    os.close(read)
    stderr = b"".join(drained).decode()[4096:]
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    lines = cli.journal_lines()
    assert [line["event"] for line in lines][:1] == ["submitted"], lines
    task_id = lines[0]["task_id"]
    assert f"resume it with: runninghub-video wait {task_id}" in stderr


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks)
