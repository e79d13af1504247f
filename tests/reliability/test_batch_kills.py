"""`runninghub-video batch` (issue 21) as the user runs it: the weekly job (40 photos: 35
good rows, 2 that moderation rejects, 3 bad ones) killed with SIGKILL again and again, each
time as soon as one more row's task id or video is committed, then resumed by the same command
until it ends, its held rows settled with `batch status` and `batch resolve`. No row is ever
paid twice (the sandbox's counter), every done row's video is complete, bad rows are refused
before any request, and --max-cost below the estimate sends nothing."""

from __future__ import annotations

import csv
import json
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from runninghub_video.sandbox import Limits, Sandbox

from tests.reliability.test_signals import EVENT_TIMEOUT, stop
from tests.support.cli import cli_in, is_mp4
from tests.support.constants import SAMPLE_PNG
from tests.support.sandboxes import running_sandbox

pytestmark = pytest.mark.integration  # the CLI in processes, a sandbox of its own

KILLS = 40
GOOD, REJECTED, BAD = 35, 2, 3


@pytest.fixture(scope="module")
def limited() -> Iterator[Sandbox]:
    with running_sandbox(speed=5, limits=Limits(concurrency_limit=3)) as sandbox:
        yield sandbox


def write_csv(folder: Path) -> Path:
    rows = [{"image": str(SAMPLE_PNG), "prompt": f"product {n}", "duration": "4", "name": f"p{n}"}
            for n in range(GOOD)]  # fmt: skip
    rows += [{"image": str(SAMPLE_PNG), "prompt": f"nsfw {n} [sandbox:fail=1505]",
              "duration": "4", "name": f"r{n}"} for n in range(REJECTED)]  # fmt: skip
    rows += [
        {"image": str(folder / "missing.png"), "prompt": "x", "duration": "4", "name": "b0"},
        {"image": str(SAMPLE_PNG), "prompt": "x", "duration": "5", "name": "b1"},
        {"image": str(SAMPLE_PNG), "prompt": "", "duration": "4", "name": "b2"},
    ]
    path = folder / "batch.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=["image", "prompt", "duration", "name"])
        writer.writeheader()
        writer.writerows(rows)
    return path


QUERIES = (
    "SELECT COUNT(*) FROM rows WHERE task_id IS NOT NULL",  # a task id committed: mid-submits
    "SELECT COUNT(*) FROM rows WHERE task_id IS NOT NULL",
    "SELECT COUNT(*) FROM rows WHERE state = 'done'",  # a video committed: mid-downloads
)


def committed(state: Path, query: str) -> int:
    """What the state holds now (read-only, as another process writes it)."""
    if not state.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{state}?mode=ro", uri=True) as db:
            return int(db.execute(query).fetchone()[0])
    except sqlite3.OperationalError:  # created, its table not yet
        return 0


