"""Waiting at scale: `AsyncRunningHub.wait` on 10, 100 and 1,000 tasks at once.

The server (another process) answers every task RUNNING `RUNNING_ANSWERS` times, then
SUCCESS, so each task needs exactly RUNNING_ANSWERS + 1 polls and the ideal wall time is
RUNNING_ANSWERS x POLL_INTERVAL. Each client runs in its own process, which reports its
peak RSS (VmHWM), its CPU seconds per poll and the wall time.

Variants, all polling the same way (query, parse, sleep POLL_INTERVAL):
- `AsyncRunningHub.wait` as shipped (default install): task queries over aiohttp
  through the vendored adapter (runninghub_video/_vendor/httpx_aiohttp.py), at most
  Policy.max_in_flight (20) in flight;
- `uncapped`: the same with `Policy(max_in_flight=10_000)`, to show what the cap buys;
- `on httpx's transport`: the wrapper with RUNNINGHUB_HTTP_TRANSPORT=httpx (the opt-out, and
  what it was before aiohttp became the default);
- `raw httpx.AsyncClient loop` and `raw aiohttp loop`: baselines without the wrapper.

A sandbox check runs 100 waits against the real sandbox (sped up) to compare its CPU per
query with the minimal server's. Results also go to benchmarks/scaling.png (matplotlib).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from benchmarks.common import (
    API_KEY,
    PYTHON,
    QUERY_PATH,
    Section,
    bench_server,
    cpu_seconds,
    emit,
    median,
    peak_rss_mb,
    process,
    run_worker,
    status_mb,
    verdict,
)

SIZES = (10, 100, 1000)
RUNNING_ANSWERS = 4
POLL_INTERVAL = 0.5
IDEAL = RUNNING_ANSWERS * POLL_INTERVAL
DEADLINE = 25.0
"""A run still waiting after this many seconds is stopped and reported as such."""
ROUNDS = {10: 3, 100: 3, 1000: 2}
VARIANTS = {
    "wrapper": "AsyncRunningHub.wait",
    "uncapped": "AsyncRunningHub.wait, max_in_flight=10000",
    "wrapper-httpx": "AsyncRunningHub.wait on httpx's transport",
    "httpx": "raw httpx.AsyncClient loop",
    "aiohttp": "raw aiohttp loop",
}
RSS_TARGET_MB = 150.0
CPU_TARGET_MS = 1.0
PLOT = Path(__file__).with_name("scaling.png")
SANDBOX_TASKS = 100
SANDBOX_SPEED = 2.5  # QUEUED + RUNNING last 5 s / speed = 2 s, like IDEAL
IMAGE_URL = "https://example.com/bench.png"


# ------------------------------------------------------------------ worker (client process)


async def _wait_wrapper(
    url: str, task_ids: list[str], variant: str, count: Callable[[], None]
) -> Callable[[], Awaitable[None]]:
    """Prepared AsyncRunningHub waits (connection warmed up), as one awaitable factory."""
    from runninghub_video import AsyncRunningHub, Policy, TaskNotFoundError

    in_flight = 10_000 if variant == "uncapped" else Policy().max_in_flight
    if variant == "wrapper-httpx":
        os.environ["RUNNINGHUB_HTTP_TRANSPORT"] = "httpx"
    policy = Policy(poll_interval=POLL_INTERVAL, max_in_flight=in_flight)
    hub = AsyncRunningHub(API_KEY, base_url=url, policy=policy)
    print(f"{variant}: {hub.http_transport}", file=sys.stderr, flush=True)
    with contextlib.suppress(TaskNotFoundError):  # the sandbox knows no task "1"
        await hub.get("1")

    async def waits() -> None:
        try:
            await asyncio.gather(*(hub.wait(i, on_update=lambda _t: count()) for i in task_ids))
        finally:
            await hub.close()

    return waits


async def _wait_httpx(
    url: str, task_ids: list[str], count: Callable[[], None]
) -> Callable[[], Awaitable[None]]:
    import httpx

    client = httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {API_KEY}"})
    await client.post(QUERY_PATH, json={"taskId": "1"})

    async def one(task_id: str) -> None:
        while True:
            answer = await client.post(QUERY_PATH, json={"taskId": task_id})
            count()
            if json.loads(answer.content)["status"] == "SUCCESS":
                return
            await asyncio.sleep(POLL_INTERVAL)

    async def waits() -> None:
        try:
            await asyncio.gather(*(one(i) for i in task_ids))
        finally:
            await client.aclose()

    return waits


async def _wait_aiohttp(
    url: str, task_ids: list[str], count: Callable[[], None]
) -> Callable[[], Awaitable[None]]:
    import aiohttp

    session = aiohttp.ClientSession(url, headers={"Authorization": f"Bearer {API_KEY}"})
    async with session.post(QUERY_PATH, json={"taskId": "1"}) as first:
        await first.read()

    async def one(task_id: str) -> None:
        while True:
            async with session.post(QUERY_PATH, json={"taskId": task_id}) as answer:
                body = await answer.read()
            count()
            if json.loads(body)["status"] == "SUCCESS":
                return
            await asyncio.sleep(POLL_INTERVAL)

    async def waits() -> None:
        try:
            await asyncio.gather(*(one(i) for i in task_ids))
        finally:
            await session.close()

    return waits


async def _submit_to_sandbox(url: str, tasks: int) -> list[str]:
    """Submit `tasks` tasks to the sandbox (after one instant task that renders the video)."""
    from runninghub_video import AsyncRunningHub

    async with AsyncRunningHub(API_KEY, base_url=url) as hub:
        await hub.submit("bench warm-up [sandbox:instant]", IMAGE_URL)
        submitted = [await hub.submit(f"bench task {n}", IMAGE_URL) for n in range(tasks)]
    return [task.id for task in submitted]


async def worker(variant: str, url: str, tasks: int, server_pid: int, sandbox: bool) -> None:
    """One measured run; prints a JSON result."""
    polls = 0

    def count() -> None:
        nonlocal polls
        polls += 1

    if sandbox:
        task_ids = await _submit_to_sandbox(url, tasks)
    else:
        # Fresh ids per run: the poll server counts queries per id for its whole life.
        task_ids = [f"{os.getpid()}{time.time_ns()}{n:05d}" for n in range(tasks)]
    if variant == "httpx":
        waits = await _wait_httpx(url, task_ids, count)
    elif variant == "aiohttp":
        waits = await _wait_aiohttp(url, task_ids, count)
    else:
        waits = await _wait_wrapper(url, task_ids, variant, count)
    rss_before = peak_rss_mb()
    server_cpu = cpu_seconds(server_pid)
    cpu, wall = time.process_time(), time.perf_counter()
    finished, error = True, None
    try:
        await asyncio.wait_for(waits(), DEADLINE)
    except TimeoutError:
        finished = False
    except Exception as exc:  # e.g. httpx.PoolTimeout: reported, not raised
        finished, error = False, type(exc).__name__
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    emit(
        {
            "polls": polls,
            "cpu": cpu,
            "wall": wall,
            "finished": finished,
            "error": error,
            "peak_rss_mb": peak_rss_mb(),
            "rss_before_mb": rss_before,
            "rss_now_mb": status_mb("VmRSS"),
            "server_cpu": cpu_seconds(server_pid) - server_cpu,
        }
    )


# ------------------------------------------------------------------ parent


def one_run(variant: str, url: str, tasks: int, pid: int, sandbox: bool = False) -> dict[str, Any]:
    """Run one worker process."""
    args = [variant, url, str(tasks), str(pid)] + (["--sandbox"] if sandbox else [])
    result = run_worker("benchmarks.bench_scale", *args, timeout=DEADLINE + 120)
    result["cpu_per_poll_ms"] = result["cpu"] / max(result["polls"], 1) * 1e3
    result["server_cpu_per_poll_ms"] = result["server_cpu"] / max(result["polls"], 1) * 1e3
    return result


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over rounds (a run that hit the deadline makes the whole cell 'unfinished')."""
    keys = ("cpu_per_poll_ms", "peak_rss_mb", "wall", "polls", "server_cpu_per_poll_ms")
    out: dict[str, Any] = {key: median(run[key] for run in runs) for key in keys}
    out["finished"] = all(run["finished"] for run in runs)
    out["error"] = next((run["error"] for run in runs if run.get("error")), None)
    out["rounds"] = len(runs)
    return out


