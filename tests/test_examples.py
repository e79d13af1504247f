"""The example scripts a user copies first (examples/make_video.py, make_video_async.py) get
videos from the sandbox as they are, run as a user runs them: a fresh interpreter, the key and
the base URL in the environment, a working folder of their own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from runninghub_video.sandbox import Sandbox

from tests.support.constants import KEY, ROOT, SAMPLE_PNG

pytestmark = pytest.mark.integration  # scripts in a subprocess, the rendering sandbox

MP4_BOX = b"ftyp"


def run_example(
    name: str, sandbox: Sandbox, cwd: Path, output: str, photo: Path = SAMPLE_PNG
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNNINGHUB_")}
    env.update(RUNNINGHUB_BASE_URL=sandbox.base_url, RUNNINGHUB_API_KEY=KEY)
    return subprocess.run(
        [sys.executable, str(ROOT / "examples" / name), str(photo), "a calm lake", output],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_the_sync_example_downloads_a_video(sandbox: Sandbox, tmp_path: Path) -> None:
    run = run_example("make_video.py", sandbox, tmp_path, "lake.mp4")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "lake.mp4"
    assert (tmp_path / "lake.mp4").read_bytes()[4:8] == MP4_BOX
    assert ": SUCCESS" in run.stderr  # on_update reported the task's progress


def test_the_async_example_downloads_three_videos(sandbox: Sandbox, tmp_path: Path) -> None:
    run = run_example("make_video_async.py", sandbox, tmp_path, "out")
    assert run.returncode == 0, run.stderr
    videos = sorted((tmp_path / "out").iterdir())
    assert [video.name for video in videos] == ["video-1.mp4", "video-2.mp4", "video-3.mp4"]
    assert all(video.read_bytes()[4:8] == MP4_BOX for video in videos)


def test_an_example_reports_an_error_and_exits_1(sandbox: Sandbox, tmp_path: Path) -> None:
    run = run_example("make_video.py", sandbox, tmp_path, "lake.mp4", tmp_path / "nope.png")
    assert run.returncode == 1
    assert run.stderr.startswith("error: ")
    assert "file not found" in run.stderr
    assert not (tmp_path / "lake.mp4").exists()
