"""The benchmarks keep working as the pipeline changes: the pipeline benchmark's generation step
runs (it once called a make target the Makefile had lost, and `make bench` failed)."""

from __future__ import annotations

import pytest


@pytest.mark.integration  # runs the generator in a subprocess
def test_the_pipeline_benchmark_generates_a_client() -> None:
    from benchmarks.bench_pipeline import generate_once

    # Raises CalledProcessError if a step fails, RuntimeError if no client comes out.
    assert len(generate_once()) == 2
