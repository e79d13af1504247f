"""What the second hostile review of the batch found (issue 21, helper-11), each kept as a
test against the sandbox: a row's key survives its own video, outputs that cannot be written
or would destroy an input are refused before anything is paid, a fixed invalid row runs, a
failing progress callback changes nothing, planted links never take the state, and an
adopt or resubmit of a row that is not held is refused."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from runninghub_video import InvalidInputError, Policy
from runninghub_video.batch import Batch, RowReport, StateError, resolve
from runninghub_video.sandbox import Sandbox

from tests.support.cli import is_mp4
from tests.support.constants import SAMPLE_PNG
from tests.wrapper.fakes import KEY

pytestmark = pytest.mark.integration  # the session's sandbox over real sockets

FAST = Policy(poll_interval=0.05)


def batch(sandbox: Sandbox, folder: Path, rows: list[dict[str, object]], **options: Any) -> Batch:
    return Batch(rows, api_key=KEY, base_url=sandbox.base_url, policy=FAST, folder=folder,
                 **options)  # fmt: skip


def test_a_row_with_an_output_column_keeps_its_key_once_its_video_exists(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the output column relative to the working folder, as in a CSV
    rows: list[dict[str, object]] = [{"image": str(SAMPLE_PNG), "prompt": "a calm lake",
                                      "output": "lake.mp4"}]  # fmt: skip
    before = sandbox.stats.submits
    assert batch(sandbox, Path("."), rows).run().totals["done"] == 1
    again = batch(sandbox, Path("."), rows)
    assert again.validate() == []  # not "lake.mp4 exists": it is this row's own video
    assert again.run().totals["done"] == 1
    assert batch(sandbox, Path("."), rows, overwrite=True).run().totals["done"] == 1
    assert sandbox.stats.submits - before == 1  # paid once, whatever was run again


def test_outputs_that_cannot_be_written_or_are_inputs_are_refused_before_any_request(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    (out / "afile").parent.mkdir()
    (out / "afile").write_text("x")
    photo = out / "pic.png"
    shutil.copy(SAMPLE_PNG, photo)
    rows: list[dict[str, object]] = [
        {"image": str(SAMPLE_PNG), "prompt": "under a file", "output": "afile/x.mp4"},
        {"image": str(photo), "prompt": "over its own image", "output": "pic.png"},
        {"image": str(SAMPLE_PNG), "prompt": "too long a name", "output": "n" * 300 + ".mp4"},
    ]
    before = sandbox.stats
    job = batch(sandbox, out, rows, overwrite=True)
    assert [p.index for p in job.validate()] == [0, 1, 2]
    report = job.run(skip_invalid=True)
    assert [row.state for row in report.rows] == ["invalid"] * 3
    assert sandbox.stats.submit_attempts == before.submit_attempts
    assert photo.read_bytes() == SAMPLE_PNG.read_bytes()


def test_an_invalid_row_fixed_runs_and_a_paid_row_is_never_made_invalid(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.png"
    shutil.copy(SAMPLE_PNG, photo)
    rows: list[dict[str, object]] = [
        {"key": "k1", "image": str(photo), "prompt": "a paid row"},
        {"key": "k2", "image": str(SAMPLE_PNG), "prompt": "a bad ratio", "aspect_ratio": "16:10"},
    ]
    first = batch(sandbox, tmp_path / "out", rows).run(skip_invalid=True)
    assert [row.state for row in first.rows] == ["done", "invalid"]
    rows[1]["aspect_ratio"] = "16:9"  # fixed
    photo.unlink()  # the paid row's input is gone: it is paid for, it stays done
    again = batch(sandbox, tmp_path / "out", rows).run()
    assert [row.state for row in again.rows] == ["done", "done"]
    assert is_mp4(tmp_path / "out" / "k2.mp4")


def test_a_failing_progress_callback_changes_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    seen: list[str] = []

    def broken(row: RowReport) -> None:
        seen.append(row.state)
        raise BrokenPipeError("stdout went away")

    rows: list[dict[str, object]] = [{"image": str(SAMPLE_PNG), "prompt": f"p{n}"}
                                     for n in range(3)]  # fmt: skip
    report = batch(sandbox, tmp_path, rows, on_change=broken).run()
    assert report.totals["done"] == 3
    assert "submitting" in seen


def test_planted_links_never_take_the_state_and_resolve_creates_nothing(tmp_path: Path) -> None:
    outside = tmp_path / "outside.db"
    folder = tmp_path / "planted"
    folder.mkdir()
    (folder / ".runninghub-batch.sqlite").symlink_to(outside)
    with pytest.raises(StateError, match="symbolic link"):
        Batch([{"image": str(SAMPLE_PNG), "prompt": "x"}], api_key=KEY, folder=folder).validate()
    assert not outside.exists()
    with pytest.raises(InvalidInputError):
        resolve(tmp_path / "new" / "deeper", "abc", resubmit=True)
    assert not (tmp_path / "new").exists()


def test_adopting_or_resubmitting_a_row_that_is_not_held_is_refused(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    rows: list[dict[str, object]] = [{"key": "k", "image": str(SAMPLE_PNG), "prompt": "held?"}]
    assert batch(sandbox, tmp_path, rows).run().totals["done"] == 1
    before = sandbox.stats.submits
    for key, options in (("k", {"resubmit": True}), ("k", {"task_id": "2013508786110730241"}),
                         ("nokey", {"resubmit": True})):  # fmt: skip
        with pytest.raises(InvalidInputError, match="row"):
            resolve(tmp_path, key, **options)
    assert batch(sandbox, tmp_path, rows).run().totals["done"] == 1
    assert sandbox.stats.submits == before
