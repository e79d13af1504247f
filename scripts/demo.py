"""`make demo`: an image becomes a video, offline, with no API key.

Starts the sandbox (in this process) behind a validating Prism proxy (every request and
answer is checked against openapi/runninghub.yaml), runs `runninghub-video generate` on
examples/sample.png as a user would, then stops everything and says where the video is.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from runninghub_video.sandbox import Sandbox
from tests.support.processes import ROOT, prism_proxy

SAMPLE = ROOT / "examples" / "sample.png"
OUTPUT = ROOT / "out" / "demo.mp4"
PROMPT = "slow push-in over the hills as the sun rises, birds crossing the sky"


def main() -> int:
    OUTPUT.parent.mkdir(exist_ok=True)
    started = time.monotonic()
    with Sandbox(port=0, speed=1.0) as sandbox, prism_proxy(sandbox.base_url) as proxy:
        print(f"sandbox {sandbox.base_url}, behind the validating Prism proxy {proxy}\n", flush=True)
        env = {
            **os.environ,
            "RUNNINGHUB_BASE_URL": proxy,
            "RUNNINGHUB_API_KEY": "sandbox-demo-key",
            "RUNNINGHUB_VIDEO_HOME": str(ROOT / "out" / ".journal"),
        }
        argv = [
            str(Path(sys.executable).with_name("runninghub-video")), "generate",
            "--image", str(SAMPLE.relative_to(ROOT)), "--prompt", PROMPT,
            "--output", str(OUTPUT.relative_to(ROOT)), "--poll-interval", "1",
        ]  # fmt: skip
        print("$ runninghub-video " + " ".join(_quote(a) for a in argv[1:]), flush=True)
        code = subprocess.call(argv, cwd=ROOT, env=env)  # noqa: S603 - fixed argv
    if code != 0:
        print(f"\nthe demo failed (exit code {code})", file=sys.stderr)
        return code
    size = OUTPUT.stat().st_size
    print(
        f"\nDone in {time.monotonic() - started:.0f} s: {OUTPUT.relative_to(ROOT)} ({size / 1e3:.0f} kB)."
        "\nThe same against the real API (paid: about 3.2 CNY for 4 s at 720p):\n"
        "  export RUNNINGHUB_API_KEY=<your key>   # runninghub.cn; for runninghub.ai also\n"
        "  # export RUNNINGHUB_BASE_URL=https://www.runninghub.ai\n"
        f"  .venv/bin/runninghub-video generate --image {SAMPLE.relative_to(ROOT)} "
        f'--prompt "{PROMPT}" --output out/real.mp4'
    )
    return 0


def _quote(arg: str) -> str:
    return f'"{arg}"' if " " in arg else arg


if __name__ == "__main__":
    sys.exit(main())
