"""One video from a local photo, with the library: upload, submit, wait, download.

    RUNNINGHUB_API_KEY=... python examples/make_video.py PHOTO "PROMPT" [OUTPUT.mp4]

RUNNINGHUB_BASE_URL picks the site (https://www.runninghub.ai) or a local sandbox
(`runninghub-video sandbox` prints its URL). `make test` runs this file against the sandbox
(tests/test_examples.py). The async version is examples/make_video_async.py.
"""

from __future__ import annotations

import sys

from runninghub_video import RunningHub, RunningHubError, Task


def progress(task: Task) -> None:
    print(f"{task.id}: {task.status}", file=sys.stderr)


def main(photo: str, prompt: str, output: str = "video.mp4") -> int:
    try:
        with RunningHub() as rh:  # the key from RUNNINGHUB_API_KEY
            task = rh.run(prompt=prompt, image=photo, duration="4", on_update=progress)
            print(rh.download(task, output))
    except RunningHubError as error:  # one hierarchy: refused, failed, timed out...
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
