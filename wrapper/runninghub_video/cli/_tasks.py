"""`tasks`: the local journal of submitted tasks, folded per task, newest first."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ._exit_codes import OK
from ._output import print_json, print_line
from ._parsing import Command, add_json

if TYPE_CHECKING:
    from ._context import Context


def build(parser: argparse.ArgumentParser) -> None:
    """[--json]."""
    add_json(parser)


def handle(ctx: Context) -> int:
    """A table (or one JSON object) of the journal's tasks."""
    journal = ctx.run.journal
    records = journal.read()
    if ctx.options.json:
        print_json({"journal": str(journal.path), "tasks": [r.as_json() for r in records]})
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
                record.output or "-",
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
    summary="list the local journal of submitted tasks, newest first",
    description="List the tasks this machine submitted or looked at (the local journal), "
    "newest first.",
    build=build,
    handle=handle,
)
