"""The task journal's public face (runninghub_video.journal): what the CLI writes, a program
reads back typed, one record per task, without importing a private module."""

from __future__ import annotations

from pathlib import Path

import pytest
from runninghub_video.journal import Journal, TaskRecord, journal_dir

TASK = "2013508786110730241"


def test_a_program_reads_the_journal_through_the_public_module(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.submitted(TASK, base_url="https://www.runninghub.cn", prompt="a lake",
                      params={"duration": "4"}, output="lake.mp4", status="QUEUED",
                      endpoint="/openapi/v2/x/image-to-video")  # fmt: skip
    journal.append("status", TASK, status="SUCCESS")
    (record,) = Journal(tmp_path).read()
    assert isinstance(record, TaskRecord)
    assert (record.task_id, record.status, record.output, record.event) == (
        TASK,
        "SUCCESS",
        "lake.mp4",
        "status",
    )
    assert Journal(tmp_path).find(TASK) == record
    assert Journal(tmp_path).find("1") is None


def test_the_journal_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNNINGHUB_VIDEO_HOME", str(tmp_path))
    assert journal_dir() == tmp_path
    assert Journal().path == tmp_path / "tasks.jsonl"
