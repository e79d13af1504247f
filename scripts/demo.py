"""`make demo`: an image becomes a video, offline, with no API key.

Starts the sandbox (in this process) behind a validating Prism proxy, then runs the CLI as a
user would: `upload` the sample image, `generate` the video through the proxy (every request
and answer checked against openapi/runninghub.yaml), and says where the video is.

The upload goes to the sandbox directly: Prism's proxy re-encodes multipart bodies as text
and corrupts binary files (stoplightio/prism#1321), so an image cannot pass through it.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

from runninghub_video._endpoints import seed
from runninghub_video.sandbox import Sandbox

from scripts._processes import ROOT, prism_proxy

SAMPLE = Path("examples/sample.png")
OUTPUT = Path("out/demo.mp4")
PROMPT = "slow push-in over the hills as the sun rises, birds crossing the sky"
CLI = str(Path(sys.executable).with_name("runninghub-video"))


def cli(base_url: str, *args: str, capture: bool = False) -> subprocess.CompletedProcess[str]:
    """Run runninghub-video as a user would, echoing the command line."""
    env = {
        **os.environ,
        "RUNNINGHUB_BASE_URL": base_url,
        "RUNNINGHUB_API_KEY": "sandbox-demo-key",
        "RUNNINGHUB_VIDEO_HOME": str(ROOT / "out" / "._journal"),
    }
    print(f"\n$ runninghub-video {shlex.join(args)}", flush=True)
    return subprocess.run(
        [CLI, *args], cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE if capture else None
    )


def main() -> int:
    (ROOT / OUTPUT).parent.mkdir(exist_ok=True)
    started = time.monotonic()
    with Sandbox(port=0, speed=1.0) as sandbox, prism_proxy(sandbox.base_url) as proxy:
        print(f"sandbox at {sandbox.base_url}; validating Prism proxy at {proxy}")
        upload = cli(sandbox.base_url, "upload", str(SAMPLE), capture=True)
        if upload.returncode != 0:
            return upload.returncode
        image_url = upload.stdout.strip().splitlines()[-1]
        print(image_url)
        generate = cli(
            proxy, "generate", "--image", image_url, "--prompt", PROMPT,
            "--output", str(OUTPUT), "--poll-interval", "1",
        )  # fmt: skip
    if generate.returncode != 0:
        print(f"\nthe demo failed (exit code {generate.returncode})", file=sys.stderr)
        return generate.returncode
    size = (ROOT / OUTPUT).stat().st_size / 1e3
    listed = seed().published_price  # the spec's x-published-price: the vendor's list
    cost = "paid"
    if listed is not None:
        value, amount = min(listed.prices.items(), key=lambda price: float(price[1]))
        cost = f"paid: about {amount} {listed.currency} for {listed.field} {value}"
    print(
        f"\nDone in {time.monotonic() - started:.0f} s: the video is {OUTPUT} ({size:.0f} kB)."
        f"\nThe same against the real API ({cost}):"
        "\n  export RUNNINGHUB_API_KEY=<your key>   # a runninghub.cn key; for a runninghub.ai"
        "\n  # key also: export RUNNINGHUB_BASE_URL=https://www.runninghub.ai"
        f"\n  .venv/bin/runninghub-video generate --image {SAMPLE} --prompt {shlex.quote(PROMPT)}"
        " --output out/real.mp4"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
