"""Hostile clients against a sandbox process over real sockets, with the figures they cost it.

Shared by tests/sandbox/test_hostile.py (which asserts the limits) and
`python -m tests.sandbox.figures` (which prints before/after tables, optionally against another
checkout's code with --tree). Each attack runs while a probe client keeps asking a cheap
question; the longest probe wait is the "time blocked". RSS is the sandbox process plus its
ffmpeg children, sampled every 50 ms; disk is the sandbox's data folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from runninghub_video.sandbox import Limits

from scripts._processes import free_port, stop_group, wait_for_port
from tests.support.api import QUERY, SUBMIT, UPLOAD
from tests.support.constants import ROOT, SAMPLE_PNG

AUTH = {"Authorization": "Bearer hostile-test-key"}
MB = 1024 * 1024
PROBE_INTERVAL = 0.1


def tree_pids(pid: int) -> list[int]:
    """pid and all its descendants (Linux /proc); processes that ended meanwhile are left out."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            threads = os.listdir(f"/proc/{current}/task")
        except OSError:  # the process ended
            continue
        found.append(current)
        for thread in threads:  # a thread may end while listed (one per ffmpeg render)
            try:
                with open(f"/proc/{current}/task/{thread}/children") as children:
                    todo += [int(c) for c in children.read().split()]
            except (OSError, ValueError):
                continue
    return found


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of pid and all its descendants (Linux /proc)."""
    total = 0
    for current in tree_pids(pid):
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except (OSError, ValueError):
            continue
    return total


def folder_bytes(folder: Path) -> int:
    """Bytes of every file under folder."""
    total = 0
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            if path.is_file():
                total += path.stat().st_size
    return total


@dataclass
class SandboxProcess:
    """A sandbox run as `python -m runninghub_video.sandbox` from a code tree."""

    proc: subprocess.Popen[bytes]
    port: int
    data_dir: Path

    @property
    def base_url(self) -> str:
        """Where it listens."""
        return f"http://127.0.0.1:{self.port}"

    def rss(self) -> int:
        """Its memory now (with children)."""
        return tree_rss_bytes(self.proc.pid)

    def wait_for_renders(self, timeout: float = Limits().render_timeout + 30) -> bool:
        """Wait until the sandbox runs no child process (its ffmpeg renders ended); False if
        timeout passed first. A render started by the last submit may outlive the attack."""
        deadline = time.monotonic() + timeout
        while len(tree_pids(self.proc.pid)) > 1:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def disk(self) -> int:
        """Its data folder's size now."""
        return folder_bytes(self.data_dir)

    def stats(self) -> dict[str, Any]:
        """GET /_sandbox/stats (the new code only; {} where absent)."""
        try:
            answer = httpx.get(self.base_url + "/_sandbox/stats", timeout=30)
        except httpx.HTTPError:
            return {}
        return dict(answer.json()) if answer.status_code == 200 else {}


@contextlib.contextmanager
def sandbox_process(
    data_dir: Path,
    tree: Path | None = None,
    args: Sequence[str] = (),
    speed: float = 50,
    nofile: int = 1024,
) -> Iterator[SandboxProcess]:
    """Run a sandbox (tree's code, default this checkout) with data_dir and args; stop it after.
    Its file-descriptor limit is nofile, like a default Linux shell's."""
    port = free_port()
    # A fixed mmap threshold: glibc then returns every freed large buffer (a request body) to
    # the system at once, so RSS after an attack measures what the sandbox keeps, not how the
    # allocator's dynamic threshold happened to fragment the heap.
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": str(128 * 1024)}
    if tree is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(tree / "wrapper"), str(tree / "generated")])
    argv = [sys.executable, "-m", "runninghub_video.sandbox", "--port", str(port)]
    argv += ["--speed", str(speed), "--data-dir", str(data_dir), *args]

    def limit_fds() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    log = (data_dir.parent / f"{data_dir.name}.log").open("wb")
    proc = subprocess.Popen(
        argv,
        cwd=tree or ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
        preexec_fn=limit_fds,
    )
    try:
        wait_for_port(port, proc)
        yield SandboxProcess(proc, port, data_dir)
    finally:
        stop_group(proc)
        log.close()


