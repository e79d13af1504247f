"""Fixtures and helpers for the sandbox tests: the session's sandbox (tests/conftest.py) driven
with httpx, and ffmpeg probes of what it renders."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import imageio_ffmpeg
import pytest
from runninghub_video.sandbox import Sandbox

from tests.support.api import CONTRACT, FINAL, QUERY, SUBMIT
from tests.support.constants import KEY

AUTH = {"Authorization": f"Bearer {KEY}"}
TASK_RESULT_FIELDS = {
    "taskId",
    "status",
    "errorCode",
    "errorMessage",
    "results",
    "clientId",
    "promptTips",
}


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """An httpx client for the sandbox, sending a good API key."""
    with httpx.Client(base_url=sandbox.base_url, headers=AUTH, timeout=30) as c:
        yield c


def allowed(field: str) -> list[str]:
    """The spec's allowed values of a submit field."""
    return list(CONTRACT.one("task").property_schema(field)["enum"])


def allowed_text(field: str) -> str:
    """How the sandbox words a field's allowed values: one of '4', '8', '12'."""
    return "one of " + ", ".join(f"'{v}'" for v in allowed(field))


def submit_body(prompt: str = "a calm lake at dawn", **overrides: Any) -> dict[str, Any]:
    """A valid submit body (4 s, 16:9, 720p, a non-sandbox image URL) with overrides."""
    body: dict[str, Any] = {
        "prompt": prompt,
        "resolution": "720p",
        "aspectRatio": "16:9",
        "imageUrl": "https://example.com/picture.png",
        "duration": "4",
    }
    body.update(overrides)
    return body


def submit(client: httpx.Client, prompt: str = "a calm lake at dawn", **overrides: Any) -> str:
    """Submit a task and return its taskId (asserting HTTP 200)."""
    response = client.post(SUBMIT, json=submit_body(prompt, **overrides))
    assert response.status_code == 200, response.text
    task_id = response.json()["taskId"]
    assert isinstance(task_id, str)
    return task_id


def wait_final(client: httpx.Client, task_id: str, timeout: float = 40.0) -> dict[str, Any]:
    """Poll the query call until the task is final; return that answer."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.post(QUERY, json={"taskId": task_id})
        if response.status_code == 200:
            body: dict[str, Any] = response.json()
            if body["status"] in FINAL:
                return body
        assert time.monotonic() < deadline, f"task {task_id} not final after {timeout} s"
        time.sleep(0.02)


def ffmpeg() -> str:
    """imageio-ffmpeg's ffmpeg binary."""
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def probe(path: Path) -> dict[str, Any]:
    """Duration (s), width, height, codec and pixel format of a video, read by ffmpeg -i."""
    result = subprocess.run(
        [ffmpeg(), "-hide_banner", "-i", str(path)], capture_output=True, text=True, check=False
    )
    info = result.stderr
    duration = re.search(r"Duration: (\d+):(\d+):(\d+\.\d+)", info)
    video = re.search(r"Video: (\w+).*?, (\w+)\(.*?, (\d+)x(\d+)", info)
    assert duration, info
    assert video, info
    hours, minutes, seconds = duration.groups()
    return {
        "duration": int(hours) * 3600 + int(minutes) * 60 + float(seconds),
        "codec": video.group(1),
        "pix_fmt": video.group(2),
        "width": int(video.group(3)),
        "height": int(video.group(4)),
    }


def top_level_boxes(data: bytes) -> list[str]:
    """The MP4's top-level box types in file order (moov before mdat means +faststart)."""
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        boxes.append(data[offset + 4 : offset + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        if size < 8:
            break
        offset += size
    return boxes


def mean_colour(path: Path, seek: float | None = None) -> tuple[int, int, int]:
    """The average RGB colour of an image, or of a video's frame at seek seconds."""
    argv = [ffmpeg(), "-hide_banner", "-loglevel", "error"]
    if seek is not None:
        argv += ["-ss", str(seek)]
    argv += ["-i", str(path), "-frames:v", "1", "-vf", "scale=1:1:flags=area"]
    argv += ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    out = subprocess.run(argv, capture_output=True, check=True).stdout
    assert len(out) == 3, out
    return out[0], out[1], out[2]
