"""Uploads are reused by content (issue 21): submitting the same image twice uploads it once
(the URL lives about a day; it is reused for less), a changed image is uploaded again, and the
reuse ends after UPLOAD_REUSE_SECONDS."""

from __future__ import annotations

import shutil
from pathlib import Path

from runninghub_video import RunningHub
from runninghub_video._sync_client import UPLOAD_REUSE_SECONDS
from runninghub_video.sandbox import Sandbox

from tests.support.constants import SAMPLE_PNG
from tests.wrapper.fakes import KEY


def test_the_same_image_is_uploaded_once(sandbox: Sandbox, tmp_path: Path) -> None:
    now = [0.0]
    photo = tmp_path / "photo.png"
    shutil.copy(SAMPLE_PNG, photo)
    before = sandbox.stats.uploads
    with RunningHub(KEY, base_url=sandbox.base_url, clock=lambda: now[0]) as rh:
        first = rh.upload(photo)
        assert rh.upload(photo) == first
        assert rh.upload(SAMPLE_PNG) == first  # the same bytes under another name
        assert sandbox.stats.uploads - before == 1
        photo.write_bytes(photo.read_bytes() + b"\0")  # another image now
        assert rh.upload(photo) != first
        assert sandbox.stats.uploads - before == 2
        now[0] += UPLOAD_REUSE_SECONDS
        rh.upload(SAMPLE_PNG)  # too old to reuse: uploaded again
        assert sandbox.stats.uploads - before == 3
