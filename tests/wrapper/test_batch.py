"""The batch (issue 21), against the sandbox over real sockets with a concurrency limit: bad
rows are listed all at once before anything is sent, the cost is known first, valid rows run
within the key's limit, moderation failures are reported per row, every success is
downloaded, and a second run pays for nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from runninghub_video import Policy
from runninghub_video.batch import Batch, BatchLockedError, InvalidRowsError
from runninghub_video.sandbox import Limits, Sandbox

from tests.support.cli import is_mp4
from tests.support.constants import ROOT, SAMPLE_PNG
from tests.support.sandboxes import running_sandbox
from tests.wrapper.fakes import KEY

pytestmark = pytest.mark.integration  # a sandbox of its own

FAST = Policy(poll_interval=0.05)


@pytest.fixture(scope="module")
def limited() -> Iterator[Sandbox]:
    with running_sandbox(speed=20, limits=Limits(concurrency_limit=3)) as sandbox:
        yield sandbox


def weekly_rows(folder: Path, good: int = 6) -> list[dict[str, object]]:
    photos = []
    for n in range(good):
        photo = folder / f"photo{n}.png"
        shutil.copy(SAMPLE_PNG, photo)
        photos.append(photo)
    rows: list[dict[str, object]] = [
        {"image_url": str(p), "prompt": f"product {n} turning", "duration": "4"}
        for n, p in enumerate(photos)
    ]
    rows += [
        {"image_url": str(photos[0]), "prompt": "rejected [sandbox:fail=1505]", "duration": "4"},
        {"image_url": str(photos[1]), "prompt": "also rejected [sandbox:fail=1505]"},
        {"image_url": str(folder / "missing.png"), "prompt": "no such file"},
        {"image_url": str(photos[2]), "prompt": "bad duration", "duration": "5"},
        {"image_url": str(photos[3]), "prompt": ""},
    ]
    return rows


def test_the_weekly_job(limited: Sandbox, tmp_path: Path) -> None:
    rows = weekly_rows(tmp_path)
    out = tmp_path / "out"
    batch = Batch(rows, api_key=KEY, base_url=limited.base_url, policy=FAST, folder=out,
                  name="{index}.mp4")  # fmt: skip
    problems = batch.validate()
    assert [p.index for p in problems] == [8, 9, 10]
    before = limited.stats
    with pytest.raises(InvalidRowsError) as refused:
        batch.run()
    assert len(refused.value.problems) == 3
    assert limited.stats.submit_attempts == before.submit_attempts  # nothing sent
    estimate = batch.estimate()
    assert estimate.rows == 8
    assert estimate.total == Decimal("3.2") * 8  # the sandbox's price of 4 s, every row
    report = batch.run(skip_invalid=True)
    totals = report.totals
    assert (totals["done"], totals["failed"], totals["invalid"]) == (6, 2, 3), report.to_dict()
    assert limited.stats.submits - before.submits == 8
    assert limited.stats.uploads - before.uploads <= 6  # each distinct image once at most
    for row in report.rows:
        if row.state == "done":
            assert is_mp4(Path(str(row.output)))
            assert row.task_id
        if row.state == "failed":
            assert "1505" in str(row.error)
    again = batch.run(skip_invalid=True)  # resumed: nothing left to pay for
    assert limited.stats.submits - before.submits == 8
    assert again.totals == totals


def test_a_second_process_on_the_same_state_refuses_to_start(
    limited: Sandbox, tmp_path: Path
) -> None:
    from runninghub_video import AsyncRunningHub
    from runninghub_video.batch import AsyncBatch

    rows = [{"image_url": "https://cdn.test/a.png", "prompt": "a"}]

    async def both() -> None:
        async with (
            AsyncRunningHub(KEY, base_url=limited.base_url) as rh,
            AsyncBatch(rh, rows, folder=tmp_path),
        ):
            with pytest.raises(BatchLockedError):
                AsyncBatch(rh, rows, folder=tmp_path)

    import asyncio

    asyncio.run(both())


def test_outputs_that_collide_or_exist_are_refused_before_anything_is_sent(
    limited: Sandbox, tmp_path: Path
) -> None:
    (tmp_path / "taken.mp4").write_bytes(b"mine")
    rows = [
        {"image_url": "https://cdn.test/a.png", "prompt": "a", "output": "same.mp4"},
        {"image_url": "https://cdn.test/b.png", "prompt": "b", "output": "same.mp4"},
        {"image_url": "https://cdn.test/c.png", "prompt": "c", "output": "taken.mp4"},
        {"image_url": "https://cdn.test/d.png", "prompt": "d", "output": "../outside.mp4"},
    ]
    batch = Batch(rows, api_key=KEY, base_url=limited.base_url, folder=tmp_path)
    messages = {p.index: p.message for p in batch.validate()}
    assert set(messages) == {1, 2, 3}
    assert "also row 0" in messages[1]
    assert "exists" in messages[2]
    assert "inside the batch's folder" in messages[3]
    assert (tmp_path / "taken.mp4").read_bytes() == b"mine"


def test_the_readme_example_runs_as_shown(limited: Sandbox, tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Many videos") :]
    example = section[section.index("```python\n") + 10 : section.index("```\n\nMore:")]
    table = tmp_path / "batch.csv"
    table.write_text(
        "image,prompt,duration,name\n"
        f"{SAMPLE_PNG},a red mug turning,4,mug\n"
        f"{SAMPLE_PNG},a blue vase turning,,vase\n"
        f"{SAMPLE_PNG},,4,empty\n",  # refused: an empty prompt
        encoding="utf-8",
    )
    env = {**os.environ, "RUNNINGHUB_BASE_URL": limited.base_url, "RUNNINGHUB_API_KEY": KEY}
    done = subprocess.run([sys.executable, "-c", example], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("row 2: ")  # the bad row, before anything is sent
    assert lines[1] == "6.4"  # two rows of 4 s at 3.2
    assert "'done': 2" in lines[2]
    assert is_mp4(tmp_path / "out" / "mug.mp4")
    assert is_mp4(tmp_path / "out" / "vase.mp4")


def test_inside_with_the_rows_are_planned_once_and_the_batch_stays_locked(
    limited: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from runninghub_video.batch import AsyncBatch

    plans: list[int] = []
    make_plan = AsyncBatch._make_plan

    def counted(self: AsyncBatch) -> object:
        plans.append(1)
        return make_plan(self)

    monkeypatch.setattr(AsyncBatch, "_make_plan", counted)
    rows = [{"image_url": "https://cdn.test/a.png", "prompt": f"locked {n}"} for n in range(2)]
    options: dict[str, Any] = {"api_key": KEY, "base_url": limited.base_url, "policy": FAST,
                                  "folder": tmp_path}  # fmt: skip
    with Batch(rows, **options) as batch:
        assert batch.validate() == []
        with pytest.raises(RuntimeError, match="already open"):
            batch.__enter__()  # a second block would leak the first's loop and client
        assert batch.estimate().rows == 2
        with pytest.raises(BatchLockedError):  # no other run between the estimate and the run
            Batch(rows, **options).estimate()
        assert batch.run().totals["done"] == 2
    assert len(plans) == 1  # the block's only (the refused batch stops at the lock, before)
    assert Batch(rows, **options).report().totals["done"] == 2  # released at the block's end
    assert len(plans) == 2


def test_rows_a_refused_key_failed_run_again_with_the_right_key(
    limited: Sandbox, tmp_path: Path
) -> None:
    from runninghub_video import AuthenticationError
    from runninghub_video.sandbox._app import INVALID_API_KEY

    rows = [{"image_url": "https://cdn.test/a.png", "prompt": f"wrong key {n}"} for n in range(3)]
    wrong = Batch(rows, api_key=INVALID_API_KEY, base_url=limited.base_url, policy=FAST,
                  folder=tmp_path)  # fmt: skip
    with pytest.raises(AuthenticationError):  # not priced from the published list: the key
        wrong.estimate()
    before = limited.stats
    failed = wrong.run()  # a script that skips the estimate: every submit is refused
    assert failed.totals["failed"] == 3
    assert all(row.task_id is None for row in failed.rows)
    right = Batch(rows, api_key=KEY, base_url=limited.base_url, policy=FAST, folder=tmp_path)
    assert right.estimate().rows == 3  # no task was ever created for them: to pay for
    report = right.run()
    assert report.totals["done"] == 3, report.to_dict()
    assert limited.stats.submits - before.submits == 3  # each once
    assert right.run().totals["done"] == 3
    assert limited.stats.submits - before.submits == 3
