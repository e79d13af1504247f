"""A batch whose disk fills up during its downloads (issue 21): nothing is lost. The outputs
and the batch's state share a small tmpfs (root or CAP_SYS_ADMIN needed; skipped with the
reason otherwise), filled until about one video fits. The run stops or reports rows still
to download, no half-written video is left under its name, and once there is room the same
batch downloads every video without paying again (the sandbox's counter)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from runninghub_video import Policy, RunningHubError
from runninghub_video.batch import Batch
from runninghub_video.sandbox import Sandbox

from tests.support.cli import is_whole_mp4
from tests.support.constants import KEY, SAMPLE_PNG
from tests.support.tmpfs import mounted_tmpfs

pytestmark = pytest.mark.integration  # mounts a tmpfs, a sandbox over real sockets

ROWS = 4
ROOM = 700_000  # bytes left: one sandbox video (about 450 kB) fits, two do not


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with mounted_tmpfs(tmp_path / "disk", "size=4m,mode=0755") as mount:
        yield mount


def test_a_full_disk_during_downloads_loses_nothing(small_disk: Path, sandbox: Sandbox) -> None:
    rows = [{"image": str(SAMPLE_PNG), "prompt": f"full disk {n}", "name": f"v{n}"}
            for n in range(ROWS)]  # fmt: skip
    out = small_disk / "out"
    batch = Batch(rows, api_key=KEY, base_url=sandbox.base_url, policy=Policy(poll_interval=0.02),
                  folder=out, name="{name}.mp4", max_running=ROWS)  # fmt: skip
    assert batch.validate() == []
    assert (out / ".runninghub-batch.sqlite").is_file()  # validate() made the state
    free = os.statvfs(small_disk)
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (free.f_bavail * free.f_frsize - ROOM))
    before = sandbox.stats.submits

    try:
        first = batch.run()
    except (RunningHubError, OSError) as error:  # the state itself could not be written
        print(f"stopped: {error}")
    else:
        print(f"first run: {first.totals}; {[row.error for row in first.rows]}")
        assert first.totals["done"] < ROWS
        assert first.totals["failed"] == 0  # a full disk fails no row
    paid = sandbox.stats.submits - before
    for video in out.glob("v*.mp4"):
        assert is_whole_mp4(video), video  # nothing half-written under a final name

    filler.unlink()
    report = batch.run()
    assert report.totals["done"] == ROWS, report.rows
    assert sandbox.stats.submits - before == ROWS  # the resume paid for nothing more
    assert paid <= ROWS
    assert all(is_whole_mp4(out / f"v{n}.mp4") for n in range(ROWS))
    assert [p.name for p in out.iterdir() if p.name.endswith(".part")] == []
