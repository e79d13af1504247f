"""Compressed answers, over real sockets: the caps count decoded bytes, for gzip, deflate and
stacked codings, in both clients. A few kB that inflate to many MB are cut at the cap (an
unexpected answer; for a submit, "a paid task may exist"), a result download stops at its
cap with DownloadError, a full disk is a DownloadError, and honest compressed answers still
read. (Peak memory: benchmarks/bench_huge_body.py.)"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from dataclasses import replace
from functools import cache
from pathlib import Path

import httpx
import pytest
from runninghub_video import DownloadError, Task, UnexpectedResponseError
from runninghub_video._bounded_reads import MAX_ANSWER_BYTES, MAX_ANSWER_CHUNKS, BoundedBody, _Cap
from runninghub_video.types import OutputFile

from tests.reliability.conftest import FAST, IMAGE_URL, call, modes
from tests.reliability.fault_server import FaultServer, Reply, task_body
from tests.support.api import QUERY, SUBMIT
from tests.support.tmpfs import mounted_tmpfs

TASK = "2013508786110730241"
FILE = "/files/result.mp4"
INFLATED = 64 << 20
"""What a bomb inflates to: far past every cap, small enough to build in a test."""


def gzipped(chunks: int, block: bytes) -> bytes:
    """`block` repeated `chunks` times, gzip-compressed as a stream (never held whole)."""
    z = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return b"".join(z.compress(block) for _ in range(chunks)) + z.flush()


@cache
def bomb(head: bytes = b"") -> bytes:
    """`head`, then INFLATED bytes of spaces (valid JSON after an object), gzip twice."""
    block = b" " * (1 << 20)
    inner = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    once = inner.compress(head) + b"".join(
        inner.compress(block) for _ in range(INFLATED >> 20)
    ) + inner.flush()  # fmt: skip
    return gzip.compress(once, 9)


def task_bomb(status: str = "QUEUED") -> bytes:
    return bomb(json.dumps(task_body(status, TASK)).encode())


def gzip_gzip(body: bytes) -> Reply:
    return Reply(200, body, "application/json", {"Content-Encoding": "gzip, gzip"})


@modes
def test_a_query_answer_that_inflates_past_the_cap_is_unexpected(
    mode: str, faults: FaultServer
) -> None:
    assert len(task_bomb()) < 100_000 < MAX_ANSWER_BYTES < INFLATED
    faults.route(QUERY, gzip_gzip(task_bomb()))
    with pytest.raises(UnexpectedResponseError, match=f"more than {MAX_ANSWER_BYTES} bytes"):
        call(mode, faults.base_url, "get", TASK)


@modes
def test_a_submit_answer_that_inflates_past_the_cap_keeps_its_task(
    mode: str, faults: FaultServer
) -> None:
    """The cut answer still starts with the task: it is that task (sent once)."""
    faults.route(SUBMIT, gzip_gzip(task_bomb()))
    task = call(mode, faults.base_url, "submit", "a cat", IMAGE_URL)
    assert task.id == TASK
    assert faults.count(SUBMIT) == 1


@modes
def test_a_submit_answer_that_inflates_to_no_task_may_have_paid(
    mode: str, faults: FaultServer
) -> None:
    faults.route(SUBMIT, gzip_gzip(bomb()))
    with pytest.raises(UnexpectedResponseError) as caught:
        call(mode, faults.base_url, "submit", "a cat", IMAGE_URL)
    assert caught.value.task_may_exist
    assert faults.count(SUBMIT) == 1


@modes
@pytest.mark.parametrize("coding", ["gzip", "x-gzip", "deflate", "raw-deflate", "gzip, deflate"])
def test_an_honest_compressed_answer_still_reads(
    mode: str, faults: FaultServer, coding: str
) -> None:
    body = json.dumps(task_body("RUNNING", TASK)).encode()
    if coding == "raw-deflate":  # what some servers send as "deflate"
        z = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        body, coding = z.compress(body) + z.flush(), "deflate"
    else:
        for one in (c.strip() for c in coding.split(",")):
            body = gzip.compress(body) if "gzip" in one else zlib.compress(body)
    faults.route(QUERY, Reply(200, body, "application/json", {"Content-Encoding": coding}))
    task = call(mode, faults.base_url, "get", TASK)
    assert (task.id, task.status) == (TASK, "RUNNING")
    (request,) = faults.on(QUERY)
    assert request.headers["accept-encoding"] == "gzip, deflate"


@modes
def test_a_coding_that_is_not_undone_is_never_inflated(mode: str, faults: FaultServer) -> None:
    body = json.dumps(task_body("RUNNING", TASK)).encode()
    faults.route(QUERY, Reply(200, body, "application/json", {"Content-Encoding": "br"}))
    task = call(mode, faults.base_url, "get", TASK)  # passed through as sent: here, plain JSON
    assert task.status == "RUNNING"


@modes
def test_a_broken_compressed_submit_answer_may_have_paid(mode: str, faults: FaultServer) -> None:
    body = b"\x1f\x8b\x08\x00garbage" * 10
    faults.route(SUBMIT, Reply(200, body, "application/json", {"Content-Encoding": "gzip"}))
    with pytest.raises(Exception) as caught:  # noqa: PT011 - the kind is checked below
        call(mode, faults.base_url, "submit", "a cat", IMAGE_URL)
    assert getattr(caught.value, "task_may_exist", False), repr(caught.value)
    assert faults.count(SUBMIT) == 1


def done(url: str) -> Task:
    return Task(id=TASK, status="SUCCESS", results=(OutputFile(url=url, output_type="mp4"),))


@modes
def test_a_download_that_inflates_past_its_cap_stops_with_download_error(
    mode: str, faults: FaultServer, tmp_path: Path
) -> None:
    video = gzipped(INFLATED >> 20, os.urandom(64) * (1 << 14))
    faults.route(FILE, Reply(200, video, "video/mp4", {"Content-Encoding": "gzip, identity"}))
    policy = replace(FAST, max_download_bytes=4 << 20)
    target = tmp_path / "out.mp4"
    with pytest.raises(DownloadError, match="larger than 4194304 bytes") as caught:
        call(mode, faults.base_url, "download", done(faults.base_url + FILE), target, policy=policy)
    assert caught.value.task_id == TASK
    assert list(tmp_path.iterdir()) == []


@modes
def test_an_honest_compressed_download_is_saved_decoded(
    mode: str, faults: FaultServer, tmp_path: Path
) -> None:
    data = os.urandom(300_000)
    faults.route(FILE, Reply(200, gzip.compress(data), "video/mp4", {"Content-Encoding": "gzip"}))
    target = tmp_path / "out.mp4"
    call(mode, faults.base_url, "download", done(faults.base_url + FILE), target)
    assert target.read_bytes() == data


@pytest.mark.integration  # mounts a tmpfs
@modes
def test_a_download_onto_a_full_disk_is_a_download_error(
    mode: str, faults: FaultServer, tmp_path: Path
) -> None:
    with mounted_tmpfs(tmp_path / "disk", "size=1m,mode=0755") as disk:
        video = gzipped(8, os.urandom(64) * (1 << 14))  # 8 MiB once decoded
        faults.route(FILE, Reply(200, video, "video/mp4", {"Content-Encoding": "gzip"}))
        with pytest.raises(DownloadError, match="could not be written") as caught:
            call(mode, faults.base_url, "download", done(faults.base_url + FILE), disk / "o.mp4")
        assert caught.value.task_id == TASK
        assert list(disk.iterdir()) == []


def test_an_answer_in_too_many_pieces_is_cut() -> None:
    """A server trickling one byte per read: past MAX_ANSWER_CHUNKS reads the answer is cut
    (each read costs CPU; a million of them cost seconds per answer)."""
    cap = _Cap(BoundedBody(httpx.Headers(), MAX_ANSWER_BYTES), None)
    taken = b"".join(cap.take(b" ") for _ in range(MAX_ANSWER_CHUNKS + 10))
    assert cap.truncated
    assert len(taken) == MAX_ANSWER_CHUNKS
