"""Pipeline: spec merge + client generation time, Prism start time, and the contract suite's
test cases per second (the schemathesis CLI run of `make contract`).

Generation runs what `make generate` runs before its swap (scripts/generate.py's build_all: the
merge of every page, then openapi-python-client) but into a temporary folder, so that timing it
never rewrites openapi/runninghub.yaml or generated/ under colleagues in the same checkout.
"""

# ruff: noqa: S603  (benchmark code runs its own fixed commands: python and Prism)

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.common import BIN, PYTHON, Section, median, process
from scripts._processes import ROOT, SPEC, free_port, prism_mock_argv
from scripts._processes import SCHEMATHESIS_CONFIG as CONFIG

ROUNDS = 3
OVERLAY = ROOT / "openapi" / "overlay.yaml"
PAGES = ROOT / "openapi" / "upstream"
#: What `make generate` runs before its swap: the merge of every page, then the generator.
BUILD_ALL = "import sys; from pathlib import Path; from scripts.generate import build_all; "
BUILD_ALL += "build_all(Path(sys.argv[1]))"
CASES = re.compile(r"(\d+) generated")
DURATION = re.compile(r" in ([\d.]+)s =+\s*$", re.MULTILINE)


def generate_once() -> tuple[float, float]:
    """(spec merge seconds, merge + client generation seconds) of one `make generate`
    equivalent: scripts/build_spec.py, then scripts/generate.py's build_all, in a temp folder."""
    with tempfile.TemporaryDirectory(prefix="rh-bench-generate-") as tmp:
        spec = Path(tmp) / "runninghub.yaml"
        started = time.perf_counter()
        subprocess.run(
            [PYTHON, "scripts/build_spec.py", str(PAGES), str(OVERLAY), str(spec)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        merged = time.perf_counter()
        built = Path(tmp) / "built"
        built.mkdir()
        subprocess.run(
            [PYTHON, "-c", BUILD_ALL, str(built)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        generated = time.perf_counter()
        if not (built / "runninghub_client" / "client.py").is_file():
            raise RuntimeError("generation produced no runninghub_client/client.py")
    return merged - started, generated - merged


def prism_start() -> float:
    """Seconds until a Prism mock of the merged spec accepts connections."""
    port = free_port()
    started = time.perf_counter()
    with process(prism_mock_argv(port), port):
        return time.perf_counter() - started


def contract_once() -> tuple[int, float, float]:
    """(test cases, schemathesis' own seconds, wall seconds incl. Prism) of `make contract`."""
    port = free_port()
    started = time.perf_counter()
    with process(prism_mock_argv(port), port):
        argv = [
            str(BIN / "schemathesis"), "--config-file", str(CONFIG),
            "run", str(SPEC), "--url", f"http://127.0.0.1:{port}", "--workers", "2",
        ]  # fmt: skip
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    cases, duration = CASES.search(done.stdout), DURATION.search(done.stdout)
    if done.returncode != 0 or cases is None or duration is None:
        raise RuntimeError(f"schemathesis failed ({done.returncode}):\n{done.stdout[-3000:]}")
    return int(cases.group(1)), float(duration.group(1)), wall


def run() -> Section:
    """Measure and tabulate."""
    section = Section("pipeline", "5. Pipeline: generate, Prism, contract suite")
    generations = [generate_once() for _ in range(ROUNDS)]
    starts = [prism_start() for _ in range(ROUNDS)]
    contracts = [contract_once() for _ in range(ROUNDS)]
    merge = median(g[0] for g in generations)
    total = median(g[1] for g in generations)  # build_all merges again, then generates
    cases = median(c[0] for c in contracts)
    rate = median(c[0] / c[1] for c in contracts)
    section.table(
        ["step", "median", "notes"],
        [
            ["spec merge (`make spec`)", f"{merge:.2f} s", "scripts/build_spec.py"],
            [
                "client generation",
                f"{total - merge:.2f} s",
                "openapi-python-client (build_all minus the merge)",
            ],
            ["`make generate` total", f"{total:.2f} s", "build_all into a temporary folder"],
            ["Prism mock start", f"{median(starts):.2f} s", "until its port accepts connections"],
            [
                "contract suite (`make contract`)",
                f"{median(c[2] for c in contracts):.1f} s wall",
                f"{cases:.0f} cases; Prism start included",
            ],
            [
                "contract cases per second",
                f"{rate:.0f} cases/s",
                "cases / schemathesis' own duration, 2 workers",
            ],
        ],
    )
    section.note(f"Medians of {ROUNDS} rounds each.")
    return section
