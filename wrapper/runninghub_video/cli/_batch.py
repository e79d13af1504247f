"""`batch FILE`: many videos from a CSV or JSONL file, one library Batch. Every row is checked
and the whole batch priced before anything is paid; the same command run again resumes it."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import CliError, UsageError
from ._exit_codes import OK, TASK_FAILED, UNCONFIRMED
from ._output import print_json, print_line, write_whole
from ._parsing import Command, add_json

if TYPE_CHECKING:
    from .._batch import BatchReport, Estimate
    from ._context import Context


def build(parser: argparse.ArgumentParser) -> None:
    """FILE and the batch's options."""
    parser.add_argument("file", metavar="FILE", help="a .csv (a header row) or .jsonl file")
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
        "--resubmit", action="append", default=[], metavar="KEY",
        help="send an unconfirmed row again (check your RunningHub task list first)",
    )  # fmt: skip
    parser.add_argument(
        "--adopt", action="append", default=[], metavar="KEY=TASK_ID",
        help="an unconfirmed row's task, found in your RunningHub task list: waited for and "
        "downloaded, not paid again",
    )  # fmt: skip
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    add_json(parser)


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
        return [dict(row) for row in csv.DictReader(text.splitlines())]
    raise UsageError(f"{path}: a .csv or .jsonl file, please")


def handle(ctx: Context) -> int:
    """Read, check, price, (confirm,) run, report."""
    from .._batch import REPORT_FILE, STATE_FILE, Batch, InvalidRowsError

    args, options = ctx.args, ctx.options
    defaults = dict(_setting(text) for text in args.set)
    adopt = dict(_setting(text, "--adopt") for text in args.adopt)  # checked before any call
    rows = [{**defaults, **row} for row in read_rows(Path(args.file))]
    limit = None if args.concurrency == "auto" else _count(args.concurrency)
    with ctx.client() as rh:  # the key and the base URL checked as every command checks them
        base_url = rh.base_url
    out = Path(args.out)
    if (out / REPORT_FILE).exists() and not (out / STATE_FILE).exists():
        raise UsageError(f"{out / REPORT_FILE} exists and is not this batch's; nothing was sent")
    ctx.run.ensure_journal_writable()  # each paid task is journaled too, before the state
    journal = _JournalLink(ctx, base_url, args.endpoint)
    batch = Batch(
        rows, api_key=options.api_key, base_url=options.base_url,
        allow_insecure_http=options.allow_insecure_http, endpoint=args.endpoint,
        folder=args.out, name=args.name, max_running=limit, overwrite=args.overwrite,
        on_submitted=journal.submitted, recover=journal.recover,
    )  # fmt: skip
    problems = batch.validate()
    for problem in problems:
        _event(ctx, "invalid", f"row {problem.index}: {problem.message}", index=problem.index,
               key=problem.key, error=problem.message)  # fmt: skip
    if problems and not args.skip_invalid:
        raise UsageError(f"{len(problems)} of {len(rows)} rows are invalid; nothing was sent "
                         "(--skip-invalid runs the others)")  # fmt: skip
    estimate = batch.estimate(resubmit=args.resubmit)
    _event(ctx, "estimate", _priced(estimate), rows=estimate.rows,
           total=None if estimate.total is None else str(estimate.total),
           currency=estimate.currency, note=estimate.note)  # fmt: skip
    _check_cost(args.max_cost, estimate)
    if args.dry_run:
        return OK.code
    if estimate.rows and not args.yes and sys.stdin.isatty() and not _confirmed(estimate):
        raise UsageError("not confirmed; nothing was sent")
    try:
        report = batch.run(skip_invalid=args.skip_invalid, resubmit=args.resubmit, adopt=adopt)
    except InvalidRowsError as error:  # the file changed meanwhile
        raise UsageError(str(error)) from None
    _write_report(Path(args.out), report)
    for row in report.rows:
        _event(ctx, "row", f"row {row.index} {row.state}: {row.output or ''} {row.error or ''}"
               .rstrip(), **vars(row))  # fmt: skip
    totals = report.totals
    summary = ", ".join(f"{count} {state}" for state, count in totals.items() if count and
                        state != "rows")  # fmt: skip
    _event(ctx, "done", f"{totals['rows']} rows: {summary}; cost {report.cost}",
           totals=totals, cost=str(report.cost), report=str(out / REPORT_FILE))  # fmt: skip
    if totals["unconfirmed"]:
        return UNCONFIRMED.code
    if totals["rows"] != totals["done"]:
        return TASK_FAILED.code
    return OK.code


