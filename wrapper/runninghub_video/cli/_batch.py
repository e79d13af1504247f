"""`batch FILE`: many videos from a CSV or JSONL file, one library Batch. Every row is checked
and the whole batch priced before anything is paid; the same command run again resumes it."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ._batch_progress import Progress
from ._batch_report import write_reports
from ._errors import UsageError
from ._exit_codes import OK, TASK_FAILED, UNCONFIRMED
from ._output import print_json, print_line
from ._parsing import Command

T = TypeVar("T")

if TYPE_CHECKING:
    from .._batch import Batch, BatchReport, Estimate
    from ._context import Context


def build(parser: argparse.ArgumentParser) -> None:
    """FILE and the batch's options."""
    parser.usage = ("%(prog)s FILE [options]\n       %(prog)s status DIR [--json]\n"
                    "       %(prog)s resolve DIR KEY (--task-id ID | --resubmit)")  # fmt: skip
    parser.add_argument(
        "file", metavar="FILE", help="a .csv (a header row) or .jsonl file; or `status DIR` "
        "(the rows of the batch in DIR), or `resolve DIR KEY` (settle an unconfirmed row)",
    )  # fmt: skip
    parser.add_argument("more", nargs="*", help=argparse.SUPPRESS)  # status's and resolve's
    parser.add_argument("--endpoint", help="the task endpoint (default: the seed's)")
    parser.add_argument("--out", default=".", metavar="DIR", help="the outputs' folder")
    parser.add_argument(
        "--name", default="{key}.mp4", metavar="TEMPLATE",
        help="each output's name: {key}, {index} or any column (default %(default)s); a row's "
        "output column wins",
    )  # fmt: skip
    parser.add_argument(
        "--set", action="append", default=[], metavar="FIELD=VALUE",
        help="a default for every row (repeatable); a row's own value wins",
    )  # fmt: skip
    parser.add_argument(
        "--concurrency", default="auto", metavar="auto|N",
        help="tasks running at once (auto: the key's limit, from queue status)",
    )  # fmt: skip
    parser.add_argument("--dry-run", action="store_true", help="check and price only")
    parser.add_argument("--max-cost", metavar="AMOUNT", help="refuse to start above this cost")
    parser.add_argument("--yes", action="store_true", help="do not ask before paying")
    parser.add_argument(
        "--skip-invalid", action="store_true", help="run the valid rows, report the others"
    )
    parser.add_argument(
        "--task-id", metavar="ID",
        help="resolve: the row's task, found in your RunningHub task list (waited for and "
        "downloaded by the next run, not paid again)",
    )  # fmt: skip
    parser.add_argument(
        "--resubmit", action="store_true",
        help="resolve: the row's submit never arrived (check your task list): the next run "
        "prices it and sends it again",
    )  # fmt: skip
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    parser.add_argument(
        "--json", action="store_true",
        help="one JSON event per line on stdout (each row's every change, then the totals)",
    )  # fmt: skip


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a CSV (header row) or JSONL file (UsageError for anything else)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {path}: {error}") from None
    if path.suffix.lower() == ".jsonl":
        rows = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    row = json.loads(line)
                except ValueError as error:
                    raise UsageError(f"{path}:{number}: not JSON ({error})") from None
                if not isinstance(row, dict):
                    raise UsageError(f"{path}:{number}: not a JSON object")
                rows.append(row)
        return rows
    if path.suffix.lower() == ".csv":
        return _csv_rows(path, text)
    raise UsageError(f"{path}: a .csv or .jsonl file, please")


def _csv_rows(path: Path, text: str) -> list[dict[str, Any]]:
    """A CSV's rows by its header; a repeated column or a row with more cells than the header
    is refused (a cell must never be dropped silently)."""
    reader = csv.DictReader(text.splitlines())
    try:
        header = reader.fieldnames or []
        repeated = sorted({name for name in header if header.count(name) > 1})
        if repeated:
            raise UsageError(f"{path}: the header repeats {', '.join(repeated)}")
        rows = []
        for row in reader:
            if None in row:
                raise UsageError(f"{path}:{reader.line_num}: more cells than the header has")
            rows.append(dict(row))
    except csv.Error as error:
        raise UsageError(f"{path}:{reader.line_num}: {error}") from None
    return rows


