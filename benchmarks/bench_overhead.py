"""Per-call overhead: client CPU time of one `RunningHub.get()` versus a raw reused
`httpx.Client` POST + `json.loads`, over plain HTTP and TLS, against a fixed-answer server in
another process (so only the client's CPU is counted, with `time.process_time()`).

The generated client alone (`query_task.sync_detailed`) is measured too, to show which layer
the overhead comes from. Variants alternate within each round; ratios are paired per round.
"""

# ruff: noqa: S603  (benchmark code runs its own fixed commands: python, curl, make...)

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from runninghub_client import AuthenticatedClient
from runninghub_client.api.video import query_task
from runninghub_client.models import QueryTaskRequest
from runninghub_video import Policy, RunningHub

from benchmarks.common import (
    API_KEY,
    QUERY_PATH,
    TASK_ID,
    Section,
    bench_server,
    median,
    verdict,
)

ROUNDS = 9
CALLS = 1000
BLOCK = 50
WARMUP = 50
TARGET = 1.10


def make_certificate(folder: Path) -> tuple[Path, Path] | None:
    """A self-signed certificate for 127.0.0.1 (openssl CLI); None if openssl is missing."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def clients(url: str, tls: ssl.SSLContext | None) -> dict[str, Callable[[], object]]:
    """One call of each variant, all on reused connection pools."""
    verify: ssl.SSLContext | bool = tls if tls is not None else True
    headers = {"Authorization": f"Bearer {API_KEY}"}
    raw = httpx.Client(base_url=url, headers=headers, verify=verify)
    body = {"taskId": TASK_ID}
    generated = AuthenticatedClient(base_url=url, token=API_KEY, verify_ssl=verify)
    request = QueryTaskRequest(task_id=TASK_ID)
    hub = RunningHub(API_KEY, base_url=url, policy=Policy(), verify=verify)
    return {
        "raw httpx.Client + json.loads": lambda: json.loads(
            raw.post(QUERY_PATH, json=body).content
        ),
        "generated query_task.sync_detailed": lambda: query_task.sync_detailed(
            client=generated, body=request
        ),
        "RunningHub.get()": lambda: hub.get(TASK_ID),
    }


def timed(call: Callable[[], object], calls: int) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of `calls` calls."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(calls):
        call()
    return time.process_time() - cpu, time.perf_counter() - wall


def measure(url: str, tls: ssl.SSLContext | None) -> dict[str, dict[str, list[float]]]:
    """Per variant: CPU and wall per call, and the CPU ratio to raw httpx, one value a round.

    Within a round the variants alternate in blocks of BLOCK calls, so that whatever else
    the machine does at the time falls on all of them alike.
    """
    variants = clients(url, tls)
    for call in variants.values():
        for _ in range(WARMUP):
            call()
    out: dict[str, dict[str, list[float]]] = {
        name: {"cpu": [], "wall": [], "ratio": []} for name in variants
    }
    for _ in range(ROUNDS):
        cpu = dict.fromkeys(variants, 0.0)
        wall = dict.fromkeys(variants, 0.0)
        for _ in range(CALLS // BLOCK):
            for name, call in variants.items():
                block_cpu, block_wall = timed(call, BLOCK)
                cpu[name] += block_cpu
                wall[name] += block_wall
        base = cpu[next(iter(variants))]
        for name in variants:
            out[name]["cpu"].append(cpu[name] / CALLS)
            out[name]["wall"].append(wall[name] / CALLS)
            out[name]["ratio"].append(cpu[name] / base)
    return out


def run() -> Section:
    """Measure and tabulate."""
    section = Section("overhead", "1. Per-call overhead: RunningHub.get() vs raw httpx")
    rows: list[list[str]] = []
    missed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="rh-bench-tls-") as tmp:
        certificate = make_certificate(Path(tmp))
        setups: list[tuple[str, tuple[str, ...], ssl.SSLContext | None]] = [("HTTP", (), None)]
        if certificate is not None:
            cert, key = certificate
            tls = ssl.create_default_context(cafile=str(cert))
            setups.append(("TLS", ("--cert", str(cert), "--key", str(key)), tls))
        for label, args, context in setups:
            with bench_server("fixed", *args) as (url, _pid):
                results = measure(url, context)
            for name, values in results.items():
                paired = median(values["ratio"])
                is_wrapper = name.startswith("RunningHub")
                if is_wrapper and paired > TARGET:
                    missed.append(label)
                rows.append(
                    [
                        label,
                        name,
                        f"{median(values['cpu']) * 1e6:.0f}",
                        f"{median(values['wall']) * 1e6:.0f}",
                        f"{paired:.2f}x",
                        (verdict(paired <= TARGET) + f" (<= {TARGET:.2f}x)") if is_wrapper else "",
                    ]
                )
    section.table(
        ["transport", "client", "CPU µs/call", "wall µs/call", "CPU vs raw", "target"], rows
    )
    section.note(
        f"Medians of {ROUNDS} rounds x {CALLS} sequential calls per client (after {WARMUP} "
        f"warm-up calls; the clients alternate every {BLOCK} calls), "
        "keep-alive on one connection, against a raw-asyncio server answering a fixed "
        "SUCCESS TaskResult (~600 bytes) from another process. 'CPU vs raw' is the median of "
        "per-round ratios to the raw httpx client. TLS: a self-signed certificate made with "
        "openssl at run time, passed as `verify=ctx` to every client."
        + ("" if certificate is not None else " TLS skipped: no openssl on PATH.")
    )
    section.data["missed"] = missed
    return section
