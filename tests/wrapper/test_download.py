"""Downloads over real sockets: complete files only, never the key to the result host."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from runninghub_video import (
    AsyncRunningHub,
    DownloadError,
    InvalidInputError,
    Policy,
    RunningHub,
    TaskFailedError,
)
from runninghub_video._task import Task
from runninghub_video.types import OutputFile

from tests.support.file_server import PAYLOAD, FileServer
from tests.wrapper.fakes import KEY


def done(url: str) -> Task:
    return Task(id="42", status="SUCCESS", results=(OutputFile(url=url, output_type="mp4"),))


def download(mode: str, task: Task, dest: Path | None, **kw: object) -> Path:
    policy = Policy(request_timeout=1.0, connect_timeout=1.0)
    if mode == "sync":
        with RunningHub(KEY, base_url="http://127.0.0.1:9", policy=policy) as rh:
            return rh.download(task, dest, **kw)  # type: ignore[arg-type]

    async def go() -> Path:
        async with AsyncRunningHub(KEY, base_url="http://127.0.0.1:9", policy=policy) as rh:
            return await rh.download(task, dest, **kw)  # type: ignore[arg-type]

    return asyncio.run(go())


modes = pytest.mark.parametrize("mode", ["sync", "async"])


@modes
def test_complete_download_with_progress(mode: str, files: FileServer, tmp_path: Path) -> None:
    progress: list[tuple[int, int | None]] = []
    dest = tmp_path / "out" / "video.mp4"
    path = download(mode, done(f"{files.base_url}/ok.mp4?sign=abc"), dest,
                    on_progress=lambda got, total: progress.append((got, total)))  # fmt: skip
    assert path == dest
    assert dest.read_bytes() == PAYLOAD
    assert progress[0] == (0, len(PAYLOAD))  # the start, before any byte
    assert progress[-1] == (len(PAYLOAD), len(PAYLOAD))
    assert [p[0] for p in progress] == sorted(p[0] for p in progress)
    assert list(dest.parent.iterdir()) == [dest]  # no temporary file left


@modes
def test_key_is_never_sent_to_the_result_host(mode: str, files: FileServer, tmp_path: Path) -> None:
    files.authorization.clear()
    download(mode, done(f"{files.base_url}/ok.mp4"), tmp_path / "v.mp4")
    assert files.authorization == [None]


@modes
def test_default_destination_is_task_id_in_a_folder(
    mode: str, files: FileServer, tmp_path: Path
) -> None:
    assert download(mode, done(f"{files.base_url}/ok.mp4"), tmp_path) == tmp_path / "42.mp4"


@modes
@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/short.mp4", "failed|incomplete"),
        ("/expired.mp4", "HTTP 403.*expire"),
        ("/slow.mp4", "failed"),
    ],
)
def test_broken_download_leaves_nothing(
    mode: str, files: FileServer, tmp_path: Path, path: str, why: str
) -> None:
    dest = tmp_path / "video.mp4"
    dest_dir_before = set(tmp_path.iterdir())
    with pytest.raises(DownloadError, match=why) as caught:
        download(mode, done(f"{files.base_url}{path}?sign=secret"), dest)
    assert caught.value.task_id == "42"
    assert "secret" not in str(caught.value)  # signed query strings stay out of messages
    assert set(tmp_path.iterdir()) == dest_dir_before  # no final file, no .part left


@modes
def test_download_without_content_length_still_completes(
    mode: str, files: FileServer, tmp_path: Path
) -> None:
    path = download(mode, done(f"{files.base_url}/chunked.mp4"), tmp_path / "v.mp4")
    assert path.read_bytes() == PAYLOAD


@modes
def test_existing_file_is_only_replaced_by_a_complete_one(
    mode: str, files: FileServer, tmp_path: Path
) -> None:
    dest = tmp_path / "video.mp4"
    dest.write_bytes(b"previous video")
    with pytest.raises(DownloadError):
        download(mode, done(f"{files.base_url}/short.mp4"), dest, overwrite=True)
    assert dest.read_bytes() == b"previous video"


def test_unfinished_or_failed_task_is_refused_before_any_request(
    files: FileServer, tmp_path: Path
) -> None:
    files.authorization.clear()
    with pytest.raises(DownloadError, match="no result yet"):
        download("sync", Task(id="1", status="RUNNING"), tmp_path)
    with pytest.raises(TaskFailedError):
        download("sync", Task(id="1", status="FAILED", error_code="1505"), tmp_path)
    assert files.authorization == []


def test_downloaded_file_gets_normal_permissions(files: FileServer, tmp_path: Path) -> None:
    import os

    umask = os.umask(0o022)
    try:
        path = download("sync", done(f"{files.base_url}/ok.mp4"), tmp_path / "v.mp4")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644


@modes
def test_existing_symlink_or_device_is_refused_before_the_request(
    mode: str, files: FileServer, tmp_path: Path
) -> None:
    files.authorization.clear()
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    link = tmp_path / "link.mp4"
    link.symlink_to(victim)
    existing = tmp_path / "existing.mp4"
    existing.write_bytes(b"mine")
    for dest, overwrite in ((link, True), (Path("/dev/null"), True), (existing, False)):
        with pytest.raises(InvalidInputError):
            download(mode, done(f"{files.base_url}/ok.mp4"), dest, overwrite=overwrite)
    assert files.authorization == []  # no request was made
    assert victim.read_bytes() == b"precious"
    assert link.is_symlink()
    assert existing.read_bytes() == b"mine"
    assert download(mode, done(f"{files.base_url}/ok.mp4"), existing, overwrite=True) == existing
    assert existing.read_bytes() == PAYLOAD


@modes
def test_trailing_slash_is_a_folder_created_if_needed(
    mode: str, files: FileServer, tmp_path: Path
) -> None:
    dest = f"{tmp_path}/new/folder/"
    path = download(mode, done(f"{files.base_url}/ok.mp4"), dest)  # type: ignore[arg-type]
    assert path == tmp_path / "new" / "folder" / "42.mp4"
    assert path.read_bytes() == PAYLOAD


def finish(mode: str, task: Task, **kw: object) -> Path:
    """finish(task, wait=False, **kw): the download of a task seen already; its path."""
    policy = Policy(request_timeout=1.0, connect_timeout=1.0)
    if mode == "sync":
        with RunningHub(KEY, base_url="http://127.0.0.1:9", policy=policy) as rh:
            return rh.finish(task, wait=False, **kw).path  # type: ignore[arg-type]

    async def go() -> Path:
        async with AsyncRunningHub(KEY, base_url="http://127.0.0.1:9", policy=policy) as rh:
            return (await rh.finish(task, wait=False, **kw)).path  # type: ignore[arg-type]

    return asyncio.run(go())


@modes
def test_finish_never_overwrites_a_protected_file(
    mode: str, files: FileServer, tmp_path: Path
) -> None:
    image = tmp_path / "photo.png"
    image.write_bytes(b"the input image")
    files.authorization.clear()
    with pytest.raises(InvalidInputError, match="other than the input image"):
        finish(mode, done(f"{files.base_url}/ok.mp4"), output=tmp_path / "new" / ".." / image.name,
               overwrite=True, protected=[str(image)])  # fmt: skip
    assert image.read_bytes() == b"the input image"
    assert files.authorization == []  # refused before the download's request


@modes
def test_a_protected_file_that_appears_during_the_download_is_kept(
    mode: str, files: FileServer, tmp_path: Path
) -> None:
    dest = tmp_path / "photo.png"  # not there when checked; written as the download starts

    def appears(received: int, total: int | None) -> None:
        if received == 0:
            dest.write_bytes(b"the input image")

    with pytest.raises(DownloadError, match="other than the input image"):
        finish(mode, done(f"{files.base_url}/ok.mp4"), output=dest, overwrite=True,
               protected=[dest], on_progress=appears)  # fmt: skip
    assert dest.read_bytes() == b"the input image"
    assert list(tmp_path.iterdir()) == [dest]  # no .part left


def test_a_protected_path_with_a_nul_byte_protects_nothing_and_stops_nothing(
    files: FileServer, tmp_path: Path
) -> None:
    """helper-9: a journal line naming "x\\0y" made download crash (ValueError)."""
    dest = tmp_path / "out.mp4"
    dest.write_bytes(b"old")
    path = finish("sync", done(f"{files.base_url}/ok.mp4"), output=dest, overwrite=True,
                  protected=[str(tmp_path / "x\0y")])  # fmt: skip
    assert path.read_bytes() == PAYLOAD


def test_a_part_file_a_live_download_holds_is_never_touched(tmp_path: Path) -> None:
    import fcntl

    from runninghub_video._download import DownloadSink
    from runninghub_video._output_paths import part_path

    destination = tmp_path / "v.mp4"
    part = part_path(destination)
    part.write_bytes(b"another download's bytes")
    with part.open("rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # as a live download in another process
        sink = DownloadSink(destination, url="https://cdn.test/v.mp4", total=None, task_id="1")
        with pytest.raises(DownloadError, match="being downloaded by another process"):
            sink.__enter__()
    assert part.read_bytes() == b"another download's bytes"
    assert not destination.exists()


def test_a_part_file_left_by_a_dead_download_is_taken_over(tmp_path: Path) -> None:
    from runninghub_video._download import DownloadSink
    from runninghub_video._output_paths import part_path

    destination = tmp_path / "v.mp4"
    part_path(destination).write_bytes(b"x" * 10_000)  # no lock: its writer is gone
    with DownloadSink(destination, url="https://cdn.test/v.mp4", total=3, task_id="1") as sink:
        sink.write(b"mp4")
    assert destination.read_bytes() == b"mp4"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.mp4"]


def test_a_fifo_named_like_the_part_file_is_refused_without_blocking(tmp_path: Path) -> None:
    from runninghub_video._download import DownloadSink
    from runninghub_video._output_paths import part_path

    destination = tmp_path / "v.mp4"
    os.mkfifo(part_path(destination))
    with pytest.raises(DownloadError):
        DownloadSink(destination, url="https://cdn.test/v.mp4", total=None, task_id="1").__enter__()
    assert not destination.exists()


def test_a_hard_link_planted_as_the_part_file_is_refused(tmp_path: Path) -> None:
    from runninghub_video._download import DownloadSink
    from runninghub_video._output_paths import part_path

    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    destination = tmp_path / "out" / "v.mp4"
    destination.parent.mkdir()
    os.link(victim, part_path(destination))
    with pytest.raises(DownloadError):
        DownloadSink(destination, url="https://cdn.test/v.mp4", total=None, task_id="1").__enter__()
    assert victim.read_text() == "precious"
