"""The CI contract run: the schemathesis CLI over submit and query, every phase, >= 2,000 cases.

Against a real Prism mock of openapi/runninghub.yaml. The request bodies carry named
examples, so the examples phase sends them; the submit -> query link drives the stateful
phase. The figures (cases, seconds) are printed (pytest -s, or -rA) for the record.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import yaml

from tests.contract.run_cli import command
from tests.support.constants import ROOT, SPEC

MIN_CASES = 2000
PHASES = ("Examples", "Coverage", "Fuzzing", "Stateful")
OPERATIONS = ("imageToVideoRealistic", "queryTask")
PATHS = ("/openapi/v2/rhart-video-s-official/image-to-video-realistic", "/openapi/v2/query")


def sent_bodies(har: Path) -> list[str]:
    """The request bodies recorded in a HAR report."""
    entries = json.loads(har.read_text(encoding="utf-8"))["log"]["entries"]
    return [(e["request"].get("postData") or {}).get("text", "") for e in entries]


def test_contract_run_over_submit_and_query(prism_url: str, tmp_path: Path) -> None:
    selected = [arg for op in OPERATIONS for arg in ("--include-operation-id", op)]
    har = tmp_path / "run.har"
    report = ["--report", "har", "--report-har-path", str(har)]
    started = time.monotonic()
    run = subprocess.run(
        command(prism_url, *selected, *report, "--no-color"),
        cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False,
    )  # fmt: skip
    seconds = time.monotonic() - started
    out = run.stdout
    assert run.returncode == 0, out[-4000:]
    assert "Operations:       2 selected" in out, out[-4000:]
    for phase in PHASES:
        assert re.search(rf"✅\s+{phase} \(in ", out), f"phase {phase} did not pass:\n{out}"
    # The named request examples of both operations were sent as they are written.
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    bodies = sent_bodies(har)
    for path in (
        "/openapi/v2/rhart-video-s-official/image-to-video-realistic",
        "/openapi/v2/query",
    ):
        examples = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"][
            "examples"
        ]
        assert examples, f"{path}: no named request examples, so the examples phase sends nothing"
        for name, example in examples.items():
            assert json.dumps(example["value"]) in bodies, f"{path} example {name} never sent"
    counts = re.search(r"(\d+) generated, (\d+) passed", out)
    assert counts, out[-4000:]
    generated, passed = int(counts.group(1)), int(counts.group(2))
    assert generated == passed >= MIN_CASES, out[-4000:]
    print(f"contract run: {generated} cases over submit and query, all phases, {seconds:.1f} s")