@dataclass
class Figures:
    """What one attack cost the sandbox."""

    name: str
    blocked_s: float = 0.0  # the longest a probe request waited during the attack
    probe_failures: int = 0  # probe requests that got no answer at all
    rss_before_mb: float = 0.0
    rss_peak_mb: float = 0.0
    rss_after_mb: float = 0.0
    disk_before_mb: float = 0.0
    disk_after_mb: float = 0.0
    answers_5xx: int = 0  # 5xx answers to the attacker (and connection failures)
    duration_s: float = 0.0
    notes: dict[str, Any] = field(default_factory=dict)

    def row(self) -> str:
        """A markdown table row."""
        notes = ", ".join(f"{k}: {v}" for k, v in self.notes.items())
        return (
            f"| {self.name} | {self.blocked_s:.2f} s | {self.probe_failures} | "
            f"{self.rss_before_mb:.0f} → {self.rss_peak_mb:.0f} → {self.rss_after_mb:.0f} MB | "
            f"{self.disk_before_mb:.0f} → {self.disk_after_mb:.0f} MB | {self.answers_5xx} | "
            f"{notes} |"
        )


HEADER = (
    "| Attack | Time blocked (longest probe wait) | Probes unanswered | RSS before → peak → after |"
    " Disk before → after | 5xx / failed | Notes |\n|---|---|---|---|---|---|---|"
)


