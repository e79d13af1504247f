"""Batch at scale (issue 21): rows against the sandbox (its own process) with a concurrency
limit of 50. Slot occupancy is the time-average of tasks running over the limit (each row from
its submit to its task's end, over limit x wall); the ideal wall time is rows x task time /
limit, the task time measured in the same run. Client CPU per row and peak RSS come from a
worker process per size, so the sandbox's work never counts. Resume cost: a batch of 10,000
rows, all but one done already, from its start to its first new submit.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from benchmarks.common import PYTHON, Section, emit, peak_rss_mb, process, run_worker
from scripts._processes import free_port

LIMIT = 50
SPEED = 2.0  # a sandbox task takes about 2.5 s (the vendor's take minutes)
SIZES = (100, 1000, 10_000)
RESUME_ROWS = 10_000
POLL = 0.1


def rows(count: int) -> list[dict[str, object]]:
    """count distinct rows sharing one image URL (the sandbox renders it once)."""
    return [{"image_url": "https://cdn.test/bench.png", "prompt": f"row {n}"} for n in range(count)]


async def run_batch(url: str, count: int, folder: Path) -> dict[str, float]:
    from runninghub_video import AsyncRunningHub, Policy
    from runninghub_video.batch import AsyncBatch

    policy = Policy(poll_interval=POLL)
    client = AsyncRunningHub("bench-key", base_url=url, policy=policy, allow_insecure_http=True)
    async with client as rh, AsyncBatch(rh, rows(count), folder=folder, max_running=LIMIT) as b:
        cpu, wall = time.process_time(), time.perf_counter()
        started = time.time()
        report = await b.run()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    ran = [r for r in report.rows if r.submitted_at and r.finished_at]
    spans = [(r.finished_at or 0) - (r.submitted_at or 0) for r in ran]
    ended = max(r.finished_at or 0 for r in ran)
    done = report.totals["done"]
    return {
        "rows": count, "done": done, "wall": wall, "cpu_per_row_ms": cpu / count * 1000,
        "rss_mb": peak_rss_mb(), "task_s": sum(spans) / len(spans),
        "occupancy": sum(spans) / (LIMIT * (ended - started)),
    }  # fmt: skip


async def resume_cost(url: str, folder: Path) -> dict[str, float]:
    """RESUME_ROWS rows in the state, all done but the last: seconds to its submit."""
    from runninghub_video import AsyncRunningHub, Policy
    from runninghub_video._batch import _Store
    from runninghub_video.batch import AsyncBatch

    many = rows(RESUME_ROWS)
    async with AsyncRunningHub("bench-key", base_url=url, policy=Policy(poll_interval=POLL),
                               allow_insecure_http=True) as rh:  # fmt: skip
        async with AsyncBatch(rh, many[:-1], folder=folder, max_running=LIMIT) as seeding:
            keys = [(p.key, p.index, p.output) for p in seeding._plan]
        store = _Store(folder / ".runninghub-batch.sqlite")
        for key, index, output in keys:  # as a finished run leaves them (no videos needed)
            store.add(key, index, output, "done")
        store.close()
        first: list[float] = []
        submit = rh.submit_to

        async def timed(*args: object, **kwargs: object) -> object:
            first.append(time.perf_counter())
            return await submit(*args, **kwargs)  # type: ignore[arg-type]

        rh.submit_to = timed  # type: ignore[method-assign,assignment]
        started = time.perf_counter()
        async with AsyncBatch(rh, many, folder=folder, max_running=LIMIT, overwrite=True) as batch:
            await batch.run()
    return {"rows": RESUME_ROWS, "to_first_submit": first[0] - started}


def worker(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("mode")
    parser.add_argument("url")
    parser.add_argument("count", type=int)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rh-bench-batch-") as tmp:
        if args.mode == "run":
            emit(asyncio.run(run_batch(args.url, args.count, Path(tmp))))
        else:
            emit(asyncio.run(resume_cost(args.url, Path(tmp))))


def run() -> Section:
    section = Section("batch", "6. Batch: slot occupancy, CPU per row, RSS, resume cost")
    port = free_port()
    argv = [PYTHON, "-m", "runninghub_video.sandbox", "--port", str(port), "--speed", str(SPEED),
            "--limit", f"concurrency_limit={LIMIT}", "--limit", "queue_limit=100000",
            "--limit", "balance=1000000"]  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    with process(argv, port):
        results = [run_worker("benchmarks.bench_batch", "run", url, str(n), timeout=1800)
                   for n in SIZES]  # fmt: skip
        resumed = run_worker("benchmarks.bench_batch", "resume", url, "0", timeout=900)
    table = []
    for result in results:
        ideal = result["rows"] * result["task_s"] / LIMIT
        table.append([
            f"{result['rows']:,}", f"{result['done']:,}", f"{result['occupancy']:.1%}",
            f"{result['wall']:.1f} s", f"{ideal:.1f} s", f"{result['wall'] / ideal:.2f}x",
            f"{result['cpu_per_row_ms']:.2f} ms", f"{result['rss_mb']:.0f} MB",
        ])  # fmt: skip
    section.table(["rows", "done", "slot occupancy", "wall", "ideal (rows x task / 50)",
                   "wall / ideal", "client CPU per row", "peak RSS"], table)  # fmt: skip
    section.note(
        f"Resume of a {RESUME_ROWS:,}-row batch (all done but one): "
        f"{resumed['to_first_submit']:.2f} s from its start to its first new submit. "
        f"Sandbox in its own process at speed {SPEED:g} (a task about "
        f"{results[-1]['task_s']:.2f} s), polling every {POLL} s, limit {LIMIT}."
    )
    return section


if __name__ == "__main__":
    import sys

    worker(sys.argv[1:])
