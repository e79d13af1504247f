"""`make contract`: the schemathesis CLI against a Prism mock started here and always stopped."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.support.processes import ROOT, SPEC, prism_mock

CONFIG = Path(__file__).with_name("schemathesis.toml")


def main() -> int:
    started = time.monotonic()
    with prism_mock() as url:
        print(f"Prism mock at {url} (ready in {time.monotonic() - started:.2f} s)", flush=True)
        argv = [
            str(Path(sys.executable).with_name("schemathesis")),
            "--config-file", str(CONFIG),
            "run", str(SPEC), "--url", url, "--workers", "2",
        ]  # fmt: skip
        return subprocess.call(argv, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
