"""`make contract`: the schemathesis CLI against a Prism mock started here and always stopped.

Every phase (examples, coverage, fuzzing, stateful) with tests/contract/schemathesis.toml.
tests/contract/test_contract_run.py runs the same command over submit and query in CI.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from scripts._processes import prism_mock
from tests.support.constants import ROOT, SCHEMATHESIS_CONFIG, SPEC


def command(url: str, *extra: str) -> list[str]:
    """The schemathesis CLI run against a mock at url."""
    return [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file", str(SCHEMATHESIS_CONFIG),
        "run", str(SPEC), "--url", url, "--workers", "2", *extra,
    ]  # fmt: skip


def main() -> int:
    started = time.monotonic()
    with prism_mock() as url:
        print(f"Prism mock at {url} (ready in {time.monotonic() - started:.2f} s)", flush=True)
        return subprocess.call(command(url, *sys.argv[1:]), cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
