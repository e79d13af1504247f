"""Three takes at once from one photo, with the async client: each is uploaded, submitted,
waited for and downloaded on its own, and one failing does not stop the others.

    RUNNINGHUB_API_KEY=... python examples/make_video_async.py PHOTO "PROMPT" [FOLDER]

RUNNINGHUB_BASE_URL picks the site or a local sandbox. `make test` runs this file against the
sandbox (tests/test_examples.py).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from runninghub_video import AsyncRunningHub, RunningHubError


async def one(rh: AsyncRunningHub, photo: str, prompt: str, out: Path) -> Path:
    task = await rh.run(prompt=prompt, image=photo)
    return await rh.download(task, out)


async def main(photo: str, prompt: str, folder: str = "videos") -> int:
    outputs = [Path(folder) / f"video-{n}.mp4" for n in range(1, 4)]
    Path(folder).mkdir(parents=True, exist_ok=True)
    async with AsyncRunningHub() as rh:  # the key from RUNNINGHUB_API_KEY
        done = await asyncio.gather(
            *(one(rh, photo, f"{prompt}, take {n}", out) for n, out in enumerate(outputs, 1)),
            return_exceptions=True,
        )
    for out, result in zip(outputs, done, strict=True):
        if isinstance(result, RunningHubError):
            print(f"{out}: error: {result}", file=sys.stderr)
        elif isinstance(result, BaseException):
            raise result
        else:
            print(result)
    return 0 if all(isinstance(result, Path) for result in done) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(*sys.argv[1:4])))
