"""Startup: wall time of `python -c "import runninghub_video"` and `runninghub-video --help`
versus `python -c "import httpx"`, with hyperfine when it is installed (apt-get install
hyperfine), else repeated subprocess timing; medians either way.
"""

# ruff: noqa: S603  (benchmark code runs its own fixed commands: python, curl, make...)

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.common import BIN, PYTHON, Section, median, ratio, verdict
from scripts._processes import ROOT

RUNS = 20
WARMUP = 3
TARGET = 1.5
BASELINE = "import httpx"
COMMANDS = {
    "python (nothing imported)": [PYTHON, "-c", "pass"],
    BASELINE: [PYTHON, "-c", "import httpx"],
    "import runninghub_video": [PYTHON, "-c", "import runninghub_video"],
    "runninghub-video --help": [str(BIN / "runninghub-video"), "--help"],
    "from runninghub_video import RunningHub": [
        PYTHON,
        "-c",
        "from runninghub_video import RunningHub",
    ],
    "both clients (the former eager import)": [
        PYTHON,
        "-c",
        "import runninghub_video._sync_client, runninghub_video._async_client",
    ],
}
TARGETED = ("import runninghub_video", "runninghub-video --help")


def with_hyperfine(hyperfine: str) -> dict[str, list[float]]:
    """Seconds of each run of each command, measured by hyperfine (no shell)."""
    with tempfile.TemporaryDirectory(prefix="rh-bench-startup-") as tmp:
        export = Path(tmp) / "times.json"
        argv = [
            hyperfine, "--shell=none", "--style", "none", "--warmup", str(WARMUP),
            "--runs", str(RUNS), "--export-json", str(export),
        ]  # fmt: skip
        for name, command in COMMANDS.items():
            argv += ["--command-name", name, subprocess.list2cmdline(command)]
        subprocess.run(argv, cwd=ROOT, check=True, capture_output=True)
        data = json.loads(export.read_text())
    return {result["command"]: list(result["times"]) for result in data["results"]}


def with_subprocess() -> dict[str, list[float]]:
    """Seconds of each run of each command, commands interleaved round by round."""
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for round_number in range(WARMUP + RUNS):
        for name, command in COMMANDS.items():
            started = time.perf_counter()
            subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            if round_number >= WARMUP:
                times[name].append(time.perf_counter() - started)
    return times


def run() -> Section:
    """Measure and tabulate."""
    section = Section("startup", "4. Startup: import and --help vs import httpx")
    hyperfine = shutil.which("hyperfine")
    times = with_hyperfine(hyperfine) if hyperfine else with_subprocess()
    base = median(times[BASELINE])
    rows: list[list[str]] = []
    missed: list[str] = []
    for name in COMMANDS:
        seconds = median(times[name])
        target = ""
        if name in TARGETED:
            ok = seconds <= TARGET * base
            target = f"{verdict(ok)} (<= {TARGET}x)"
            if not ok:
                missed.append(name)
        rows.append([f"`{name}`", f"{seconds * 1000:.0f}", ratio(seconds, base), target])
    section.table(["command", "median ms", f"vs `{BASELINE}`", "target"], rows)
    how = (
        f"hyperfine ({WARMUP} warm-up runs, {RUNS} runs, no shell)"
        if hyperfine
        else f"subprocess timing ({RUNS} interleaved runs after {WARMUP} warm-up rounds; "
        "install hyperfine to use it instead)"
    )
    section.note(
        f"Wall time of a fresh process, medians, measured with {how}. `import runninghub_video` "
        "is lazy (PEP 562 `__getattr__`): it loads neither httpx nor the generated client until "
        "a name such as `RunningHub` is used; the last two rows are the import of one client and "
        "of both (which is what `import runninghub_video` cost before it was made lazy)."
    )
    section.data["missed"] = missed
    return section
