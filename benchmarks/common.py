"""Shared by the benchmarks: result sections as Markdown, medians, peak RSS, CPU time of other
processes, loopback servers in their own process, and worker subprocesses that report JSON.
"""

# ruff: noqa: S603  (benchmark code runs its own fixed commands: python, curl, make...)

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from runninghub_video.sandbox._contract import load_contract

from scripts._processes import ROOT, SPEC, free_port, stop_group, wait_for_port

PYTHON = sys.executable
BIN = Path(PYTHON).parent
QUERY_PATH = load_contract(SPEC).one("query").path  # from the spec, as the sandbox reads it
TASK_ID = "2013508786110730241"
API_KEY = "bench-key"


@dataclass
class Section:
    """One benchmark's results: Markdown tables and notes, plus raw data for plots."""

    name: str
    title: str
    blocks: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
        """Add a Markdown table."""
        self.blocks.append(markdown_table(headers, rows))

    def note(self, text: str) -> None:
        """Add a paragraph."""
        self.blocks.append(text.strip())

    def markdown(self) -> str:
        """The section body (without its title)."""
        return "\n\n".join(self.blocks)


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table padded into columns, readable in a terminal too."""
    body = [list(map(str, row)) for row in rows]
    widths = [max(len(cell) for cell in column) for column in zip(headers, *body, strict=False)]

    def line(cells: Sequence[str]) -> str:
        return (
            "| " + " | ".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True)) + " |"
        )

    return "\n".join(
        [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, body)]
    )


def median(values: Iterable[float]) -> float:
    """The median (NaN for no values)."""
    items = list(values)
    return statistics.median(items) if items else float("nan")


def ratio(value: float, baseline: float) -> str:
    """value / baseline as '1.23x'."""
    return f"{value / baseline:.2f}x" if baseline else "n/a"


def verdict(ok: bool) -> str:
    """The target column."""
    return "met" if ok else "MISSED"


def status_mb(key: str, pid: int | str = "self") -> float:
    """A memory line of /proc/PID/status in MB (VmHWM: peak RSS, VmRSS: current RSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(key)


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB."""
    return status_mb("VmHWM")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by another process (from /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def process(argv: Sequence[str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server process listening on port for the block; always stop its process group."""
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            list(argv), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            try:
                wait_for_port(port, proc)
            except (RuntimeError, TimeoutError) as exc:
                log.seek(0)
                output = log.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"{' '.join(argv)} did not start: {exc}\n{output}") from exc
            yield proc
        finally:
            stop_group(proc)


@contextlib.contextmanager
def bench_server(mode: str, *args: str) -> Iterator[tuple[str, int]]:
    """A benchmarks.servers server on a free port: yields (base URL, pid)."""
    port = free_port()
    argv = [PYTHON, "-m", "benchmarks.servers", mode, "--port", str(port), *args]
    scheme = "https" if "--cert" in args else "http"
    with process(argv, port) as proc:
        yield f"{scheme}://127.0.0.1:{port}", proc.pid


def run_worker(module: str, *args: str, timeout: float = 300.0) -> dict[str, Any]:
    """Run `python -m module --worker ARGS` and return the JSON object it prints last."""
    argv = [PYTHON, "-m", module, "--worker", *args]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def emit(result: dict[str, Any]) -> None:
    """Worker side of run_worker: print the result as the last line."""
    print(json.dumps(result), flush=True)


class Stopwatch:
    """Wall and CPU time (this process) of a block."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0

    def __enter__(self) -> Stopwatch:
        self._wall = time.perf_counter()
        self._cpu = time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> str:
    """The machine and software the figures come from, as a Markdown list."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next(
        (ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines() if ln.startswith("model name")),
        platform.processor() or "unknown",
    )
    memory = "unknown"
    with contextlib.suppress(OSError, KeyError, ValueError):
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        total = next(int(ln.split()[1]) for ln in meminfo if ln.startswith("MemTotal"))
        memory = f"{total / 1024**2:.0f} GiB"
    packages = ", ".join(
        f"{name} {_version(name)}" for name in ("httpx", "httpcore", "aiohttp", "tenacity")
    )
    return "\n".join(
        [
            f"- CPU: {model}, {os.cpu_count()} cores; memory {memory}",
            f"- OS: {platform.platform()}",
            f"- Python {platform.python_version()} ({platform.python_implementation()}); "
            f"{packages}",
            f"- run: {time.strftime('%Y-%m-%d %H:%M %Z')}",
        ]
    )
