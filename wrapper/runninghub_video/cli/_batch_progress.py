"""The batch's progress as rows change: a live table on a terminal (rows in flight, slots in
use, money spent, an ETA), plain lines on stderr when piped, JSON events on stdout with --json."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ._output import Display, print_json

if TYPE_CHECKING:
    from .._batch import RowReport

FINISHED = ("done", "failed", "invalid", "unconfirmed", "duplicate")
IN_FLIGHT = ("submitting", "running")


class Progress:
    """Knows every row's last state; shows each change in the display's mode."""

    def __init__(self, display: Display, rows: list[RowReport], total: int) -> None:
        self.display, self.total = display, total
        self.rows = {row.key: row for row in rows}
        self.started = time.monotonic()
        self._finished_before = sum(row.state in FINISHED for row in rows)
        self._live: Any = None

    def changed(self, row: RowReport) -> None:
        """on_change: a row's state was committed (never raises: progress must not stop it)."""
        before = self.rows.get(row.key)
        self.rows[row.key] = row
        if self.display.mode == "json":
            with contextlib.suppress(OSError, ValueError):  # stdout gone: the rows go on
                print_json({"event": "row", **vars(row)})
        elif self.display.mode == "plain" and (before is None or before.state != row.state):
            self.display.note(_line(row))
        elif self._live is not None:
            with contextlib.suppress(Exception):
                self._live.update(self._table())

    @contextlib.contextmanager
    def shown(self) -> Iterator[Progress]:
        """The live table for the run's duration (rich mode only)."""
        if self.display.mode != "rich":
            yield self
            return
        from rich.live import Live

        with Live(self._table(), console=self.display._rich_console(), transient=True,
                  refresh_per_second=4, get_renderable=self._table) as live:  # fmt: skip
            self._live = live
            try:
                yield self
            finally:
                self._live = None

    def summary(self) -> str:
        """'12/45 finished · 3 running · 2 failed · spent 3.20 · ETA 4m10s'."""
        rows = list(self.rows.values())  # one copy: the live table reads from another thread
        counts = {
            state: sum(row.state == state for row in rows) for state in (*FINISHED, *IN_FLIGHT)
        }
        finished = sum(counts[state] for state in FINISHED)
        spent = sum((Decimal(row.cost) for row in rows if row.cost), Decimal(0))
        parts = [f"{finished}/{self.total} finished", f"{counts['running']} running"]
        parts += [
            f"{counts[state]} {state}" for state in ("failed", "unconfirmed") if counts[state]
        ]
        parts.append(f"spent {spent}")
        now_finished = finished - self._finished_before
        if now_finished > 0 and finished < self.total:
            left = (time.monotonic() - self.started) / now_finished * (self.total - finished)
            parts.append(f"ETA {int(left // 60)}m{int(left % 60):02d}s")
        return " · ".join(parts)

    def _table(self) -> Any:
        from rich.console import Group
        from rich.markup import escape
        from rich.table import Table

        rows = list(self.rows.values())
        table = Table(box=None, pad_edge=False)
        for column in ("row", "state", "task", "output / error"):
            table.add_column(column)
        height = max(3, self.display._rich_console().size.height - 4)
        shown = [row for row in rows if row.state in IN_FLIGHT]
        shown += [row for row in reversed(rows) if row.state not in IN_FLIGHT][
            : max(0, height - len(shown))
        ]
        for row in sorted(shown[:height], key=lambda row: row.index):
            table.add_row(str(row.index), row.state, escape(row.task_id or ""),
                          escape(_shown(row.error or row.output or "")))  # fmt: skip
        return Group(escape(self.summary()), table)


def _line(row: RowReport) -> str:
    task = f" (task {row.task_id})" if row.task_id else ""
    detail = row.error if row.state in ("failed", "unconfirmed") else (
        row.output if row.state == "done" else None)  # fmt: skip
    return f"row {row.index} {row.state}{task}" + (f": {detail}" if detail else "")


def _shown(text: str) -> str:
    from .._redaction import redact
    from ._terminal import terminal_safe

    return terminal_safe(redact(text))[:100]
