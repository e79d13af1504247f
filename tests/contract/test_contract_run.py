"""The CI contract run: the schemathesis CLI over every task endpoint, the query, queue status
and cancel of the merged spec (read from it, never listed here), every phase, >= 2,000 cases.

Against a real Prism mock of openapi/runninghub.yaml. Request bodies with named examples
have them sent by the examples phase; each endpoint's submit -> query link drives the stateful
phase. (Uploads: tests/contract/test_schemathesis.py, positive data only, see schemathesis.toml.)
The figures (cases, seconds) are printed (pytest -s, or -rA) for the record.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import yaml

from tests.contract.run_cli import command
from tests.support.api import CONTRACT
from tests.support.constants import ROOT, SPEC

MIN_CASES = 2000
PHASES = ("Examples", "Coverage", "Fuzzing", "Stateful")
SELECTED = tuple(op for op in CONTRACT.operations if op.kind != "upload")  # uploads: see below


def sent_bodies(har: Path) -> list[str]:
    """The request bodies recorded in a HAR report."""
    entries = json.loads(har.read_text(encoding="utf-8"))["log"]["entries"]
    return [(e["request"].get("postData") or {}).get("text", "") for e in entries]


def test_contract_run_over_every_task_endpoint_and_query(prism_url: str, tmp_path: Path) -> None:
    selected = [arg for op in SELECTED for arg in ("--include-operation-id", op.operation_id)]
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
    assert f"Operations:       {len(SELECTED)} selected" in out, out[-4000:]
    for phase in PHASES:
        assert re.search(rf"✅\s+{phase} \(in ", out), f"phase {phase} did not pass:\n{out}"
    # Every named request example of the selected operations was sent as it is written.
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    bodies = sent_bodies(har)
    with_examples = 0
    for operation in (op for op in SELECTED if op.method == "post"):  # queue status has no body
        content = spec["paths"][operation.path]["post"]["requestBody"]["content"]
        examples = content["application/json"].get("examples") or {}
        with_examples += bool(examples)
        for name, example in examples.items():
            assert json.dumps(example["value"]) in bodies, f"{operation.path} {name} never sent"
    assert with_examples >= 2, "the seed's submit and the query lost their named examples"
    counts = re.search(r"(\d+) generated, (\d+) passed", out)
    assert counts, out[-4000:]
    generated, passed = int(counts.group(1)), int(counts.group(2))
    assert generated == passed >= MIN_CASES, out[-4000:]
    print(
        f"contract run: {generated} cases over {len(SELECTED)} operations, all phases, "
        f"{seconds:.1f} s"
    )
