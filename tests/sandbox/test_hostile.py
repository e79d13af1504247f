"""One client must not take the sandbox down: every attack of the hostile review, over real
sockets, against a sandbox process whose limits are set small where that keeps the test quick.

"Still answered" uses BLOCKED_BOUND, a generous bound only a blocked event loop misses (the
old code blocked for 21 s to 30 min); the measured figures are printed (`pytest -s`).
"""

from __future__ import annotations

import math
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from runninghub_video._error_codes import (
    FILE_PROCESSING_FAILED,
    GENERATION_FAILED,
    SYSTEM_BUSY,
    TASK_NOT_FOUND,
)
from runninghub_video.sandbox import Sandbox
from runninghub_video.sandbox._limits import MB, Limits

from tests.sandbox import attacks
from tests.sandbox.attacks import MALFORMED, sandbox_process
from tests.support.api import CONTRACT, QUERY, SUBMIT, UPLOAD
from tests.support.constants import ROOT, SAMPLE_PNG
from tests.support.tmpfs import mounted_tmpfs

pytestmark = pytest.mark.integration  # the rendering sandbox, in process and in subprocesses

BLOCKED_BOUND = 15.0  # seconds; a healthy loop answers in milliseconds even on a loaded host
SANDBOX_SOURCES = sorted((ROOT / "wrapper" / "runninghub_video" / "sandbox").glob("*.py"))


def report(figures: attacks.Figures) -> None:
    """Print the figures (visible with -s) and check the probe was answered throughout."""
    print(f"\n{attacks.HEADER}\n{figures.row()}")
    assert figures.probe_failures == 0, figures
    assert figures.blocked_s < BLOCKED_BOUND, figures


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    return attacks.png_bomb(tmp_path_factory.mktemp("bomb") / "bomb.png")


# ------------------------------------------------------------------ bounded work per request


def test_marker_parsing_is_linear_even_without_the_prompt_cap(tmp_path):
    # The prompt cap is lifted to the body limit, so only the linear parser keeps this fast.
    args = ["--limit", f"max_prompt_chars={2 * MB}"]
    with sandbox_process(tmp_path / "data", args=args) as sb:
        figures = attacks.marker_flood(sb, 1000)
    report(figures)
    assert figures.notes["answer"] == 200


def test_parse_faults_on_a_megabyte_of_open_markers_finishes():
    # In a child process: the regex engine holds the GIL, so a thread could not be timed out.
    code = "from runninghub_video.sandbox import parse_faults; parse_faults('[sandbox:a=' * 95_000)"
    started = time.monotonic()
    try:
        subprocess.run([sys.executable, "-c", code], check=True, timeout=BLOCKED_BOUND)
    except subprocess.TimeoutExpired:
        pytest.fail(f"parse_faults on 1 MB took over {BLOCKED_BOUND} s: quadratic")
    print(
        f"\nparse_faults on 1 MB of '[sandbox:a=' (with interpreter start): "
        f"{time.monotonic() - started:.2f} s"
    )


def test_the_stored_prompt_is_capped(tmp_path):
    with sandbox_process(tmp_path / "data") as sb:
        figures = attacks.big_prompts(sb, count=150)
    report(figures)
    assert figures.answers_5xx == 0
    # 150 MB of prompts arrived; without the cap the sandbox keeps them all.
    assert figures.rss_after_mb - figures.rss_before_mb < 60, figures


def test_a_decompression_bomb_fails_fast_with_1013_and_does_not_hold_the_render_slot(
    tmp_path, bomb
):
    with sandbox_process(tmp_path / "data") as sb:
        figures = attacks.decompression_bomb(sb, bomb)
        stats = sb.stats()
    report(figures)
    assert figures.notes["normal_task"].startswith("SUCCESS")
    assert figures.notes["bomb_task"] == f"FAILED {FILE_PROCESSING_FAILED}"
    assert "16000x16000" in figures.notes["failed_reason"]
    assert "pixels" in figures.notes["failed_reason"]
    assert stats["renders_refused"] == 1
    assert figures.rss_peak_mb - figures.rss_before_mb < 1024, figures  # was 3.8 GB


