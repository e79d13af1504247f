"""The types users of runninghub_video touch, in one public module (like `openai.types`).

    from runninghub_video.types import Task, Usage, Resolution

The task and its parts are this library's own frozen dataclasses; the request literals
(`Resolution`, `AspectRatio`, `Duration`) and `TaskStatus` are read from the generated client,
so a regenerated spec updates them with no edit here. `Task.status` is a `str`: a status the
spec does not know yet is passed on unchanged, so compare with `TaskStatus` values.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeAlias

from runninghub_client.models import AspectRatio, Duration, Resolution, TaskStatus

from ._account import Account, Price, Queue
from ._download import ProgressCallback
from ._policy import Policy
from ._task import FailureReason, OutputFile, Task, Usage, Video

UpdateCallback: TypeAlias = Callable[[Task], None]
"""on_update(task) of wait() and run(): called with the task after every query."""
UploadCallback: TypeAlias = Callable[[Path, str], None]
"""on_uploaded(path, url) of submit_to(): called once a local image is uploaded."""

__all__ = [
    "Account",
    "AspectRatio",
    "Duration",
    "FailureReason",
    "OutputFile",
    "Policy",
    "Price",
    "ProgressCallback",
    "Queue",
    "Resolution",
    "Task",
    "TaskStatus",
    "UpdateCallback",
    "UploadCallback",
    "Usage",
    "Video",
]
