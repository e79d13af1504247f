"""What a hostile review of the batch, doctor, re-run and download found (issue 21, helper-10),
each kept as a test: the batch's own files are never an output, a planted link never takes the
report, an unconfirmed row sent again is priced first, a row the state lost is recovered from
the other record, duplicates and key columns run, and bodies hiding the key are redacted."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from runninghub_video import AsyncRunningHub, Policy
from runninghub_video._batch import _Store
from runninghub_video._redaction import redact, redact_body
from runninghub_video.batch import AsyncBatch, Batch, resolve
from runninghub_video.sandbox import Sandbox

from tests.support.cli import is_mp4
from tests.wrapper.fakes import KEY

FAST = Policy(poll_interval=0.05)
ROW: dict[str, object] = {"image_url": "https://cdn.test/a.png", "prompt": "a gull"}


def batch(sandbox: Sandbox, folder: Path, rows: list[dict[str, object]], **options: Any) -> Batch:
    return Batch(rows, api_key=KEY, base_url=sandbox.base_url, policy=FAST, folder=folder,
                 **options)  # fmt: skip


@pytest.mark.parametrize(
    "output", ["report.json", ".report.json.part", ".runninghub-batch.sqlite",
               ".runninghub-batch.sqlite-wal", ".runninghub-batch.sqlite.lock"])  # fmt: skip
def test_the_batchs_own_files_are_never_an_output(
    sandbox: Sandbox, tmp_path: Path, output: str
) -> None:
    found = batch(sandbox, tmp_path, [{**ROW, "output": output}], overwrite=True).validate()
    assert [p.message for p in found] == [
        f"invalid output: {output!r}; expected a name other than the batch's own"
    ]


def test_a_key_or_index_column_and_duplicates_run(sandbox: Sandbox, tmp_path: Path) -> None:
    rows = [{**ROW, "key": "first"}, {**ROW, "key": "first"}, {**ROW, "index": "x"}]
    run = batch(sandbox, tmp_path, rows, name="{key}.mp4")
    assert run.validate() == []  # a duplicate is no problem: it runs once, with the first
    before = sandbox.stats.submits
    report = run.run()
    assert [row.state for row in report.rows] == ["done", "duplicate", "done"]
    assert sandbox.stats.submits - before == 2
    assert is_mp4(tmp_path / "first.mp4")


def test_an_unconfirmed_row_sent_again_is_priced_first(sandbox: Sandbox, tmp_path: Path) -> None:
    run = batch(sandbox, tmp_path, [ROW])
    (problem_free,) = run.report().rows
    store = _Store(tmp_path / ".runninghub-batch.sqlite")
    store.add(problem_free.key, 0, tmp_path / "x.mp4", "unconfirmed")
    store.close()
    assert run.estimate().rows == 0  # held: nothing to pay for
    resolve(tmp_path, problem_free.key, resubmit=True)
    again = run.estimate()
    assert (again.rows, again.total) == (1, Decimal("3.2"))


def test_a_row_the_state_lost_is_recovered_from_the_other_record(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with AsyncRunningHub(KEY, base_url=sandbox.base_url, policy=FAST) as rh:
            checked = rh.check("image-to-video-realistic", resolution="720p",
                               aspect_ratio="16:9", duration="4", **ROW)  # fmt: skip
            task = await rh.submit_to(checked)
            async with AsyncBatch(rh, [ROW], folder=tmp_path) as first:
                (key,) = [p.key for p in first._plan]
            store = _Store(tmp_path / ".runninghub-batch.sqlite")
            store.add(key, 0, tmp_path / f"{key}.mp4", "submitting")  # died with it out
            store.close()
            before = sandbox.stats.submits
            recover = {key: task.id}.get
            async with AsyncBatch(rh, [ROW], folder=tmp_path, recover=recover) as second:
                report = await second.run()
            assert sandbox.stats.submits == before  # not sent again: the id was found
            assert [(r.state, r.task_id) for r in report.rows] == [("done", task.id)]

    asyncio.run(scenario())


def test_a_planted_link_never_takes_the_report(tmp_path: Path) -> None:
    from runninghub_video._batch import BatchReport
    from runninghub_video.cli._batch_report import write_reports

    outside = tmp_path / "outside.txt"
    outside.write_text("mine")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / ".report.json.part").symlink_to(outside)
    (folder / "report.html").symlink_to(outside)
    write_reports(folder, BatchReport([]))
    assert outside.read_text() == "mine"
    assert not (folder / "report.html").is_symlink()
    assert not (folder / "report.json").is_symlink()
    assert json.loads((folder / "report.json").read_text())["rows"] == []


@pytest.mark.parametrize(
    "encode",
    [lambda key: f"error {key}".encode("utf-16-le"),
     lambda key: ("error " + "".join(f"\\u{ord(c):04x}" for c in key)).encode()],
    ids=["utf-16", "json-escapes"],
)  # fmt: skip
def test_a_body_hiding_the_key_is_redacted(encode: object) -> None:
    redact.add(KEY)
    text = redact_body(encode(KEY))  # type: ignore[operator]
    assert KEY not in text
    assert "error" in text


def test_an_escaped_terminal_control_stays_escaped() -> None:
    assert "\x1b" not in redact_body(b'{"taskId": "\\u001b[31mred"}')


def test_an_existing_folder_is_the_same_output_with_or_without_its_slash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from runninghub_video import RunningHub
    from runninghub_video.cli._endpoint_commands import fingerprint

    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path)
    with RunningHub(KEY, base_url="https://www.runninghub.cn") as rh:
        checked = rh.check("image-to-video-realistic", resolution="720p", aspect_ratio="16:9",
                           duration="4", **ROW)  # fmt: skip
        base = rh.base_url
    path = "/openapi/v2/x"
    assert fingerprint(base, path, checked, "out") == fingerprint(base, path, checked, "out/")
    assert fingerprint(base, path, checked, "out") != fingerprint(base, path, checked, "v.mp4")