class Watch:
    """While active: probe the sandbox every PROBE_INTERVAL and sample its memory."""

    def __init__(self, sandbox: SandboxProcess, name: str) -> None:
        """Prepare figures for sandbox under attack name."""
        self.sandbox = sandbox
        self.figures = Figures(name)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> Watch:
        """Record the before figures and start probing and sampling."""
        self.figures.rss_before_mb = self.sandbox.rss() / MB
        self.figures.rss_peak_mb = self.figures.rss_before_mb
        self.figures.disk_before_mb = self.sandbox.disk() / MB
        self._started = time.monotonic()
        for target in (self._probe, self._sample):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop, then record the after figures."""
        self._stop.set()
        for thread in self._threads:
            thread.join()
        self.figures.duration_s = time.monotonic() - self._started
        # "After" is what the sandbox keeps: renders still running (ffmpeg children, 130 MB on
        # a loaded machine) are transient, so they end first.
        if not self.sandbox.wait_for_renders():
            self.figures.notes["renders"] = "still running when the after figures were taken"
        self.figures.rss_after_mb = self.sandbox.rss() / MB
        self.figures.disk_after_mb = self.sandbox.disk() / MB

    def _probe(self) -> None:
        """Another client: a fresh connection and a query every PROBE_INTERVAL."""
        while not self._stop.is_set():
            start = time.monotonic()
            try:
                with httpx.Client(timeout=httpx.Timeout(120, connect=120)) as client:
                    client.post(self.sandbox.base_url + QUERY, json={"taskId": "0"}, headers=AUTH)
            except httpx.HTTPError:
                self.figures.probe_failures += 1
            waited = time.monotonic() - start
            self.figures.blocked_s = max(self.figures.blocked_s, waited)
            self._stop.wait(PROBE_INTERVAL)

    def _sample(self) -> None:
        """Peak memory, sampled every 50 ms."""
        while not self._stop.wait(0.05):
            peak = self.sandbox.rss() / MB
            self.figures.rss_peak_mb = max(self.figures.rss_peak_mb, peak)


def count_5xx(statuses: Sequence[int | None]) -> int:
    """5xx answers, and requests that got no answer (None)."""
    return sum(1 for status in statuses if status is None or status >= 500)


def upload(client: httpx.Client, data: bytes, name: str = "x.png") -> httpx.Response:
    """One upload of data as field `file`."""
    return client.post(UPLOAD, files={"file": (name, data, "image/png")})


def wait_final(client: httpx.Client, task_id: str, timeout: float = 600) -> dict[str, Any]:
    """Poll until the task is final (generous timeout: only a hang misses it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = client.post(QUERY, json={"taskId": task_id})
        if answer.status_code == 200 and answer.json()["status"] in {"SUCCESS", "FAILED", "CANCEL"}:
            return dict(answer.json())
        time.sleep(0.1)
    raise TimeoutError(f"task {task_id} not final after {timeout} s")


def submit_body(prompt: str, image_url: str = "https://example.com/x.png") -> dict[str, Any]:
    """A submit body the spec accepts (its first allowed values)."""
    from tests.support.api import CONTRACT

    operation = CONTRACT.one("task")
    body: dict[str, Any] = {"prompt": prompt, "imageUrl": image_url}
    for name in operation.json_schema.get("required", []) if operation.json_schema else []:
        enum = operation.property_schema(name).get("enum")
        if enum:
            body[name] = enum[0]
    return body


# ------------------------------------------------------------------ the attacks


def marker_flood(sandbox: SandboxProcess, kilobytes: int) -> Figures:
    """One submit whose prompt is `[sandbox:a=` repeated to kilobytes KB."""
    prompt = "[sandbox:a=" * (kilobytes * 1024 // 11)
    with (
        Watch(sandbox, f"marker flood ({kilobytes} KB prompt)") as watch,
        httpx.Client(base_url=sandbox.base_url, headers=AUTH, timeout=3600) as client,
    ):
        answer = client.post(SUBMIT, json=submit_body(prompt))
    watch.figures.answers_5xx = count_5xx([answer.status_code])
    watch.figures.notes["answer"] = answer.status_code
    return watch.figures


def png_bomb(path: Path, side: int = 16000) -> Path:
    """A small PNG (about 750 KB for 16000) declaring side x side black RGB pixels."""
    if path.is_file():
        return path

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    compressor = zlib.compressobj(9)
    row = bytes(1 + side * 3)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    path.write_bytes(png)
    return path


def decompression_bomb(sandbox: SandboxProcess, bomb: Path) -> Figures:
    """Submit a task on a 16000x16000 PNG bomb, then a normal task right behind it."""
    with (
        Watch(sandbox, "decompression bomb (16000x16000 PNG)") as watch,
        httpx.Client(base_url=sandbox.base_url, headers=AUTH, timeout=600) as client,
    ):
        bomb_url = upload(client, bomb.read_bytes()).json()["data"]["download_url"]
        normal_url = upload(client, SAMPLE_PNG.read_bytes()).json()["data"]["download_url"]
        bomb_task = client.post(SUBMIT, json=submit_body("bomb", bomb_url)).json()["taskId"]
        time.sleep(0.5)  # let the bomb take the render slot first, as an attacker would
        started = time.monotonic()
        normal = client.post(SUBMIT, json=submit_body("a normal task", normal_url)).json()
        normal_final = wait_final(client, normal["taskId"])
        normal_wait = time.monotonic() - started
        bomb_final = wait_final(client, bomb_task)
    reason = bomb_final.get("failedReason") or {}
    message = reason.get("exception_message", "") if isinstance(reason, dict) else str(reason)
    watch.figures.notes.update(
        normal_task=f"{normal_final['status']} after {normal_wait:.1f} s",
        bomb_task=f"{bomb_final['status']} {bomb_final['errorCode']}",
        failed_reason=repr(message[:90]),
    )
    return watch.figures


async def _concurrent(
    base_url: str, count: int, make: Any, timeout: float = 600
) -> list[int | None]:
    """count requests at once, made by make(client, i); their statuses (None: no answer)."""
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=0)
    async with httpx.AsyncClient(
        base_url=base_url, headers=AUTH, timeout=timeout, limits=limits
    ) as client:

        async def one(i: int) -> int | None:
            try:
                return int((await make(client, i)).status_code)
            except httpx.HTTPError:
                return None

        return list(await asyncio.gather(*(one(i) for i in range(count))))


def concurrent_uploads(sandbox: SandboxProcess, count: int = 100, megabytes: int = 12) -> Figures:
    """count uploads of megabytes MB each, all at once."""
    data = b"\x89PNG\r\n\x1a\n" + bytes(megabytes * MB - 8)

    async def make(client: httpx.AsyncClient, i: int) -> httpx.Response:
        return await client.post(UPLOAD, files={"file": (f"{i}.png", data, "image/png")})

    with Watch(sandbox, f"{count} uploads of {megabytes} MB at once") as watch:
        statuses = asyncio.run(_concurrent(sandbox.base_url, count, make))
    watch.figures.answers_5xx = count_5xx(statuses)
    watch.figures.notes["answers"] = _histogram(statuses)
    return watch.figures


def big_prompts(sandbox: SandboxProcess, count: int = 300, megabytes: float = 0.99) -> Figures:
    """count submits with prompts of about 1 MB (just under the JSON body limit)."""
    prompt_size = int(megabytes * MB) - 300
    with Watch(sandbox, f"{count} submits with 1 MB prompts") as watch:
        statuses: list[int | None] = []
        with httpx.Client(base_url=sandbox.base_url, headers=AUTH, timeout=120) as client:
            for i in range(count):
                prompt = f"{i} " + "x" * prompt_size
                statuses.append(client.post(SUBMIT, json=submit_body(prompt)).status_code)
    watch.figures.answers_5xx = count_5xx(statuses)
    watch.figures.notes["answers"] = _histogram(statuses)
    return watch.figures


def distinct_uploads(sandbox: SandboxProcess, count: int = 30, megabytes: int = 9) -> Figures:
    """count different uploads of megabytes MB: disk use grows unless capped."""
    with Watch(sandbox, f"{count} distinct uploads of {megabytes} MB") as watch:
        statuses: list[int | None] = []
        with httpx.Client(base_url=sandbox.base_url, headers=AUTH, timeout=120) as client:
            for i in range(count):
                data = b"\x89PNG\r\n\x1a\n" + i.to_bytes(8, "big") + bytes(megabytes * MB - 16)
                statuses.append(upload(client, data).status_code)
    watch.figures.answers_5xx = count_5xx(statuses)
    watch.figures.notes["answers"] = _histogram(statuses)
    return watch.figures


def idle_connections(sandbox: SandboxProcess, count: int = 1100) -> Figures:
    """count TCP connections opened and left idle (no request), held through the probe."""
    sockets: list[socket.socket] = []
    refused = 0
    with Watch(sandbox, f"{count} idle connections") as watch:
        for _ in range(count):
            try:
                sockets.append(socket.create_connection(("127.0.0.1", sandbox.port), timeout=5))
            except OSError:
                refused += 1
        time.sleep(2.0)  # hold them while the probe keeps asking
        closed = 0
        for sock in sockets:
            sock.setblocking(False)
            try:
                closed += sock.recv(1) == b""
            except BlockingIOError:
                pass
            except OSError:
                closed += 1
    for sock in sockets:
        sock.close()
    watch.figures.notes.update(refused=refused, closed_by_server=closed)
    watch.figures.answers_5xx = refused
    return watch.figures


def identical_uploads(sandbox: SandboxProcess, count: int = 20) -> Figures:
    """count identical uploads at the same moment."""
    data = SAMPLE_PNG.read_bytes() + bytes(2 * MB)

    async def make(client: httpx.AsyncClient, i: int) -> httpx.Response:
        return await client.post(UPLOAD, files={"file": ("same.png", data, "image/png")})

    with Watch(sandbox, f"{count} identical uploads at once") as watch:
        statuses = asyncio.run(_concurrent(sandbox.base_url, count, make))
    watch.figures.answers_5xx = count_5xx(statuses)
    watch.figures.notes["answers"] = _histogram(statuses)
    return watch.figures


MALFORMED: dict[str, tuple[bytes, str, str]] = {
    "JSON nested 200,000 deep": (b"[" * 200_000 + b"]" * 200_000, "application/json", SUBMIT),
    "multipart part header without a colon": (
        b"--b\r\nContent-Disposition form-data; name=file\r\n\r\nx\r\n--b--\r\n",
        "multipart/form-data; boundary=b",
        UPLOAD,
    ),
    "multipart without closing boundary": (
        b"--b\r\nContent-Disposition: form-data; name=file\r\n\r\nx",
        "multipart/form-data; boundary=b",
        UPLOAD,
    ),
    "multipart without boundary parameter": (b"--b\r\n\r\n", "multipart/form-data", UPLOAD),
}


def malformed_bodies(sandbox: SandboxProcess) -> Figures:
    """Each MALFORMED body once; notes give each answer's status."""
    with Watch(sandbox, "malformed bodies") as watch:
        statuses: list[int | None] = []
        with httpx.Client(base_url=sandbox.base_url, headers=AUTH, timeout=120) as client:
            for name, (body, content_type, path) in MALFORMED.items():
                try:
                    answer = client.post(path, content=body, headers={"Content-Type": content_type})
                    status: int | None = answer.status_code
                except httpx.HTTPError:
                    status = None
                statuses.append(status)
                watch.figures.notes[name] = status
    watch.figures.answers_5xx = count_5xx(statuses)
    return watch.figures


def _histogram(statuses: Sequence[int | None]) -> str:
    """'200 x 80, 422 x 20'."""
    counts: dict[str, int] = {}
    for status in statuses:
        counts[str(status)] = counts.get(str(status), 0) + 1
    return " ".join(f"{k} x{v}" for k, v in sorted(counts.items()))


def slow_uploads_then_one(sandbox: SandboxProcess, count: int = 4) -> Figures:
    """count connections send a multipart head, then one byte a second; meanwhile a legitimate
    upload of examples/sample.png is timed (note `legit_s`) and the slow ones' answers kept."""
    boundary = "slowslowslow"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.png"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode()
    request = (
        f"POST {UPLOAD} HTTP/1.1\r\nHost: x\r\nAuthorization: {AUTH['Authorization']}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(head) + 1_000_000}\r\n\r\n"
    ).encode() + head
    stop = threading.Event()
    answers: list[bytes] = []

    def trickle() -> None:
        with socket.create_connection(("127.0.0.1", sandbox.port)) as sock:
            sock.sendall(request)
            sock.settimeout(1.0)
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    answer = sock.recv(4096)
                    answers.append(answer)
                    return
                with contextlib.suppress(OSError):
                    sock.sendall(b"\x89")

    threads = [threading.Thread(target=trickle, daemon=True) for _ in range(count)]
    with Watch(sandbox, f"{count} slow uploads, then one") as watch:
        for thread in threads:
            thread.start()
        # The slow ones take every slot first: wait for the sandbox to say so (an event, not
        # a sleep that a loaded machine might outlast).
        deadline = time.monotonic() + 120
        while sandbox.stats().get("uploads_in_flight_peak", count) < count:
            if time.monotonic() > deadline:
                raise TimeoutError("the slow uploads never held every slot")
            time.sleep(0.02)
        started = time.monotonic()
        with httpx.Client(base_url=sandbox.base_url, headers=AUTH, timeout=300) as client:
            status = upload(client, SAMPLE_PNG.read_bytes()).status_code
        watch.figures.notes["legit_s"] = round(time.monotonic() - started, 2)
        watch.figures.notes["legit_status"] = status
        for thread in threads:  # each ends once the sandbox has answered it (408)
            thread.join(timeout=300)
        stop.set()
    watch.figures.notes["slow_answers"] = sorted(a.split(b" ", 2)[1].decode() for a in answers if a)
    return watch.figures


def gated_ffmpeg(folder: Path) -> tuple[Path, Path]:
    """An ffmpeg stand-in (for IMAGEIO_FFMPEG_EXE) that runs the real one only once the gate
    file exists: renders stay pending until the test says so, however fast the machine.
    Returns (executable, gate)."""
    import imageio_ffmpeg

    real = imageio_ffmpeg.get_ffmpeg_exe()
    gate = folder / "gate"
    exe = folder / "gated-ffmpeg"
    exe.write_text(
        f"#!/bin/sh\nwhile [ ! -e '{gate}' ]; do sleep 0.05; done\nexec '{real}' \"$@\"\n"
    )
    exe.chmod(0o755)
    return exe, gate


def distinct_png(i: int) -> bytes:
    """examples/sample.png with i as trailing bytes: a distinct upload that renders the same."""
    return SAMPLE_PNG.read_bytes() + i.to_bytes(4, "big")