def test_renders_beyond_max_queued_renders_are_refused_429_system_busy(tmp_path, monkeypatch):
    # Renders queued without bound: 12 big submits made a normal task wait 131 s. Renders are
    # held pending by a gated ffmpeg, so the queue is full however fast the machine is.
    exe, gate = attacks.gated_ffmpeg(tmp_path)
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(exe))
    args = ["--limit", "max_queued_renders=2"]
    with (
        sandbox_process(tmp_path / "data", args=args) as sb,
        httpx.Client(base_url=sb.base_url, headers=attacks.AUTH, timeout=60) as client,
    ):
        urls = [
            attacks.upload(client, attacks.distinct_png(i)).json()["data"]["download_url"]
            for i in range(3)
        ]
        first, second = (
            client.post(SUBMIT, json=attacks.submit_body(f"q{i}", urls[i])).json()["taskId"]
            for i in range(2)
        )
        refused = client.post(SUBMIT, json=attacks.submit_body("q2", urls[2]))
        shared = client.post(SUBMIT, json=attacks.submit_body("same video", urls[0]))
        gate.touch()
        finals = [attacks.wait_final(client, t)["status"] for t in (first, second)]
        again = client.post(SUBMIT, json=attacks.submit_body("q2", urls[2]))
        stats = sb.stats()
    print(
        f"\nthird render: {refused.status_code} {refused.text}; after the queue drained: "
        f"{again.status_code}"
    )
    assert refused.status_code == 429, refused.text
    assert refused.json()["errorCode"] == SYSTEM_BUSY
    assert int(refused.headers["Retry-After"]) > 0
    assert shared.status_code == 200  # a cached render: no new work
    assert shared.json()["taskId"]
    assert finals == ["SUCCESS", "SUCCESS"]
    assert again.status_code == 200
    assert again.json()["taskId"]
    assert stats["submits_refused_busy"] == 1


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        (Limits(render_timeout=0.001), "took longer than"),
        (Limits(render_memory_bytes=16 * MB), "ffmpeg exited"),
    ],
)
def test_a_render_over_its_budget_fails_the_task_with_a_reason(tmp_path, limits, reason):
    with (
        Sandbox(speed=50, limits=limits, data_dir=tmp_path) as sb,
        httpx.Client(base_url=sb.base_url, headers=attacks.AUTH, timeout=60) as client,
    ):
        task_id = client.post(SUBMIT, json=attacks.submit_body("budget")).json()["taskId"]
        final = attacks.wait_final(client, task_id)
    assert final["status"] == "FAILED"
    assert reason in final["failedReason"]["exception_message"]


def test_concurrent_uploads_are_streamed_and_limited(tmp_path):
    with sandbox_process(tmp_path / "data") as sb:
        figures = attacks.concurrent_uploads(sb, count=100, megabytes=12)
        stats = sb.stats()
    report(figures)
    assert figures.answers_5xx == 0, figures
    assert figures.notes["answers"] == "200 x100"  # each refused, code 1008: over the 10 MB limit
    assert (stats["upload_attempts"], stats["uploads"]) == (100, 0)  # refused: none stored
    assert stats["uploads_in_flight_peak"] <= Limits().max_concurrent_uploads
    assert figures.rss_peak_mb - figures.rss_before_mb < 300, figures  # was 1.16 GB
    assert not list((tmp_path / "data" / "uploads").glob(".incoming-*"))