def handle(ctx: Context) -> int:
    """Read, check, price, (confirm,) run, report; or status, or resolve."""
    from .._batch import REPORT_FILE, STATE_FILE, Batch, status

    args, options = ctx.args, ctx.options
    if args.file in ("status", "resolve"):
        return _status(ctx) if args.file == "status" else _resolve(ctx)
    if args.more or args.task_id or args.resubmit:
        raise UsageError("FILE and options only (--task-id and --resubmit are resolve's)")
    defaults = dict(_setting(text) for text in args.set)
    rows = [{**defaults, **row} for row in read_rows(Path(args.file))]
    limit = None if args.concurrency == "auto" else _count(args.concurrency)
    with ctx.client() as rh:  # the key and the base URL checked as every command checks them
        base_url = rh.base_url
    out = Path(args.out)
    if (out / REPORT_FILE).exists() and not (out / STATE_FILE).exists():
        raise UsageError(f"{out / REPORT_FILE} exists and is not this batch's; nothing was sent")
    ctx.run.ensure_journal_writable()  # each paid task is journaled too, before the state
    journal = _JournalLink(ctx, base_url, args.endpoint, (out / STATE_FILE).resolve())
    known = status(out).rows if (out / STATE_FILE).is_file() else []
    progress = Progress(ctx.display, known, len(rows))
    # One plan, and the batch locked from the checks to the end of the run.
    with Batch(
        rows, api_key=options.api_key, base_url=options.base_url,
        allow_insecure_http=options.allow_insecure_http, endpoint=args.endpoint,
        folder=args.out, name=args.name, max_running=limit, overwrite=args.overwrite,
        on_submitted=journal.submitted, recover=journal.recover, on_change=progress.changed,
    ) as batch:  # fmt: skip
        report = _checked_priced_run(ctx, batch, len(rows), progress)
        if report is None:
            return OK.code
    write_reports(out, report)
    if not options.json:  # --json had each row's every change as an event
        for row in report.rows:
            print_line(f"row {row.index} {row.state}: {row.output or ''} {row.error or ''}"
                       .rstrip())  # fmt: skip
    return _ended(ctx, report, report=str(out / REPORT_FILE))


def _checked_priced_run(
    ctx: Context, batch: Batch, count: int, progress: Progress
) -> BatchReport | None:
    """Check every row, price the batch, then run it (None after a dry run): UsageError,
    with nothing sent, for bad rows, a price above --max-cost, or no confirmation."""
    from .._batch import InvalidRowsError

    args = ctx.args
    problems = batch.validate()
    for problem in problems:
        _event(ctx, "invalid", f"row {problem.index}: {problem.message}", index=problem.index,
               key=problem.key, error=problem.message)  # fmt: skip
    if problems and not args.skip_invalid:
        raise UsageError(f"{len(problems)} of {count} rows are invalid; nothing was sent "
                         "(--skip-invalid runs the others)")  # fmt: skip
    estimate = batch.estimate()
    _event(ctx, "estimate", _priced(estimate), rows=estimate.rows,
           total=None if estimate.total is None else str(estimate.total),
           currency=estimate.currency, note=estimate.note,
           published=estimate.published)  # fmt: skip
    _check_cost(args.max_cost, estimate)
    if args.dry_run:
        return None
    if estimate.rows and not args.yes and sys.stdin.isatty() and not _confirmed(estimate):
        raise UsageError("not confirmed; nothing was sent")
    try:
        with progress.shown():
            report = batch.run(skip_invalid=args.skip_invalid)
    except InvalidRowsError as error:  # the file changed meanwhile
        raise UsageError(str(error)) from None
    return report


def _ended(ctx: Context, batch: BatchReport, event: str = "done", **fields: Any) -> int:
    """The totals line (or the last JSON event, with `fields`) and the exit code: 6 some
    unconfirmed, 4 not all done, else 0."""
    totals = batch.totals
    summary = ", ".join(f"{count} {state}" for state, count in totals.items() if count and
                        state != "rows")  # fmt: skip
    _event(ctx, event, f"{totals['rows']} rows: {summary}; cost {batch.cost}", totals=totals,
           cost=str(batch.cost), running=batch.running, **fields)  # fmt: skip
    if totals["running"] and not batch.running:
        ctx.display.hint(f"{totals['running']} rows' tasks are paid for and kept: the same "
                         "command run again waits for them and downloads them")  # fmt: skip
    if totals["unconfirmed"]:
        return UNCONFIRMED.code
    if totals["rows"] != totals["done"]:
        return TASK_FAILED.code
    return OK.code


def _status(ctx: Context) -> int:
    """`batch status DIR`: every row as the state holds it, how to settle the unconfirmed."""
    from .._batch import status

    if len(ctx.args.more) != 1:
        raise UsageError("batch status DIR, please")
    folder = ctx.args.more[0]
    report = _library(lambda: status(folder))
    if not ctx.options.json:
        if report.running:
            print_line(f"{folder}: a batch process runs it now")
        for row in report.rows:
            task = f" task {row.task_id}" if row.task_id else ""
            print_line(f"row {row.index} {row.state} key {row.key}{task}: "
                       f"{row.error or row.output or ''}".rstrip(": "))  # fmt: skip
        for row in report.rows:
            if row.state == "unconfirmed":
                ctx.display.hint(f"row {row.index} may have created a task: find it in your "
                                 f"RunningHub task list, then `batch resolve {folder} {row.key} "
                                 "--task-id ID`, or `--resubmit` if it is not there")  # fmt: skip
    return _ended(ctx, report, "status", rows=report.to_dict()["rows"])


