"""Where a task's video goes, as the user wrote it and as the file the library writes."""

from __future__ import annotations

import os
from pathlib import Path


def target(task_id: str, output: str | None) -> tuple[str, Path]:
    """(path as the user gave it, path to write) of a task's video: the library's
    resolve_target, shown as `output` itself or as `output`/<id>.mp4 when it is a folder."""
    from .._output_paths import resolve_target

    path = resolve_target(task_id, output)
    if not output:
        return path.name, path
    shown = output if path == Path(output).expanduser() else os.path.join(output, path.name)
    return shown, path
