"""The benchmarks keep working as the pipeline changes: each `make` target they name exists, and
the pipeline benchmark's generation step runs (it once called a target the Makefile had lost)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.constants import ROOT

BENCHMARKS = sorted((ROOT / "benchmarks").glob("*.py"))


def make_targets() -> set[str]:
    """Every target the Makefile defines."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return {match.group(1) for match in re.finditer(r"^([A-Za-z0-9_.-]+):", text, re.MULTILINE)}


@pytest.mark.parametrize("path", BENCHMARKS, ids=lambda path: path.name)
def test_every_make_target_a_benchmark_runs_exists(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    called = set(re.findall(r'"make",(?:\s*"-[^"]*",)*\s*"([A-Za-z0-9_.-]+)"', source))
    assert called <= make_targets(), f"{path.name} runs make targets the Makefile lacks"


@pytest.mark.integration  # runs the generator in a subprocess
def test_the_pipeline_benchmark_generates_a_client() -> None:
    from benchmarks.bench_pipeline import generate_once

    # Raises CalledProcessError if a step fails, RuntimeError if no client comes out.
    assert len(generate_once()) == 2
