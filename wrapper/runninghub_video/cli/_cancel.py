"""`cancel`: ask RunningHub to stop a task (a query then answers CANCEL)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ._exit_codes import OK
from ._output import print_json, print_line, result_json
from ._parsing import Command, add_json, add_task_id

if TYPE_CHECKING:
    from ._context import Context


def build(parser: argparse.ArgumentParser) -> None:
    """TASK_ID [--json]."""
    add_task_id(parser)
    add_json(parser)


def handle(ctx: Context) -> int:
    """One library call: cancel() (free). The task's journal record learns CANCEL from the
    next `status` or `wait`, which read it from the API."""
    from .._params import check_task_id

    task_id = check_task_id(ctx.args.task_id)
    ctx.run.about(task_id)
    with ctx.client() as rh:
        rh.cancel(task_id)
    if ctx.options.json:
        print_json(result_json(task_id=task_id))  # requested: only a query says the status
    else:
        print_line(f"{task_id} cancel requested")
    return OK.code


COMMAND = Command(
    name="cancel",
    summary="stop a task",
    description="Ask RunningHub to stop a task; a query then answers CANCEL (`wait` exits 4).",
    build=build,
    handle=handle,
)