def test_identical_uploads_at_once_each_get_their_own_temporary_file(tmp_path):
    with sandbox_process(tmp_path / "data") as sb:
        figures = attacks.identical_uploads(sb, count=20)
    report(figures)
    assert figures.notes["answers"] == "200 x20"
    assert figures.answers_5xx == 0
    assert not list((tmp_path / "data" / "uploads").glob(".incoming-*"))


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_bodies_get_400_with_an_error_body(sandbox, name):
    body, content_type, path = MALFORMED[name]
    errors_before = sandbox.stats.answers_5xx
    answer = httpx.post(
        sandbox.base_url + path,
        content=body,
        headers={**attacks.AUTH, "Content-Type": content_type},
        timeout=60,
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["errorCode"]
    assert sandbox.stats.answers_5xx == errors_before


# ------------------------------------------------------------------ slow and idle clients


def read_until_closed(sock: socket.socket, timeout: float) -> bytes:
    """Everything the server sends until it closes the connection (or timeout passes)."""
    sock.settimeout(timeout)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_a_slow_request_head_is_cut_off(tmp_path):
    with sandbox_process(tmp_path / "data", args=["--limit", "header_timeout=1"]) as sb:
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", sb.port)) as sock:
            sock.sendall(b"POST " + QUERY.encode() + b" HTTP/1.1\r\nHost: x\r\n")  # never ends
            read_until_closed(sock, 120)
        print(f"\nslow request head closed after {time.monotonic() - started:.2f} s")
        assert sb.stats()["connections_closed"] >= 1


def test_an_idle_keep_alive_connection_is_closed(tmp_path):
    with sandbox_process(tmp_path / "data", args=["--limit", "keepalive_timeout=1"]) as sb:
        with socket.create_connection(("127.0.0.1", sb.port)) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = read_until_closed(sock, 120)  # answered, then closed when idle
        assert answer.startswith(b"HTTP/1.1 200")


def test_a_slow_body_gets_408(tmp_path):
    with sandbox_process(tmp_path / "data", args=["--limit", "body_timeout=1"]) as sb:
        with socket.create_connection(("127.0.0.1", sb.port)) as sock:
            head = (
                f"POST {QUERY} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n"
                "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
            )
            sock.sendall(head.encode())
            answer = read_until_closed(sock, 120)
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b'"errorCode"' in answer


def test_slow_uploads_do_not_starve_a_legitimate_upload(tmp_path):
    # Four connections trickling one byte a second held every upload slot until body_timeout
    # (60 s): a real upload behind them took 58 s. Now a slot is held only while data flows.
    with sandbox_process(tmp_path / "data") as sb:
        figures = attacks.slow_uploads_then_one(sb, count=Limits().max_concurrent_uploads)
    report(figures)
    assert figures.notes["legit_status"] == 200
    assert figures.notes["legit_s"] < BLOCKED_BOUND, figures
    assert figures.notes["slow_answers"] == ["408"] * Limits().max_concurrent_uploads, figures


def test_a_client_gone_mid_body_is_not_a_5xx_and_not_logged_as_an_error(tmp_path):
    # Half a JSON body, then a disconnect: counted in answers_5xx and logged as "error:
    # unexpected error on POST ..." (13,095 lines from one 19,950-connection run).
    json_head = (
        f"POST {QUERY} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n"
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"taskId": "12'
    )
    upload_head = (
        f"POST {UPLOAD} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n"
        "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n"
        '--b\r\nContent-Disposition: form-data; name="file"; filename="x.png"\r\n\r\n\x89PNG'
    )
    heads = [json_head, upload_head] * 10
    count = len(heads)
    with sandbox_process(tmp_path / "data") as sb:
        for head in heads:
            with socket.create_connection(("127.0.0.1", sb.port)) as sock:
                sock.sendall(head.encode())
        deadline = time.monotonic() + 120  # only a lost count misses it
        while (stats := sb.stats())["client_disconnects"] + stats["answers_5xx"] < count:
            assert time.monotonic() < deadline, stats
            time.sleep(0.05)
    log = (tmp_path / "data.log").read_text(errors="replace")
    print(
        f"\n{count} clients gone mid-body: {stats['client_disconnects']} disconnects counted, "
        f"{stats['answers_5xx']} 5xx, {log.count('unexpected error')} error lines"
    )
    assert stats["answers_5xx"] == 0, stats
    assert "unexpected error" not in log
    assert "Traceback" not in log
    assert not list((tmp_path / "data" / "uploads").glob(".incoming-*"))


def test_idle_connections_cannot_exhaust_file_descriptors(tmp_path):
    # The sandbox runs with 1024 file descriptors, as in a default shell; 1,100 idle
    # connections used them all up before.
    with sandbox_process(tmp_path / "data", nofile=1024) as sb:
        figures = attacks.idle_connections(sb, count=1100)
        stats = sb.stats()
    report(figures)
    assert figures.notes["refused"] == 0
    # The cap made room by closing idle connections (how many were accepted within the hold
    # depends on the machine; without the cap the probe waits for a free descriptor).
    assert stats["connections_closed"] > 0


# ------------------------------------------------------------------ bounded state


def test_tasks_and_uploads_expire_after_the_ttl(tmp_path):
    with (
        Sandbox(speed=50, ttl=1, data_dir=tmp_path) as sb,
        httpx.Client(base_url=sb.base_url, headers=attacks.AUTH, timeout=60) as client,
    ):
        url = attacks.upload(client, SAMPLE_PNG.read_bytes()).json()["data"]["download_url"]
        task_id = client.post(SUBMIT, json=attacks.submit_body("ttl", url)).json()["taskId"]
        attacks.wait_final(client, task_id)
        deadline = time.monotonic() + 120
        while sb.stats.tasks or not sb.stats.uploads_evicted or not sb.stats.renders_evicted:
            assert time.monotonic() < deadline, sb.stats
            time.sleep(0.1)
        answer = client.post(QUERY, json={"taskId": task_id}).json()
        assert answer["errorCode"] == TASK_NOT_FOUND
        assert httpx.get(url).status_code == 404
        assert not list((tmp_path / "renders").glob("*.mp4"))


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A 4 MB tmpfs mounted for the test (root only), unmounted after."""
    with mounted_tmpfs(tmp_path / "small-disk", "size=4m") as mount:
        yield mount


def fill(folder: Path, leave: int) -> Path:
    """A file taking all free space in folder's file system but about leave bytes."""
    filler = folder / "filler"
    vfs = os.statvfs(folder)
    filler.write_bytes(bytes(max(0, vfs.f_bavail * vfs.f_frsize - leave)))
    return filler


def test_a_render_failed_on_a_full_disk_is_not_cached_and_leaves_no_partial_file(small_disk):
    # A render that failed for a full disk was cached for the TTL (24 h): the same image and
    # parameters failed 1015 after the disk was freed, and a 256 KB .part stayed in renders/.
    with (
        Sandbox(speed=50, data_dir=small_disk / "data") as sb,
        httpx.Client(base_url=sb.base_url, headers=attacks.AUTH, timeout=60) as client,
    ):
        url = attacks.upload(client, SAMPLE_PNG.read_bytes()).json()["data"]["download_url"]
        filler = fill(small_disk, leave=128 * 1024)
        body = attacks.submit_body("full disk", url)
        failed = attacks.wait_final(client, client.post(SUBMIT, json=body).json()["taskId"])
        leftovers = sorted(p.name for p in (small_disk / "data" / "renders").iterdir())
        filler.unlink()
        freed = attacks.wait_final(client, client.post(SUBMIT, json=body).json()["taskId"])
    print(
        f"\nfull disk: {failed['status']} {failed['errorCode']}; renders/ then: {leftovers}; "
        f"after freeing: {freed['status']}"
    )
    assert failed["status"] == "FAILED"
    assert failed["errorCode"] == GENERATION_FAILED
    assert leftovers == []  # no partial video, no still frame
    assert freed["status"] == "SUCCESS", freed


def test_disk_use_is_capped_least_recently_used_first(tmp_path):
    with (
        Sandbox(speed=50, max_disk_bytes=5 * MB, data_dir=tmp_path) as sb,
        httpx.Client(base_url=sb.base_url, headers=attacks.AUTH, timeout=60) as client,
    ):
        urls = []
        for i in range(6):
            data = b"\x89PNG\r\n\x1a\n" + i.to_bytes(8, "big") + bytes(2 * MB)
            urls.append(attacks.upload(client, data).json()["data"]["download_url"])
        assert sb.stats.disk_bytes <= 5 * MB
        assert sb.stats.uploads_evicted >= 3
        assert httpx.get(urls[0]).status_code == 404
        assert httpx.get(urls[-1]).status_code == 200
    assert attacks.folder_bytes(tmp_path) <= 5 * MB + 4096


# ------------------------------------------------------------------ settings


@pytest.mark.parametrize("speed", [math.inf, math.nan, 0, -1, 1e9])
def test_bad_speed_is_refused_with_a_clear_error(speed):
    with pytest.raises(ValueError, match="speed must be a number > 0"):
        Sandbox(speed=speed)


BAD_OPTIONS = [
    (["--port", "99999"], "port.*0-65535"),
    (["--port", "http"], "port.*0-65535"),
    (["--speed", "inf"], "speed must be"),
    (["--host", "0.0.0.0"], "--allow-remote"),
]
MODULE = [sys.executable, "-m", "runninghub_video.sandbox"]
CLI = [sys.executable, "-m", "runninghub_video.cli", "sandbox"]


@pytest.mark.parametrize(
    ("command", "message"),
    [([*MODULE, *argv], message) for argv, message in BAD_OPTIONS]
    + [([*CLI, *argv], message) for argv, message in BAD_OPTIONS]
    + [([*MODULE, "--limit", "ttl=0"], "ttl must be")],
)
def test_bad_options_exit_2_with_a_clear_error(command, message):
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2, result
    assert re.search(message, result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def test_binding_beyond_loopback_needs_allow_remote_and_warns(caplog):
    with pytest.raises(ValueError, match="allow_remote"):
        Sandbox(host="0.0.0.0")
    with caplog.at_level("WARNING"):
        Sandbox(host="0.0.0.0", allow_remote=True)  # configured, not started
    assert "not a security boundary" in caplog.text


# ------------------------------------------------------------------ nothing restated


def test_the_sandbox_restates_no_path_and_no_allowed_value_list():
    source = "\n".join(path.read_text() for path in SANDBOX_SOURCES)
    for operation in CONTRACT.operations:
        assert operation.path not in source
    assert "/openapi/" not in source
    assert UPLOAD not in source
    schema = CONTRACT.one("task").json_schema or {}
    for name, prop in schema.get("properties", {}).items():
        values = prop.get("enum", [])
        quoted = [v for v in values if f'"{v}"' in source or f"'{v}'" in source]
        assert len(quoted) <= 1, f"{name}: {quoted} restated in the sandbox (one fallback allowed)"


@pytest.mark.parametrize(
    "head",
    [
        b"GARBAGE\r\n\r\n",
        b"POST / HTTP/1.1\r\nAuthorization Bearer sk-SECRET-IN-A-BROKEN-HEADER\r\n\r\n",
        b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n",
    ],
)
def test_a_malformed_http_request_gets_400_json_without_echo_or_log(sandbox, caplog, head):
    port = int(sandbox.base_url.rsplit(":", 1)[1])
    with caplog.at_level("DEBUG"), socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head)
        answer = read_until_closed(sock, 60)
    status_line, _, rest = answer.partition(b"\r\n")
    assert b" 400 " in status_line
    assert b'"errorCode": "1007"' in rest.partition(b"\r\n\r\n")[2]
    assert b"SECRET" not in answer
    assert "SECRET" not in caplog.text