def measure() -> dict[str, dict[int, dict[str, Any]]]:
    """Every variant at every size, against the poll server."""
    results: dict[str, dict[int, dict[str, Any]]] = {variant: {} for variant in VARIANTS}
    with bench_server("poll", "--running", str(RUNNING_ANSWERS)) as (url, pid):
        for tasks in SIZES:
            runs: dict[str, list[dict[str, Any]]] = {variant: [] for variant in VARIANTS}
            for _ in range(ROUNDS[tasks]):
                for variant in VARIANTS:
                    if runs[variant] and not runs[variant][-1]["finished"]:
                        continue  # one run past the deadline is enough
                    runs[variant].append(one_run(variant, url, tasks, pid))
            for variant in VARIANTS:
                results[variant][tasks] = summarize(runs[variant])
    return results


def sandbox_check() -> dict[str, Any]:
    """AsyncRunningHub.wait on SANDBOX_TASKS tasks of the real sandbox (separate process)."""
    from scripts._processes import free_port

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="rh-bench-sandbox-") as data_dir:
        argv = [
            PYTHON, "-m", "runninghub_video.sandbox", "--port", str(port),
            "--speed", str(SANDBOX_SPEED), "--data-dir", data_dir,
        ]  # fmt: skip
        with process(argv, port) as proc:
            url = f"http://127.0.0.1:{port}"
            return one_run("wrapper", url, SANDBOX_TASKS, proc.pid, sandbox=True)