def _setting(text: str, option: str = "--set") -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise UsageError(f"{option} {text!r}: NAME=VALUE, please")
    return name, value


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise UsageError(f"--concurrency {text!r}: auto or a whole number >= 1")
    return int(text)


def _priced(estimate: Estimate) -> str:
    if estimate.total is None:
        return f"estimate: unknown for {estimate.rows} rows ({estimate.note})"
    return f"estimate: {estimate.total} {estimate.currency or ''} for {estimate.rows} rows"


def _check_cost(max_cost: str | None, estimate: Estimate) -> None:
    """--max-cost: refuse (nothing sent) above it, or when the cost is unknown."""
    if max_cost is None:
        return
    try:
        ceiling = Decimal(max_cost)
    except InvalidOperation:
        raise UsageError(f"--max-cost {max_cost!r}: a number, please") from None
    if estimate.total is None or estimate.total > ceiling:
        shown = "unknown" if estimate.total is None else str(estimate.total)
        raise UsageError(f"the estimate ({shown}) is above --max-cost {ceiling}; nothing was sent")


def _confirmed(estimate: Estimate) -> bool:
    answer = input(f"{_priced(estimate)}. Submit them? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _event(ctx: Context, event: str, text: str, **fields: Any) -> None:
    """One line: JSON on stdout with --json, else text on stdout."""
    if ctx.options.json:
        print_json({"event": event, **fields})
    else:
        print_line(text)


class _JournalLink:
    """The task journal as the batch's second record: every paid task is journaled (so
    `tasks` lists it) before the state records it, and a row the state lost is found there."""

    def __init__(self, ctx: Context, base_url: str, endpoint: str | None) -> None:
        from .._endpoints import find, seed

        self.ctx, self.base_url = ctx, base_url
        self.path = (find(endpoint) if endpoint else seed()).path
        self._known: dict[str, str] | None = None

    def submitted(self, key: str, task_id: str) -> None:
        self.ctx.run.event("submitted", task_id, base_url=self.base_url, endpoint=self.path,
                           request=f"batch:{key}")  # fmt: skip

    def recover(self, key: str) -> str | None:
        if self._known is None:
            try:
                records = self.ctx.run.journal.read()
            except OSError:
                records = []
            self._known = {r.request: r.task_id for r in reversed(records)
                           if r.request and r.task_id}  # fmt: skip
        return self._known.get(f"batch:{key}")


def _write_report(folder: Path, report: BatchReport) -> None:
    """report.json beside the outputs, whole or not at all, never through a planted link."""
    from .._batch import REPORT_FILE

    folder.mkdir(parents=True, exist_ok=True)
    final = folder / REPORT_FILE
    try:
        write_whole(final, json.dumps(report.to_dict(), indent=2) + "\n", replace=True)
    except OSError as error:
        raise CliError(f"cannot write {final}: {error}") from None


COMMAND = Command(
    name="batch",
    summary="many videos from a CSV or JSONL file (checked and priced first, resumable)",
    description="Make one video per row of a CSV or JSONL file: every row is checked and the "
    "batch priced before anything is paid; the key's concurrency is kept full; the same command "
    "run again resumes (never paying twice for a row).",
    build=build,
    handle=handle,
)
