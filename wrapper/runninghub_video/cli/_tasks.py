"""`tasks`: the local journal of submitted tasks, folded per task, newest first."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from ._exit_codes import OK
from ._output import print_json, print_line
from ._parsing import Command, add_json

if TYPE_CHECKING:
    from .._journal import TaskRecord
    from ._context import Context


def build(parser: argparse.ArgumentParser) -> None:
    """[--refresh] [--json]."""
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="query every unfinished task first and journal its status (free calls)",
    )
    add_json(parser)


def _refresh(ctx: Context, records: list[TaskRecord]) -> None:
    """Journal the status the API gives now of every task not final in the journal; a task
    the API cannot answer for is a warning, not a stop."""
    from .._endpoints import statuses
    from .._errors import RunningHubError

    final = statuses()[1]
    unfinished = [r for r in records if r.task_id and r.status not in final]
    if not unfinished:
        return
    with ctx.client() as rh:
        for record in unfinished:
            assert record.task_id is not None
            try:
                task = rh.get(record.task_id)
            except RunningHubError as error:
                ctx.display.warning(f"task {record.task_id}: {error}")
                continue
            ctx.run.event("status", task.id, status=task.status)


def handle(ctx: Context) -> int:
    """A table (or one JSON object) of the journal's tasks; an output not on disk is shown
    as "-" (JSON: `output_exists`)."""
    journal = ctx.run.journal
    records = journal.read()
    if ctx.args.refresh:
        _refresh(ctx, records)
        records = journal.read()
    if ctx.options.json:
        tasks = [
            {**r.as_json(), "output_exists": bool(r.output and os.path.isfile(r.output))}
            for r in records
        ]
        print_json({"journal": str(journal.path), "tasks": tasks})
        return OK.code
    if not records:
        ctx.display.note(f"no tasks yet (journal: {journal.path})")
        return OK.code
    rows = [("SUBMITTED (UTC)", "TASK ID", "STATUS", "OUTPUT", "PROMPT")]
    for record in records:
        rows.append(
            (
                record.time.replace("T", " ").removesuffix("+00:00"),
                record.task_id or "(unconfirmed)",
                record.status or "?",
                record.output if record.output and os.path.isfile(record.output) else "-",
                " ".join((record.prompt or "").split())[:50],
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)]
        print_line("  ".join([*cells, row[4]]).rstrip())
    ctx.display.note(f"journal: {journal.path}")
    return OK.code


COMMAND = Command(
    name="tasks",
    summary="list the local journal of submitted tasks, newest first (--refresh: ask the API)",
    description="List the tasks this machine submitted or looked at (the local journal), "
    "newest first.",
    build=build,
    handle=handle,
)
