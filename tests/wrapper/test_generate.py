"""generate() and finish(): the whole job in one library call (upload, submit, wait, download),
each step reported by a callback, against the real sandbox over real sockets. Everything that
can be refused is refused before the upload; a failure once the submit answered names the task.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from runninghub_video import (
    AsyncRunningHub,
    InvalidInputError,
    Policy,
    RunningHub,
    TaskFailedError,
    Video,
)
from runninghub_video._params import SEED_DEFAULTS
from runninghub_video.sandbox import Sandbox

from tests.support.cli import Cli, is_mp4
from tests.support.constants import KEY, SAMPLE_PNG

FAST = Policy(poll_interval=0.05)
SEED = "image-to-video-realistic"
DEFAULTS = {**SEED_DEFAULTS, "duration": "4"}  # the seed's defaults: required on this path


@pytest.fixture
def image(tmp_path: Path) -> Path:
    copy = tmp_path / "photo.png"
    shutil.copyfile(SAMPLE_PNG, copy)
    return copy


@pytest.fixture(autouse=True)
def journal_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "journal"
    monkeypatch.setenv("RUNNINGHUB_VIDEO_HOME", str(home))
    return home


def test_generate_reports_every_step_in_order_and_saves_the_video(
    sandbox: Sandbox, image: Path, tmp_path: Path
) -> None:
    steps: list[str] = []
    with RunningHub(KEY, base_url=sandbox.base_url, policy=FAST) as rh:
        video = rh.generate(
            SEED, image_url=image, prompt="generate, step by step", **DEFAULTS,
            output=tmp_path / "out.mp4",
            on_uploaded=lambda path, url: steps.append(f"uploaded {path.name}"),
            on_submitted=lambda task: steps.append(f"submitted {task.id}"),
            on_update=lambda task: steps.append(f"update {task.status}"),
            on_progress=lambda received, total: steps.append("progress"),
        )  # fmt: skip
    assert isinstance(video, Video)
    assert video.path == tmp_path / "out.mp4"
    assert is_mp4(video.path)
    assert video.task.status == "SUCCESS"
    assert steps[:2] == ["uploaded photo.png", f"submitted {video.task.id}"]
    updates = [step for step in steps if step.startswith("update")]
    assert updates[-1] == "update SUCCESS"
    first_progress = steps.index("progress")
    assert all(step == "progress" for step in steps[first_progress:])  # after the last update
    assert image.read_bytes() == SAMPLE_PNG.read_bytes()


def test_async_generate_does_the_same_job(sandbox: Sandbox, image: Path, tmp_path: Path) -> None:
    submitted: list[str] = []

    async def go() -> Video:
        async with AsyncRunningHub(KEY, base_url=sandbox.base_url, policy=FAST) as rh:
            return await rh.generate(
                SEED, image_url=image, prompt="async generate", **DEFAULTS, output=tmp_path,
                on_submitted=lambda task: submitted.append(task.id),
            )  # fmt: skip

    video = asyncio.run(go())
    assert submitted == [video.task.id]
    assert video.path == tmp_path / f"{video.task.id}.mp4"
    assert is_mp4(video.path)


WHERE = [
    "the input image",
    "the input image past a new folder",  # new/../photo.png: the download makes `new`
    "the journal's folder",
    "the journal past a new folder",
    "an existing file",
]


@pytest.mark.parametrize("where", WHERE)
def test_a_destination_that_would_destroy_a_file_is_refused_before_the_upload(
    sandbox: Sandbox, image: Path, tmp_path: Path, journal_home: Path, where: str
) -> None:
    existing = tmp_path / "mine.mp4"
    existing.write_bytes(b"keep me")
    journal_home.mkdir()
    records = journal_home / "tasks.jsonl"
    records.write_bytes(b"keep me")
    output, overwrite = {
        "the input image": (image, True),
        "the input image past a new folder": (tmp_path / "new" / ".." / image.name, True),
        "the journal's folder": (records, True),  # even with overwrite
        "the journal past a new folder": (journal_home / "new" / ".." / records.name, True),
        "an existing file": (existing, False),
    }[where]
    before = sandbox.stats
    with (
        RunningHub(KEY, base_url=sandbox.base_url, policy=FAST) as rh,
        pytest.raises(InvalidInputError),
    ):
        rh.generate(
            SEED, image_url=image, prompt="refused destination", **DEFAULTS,
            output=output, overwrite=overwrite,
        )  # fmt: skip
    after = sandbox.stats
    assert (after.upload_attempts, after.submit_attempts) == (
        before.upload_attempts,
        before.submit_attempts,
    )
    assert image.read_bytes() == SAMPLE_PNG.read_bytes()
    assert existing.read_bytes() == records.read_bytes() == b"keep me"
    assert not (tmp_path / "new").exists()


def test_the_journal_file_is_refused_before_the_journal_exists(
    sandbox: Sandbox, tmp_path: Path, journal_home: Path
) -> None:
    with (
        RunningHub(KEY, base_url=sandbox.base_url, policy=FAST) as rh,
        pytest.raises(InvalidInputError, match="journal"),
    ):
        rh.finish("2013508786110730241", output=journal_home / "tasks.jsonl")
    assert not journal_home.exists()


def test_bad_fields_are_refused_before_the_upload(sandbox: Sandbox, image: Path) -> None:
    before = sandbox.stats.upload_attempts
    with (
        RunningHub(KEY, base_url=sandbox.base_url, policy=FAST) as rh,
        pytest.raises(InvalidInputError, match="duration"),
    ):
        rh.generate(SEED, image_url=image, prompt="bad duration", **{**DEFAULTS, "duration": "7"})
    assert sandbox.stats.upload_attempts == before


def test_a_callback_failing_after_the_submit_names_the_paid_task(
    sandbox: Sandbox, image: Path, tmp_path: Path
) -> None:
    submitted: list[str] = []

    def broken(task: object) -> None:
        raise RuntimeError("a bug in the caller's on_update")

    with (
        RunningHub(KEY, base_url=sandbox.base_url, policy=FAST) as rh,
        pytest.raises(RuntimeError, match="on_update") as caught,
    ):
        rh.generate(
            SEED, image_url=image, prompt="broken on_update", **DEFAULTS, output=tmp_path,
            on_submitted=lambda task: submitted.append(task.id), on_update=broken,
        )  # fmt: skip
    assert submitted
    assert getattr(caught.value, "task_id", None) == submitted[0]
    assert not list(tmp_path.glob("*.mp4"))


def test_a_failed_task_raises_naming_it_and_writes_nothing(
    sandbox: Sandbox, image: Path, tmp_path: Path
) -> None:
    with (
        RunningHub(KEY, base_url=sandbox.base_url, policy=FAST) as rh,
        pytest.raises(TaskFailedError) as caught,
    ):
        rh.generate(
            SEED, image_url=image, prompt="[sandbox:fail=1505] no", **DEFAULTS, output=tmp_path
        )
    assert caught.value.task_id
    assert not [p for p in tmp_path.iterdir() if p.name != image.name and p.name != "journal"]


def test_finish_waits_for_a_submitted_task_then_downloads_it(
    sandbox: Sandbox, image: Path, tmp_path: Path
) -> None:
    updates: list[str] = []
    with RunningHub(KEY, base_url=sandbox.base_url, policy=FAST) as rh:
        task = rh.submit("finish me", image)
        video = rh.finish(task.id, output=tmp_path, on_update=lambda t: updates.append(t.status))
        again = rh.finish(video.task, output=tmp_path / "copy.mp4", wait=False)
    assert updates[-1] == "SUCCESS"
    assert video.path == tmp_path / f"{task.id}.mp4"
    assert again.path.read_bytes() == video.path.read_bytes()


def test_finish_refuses_an_existing_file_before_the_first_query(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    existing = tmp_path / "taken.mp4"
    existing.write_bytes(b"keep me")
    before = sandbox.stats.queries
    with (
        RunningHub(KEY, base_url=sandbox.base_url, policy=FAST) as rh,
        pytest.raises(InvalidInputError),
    ):
        rh.finish("2013508786110730241", output=existing)
    assert sandbox.stats.queries == before
    assert existing.read_bytes() == b"keep me"


@pytest.mark.integration  # the CLI in a subprocess reads what the script journaled
def test_a_script_with_journal_true_shows_in_tasks(
    sandbox: Sandbox, image: Path, tmp_path: Path, journal_home: Path
) -> None:
    with RunningHub(KEY, base_url=sandbox.base_url, policy=FAST, journal=True) as rh:
        video = rh.generate(SEED, image_url=image, prompt="journaled by a script", **DEFAULTS,
                            output=tmp_path / "script.mp4")  # fmt: skip
    cli = Cli(sandbox.base_url, journal_home, tmp_path)
    (listed,) = cli("tasks", "--json").json()["tasks"]
    assert listed["task_id"] == video.task.id
    assert listed["status"] == "SUCCESS"
    assert listed["prompt"] == "journaled by a script"
    assert listed["output"] == str(tmp_path / "script.mp4")
    assert listed["output_exists"] is True
    assert KEY not in (journal_home / "tasks.jsonl").read_text()


def test_without_journal_true_a_script_journals_nothing(
    sandbox: Sandbox, image: Path, tmp_path: Path, journal_home: Path
) -> None:
    with RunningHub(KEY, base_url=sandbox.base_url, policy=FAST) as rh:
        rh.generate(SEED, image_url=image, prompt="not journaled", **DEFAULTS,
                    output=tmp_path / "quiet.mp4")  # fmt: skip
    assert not (journal_home / "tasks.jsonl").exists()


def test_a_journal_that_cannot_be_written_never_costs_the_task(
    sandbox: Sandbox, image: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("RUNNINGHUB_VIDEO_HOME", str(blocker / "home"))
    with RunningHub(KEY, base_url=sandbox.base_url, policy=FAST, journal=True) as rh:
        video = rh.generate(SEED, image_url=image, prompt="journal refused", **DEFAULTS,
                            output=tmp_path / "kept.mp4")  # fmt: skip
    assert is_mp4(video.path)
    assert f"task {video.task.id}: could not write the task journal" in caplog.text
