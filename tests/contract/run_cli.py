"""`make contract`: the schemathesis CLI against a Prism mock started here and always stopped.

Every phase (examples, coverage, fuzzing, stateful) with tests/contract/schemathesis.toml.
tests/contract/test_contract_run.py runs the same command over every task endpoint and the query
in CI; tests/contract/test_second_page.py over every operation of a spec with a second page.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from scripts._processes import prism_mock
from tests.support.constants import ROOT, SCHEMATHESIS_CONFIG, SPEC


def command(url: str, *extra: str, spec: Path = SPEC) -> list[str]:
    """The schemathesis CLI run of spec (the merged spec) against a mock at url."""
    return [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file", str(SCHEMATHESIS_CONFIG),
        "run", str(spec), "--url", url, "--workers", "2", *extra,
    ]  # fmt: skip


def main() -> int:
    started = time.monotonic()
    with prism_mock() as url:
        print(f"Prism mock at {url} (ready in {time.monotonic() - started:.2f} s)", flush=True)
        return subprocess.call(command(url, *sys.argv[1:]), cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
