"""`runninghub-video batch` beyond the weekly job: its progress (plain lines when piped, JSON
events, a live table on a terminal), its contact sheet, and `batch status` / `batch resolve`
settling unconfirmed rows without paying twice (the sandbox's counter)."""

from __future__ import annotations

import fcntl
import json
import sqlite3

import pytest
from runninghub_video.sandbox import Sandbox

from tests.support.cli import Cli
from tests.support.constants import SAMPLE_PNG

pytestmark = pytest.mark.integration  # the CLI in processes, against the session's sandbox

STATE = ".runninghub-batch.sqlite"


def three_rows(cli: Cli) -> list[str]:
    rows = [{"image": str(SAMPLE_PNG), "prompt": f"shot {n}", "name": f"v{n}"} for n in range(3)]
    table = cli.cwd / "rows.jsonl"
    table.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return ["batch", str(table), "--out", "out", "--name", "{name}.mp4"]


def test_progress_is_plain_lines_when_piped_and_the_sheet_shows_every_video(cli: Cli) -> None:
    result = cli(*three_rows(cli))
    assert result.code == 0, result.stderr
    for n in range(3):
        assert f"row {n} running (task " in result.stderr  # as it happened, not at the end
        assert f"row {n} done" in result.stderr
        assert f"row {n} done: " in result.stdout
    sheet = (cli.cwd / "out" / "report.html").read_text(encoding="utf-8")
    assert sheet.count("<figure") == 3
    assert sheet.count('<img src="data:image/jpeg;base64,') == 3
    assert all(f'href="v{n}.mp4"' in sheet for n in range(3))


def test_json_is_one_event_per_line_each_row_change_included(cli: Cli) -> None:
    result = cli(*three_rows(cli), "--json")
    assert result.code == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events[0]["event"] == "estimate"
    assert events[-1]["event"] == "done"
    assert events[-1]["totals"]["done"] == 3
    changes = [(e["index"], e["state"]) for e in events if e["event"] == "row"]
    for n in range(3):
        assert (n, "submitting") in changes
        assert (n, "running") in changes
        assert changes.index((n, "running")) < changes.index((n, "done"))
    assert result.stderr == ""


def test_a_terminal_gets_a_live_table(cli: Cli) -> None:
    code, shown = cli.on_a_terminal(*three_rows(cli))
    assert code == 0, shown
    assert "/3 finished" in shown
    assert "spent" in shown
    assert "Traceback" not in shown


def hold(cli: Cli, index: int) -> str:
    """Make row `index` look as a run killed mid-submit leaves it; its key."""
    with sqlite3.connect(cli.cwd / "out" / STATE) as db:
        db.execute("UPDATE rows SET state='submitting', task_id=NULL WHERE idx=?", (index,))
        (key,) = db.execute("SELECT key FROM rows WHERE idx=?", (index,)).fetchone()
    (cli.cwd / "out" / f"v{index}.mp4").unlink()
    return str(key)


def test_status_and_resolve_settle_held_rows_without_paying_twice(
    cli: Cli, sandbox: Sandbox
) -> None:
    args = three_rows(cli)
    assert cli(*args).code == 0
    report = json.loads((cli.cwd / "out" / "report.json").read_text())
    found = report["rows"][0]["task_id"]
    adopt, again = hold(cli, 0), hold(cli, 1)

    status = cli("batch", "status", "out")
    assert status.code == 6, status.stderr  # some unconfirmed
    assert f"row 0 unconfirmed key {adopt}: the run stopped during the submit" in status.stdout
    assert f"batch resolve out {again} --task-id ID" in status.stderr
    assert json.loads(cli("batch", "status", "out", "--json").stdout)["totals"]["unconfirmed"] == 2

    refusals = [
        ["resolve", "out", adopt],  # neither a task id nor --resubmit
        ["resolve", "out", adopt, "--resubmit", "--task-id", found],  # both
        ["resolve", "out", report["rows"][2]["key"], "--resubmit"],  # a done row
        ["resolve", "out", "nokey", "--resubmit"],
        ["resolve", "out", adopt, "--task-id", "../x"],
        ["status", "nofolder"],
    ]
    for refused in refusals:
        result = cli("batch", *refused)
        assert result.code == 2, (refused, result.stderr)
    state = cli.cwd / "out" / STATE
    with (state.parent / f"{STATE}.lock").open("w") as lock:  # a run holds the batch
        fcntl.flock(lock, fcntl.LOCK_EX)
        busy = cli("batch", "resolve", "out", adopt, "--task-id", found)
        assert busy.code != 0
        assert "another process runs the batch" in busy.stderr
    assert cli("batch", "resolve", "out", adopt, "--task-id", found).code == 0
    assert cli("batch", "resolve", "out", again, "--resubmit").code == 0

    before = sandbox.stats.submits
    resumed = cli(*args, "--yes")
    assert resumed.code == 0, resumed.stderr
    assert sandbox.stats.submits == before + 1  # the resubmitted row only; the adopted: none
    assert (cli.cwd / "out" / "v0.mp4").exists()
    assert (cli.cwd / "out" / "v1.mp4").exists()
    ended = json.loads(cli("batch", "status", "out", "--json").stdout)
    assert ended["totals"]["done"] == 3
    assert ended["rows"][0]["task_id"] == found


def test_a_held_row_never_takes_another_batchs_task_from_the_journal(
    cli: Cli, sandbox: Sandbox
) -> None:
    """Two folders, the same row: the journal's record of the first batch's task is not the
    second's (helper-11: week two's held row came back done with week one's video)."""
    args = three_rows(cli)
    assert cli(*args).code == 0
    week_one = json.loads((cli.cwd / "out" / "report.json").read_text())["rows"][0]["task_id"]
    second = [*args[:3], "out2", *args[4:]]
    assert cli(*second).code == 0
    own = json.loads((cli.cwd / "out2" / "report.json").read_text())["rows"][0]["task_id"]
    assert own != week_one
    with sqlite3.connect(cli.cwd / "out2" / STATE) as db:  # the state lost the id (a full disk)
        db.execute("UPDATE rows SET state='submitting', task_id=NULL WHERE idx=0")
    (cli.cwd / "out2" / "v0.mp4").unlink()
    before = sandbox.stats.submits
    resumed = cli(*second)
    assert resumed.code == 0, resumed.stderr
    rows = json.loads(cli("batch", "status", "out2", "--json").stdout)["rows"]
    assert (rows[0]["state"], rows[0]["task_id"]) == ("done", own)  # its own, from the journal
    assert sandbox.stats.submits == before


@pytest.mark.parametrize(
    ("table", "refusal"),
    [
        ("image,prompt,prompt\nx.png,a,b\n", "the header repeats prompt"),
        ("image,prompt\nx.png,a,extra\n", "more cells than the header has"),
        ("image,prompt\nx.png," + "a" * 200_000 + "\n", "field larger than field limit"),
    ],
)
def test_a_csv_that_would_lose_a_cell_is_refused(cli: Cli, table: str, refusal: str) -> None:
    (cli.cwd / "rows.csv").write_text(table, encoding="utf-8")
    result = cli("batch", "rows.csv", "--out", "out")
    assert result.code == 2, result.stderr
    assert refusal in result.stderr
    assert "unexpected" not in result.stderr


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "Infinity", "ten"])
def test_max_cost_must_be_a_number(cli: Cli, amount: str) -> None:
    result = cli(*three_rows(cli), "--max-cost", amount)
    assert result.code == 2, result.stderr
    assert "a number, please" in result.stderr