def test_the_weekly_job_survives_repeated_sigkills(limited: Sandbox, tmp_path: Path) -> None:
    cli = cli_in(tmp_path, limited.base_url)
    table = write_csv(cli.cwd)
    args = ["batch", str(table), "--out", "out", "--name", "{name}.mp4", "--skip-invalid"]
    state = cli.cwd / "out" / ".runninghub-batch.sqlite"
    before = limited.stats.submits
    kills = 0
    for attempt in range(KILLS):
        query = QUERIES[attempt % len(QUERIES)]
        seen = committed(state, query)
        proc = cli.start(*args)
        deadline = time.monotonic() + EVENT_TIMEOUT
        while committed(state, query) <= seen and proc.poll() is None:  # the next, or the end
            assert time.monotonic() < deadline, "no row was submitted"
            time.sleep(0.005)
        if proc.poll() is not None:
            proc.communicate()
            break
        stop(proc, signal.SIGKILL)
        kills += 1
    final = cli(*args, "--json", timeout=300)
    events = [json.loads(line) for line in final.stdout.splitlines()]
    totals = events[-1]["totals"]
    paid = limited.stats.submits - before
    print(f"kills {kills}, paid {paid}, totals {totals}")  # for the record (pytest -s)
    assert kills >= 20, "the batch ended before it was killed 20 times"
    assert totals["invalid"] == BAD
    assert paid <= GOOD + REJECTED  # never twice
    assert totals["done"] + totals["failed"] + totals["unconfirmed"] == GOOD + REJECTED
    assert totals["failed"] <= REJECTED
    assert totals["unconfirmed"] <= kills  # one submit out at a time: one per crash at most
    assert paid >= totals["done"] + totals["failed"]
    assert final.code == (6 if totals["unconfirmed"] else 4), final.stderr
    for event in events:
        if event["event"] == "row" and event["state"] == "done":
            assert is_mp4(Path(event["output"]))
    leftovers = [p.name for p in (cli.cwd / "out").iterdir() if p.name.endswith(".part")]
    assert leftovers == []
    report = json.loads((cli.cwd / "out" / "report.json").read_text())
    assert report["totals"] == totals
    # Settled as a user would: `batch status` lists the held rows; one whose task is in the
    # task list (here the sandbox's) is resolved with its id, one that never arrived is sent
    # again; then the same command ends every row.
    held = cli("batch", "status", "out", "--json")
    assert held.code == (6 if totals["unconfirmed"] else 4), held.stderr
    rows = json.loads(held.stdout)["rows"]
    assert [row["state"] for row in rows] == [row["state"] for row in report["rows"]]
    assert limited._state is not None
    received = {task.request.prompt: task.task_id for task in limited._state.tasks}
    prompts = [row["prompt"] for row in csv.DictReader(table.open(encoding="utf-8"))]
    for row in rows:
        if row["state"] == "unconfirmed":
            found = received.get(prompts[row["index"]])
            how = ["--task-id", found] if found else ["--resubmit"]
            resolved = cli("batch", "resolve", "out", row["key"], *how)
            assert resolved.code == 0, resolved.stderr
    settled = cli(*args, "--yes", "--json", timeout=300)
    ended = json.loads(settled.stdout.splitlines()[-1])["totals"]
    assert (ended["done"], ended["failed"], ended["invalid"]) == (GOOD, REJECTED, BAD), ended
    assert limited.stats.submits - before == GOOD + REJECTED  # every valid row paid once
    assert settled.code == 4  # the two moderation failures
    sheet = (cli.cwd / "out" / "report.html").read_text(encoding="utf-8")
    assert sheet.count('<img src="data:image/jpeg;base64,') == GOOD  # a first frame per video
    assert sheet.count('href="p') == GOOD


def test_bad_rows_stop_the_batch_before_any_request(limited: Sandbox, tmp_path: Path) -> None:
    cli = cli_in(tmp_path, limited.base_url)
    before = limited.stats
    result = cli("batch", str(write_csv(cli.cwd)), "--out", "out", "--name", "{name}.mp4")
    assert result.code == 2, result.stderr
    assert f"3 of {GOOD + REJECTED + BAD} rows are invalid" in result.stderr
    assert result.stdout.count("row ") == 3  # every problem, by row
    assert limited.stats.submit_attempts == before.submit_attempts
    assert limited.stats.upload_attempts == before.upload_attempts


def test_max_cost_below_the_estimate_sends_nothing(limited: Sandbox, tmp_path: Path) -> None:
    cli = cli_in(tmp_path, limited.base_url)
    before = limited.stats
    args = ["batch", str(write_csv(cli.cwd)), "--out", "out", "--name", "{name}.mp4"]
    result = cli(*args, "--skip-invalid", "--max-cost", "10")
    assert result.code == 2, result.stderr
    assert "estimate: 118.4 CNY for 37 rows" in result.stdout  # 37 rows of 4 s at 3.2
    assert "above --max-cost 10" in result.stderr
    assert limited.stats.submit_attempts == before.submit_attempts
    assert limited.stats.upload_attempts == before.upload_attempts


def test_dry_run_prices_and_sends_nothing(limited: Sandbox, tmp_path: Path) -> None:
    cli = cli_in(tmp_path, limited.base_url)
    before = limited.stats
    args = ["batch", str(write_csv(cli.cwd)), "--out", "out", "--name", "{name}.mp4"]
    result = cli(*args, "--skip-invalid", "--dry-run")
    assert result.code == 0, result.stderr
    assert "estimate: 118.4 CNY for 37 rows" in result.stdout
    assert limited.stats.submit_attempts == before.submit_attempts


del subprocess  # the processes come from tests.support.cli


def test_a_report_json_not_of_this_batch_is_never_replaced(
    limited: Sandbox, tmp_path: Path
) -> None:
    cli = cli_in(tmp_path, limited.base_url)
    (cli.cwd / "out").mkdir()
    (cli.cwd / "out" / "report.json").write_text("mine")
    before = limited.stats
    result = cli("batch", str(write_csv(cli.cwd)), "--out", "out", "--skip-invalid")
    assert result.code == 2, result.stderr
    assert "is not this batch's" in result.stderr
    assert (cli.cwd / "out" / "report.json").read_text() == "mine"
    assert limited.stats.submit_attempts == before.submit_attempts
