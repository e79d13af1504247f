"""`download`: query a task, then stream its video to disk (a file or a folder)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ._destination import target
from ._exit_codes import OK
from ._output import print_result
from ._parsing import Command, add_json, add_task_id
from ._run_options import add_output_options

if TYPE_CHECKING:
    from ._context import Context


def build(parser: argparse.ArgumentParser) -> None:
    """TASK_ID [--output FILE|FOLDER] [--overwrite] [--json]."""
    add_task_id(parser)
    add_output_options(parser, "a folder or a file (default ./<task id>.mp4)")
    add_json(parser)


def handle(ctx: Context) -> int:
    """One library call: finish() without waiting (it checks --output before the query)."""
    from .._params import check_task_id

    options, run = ctx.options, ctx.run
    task_id = check_task_id(ctx.args.task_id)
    run.track(task_id, target(task_id, options.output)[0])
    run.downloads, run.journal_updates = True, False
    with ctx.client() as rh, run.following():
        video = rh.finish(
            task_id, output=options.output, overwrite=options.overwrite, wait=False,
            on_update=run.on_update, on_progress=run.on_progress, protected=run.inputs(task_id),
        )  # fmt: skip
    print_result(video.task, run.downloaded(video), json_output=options.json)
    return OK.code


COMMAND = Command(
    name="download",
    summary="download the video of a finished task",
    description="Download the video of a task that succeeded.",
    build=build,
    handle=handle,
)
