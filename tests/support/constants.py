"""The constants every test folder shares, each defined once: the repository's paths (from
scripts/_processes.py, which scripts and benchmarks use too), the sample image and the test keys."""

from __future__ import annotations

from runninghub_video.sandbox import INVALID_API_KEY

from scripts._processes import ROOT, SCHEMATHESIS_CONFIG, SPEC, UPSTREAM_SPEC

SAMPLE_PNG = ROOT / "examples" / "sample.png"
KEY = "sk-SENTINEL-7f3a9c2e51d84b06"
"""The one API key of the test suite. It looks like a real key, so that the secret tests
(tests/reliability/test_secrets.py) can hunt for it, and any fragment of it, everywhere."""

__all__ = [
    "INVALID_API_KEY",
    "KEY",
    "ROOT",
    "SAMPLE_PNG",
    "SCHEMATHESIS_CONFIG",
    "SPEC",
    "UPSTREAM_SPEC",
]
