"""The task journal: one JSON line per event of every task the CLI submits (submitted, status,
downloaded, interrupted, unconfirmed), appended and fsynced before the CLI goes on, so that a
paid task's id survives a crash, a kill or a full disk. It lives in `tasks.jsonl` of the app's
data folder (`RUNNINGHUB_VIDEO_HOME` moves it); the key is never written.

    from runninghub_video.journal import Journal

    for record in Journal().read():          # one TaskRecord per task, its lines folded
        print(record.task_id, record.status, record.output)
    Journal().find("2013508786110730241")    # one task, or None

`runninghub-video tasks` prints the same records.
"""

from __future__ import annotations

from ._journal import Journal, TaskRecord, journal_dir

__all__ = ["Journal", "TaskRecord", "journal_dir"]
