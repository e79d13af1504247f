"""`wait`: poll a task until it ends; with --output, download the video once it succeeded."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from ._destination import target
from ._exit_codes import OK
from ._output import print_result
from ._parsing import Command, add_json, add_task_id
from ._run_options import add_output_options, add_wait_options

if TYPE_CHECKING:
    from ._context import Context


def build(parser: argparse.ArgumentParser) -> None:
    """TASK_ID [--timeout] [--poll-interval] [--output [--overwrite]] [--json]."""
    add_task_id(parser)
    add_wait_options(parser)
    add_output_options(parser, "download the video here once the task succeeded")
    add_json(parser)


def handle(ctx: Context) -> int:
    """Poll until the end (journaling each status), then download with --output."""
    from .._params import check_task_id

    args = ctx.args
    run = ctx.run
    task_id = check_task_id(args.task_id)
    if ctx.options.output:
        run.check_output(task_id)
    run.track(task_id, ctx.options.output)
    with ctx.client() as rh:
        output = (
            os.path.abspath(target(task_id, ctx.options.output)[1]) if ctx.options.output else None
        )
        first = {"base_url": rh.base_url, "output": output}
        task = run.wait(rh, task_id, first=first)
        saved = run.download(rh, task, ctx.options.output) if ctx.options.output else None
    print_result(task, saved, json_output=ctx.options.json)
    return OK.code


COMMAND = Command(
    name="wait",
    summary="wait for a task (and download it with --output)",
    description="Poll a task until it ends; with --output, download the video once it succeeded.",
    build=build,
    handle=handle,
)
