"""One real, paid call (about 3.2 CNY): skipped unless RUNNINGHUB_API_KEY and RUNNINGHUB_LIVE=1.

RUNNINGHUB_LIVE=1 RUNNINGHUB_API_KEY=... .venv/bin/pytest tests/live -m live
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from runninghub_video import RunningHub

from tests.support.constants import SAMPLE_PNG

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not os.environ.get("RUNNINGHUB_API_KEY") or os.environ.get("RUNNINGHUB_LIVE") != "1",
        reason="live test: set RUNNINGHUB_API_KEY and RUNNINGHUB_LIVE=1 (costs money)",
    ),
]


def test_image_to_video_end_to_end(tmp_path: Path) -> None:
    with RunningHub() as rh:
        task = rh.run(
            prompt="slow push-in over the hills, the sun rises", image=SAMPLE_PNG, duration="4"
        )
        path = rh.download(task, tmp_path / "live.mp4")
    assert task.succeeded
    assert path.stat().st_size > 10_000
    assert path.read_bytes()[4:8] == b"ftyp"
