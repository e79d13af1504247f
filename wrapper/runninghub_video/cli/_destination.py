"""Where a task's video goes, as the user wrote it and as the file to write, checked before
anything is paid for or fetched by the library's own rules (_output_paths, download_target).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
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


def check_destination(
    task_id: str | None,
    output: str | None,
    *,
    overwrite: bool,
    journal_folder: Path,
    protected: Iterable[Path] = (),
    will_download: bool = True,
) -> None:
    """InvalidInputError unless the video can be written where `output` says (the journal's
    folder and `protected` files are never written). Without a task id yet (before the
    submit), a folder or the default place is only checked for room for the longest task
    id's file (nothing at all when the command will not download); the name is checked
    again once the id is known."""
    from .._download import download_target
    from .._output_paths import check_writable, prepare_folder, resolve_target
    from .._params import TASK_ID_MAX

    longest = "0" * TASK_ID_MAX
    if task_id is None and resolve_target("a", output) != resolve_target("b", output):
        prepare_folder(output)  # the name comes with the task id: only the folder is known
        if output or will_download:
            check_writable(resolve_target(longest, output))
        return
    path = download_target(
        task_id or longest,
        output,
        overwrite=overwrite,
        protected=protected,
        protected_folders=(journal_folder,),  # the paid tasks' records
    )
    check_writable(path)