def server_cpu(cell: dict[str, Any]) -> str:
    """The server's CPU ms per poll, or '-' when below what /proc's clock ticks can resolve."""
    total = cell["server_cpu_per_poll_ms"] * cell["polls"] / 1e3
    return f"{cell['server_cpu_per_poll_ms']:.3f}" if total >= 0.05 else "-"


def ratio(cell: dict[str, Any], baseline: dict[str, Any]) -> str:
    """CPU per poll as a multiple of a baseline's measured in the same run."""
    return f"{cell['cpu_per_poll_ms'] / baseline['cpu_per_poll_ms']:.2f}x"


def growth(cells: dict[int, dict[str, Any]], key: str) -> str:
    """How key grows 10 -> 100 -> 1,000, as factors."""
    values = [cells[size][key] for size in SIZES]
    return " -> ".join(f"{b / a:.1f}x" for a, b in itertools.pairwise(values))


def plot(results: dict[str, dict[int, dict[str, Any]]]) -> str:
    """Draw scaling.png; say what happened."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib not installed: no plot (make bench installs it)."
    figure, (cpu_axes, rss_axes) = plt.subplots(1, 2, figsize=(9, 3.6), dpi=100)
    for variant, label in VARIANTS.items():
        cells = results[variant]
        cpu_axes.plot(SIZES, [cells[s]["cpu_per_poll_ms"] for s in SIZES], "o-", label=label)
        rss_axes.plot(SIZES, [cells[s]["peak_rss_mb"] for s in SIZES], "o-", label=label)
        for size in SIZES:
            if not cells[size]["finished"]:
                what = cells[size]["error"] or f"stopped at {DEADLINE:.0f} s"
                cpu_axes.annotate(
                    what, (size, cells[size]["cpu_per_poll_ms"]), fontsize=7,
                    xytext=(-6, 4), textcoords="offset points", ha="right",
                )  # fmt: skip
    cpu_axes.axhline(CPU_TARGET_MS, color="grey", linestyle="--", linewidth=1)
    rss_axes.axhline(RSS_TARGET_MB, color="grey", linestyle="--", linewidth=1)
    for axes, title in ((cpu_axes, "client CPU ms per poll"), (rss_axes, "client peak RSS MB")):
        axes.set_xscale("log")
        axes.set_xlabel("tasks waited on at once")
        axes.set_title(title, fontsize=10)
        axes.grid(True, which="both", alpha=0.3)
    cpu_axes.set_yscale("log")
    rss_axes.set_ylim(bottom=0)
    rss_axes.legend(fontsize=7, loc="upper left")
    figure.suptitle(
        f"AsyncRunningHub.wait at scale (poll every {POLL_INTERVAL} s; dashed: targets)",
        fontsize=10,
    )
    figure.tight_layout()
    figure.savefig(PLOT)
    plt.close(figure)
    return f"Plot: `{PLOT.name}` (log scales; dashed lines are the targets)."


def run() -> Section:
    """Measure and tabulate."""
    section = Section("scale", "2. Waiting at scale: AsyncRunningHub.wait on many tasks")
    results = measure()
    rows: list[list[str]] = []
    missed: set[str] = set()
    for tasks in SIZES:
        for variant, label in VARIANTS.items():
            cell = results[variant][tasks]
            wall = f"{cell['wall']:.1f}"
            if cell["error"]:
                wall = f"failed after {cell['wall']:.0f} s: {cell['error']}"
            elif not cell["finished"]:
                wall = f"> {DEADLINE:.0f} (stopped)"
            target = ""
            if variant == "wrapper":
                ok_cpu = cell["cpu_per_poll_ms"] <= CPU_TARGET_MS
                ok_rss = cell["peak_rss_mb"] < RSS_TARGET_MB
                target = f"CPU {verdict(ok_cpu)}, RSS {verdict(ok_rss)}"
                if not ok_cpu:
                    missed.add("CPU/poll")
                if not ok_rss:
                    missed.add("RSS")
                if not cell["finished"]:
                    missed.add("wall")
            rows.append(
                [
                    f"{tasks:,}",
                    label,
                    f"{cell['cpu_per_poll_ms']:.2f}",
                    ratio(cell, results["httpx"][tasks]),
                    ratio(cell, results["aiohttp"][tasks]),
                    f"{cell['peak_rss_mb']:.0f}",
                    wall,
                    f"{cell['wall'] / IDEAL:.2f}x" if cell["finished"] else "-",
                    f"{cell['polls']:.0f}",
                    server_cpu(cell),
                    target,
                ]
            )
    section.table(
        [
            "tasks", "client", "CPU ms/poll", "vs raw httpx", "vs raw aiohttp", "peak RSS MB",
            "wall s", "wall/ideal", "polls", "server CPU ms/poll", "target (<=1 ms, <150 MB)",
        ],
        rows,
    )  # fmt: skip
    wrapper = results["wrapper"]
    growth_rows = [
        [VARIANTS[v], growth(results[v], "cpu_per_poll_ms"), growth(results[v], "peak_rss_mb")]
        for v in VARIANTS
    ]
    section.note(
        f"Each task answers RUNNING {RUNNING_ANSWERS} times then SUCCESS; poll interval "
        f"{POLL_INTERVAL} s, so the ideal wall time is {IDEAL:.1f} s and each task takes "
        f"{RUNNING_ANSWERS + 1} polls. Client = its own process, measured after one warm-up "
        f"query; medians of {ROUNDS[10]} rounds ({ROUNDS[1000]} at 1,000; a variant stopped at "
        f"the {DEADLINE:.0f} s deadline is run once). Peak RSS = VmHWM of the whole client "
        "process (interpreter and imports included). '-': server CPU below the 10 ms tick "
        "resolution of /proc."
    )
    section.table(["client", "CPU/poll growth 10->100->1k", "RSS growth"], growth_rows)
    check = sandbox_check()
    minimal = wrapper[100]
    section.table(
        ["server (100 waits, AsyncRunningHub)", "server CPU ms/query", "client CPU ms/poll"],
        [
            [
                f"sandbox (speed {SANDBOX_SPEED:g})",
                server_cpu(check),
                f"{check['cpu_per_poll_ms']:.2f}",
            ],
            ["minimal poll server", server_cpu(minimal), f"{minimal['cpu_per_poll_ms']:.2f}"],
        ],
    )
    section.note(
        "Why the main table uses the minimal server, not the sandbox: the sandbox's lifecycle "
        "is timed, so the number of polls per task varies, and it spends more CPU per query; "
        "at 1,000 tasks (2,000 queries/s) that CPU would be taken from the client on 2 cores."
    )
    section.note(plot(results))
    section.data["results"] = results
    section.data["missed"] = sorted(missed)
    return section


def main() -> None:
    """Worker entry point: python -m benchmarks.bench_scale --worker VARIANT URL TASKS PID."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", action="store_true", required=True)
    parser.add_argument("variant", choices=list(VARIANTS))
    parser.add_argument("url")
    parser.add_argument("tasks", type=int)
    parser.add_argument("server_pid", type=int)
    parser.add_argument("--sandbox", action="store_true")
    args = parser.parse_args()
    asyncio.run(worker(args.variant, args.url, args.tasks, args.server_pid, args.sandbox))


if __name__ == "__main__":
    main()
