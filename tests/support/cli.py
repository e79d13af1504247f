"""The CLI run as a user runs it: `runninghub-video` in a subprocess, with its own journal folder
and working folder, and nothing of the developer's RUNNINGHUB_* settings."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts._processes import default_sigint_for_children
from tests.support.constants import KEY

CLI = [sys.executable, "-m", "runninghub_video.cli"]
FAST_POLL = ["--poll-interval", "0.05"]
FAST_RETRY_CLI = [
    sys.executable,
    "-c",
    """
import dataclasses
from runninghub_video import _policy
from runninghub_video.cli import main

@dataclasses.dataclass(frozen=True)
class Policy(_policy.Policy):
    backoff_initial: float = 0.001
    backoff_max: float = 0.001

_policy.Policy = Policy  # what the CLI's client is made with
main()
""",
]
"""The CLI with its retry backoff cut to a millisecond (1, 2, 4, 8 s else): for the tests of
what a run does after failed queries, which would otherwise sleep through the backoff."""


@dataclass(frozen=True)
class Result:
    """What one CLI run produced."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        """stdout as the one JSON object it must be."""
        lines = self.stdout.splitlines()
        assert len(lines) == 1, self.stdout
        data: dict[str, Any] = json.loads(lines[0])
        return data


class Cli:
    """Runs `runninghub-video` in a subprocess, in tmp_path, against one base URL."""

    def __init__(
        self, base_url: str, home: Path, cwd: Path, key: str = KEY, command: list[str] = CLI
    ) -> None:
        self.base_url = base_url
        self.home = home
        self.cwd = cwd
        self.key = key
        self.command = command

    def env(self, **extra: str) -> dict[str, str]:
        """The environment: nothing of the developer's RUNNINGHUB_* settings leaks in."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("RUNNINGHUB_")}
        env.update(
            RUNNINGHUB_BASE_URL=self.base_url,
            RUNNINGHUB_API_KEY=self.key,
            RUNNINGHUB_VIDEO_HOME=str(self.home),
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    def __call__(self, *args: str, timeout: float = 60, **env: str) -> Result:
        """Run the CLI to its end."""
        proc = subprocess.run(
            [*self.command, *args],
            cwd=self.cwd,
            env=self.env(**env),
            capture_output=True,
            text=True,
            errors="surrogateescape",  # a non-UTF-8 file name printed as its bytes
            timeout=timeout,
            check=False,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def start(self, *args: str) -> subprocess.Popen[str]:
        """Start the CLI in the background, with Ctrl-C (SIGINT) turned into KeyboardInterrupt."""
        with default_sigint_for_children():
            return subprocess.Popen(
                [*self.command, *args],
                cwd=self.cwd,
                env=self.env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )

    def on_a_terminal(self, *args: str) -> tuple[int, str]:
        """Run the CLI to its end with stderr on a pseudo-terminal (rich progress): (exit code,
        what the terminal received)."""
        primary, secondary = pty.openpty()
        proc = subprocess.Popen(
            [*self.command, *args], cwd=self.cwd, env=self.env(), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=secondary,
        )  # fmt: skip
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(primary)
        return proc.wait(timeout=120), b"".join(chunks).decode(errors="replace")

    @property
    def journal(self) -> Path:
        """The journal file this CLI writes."""
        return self.home / "tasks.jsonl"

    def journal_lines(self, *, intents: bool = False) -> list[dict[str, Any]]:
        """Every journal line, parsed; without the submit intents ("submitting", closed by
        "submitted" or "unsent") unless `intents`: most tests follow the task's own lines."""
        if not self.journal.exists():
            return []
        lines = [json.loads(line) for line in self.journal.read_text().splitlines()]
        return [line for line in lines
                if intents or line.get("event") not in ("submitting", "unsent")]  # fmt: skip

    def journaled_ids(self) -> set[str]:
        """The task ids the journal knows."""
        return {line["task_id"] for line in self.journal_lines() if line.get("task_id")}


def cli_in(tmp_path: Path, base_url: str) -> Cli:
    """The CLI against base_url, working in tmp_path/work with its journal in tmp_path/home."""
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return Cli(base_url, tmp_path / "home", work)


def is_whole_mp4(path: Path) -> bool:
    """True for an MP4 whose top-level boxes (a moov among them) fill the file exactly: one
    cut short by a full disk or a kill is not."""
    data = path.read_bytes()
    at, boxes = 0, set()
    while at + 8 <= len(data):
        size, kind = int.from_bytes(data[at : at + 4], "big"), data[at + 4 : at + 8]
        if size == 1 and at + 16 <= len(data):
            size = int.from_bytes(data[at + 8 : at + 16], "big")
        if size < 8:
            return False
        boxes.add(kind)
        at += size
    return at == len(data) and {b"ftyp", b"moov"} <= boxes


def is_mp4(path: Path) -> bool:
    """True for a non-empty file that starts like an MP4 (an ftyp box)."""
    data = path.read_bytes()[:12]
    return len(data) == 12 and data[4:8] == b"ftyp"


HELP_PROBE = """
import json, sys
from runninghub_video.cli import run
try:
    run(['--help'])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.argv[1:] if m in sys.modules)), file=sys.stderr)
"""


def modules_loaded_by_help(
    modules: tuple[str, ...], env: dict[str, str] | None = None
) -> tuple[str, list[str]]:
    """(the help text, which of modules `runninghub-video --help` imported), in a subprocess."""
    result = subprocess.run(
        [sys.executable, "-c", HELP_PROBE, *modules],
        capture_output=True, text=True, check=True, timeout=60, env=env,
    )  # fmt: skip
    return result.stdout, json.loads(result.stderr.strip().splitlines()[-1])