def _resolve(ctx: Context) -> int:
    """`batch resolve DIR KEY (--task-id ID | --resubmit)`: an unconfirmed row settled; the
    batch's next run waits for its task or sends it again."""
    from .._batch import resolve

    args = ctx.args
    if len(args.more) != 2 or (args.task_id is None) == (not args.resubmit):
        raise UsageError("batch resolve DIR KEY (--task-id ID | --resubmit), please")
    folder, key = args.more
    row = _library(lambda: resolve(folder, key, task_id=args.task_id, resubmit=args.resubmit))
    then = "waits for its task" if row.task_id else "sends it again (priced first)"
    _event(ctx, "resolved", f"row {row.index} is {row.state}: the batch's next run {then}",
           **vars(row))  # fmt: skip
    return OK.code


def _library(call: Callable[[], T]) -> T:
    """A status or resolve call, its refusal as a usage error (nothing was sent)."""
    from .._errors import InvalidInputError

    try:
        return call()
    except InvalidInputError as error:
        raise UsageError(str(error)) from None


def _setting(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise UsageError(f"--set {text!r}: NAME=VALUE, please")
    return name, value


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise UsageError(f"--concurrency {text!r}: auto or a whole number >= 1")
    return int(text)


def _priced(estimate: Estimate) -> str:
    if estimate.total is None:
        return f"estimate: unknown for {estimate.rows} rows ({estimate.note})"
    currency = f" {estimate.currency}" if estimate.currency else ""
    label = f" ({estimate.note})" if estimate.published else ""
    return f"estimate: {estimate.total}{currency} for {estimate.rows} rows{label}"


def _check_cost(max_cost: str | None, estimate: Estimate) -> None:
    """--max-cost: refuse (nothing sent) above it, or when the cost is unknown."""
    if max_cost is None:
        return
    try:
        ceiling = Decimal(max_cost)
    except InvalidOperation:
        ceiling = Decimal("NaN")
    if not ceiling.is_finite():
        raise UsageError(f"--max-cost {max_cost!r}: a number, please")
    if estimate.total is None or estimate.total > ceiling:
        shown = "unknown" if estimate.total is None else str(estimate.total)
        raise UsageError(f"the estimate ({shown}) is above --max-cost {ceiling}; nothing was sent")


def _confirmed(estimate: Estimate) -> bool:
    """Asked on stderr (stdout is the result's, JSON with --json)."""
    sys.stderr.write(f"{_priced(estimate)}. Submit them? [y/N] ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def _event(ctx: Context, event: str, text: str, **fields: Any) -> None:
    """One line: JSON on stdout with --json, else text on stdout."""
    if ctx.options.json:
        print_json({"event": event, **fields})
    else:
        print_line(text)


class _JournalLink:
    """The task journal as the batch's second record: every paid task is journaled (so
    `tasks` lists it) before the state records it, and a row the state lost is found there:
    only a record of this batch (its state file), site and endpoint, the newest."""

    def __init__(self, ctx: Context, base_url: str, endpoint: str | None, state: Path) -> None:
        from .._endpoints import find, seed

        self.ctx, self.base_url, self.state = ctx, base_url, state
        self.path = (find(endpoint) if endpoint else seed()).path
        self._known: dict[str, str] | None = None

    def _request(self, key: str) -> str:
        return f"batch:{self.state}#{key}"

    def submitted(self, key: str, task_id: str) -> None:
        self.ctx.run.event("submitted", task_id, base_url=self.base_url, endpoint=self.path,
                           request=self._request(key))  # fmt: skip

    def recover(self, key: str) -> str | None:
        if self._known is None:
            try:
                records = self.ctx.run.journal.read()  # newest first
            except OSError:
                records = []
            self._known = {}
            for r in records:
                if (r.request and r.task_id and r.base_url == self.base_url
                        and r.endpoint == self.path):  # fmt: skip
                    self._known.setdefault(r.request, r.task_id)
        return self._known.get(self._request(key))


COMMAND = Command(
    name="batch",
    summary="many videos from a CSV or JSONL file (checked and priced first, resumable)",
    description="Make one video per row of a CSV or JSONL file: every row is checked and the "
    "batch priced before anything is paid; the key's concurrency is kept full; the same command "
    "run again resumes (never paying twice for a row).",
    build=build,
    handle=handle,
)
