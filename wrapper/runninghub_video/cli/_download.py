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
    """--output is checked before the query; the download checks it again."""
    from .._params import check_task_id

    args = ctx.args
    run = ctx.run
    task_id = check_task_id(args.task_id)
    run.check_output(task_id)
    run.track(task_id, target(task_id, ctx.options.output)[0])
    with ctx.client() as rh:
        task = rh.get(task_id)
        run.task = task
        saved = run.download(rh, task, ctx.options.output)
    print_result(task, saved, json_output=ctx.options.json)
    return OK.code


COMMAND = Command(
    name="download",
    summary="download the video of a finished task",
    description="Download the video of a task that succeeded.",
    build=build,
    handle=handle,
)
