"""`status`: query a task once and show its status, results or error (exit 0 whatever it is)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ._exit_codes import OK
from ._output import print_json, print_line, result_json, usage_json
from ._parsing import Command, add_json, add_task_id

if TYPE_CHECKING:
    from ._context import Context


def build(parser: argparse.ArgumentParser) -> None:
    """TASK_ID [--json]."""
    add_task_id(parser)
    add_json(parser)


def handle(ctx: Context) -> int:
    """One query; a task the journal knows gets its new status journaled."""
    args = ctx.args
    ctx.run.about(args.task_id)
    with ctx.client() as rh:
        task = rh.get(args.task_id)
    ctx.run.status_seen(task)
    if ctx.options.json:
        print_json(result_json(task_id=task.id, task=task))
        return OK.code
    print_line(f"{task.id} {task.status}")
    for result in task.results:
        print_line(f"  result: {result.url} ({result.output_type})")
    if task.error_code or task.error_message:
        from .._responses import describe

        print_line(f"  error: {describe(task.error_code, task.error_message)}")
    usage = {key: value for key, value in (usage_json(task) or {}).items() if value is not None}
    if usage:
        print_line("  usage: " + ", ".join(f"{key}={value}" for key, value in usage.items()))
    return OK.code


COMMAND = Command(
    name="status",
    summary="query a task once",
    description="Query a task once and show its status, results or error (exit 0 whatever "
    "the status).",
    build=build,
    handle=handle,
)
