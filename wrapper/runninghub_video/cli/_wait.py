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
    from .._sync_client import RunningHub
    from .._task import Video
    from ._context import Context


def build(parser: argparse.ArgumentParser) -> None:
    """TASK_ID [--timeout] [--poll-interval] [--output [--overwrite]] [--json]."""
    add_task_id(parser)
    add_wait_options(parser)
    add_output_options(parser, "download the video here once the task succeeded")
    add_json(parser)


def handle(ctx: Context) -> int:
    """One library call: wait() (journaling each status), or finish() with --output (it checks
    --output first, then waits and downloads)."""
    from .._params import check_task_id

    options, run = ctx.options, ctx.run
    task_id = check_task_id(ctx.args.task_id)
    run.track(task_id, options.output)
    run.downloads = bool(options.output)
    with ctx.client() as rh, run.following():
        if options.output:
            video = download_when_done(ctx, rh, task_id, options.output)
        else:
            run.waits({"base_url": rh.base_url, "output": None})
            task = rh.wait(task_id, timeout=options.timeout, on_update=run.on_update)
    if options.output:
        print_result(video.task, run.downloaded(video), json_output=options.json)
    else:
        print_result(task, None, json_output=options.json)
    return OK.code


def download_when_done(ctx: Context, rh: RunningHub, task_id: str, output: str) -> Video:
    """finish() as `wait --output` runs it (and `generate` resuming an identical command's
    task): each status journaled, the task's input images never its destination."""
    run, options = ctx.run, ctx.options
    run.waits({"base_url": rh.base_url, "output": os.path.abspath(target(task_id, output)[1])})
    return rh.finish(
        task_id, output=output, overwrite=options.overwrite, timeout=options.timeout,
        on_update=run.on_update, on_progress=run.on_progress, protected=run.inputs(task_id),
    )  # fmt: skip


COMMAND = Command(
    name="wait",
    summary="wait for a task (and download it with --output)",
    description="Poll a task until it ends; with --output, download the video once it succeeded.",
    build=build,
    handle=handle,
)
