"""A full disk at the worst moment: after the submit was sent, before the journal write.

The journal lives on a small tmpfs this test mounts (root or CAP_SYS_ADMIN needed; skipped
with the reason otherwise). The fault server fills that disk when the submit arrives, then
answers: the task exists and is paid for, and the journal cannot take its line.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from runninghub_video._journal import Journal

from tests.reliability.conftest import IMAGE_URL
from tests.reliability.fault_server import (
    Action,
    FaultServer,
    Reply,
    Request,
    json_reply,
    task_body,
)
from tests.support.api import QUERY, SUBMIT
from tests.support.cli import Cli
from tests.support.constants import KEY
from tests.support.tmpfs import mounted_tmpfs

pytestmark = pytest.mark.integration  # mounts a tmpfs, runs the CLI in a subprocess

TASK = "2013508786110730241"
FILE = "/files/result.mp4"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs, unmounted afterwards."""
    with mounted_tmpfs(tmp_path / "disk", "size=256k,mode=0755") as mount:
        yield mount


def fill(folder: Path) -> None:
    """Write to `folder` until its file system is full."""
    block = b"\0" * 4096
    with contextlib.suppress(OSError), (folder / "filler").open("ab", buffering=0) as out:
        while True:
            out.write(block)


def fills_disk_then(folder: Path, body: dict[str, object]) -> Callable[[Request], Action]:
    def answer(request: Request) -> Action:
        fill(folder)
        journal = folder / "home" / "tasks.jsonl"  # its intent line left room in its last page:
        if journal.exists():  # fill that too, with empty lines (the reader skips them)
            with contextlib.suppress(OSError), journal.open("ab", buffering=0) as out:
                while True:
                    out.write(b"\n" * 512)
        return json_reply(body)

    return answer


def test_submit_on_a_full_disk_still_gives_the_task_id(
    small_disk: Path, faults: FaultServer, tmp_path: Path
) -> None:
    faults.route(SUBMIT, fills_disk_then(small_disk, task_body("QUEUED", TASK)))
    cli = Cli(faults.base_url, small_disk / "home", tmp_path, key=KEY)
    result = cli("submit", "--image", IMAGE_URL, "--prompt", "a comet")
    assert result.code == 0, result.stderr
    assert result.stdout == f"{TASK}\n"
    lines = result.stderr.splitlines()
    assert f"task {TASK} submitted (QUEUED)" in lines
    warning = lines[0]  # the journal is written (here: tried) before the id is shown
    assert warning.startswith("warning:")
    assert f"task {TASK} exists and is paid for" in warning
    assert "No space left on device" in warning
    assert f"runninghub-video wait {TASK}" in warning
    assert faults.count(SUBMIT) == 1


def test_generate_goes_on_when_the_journal_disk_fills_up(
    small_disk: Path, faults: FaultServer, tmp_path: Path
) -> None:
    video = b"\0\0\0\x18ftypmp42" + b"\0" * 1000
    faults.route(SUBMIT, fills_disk_then(small_disk, task_body("QUEUED", TASK)))
    faults.route(QUERY, json_reply(task_body("SUCCESS", TASK, result_url=faults.base_url + FILE)))
    faults.route(FILE, Reply(200, video, "video/mp4"))
    work = tmp_path / "work"
    work.mkdir()
    cli = Cli(faults.base_url, small_disk / "home", work, key=KEY)
    result = cli("generate", "--image", IMAGE_URL, "--prompt", "a comet", "--poll-interval",
                 "0.01", "--output", "v.mp4")  # fmt: skip
    assert result.code == 0, result.stderr
    assert (work / "v.mp4").read_bytes() == video
    assert f"task {TASK} exists and is paid for" in result.stderr


def test_a_full_disk_before_the_submit_costs_nothing(
    small_disk: Path, faults: FaultServer, tmp_path: Path
) -> None:
    faults.route(SUBMIT, json_reply(task_body("QUEUED", TASK)))
    (small_disk / "home").mkdir()
    fill(small_disk)
    cli = Cli(faults.base_url, small_disk / "home", tmp_path, key=KEY)
    result = cli("submit", "--image", IMAGE_URL, "--prompt", "a comet")
    assert result.code == 1, result.stderr
    assert "cannot write the task journal" in result.stderr
    assert faults.count(SUBMIT) == 0


def test_a_line_torn_by_a_full_disk_does_not_swallow_the_next(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.append("submitted", "1", status="QUEUED")
    with journal.path.open("ab") as out:
        out.write(b'{"time":"2026-01-01T00:00:00+00:00","event":"sta')  # cut short
    journal.append("submitted", "2", status="QUEUED")
    assert [record.task_id for record in journal.read()] == ["2", "1"]


def test_the_journal_is_private(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        journal = Journal(tmp_path / "new" / "home")
        journal.ensure_writable()
        journal.append("submitted", "1")
    finally:
        os.umask(old)
    assert oct(journal.path.stat().st_mode & 0o777) == oct(0o600)
    assert oct(journal.folder.stat().st_mode & 0o777) == oct(0o700)
    journal.path.chmod(0o644)  # loosened by someone: tightened again on the next write
    journal.append("status", "1", status="RUNNING")
    assert oct(journal.path.stat().st_mode & 0o777) == oct(0o600)
