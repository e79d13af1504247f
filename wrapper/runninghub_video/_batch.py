"""Many videos: a batch of rows (any endpoint's fields, an output, a key) that is checked and
priced before anything is paid, keeps the key's concurrency full, and resumes from its state
file whatever killed it, never paying twice for a row nor losing a paid result.

The state is a SQLite file (stdlib sqlite3, WAL, one transaction per state change) beside the
outputs, locked by the process that runs it. A row goes pending -> submitting (the intent,
committed before the request) -> running (the task id, committed before the submit returns)
-> done (its video downloaded), or ends failed, invalid, duplicate or unconfirmed (a submit
that may have created a task without an answer: held, never resent unless asked).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import fcntl
import hashlib
import json
import logging
import os
import sqlite3
import string
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import _params as checks
from ._error_codes import SYSTEM_BUSY
from ._errors import (
    APIConnectionError,
    AuthenticationError,
    ConfigurationError,
    InvalidInputError,
    RateLimitError,
    RunningHubError,
    ServerError,
    TaskFailedError,
    UnexpectedResponseError,
)
from ._params import CheckedRequest, LocalImage, local_images

logger = logging.getLogger("runninghub_video")

if TYPE_CHECKING:
    from ._async_client import AsyncRunningHub
    from ._policy import Policy

STATE_FILE = ".runninghub-batch.sqlite"
"""The state's name in the batch's folder (by default)."""
REPORT_FILE = "report.json"
"""The report's name in the batch's folder (the CLI writes it): never a row's output."""
REPORT_HTML = "report.html"
"""The contact sheet's name beside it (the CLI writes it too)."""
PLACEHOLDER_IMAGE = "https://example.com/runninghub-video-price.png"
"""What a price preview is asked with instead of a local image: pricing uploads nothing."""
MAX_BACKOFF = 30.0
STATES = ("pending", "submitting", "running", "done", "failed", "unconfirmed", "invalid",
          "duplicate")  # fmt: skip
_SCHEMA = """
CREATE TABLE IF NOT EXISTS rows (
    key TEXT PRIMARY KEY, idx INTEGER NOT NULL, output TEXT, state TEXT NOT NULL,
    task_id TEXT, status TEXT, cost TEXT, error TEXT,
    submitted_at REAL, finished_at REAL, updated_at REAL NOT NULL
)"""


@dataclasses.dataclass(frozen=True)
class Problem:
    """Why one row cannot run (found before anything is sent)."""

    index: int
    key: str | None
    message: str


@dataclasses.dataclass(frozen=True)
class Estimate:
    """What the batch's rows still to submit would cost: asked of the price call (free), or,
    when that cannot price them, from the vendor's published prices (`published`)."""

    total: Decimal | None
    """None when neither the API nor the published prices price every row (see `note`)."""
    currency: str | None
    rows: int
    note: str
    published: bool = False
    """The total is from the vendor's published price list, not the API: informational, it
    may differ from what is charged (another site's currency, a changed price)."""


@dataclasses.dataclass
class RowReport:
    """One row's outcome."""

    index: int
    key: str
    state: str
    output: str | None = None
    task_id: str | None = None
    status: str | None = None
    cost: str | None = None
    error: str | None = None
    submitted_at: float | None = None
    finished_at: float | None = None


@dataclasses.dataclass
class BatchReport:
    """Every row's outcome, with the totals; `to_dict()` is JSON-ready."""

    rows: list[RowReport]
    running: bool = False
    """Whether a process runs the batch now (status() tells; a finished run's report: no)."""

    @property
    def totals(self) -> dict[str, int]:
        counts = {state: 0 for state in STATES}
        for row in self.rows:
            counts[row.state] = counts.get(row.state, 0) + 1
        return {"rows": len(self.rows), **counts}

    @property
    def cost(self) -> Decimal:
        return sum((Decimal(row.cost) for row in self.rows if row.cost), Decimal(0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": [dataclasses.asdict(row) for row in self.rows],
            "totals": self.totals,
            "cost": str(self.cost),
            "running": self.running,
        }


@dataclasses.dataclass
class _Planned:
    index: int
    key: str
    checked: CheckedRequest | None
    output: Path | None
    problem: str | None = None


class InvalidRowsError(InvalidInputError):
    """Rows that cannot run, all of them listed (`problems`): nothing was sent."""

    def __init__(self, problems: list[Problem]) -> None:
        listed = "; ".join(f"row {p.index}: {p.message}" for p in problems)
        super().__init__("rows", f"{len(problems)} bad", f"every row valid, nothing sent: {listed}")
        self.problems = problems


class StateError(RunningHubError):
    """The batch's state file refused a write (a full disk): the message names any paid task
    it could not record."""


class BatchLockedError(RunningHubError):
    """Another process runs this batch (its state file is locked): nothing was sent."""


class _Store:
    """The batch's state file: one row per key, one transaction per change, locked."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        for name in (path, *(Path(f"{path}{end}") for end in ("-wal", "-shm", ".lock"))):
            if name.is_symlink():  # planted: the state is never written somewhere else
                raise StateError(f"{name} is a symbolic link; the batch state is never one")
        self._lock = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock)
            raise BatchLockedError(f"another process runs the batch of {path}") from None
        self.path = path.resolve()
        try:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")  # a committed state survives power loss
            self._db.execute(_SCHEMA)
        except sqlite3.Error as error:
            os.close(self._lock)
            raise StateError(f"{path} is not a batch state this can read ({error})") from None

    def close(self) -> None:
        self._db.close()
        os.close(self._lock)  # the lock goes with it

    def rows(self) -> dict[str, RowReport]:
        return {row.key: row for row in map(_row_of, self._execute(_SELECT))}

    def row(self, key: str) -> RowReport:
        """The row of `key` (KeyError if the batch has none)."""
        found = self._execute(f"{_SELECT} WHERE key = ?", key).fetchone()
        if found is None:
            raise KeyError(key)
        return _row_of(found)

    def add(self, key: str, index: int, output: Path | None, state: str) -> None:
        """A row not seen before (a row already in the state keeps its state)."""
        self._execute(
            "INSERT OR IGNORE INTO rows (key, idx, output, state, updated_at) VALUES (?,?,?,?,?)",
            key, index, None if output is None else str(output), state, time.time(),
        )  # fmt: skip

    def set(self, key: str, **fields: Any) -> RowReport:
        """One state change, committed before this returns; the row as it is now."""
        names = ", ".join(f"{name} = ?" for name in fields)
        self._execute(f"UPDATE rows SET {names}, updated_at = ? WHERE key = ?",  # noqa: S608
                      *fields.values(), time.time(), key)  # fmt: skip
        return self.row(key)

    def _execute(self, sql: str, *values: Any) -> sqlite3.Cursor:
        """StateError when the file cannot take it (e.g. a full disk): run again once there is
        room; what was committed before stays."""
        try:
            return self._db.execute(sql, values)
        except (sqlite3.Error, OSError) as error:
            raise StateError(
                f"cannot write the batch state {self.path} ({error}); nothing is lost: run the "
                "batch again once the cause is fixed"
            ) from None


_COLUMNS = ("output", "task_id", "status", "cost", "error", "submitted_at", "finished_at")
_SELECT = f"SELECT key, idx, state, {', '.join(_COLUMNS)} FROM rows"  # noqa: S608 (constants)


def _row_of(found: tuple[Any, ...]) -> RowReport:
    key, idx, state, *rest = found
    return RowReport(idx, key, state, **dict(zip(_COLUMNS, rest, strict=True)))


def row_key(
    endpoint: str, fields: Mapping[str, object], *, files: Collection[str] | None = None
) -> str:
    """A row's identity from its content: the endpoint and every column, a local image by its
    bytes too (the columns in `files`; without it, any column but `output` naming a file). The
    output asked for counts by its name only, so a row whose video exists keeps its key."""

    def plain(column: str, value: object) -> object:
        hashed = column in files if files is not None else column != "output"
        if hashed and isinstance(value, str) and os.path.isfile(value):
            return [value, hashlib.sha256(Path(value).read_bytes()).hexdigest()]
        return value

    text = json.dumps([endpoint, {k: plain(k, v) for k, v in fields.items()}], sort_keys=True,
                      default=str)  # fmt: skip
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class AsyncBatch:
    """A batch on one AsyncRunningHub: validate() (nothing sent), estimate() (free), run(),
    report(). Rows are mappings of an endpoint's fields, plus optionally `output` and `key`."""

    def __init__(
        self,
        client: AsyncRunningHub,
        rows: Iterable[Mapping[str, object]],
        *,
        endpoint: str | None = None,
        folder: str | Path = ".",
        name: str = "{key}.mp4",
        state: str | Path | None = None,
        max_running: int | None = None,
        overwrite: bool = False,
        on_submitted: Callable[[str, str], None] | None = None,
        recover: Callable[[str], str | None] | None = None,
        on_change: Callable[[RowReport], None] | None = None,
    ) -> None:
        """on_submitted(key, task_id) as soon as a row's submit answered, before the state
        records it (the CLI journals it there too); recover(key) gives the task id that other
        record kept for an unconfirmed row, which then resumes instead of being held;
        on_change(row) after each state change is committed (progress)."""
        from . import _endpoints

        self._rh = client
        self.endpoint = endpoint or _endpoints.seed().name
        self.folder = Path(folder)
        self.name = name
        self.max_running = max_running
        self.overwrite = overwrite
        self.on_submitted, self.recover, self.on_change = on_submitted, recover, on_change
        self._rows = [dict(row) for row in rows]
        info = _endpoints.find(self.endpoint)
        self._columns, self._defaults = _columns(info)
        images = {f.name for f in _endpoints.load(info).fields if f.takes_image}
        self._image_columns = {alias for alias, name in self._columns.items() if name in images}
        self._store = _Store(Path(state) if state else self.folder / STATE_FILE)
        self._plan = self._make_plan()
        self._upload_locks: dict[str, asyncio.Lock] = {}
        self._upload_slots = asyncio.Semaphore(4)
        self._submitting = asyncio.Lock()

    def _set(self, key: str, **fields: Any) -> None:
        """One state change, then on_change (whose errors are logged: progress never changes
        what the batch does, nor leaves a row in between)."""
        row = self._store.set(key, **fields)
        if self.on_change is not None:
            try:
                self.on_change(row)
            except Exception:
                logger.exception("the batch's on_change failed (ignored)")

    async def __aenter__(self) -> AsyncBatch:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._store.close()

    # ------------------------------------------------------------ before anything is paid

    def _make_plan(self) -> list[_Planned]:
        """Each row's key, checked request and output, or its problem. A row already paid for
        (its submit intent committed) keeps the output it had and has no problem: its task
        is waited for and downloaded whatever its inputs are now."""
        planned: list[_Planned] = []
        keys: dict[str, int] = {}
        known = self._store.rows()
        named = {part[1] for part in string.Formatter().parse(self.name) if part[1]}
        for index, row in enumerate(self._rows):
            fields = dict(self._defaults)
            for column, value in row.items():
                if column in ("output", "key", "index") or value in (None, ""):
                    continue
                if column in self._columns or column not in named:  # else: only for the name
                    fields[self._columns.get(column, column)] = value
            content = {**self._defaults, **{k: v for k, v in row.items() if k != "key"}}
            key = str(row.get("key") or row_key(self.endpoint, content, files=self._image_columns))
            item = _Planned(index, key, None, None)
            planned.append(item)
            if key in keys:
                item.problem = f"duplicate of row {keys[key]} (same key {key})"
                continue
            keys[key] = index
            try:
                item.checked = self._rh.check(self.endpoint, **fields)
            except (InvalidInputError, ValueError, TypeError) as error:
                item.problem = str(error)
        inputs = {path.resolve() for item in planned if item.checked
                  for path in item.checked.local_paths}  # fmt: skip
        outputs: dict[Path, int] = {}
        for item in planned:
            if _duplicate(item):
                continue
            stored = known.get(item.key)
            paid = stored is not None and not _unsent(stored)
            try:
                output = self._output(self._rows[item.index], item.key, item.index, inputs)
            except (InvalidInputError, KeyError, ValueError, IndexError, TypeError,
                    OSError) as error:  # fmt: skip
                output = None
                why = f"the name template needs the column {error}" if isinstance(
                    error, KeyError) else str(error)  # fmt: skip
                item.problem = item.problem or why
            if paid:
                assert stored is not None
                item.output = Path(stored.output) if stored.output else output
                item.problem = None
                continue
            if output is None or item.problem:
                continue
            item.output = output
            if output in outputs:
                item.problem = f"output {output} is also row {outputs[output]}'s"
            elif output.exists() and not self.overwrite:
                item.problem = f"output {output} exists (not overwritten)"
            outputs[output] = item.index
        return planned

    def _output(self, row: Mapping[str, object], key: str, index: int, inputs: set[Path]) -> Path:
        """A row's output: inside the folder, none of the batch's own files, no input image,
        somewhere a video can be written (checked as generate checks it)."""
        from ._download import check_destination

        root = self.folder.resolve()
        state = self._store.path
        reserved = {root / REPORT_FILE, root / f".{REPORT_FILE}.part", root / REPORT_HTML,
                    root / f".{REPORT_HTML}.part", state,
                    Path(f"{state}-wal"), Path(f"{state}-shm"), Path(f"{state}.lock")}  # fmt: skip
        wanted = row.get("output")
        text = str(wanted) if wanted else self.name.format(**{**row, "key": key, "index": index})
        output = (root / text).resolve()
        if output == root or root not in output.parents:
            raise InvalidInputError("output", text, "a path inside the batch's folder")
        if output in reserved or output.name.startswith(".runninghub-batch"):
            raise InvalidInputError("output", text, "a name other than the batch's own")
        if output in inputs:
            raise InvalidInputError("output", text, "not one of the batch's input images")
        check_destination(None, output, overwrite=True, protected=inputs)
        return output

    def validate(self) -> list[Problem]:
        """Every problem of every row, all at once; nothing is sent. (A duplicate of another
        row is none: it is run once, with the first, and reported as `duplicate`.)"""
        return [Problem(p.index, p.key, p.problem) for p in self._plan
                if p.problem and not _duplicate(p)]  # fmt: skip

    async def estimate(self) -> Estimate:
        """The price of every row the next run would submit, through the price call (a local
        image replaced by a placeholder URL: nothing is uploaded); equal requests are priced
        once. When the API cannot price (no preview, a server or connection failure), the rows
        left are priced from the vendor's published list, labelled; AuthenticationError when
        the key is refused."""
        known = self._store.rows()
        todo = [p.checked for p in self._plan if p.checked and not p.problem
                and _unsent(known.get(p.key, _NEW))]  # fmt: skip
        prices: dict[str, Decimal] = {}
        total, currency = Decimal(0), None
        for n, checked in enumerate(todo):
            placeholder = _with_urls(checked, lambda _: PLACEHOLDER_IMAGE)
            same = json.dumps(sorted(placeholder.values.items()), default=str)
            if same not in prices:
                try:
                    price = await self._rh.price(placeholder)
                except AuthenticationError:
                    raise  # the key is refused: every submit would be too
                except RunningHubError as error:
                    if not _cannot_price(error):  # the API refuses the request itself
                        return Estimate(None, None, len(todo),
                                        f"the API could not price the rows: {error}")  # fmt: skip
                    rest = _published_estimate(todo[n:], str(error), self._rh.base_url)
                    if rest.total is None or (currency and currency != rest.currency):
                        return dataclasses.replace(rest, total=None, rows=len(todo))
                    return dataclasses.replace(rest, total=total + rest.total, rows=len(todo))
                prices[same], currency = price.amount, price.currency or currency
            total += prices[same]
        return Estimate(total, currency, len(todo), "priced by the API's price preview")

    # ------------------------------------------------------------ the run

    async def run(self, *, skip_invalid: bool = False) -> BatchReport:
        """Submit every pending row as slots free, wait for and download every task (those of
        an earlier run too); InvalidInputError listing every problem unless skip_invalid (the
        rows are then reported invalid). An unconfirmed row is held until resolve() settles
        it."""
        problems = self.validate()
        if problems and not skip_invalid:
            raise InvalidRowsError(problems)
        for item in self._plan:
            if _duplicate(item):
                continue
            state = "invalid" if item.problem else "pending"
            self._store.add(item.key, item.index, item.output, state)
            stored = self._store.row(item.key)
            changed = (stored.state, stored.error) != (state, item.problem)
            if _unsent(stored) and (changed or stored.state == "failed"):  # never a paid row
                self._set(item.key, state=state, error=item.problem, finished_at=None,
                          output=None if item.output is None else str(item.output))  # fmt: skip
        known = self._store.rows()
        for key, row in known.items():
            found = self.recover(key) if self.recover and row.state in (
                "submitting", "unconfirmed") else None  # fmt: skip
            if found:  # the other record kept the id the state lost
                self._set(key, state="running", task_id=found, error=None)
            elif row.state == "submitting":  # a run died with this submit out: a task may exist
                self._set(key, state="unconfirmed", error=STOPPED_MID_SUBMIT)
        known = self._store.rows()
        limit = self.max_running or await self._limit()
        slots = asyncio.Semaphore(limit)
        work = [p for p in self._plan
                if p.key in known and p.checked is not None and p.output is not None
                and known[p.key].state in ("pending", "running")]  # fmt: skip
        ahead = asyncio.Semaphore(2 * limit)  # rows under way: the limit's, and as many ready
        try:  # (uploaded, waiting for a slot, or downloading), not one task per row at once
            async with asyncio.TaskGroup() as group:  # a StateError stops every row
                for item in work:
                    await ahead.acquire()
                    job = group.create_task(self._row(item, known[item.key], slots))
                    job.add_done_callback(lambda _: ahead.release())
        except BaseExceptionGroup as errors:
            raise _first(errors) from None
        return self.report()

    async def _limit(self) -> int:
        try:
            queue = await self._rh.queue()
        except RunningHubError:
            return 1
        return max(1, queue.concurrency_limit or 1)

    async def _row(self, item: _Planned, row: RowReport, slots: asyncio.Semaphore) -> None:
        assert item.checked is not None
        assert item.output is not None
        key, task_id, checked = item.key, row.task_id, item.checked
        if row.state == "pending":
            try:
                checked = await self._uploaded(item.checked)
            except RunningHubError as error:
                self._set(key, state="failed", error=f"upload: {error}")
                return
        delay = 1.0
        async with contextlib.AsyncExitStack() as stack:
            while task_id is None:
                await stack.enter_async_context(slots)
                async with self._submitting:  # one submit out at a time: a crash leaves at
                    task_id = await self._submit(key, checked)  # most one row unconfirmed
                if task_id is None and self._store.row(key).state != "pending":
                    return  # failed or unconfirmed
                if task_id is None:
                    await stack.aclose()
                    await asyncio.sleep(delay)
                    delay = min(MAX_BACKOFF, delay * 2)
            if row.state == "running":
                await stack.enter_async_context(slots)
            try:
                task = await self._rh.wait(task_id)
            except TaskFailedError as error:
                self._set(key, state="failed", status=error.status, error=str(error),
                                finished_at=time.time())  # fmt: skip
                return
            except RunningHubError as error:
                self._set(key, error=f"wait: {error}")  # still running: resumed later
                return
        self._set(key, status=task.status, cost=_cost(task), finished_at=time.time())
        try:
            await self._rh.finish(task, output=item.output, overwrite=True, wait=False)
        except RunningHubError as error:  # kept running: a resume downloads it again
            expired = getattr(error, "status_code", None) in (401, 403, 404, 410)
            state = "failed" if expired else "running"
            self._set(key, state=state, error=f"download: {error}")
            return
        self._set(key, state="done", error=None)

    async def _submit(self, key: str, checked: CheckedRequest) -> str | None:
        """The paid call, its intent committed first; the task id (committed before the
        submit returns), or None with the row pending (the key's limit) or ended."""
        self._set(key, state="submitting", error=None)

        def submitted(task: Any) -> None:
            if self.on_submitted is not None:  # first: a second place (the CLI's journal)
                self.on_submitted(key, task.id)
            try:
                self._set(key, state="running", task_id=task.id, status=task.status,
                          submitted_at=time.time())  # fmt: skip
            except StateError as error:
                raise StateError(
                    f"task {task.id} (row key {key}) is submitted and paid for, but {error}; "
                    "keep this id"
                ) from None

        try:
            task = await self._rh.submit_to(checked, on_submitted=submitted)
        except (RateLimitError, ServerError) as error:
            busy = isinstance(error, RateLimitError) or error.error_code == SYSTEM_BUSY
            if not busy or error.task_id or getattr(error, "task_may_exist", False):
                return self._ended(key, error)
            self._set(key, state="pending", error=f"waiting: {error}")  # never a failure
            return None
        except StateError:
            raise  # the state cannot be written: stop, the message names the paid task
        except RunningHubError as error:
            return self._ended(key, error)
        except BaseException as error:  # Ctrl-C, a cancel: what is known is kept
            task_id = getattr(error, "task_id", None)
            if task_id is None and not getattr(error, "task_may_exist", False):
                self._set(key, state="pending")  # provably not sent
            elif task_id is None:
                self._set(key, state="unconfirmed", error="interrupted during the submit")
            raise
        return str(task.id)

    def _ended(self, key: str, error: RunningHubError) -> str | None:
        if error.task_id:
            self._set(key, state="running", task_id=error.task_id)
            return error.task_id
        if getattr(error, "task_may_exist", False):
            self._set(key, state="unconfirmed", error=str(error))
        else:
            self._set(key, state="failed", error=str(error), finished_at=time.time())
        return None

    async def _uploaded(self, checked: CheckedRequest) -> CheckedRequest:
        """checked with every local image uploaded, once per content (the client keeps the
        URL; one upload of an image at a time, so rows sharing it wait for the first)."""
        urls: dict[Path, str] = {}
        for value in checked.images.values():
            for image in local_images(value):
                digest = hashlib.sha256(image.path.read_bytes()).hexdigest()
                same = self._upload_locks.setdefault(digest, asyncio.Lock())
                async with same, self._upload_slots:  # the client reuses an image's upload
                    urls[image.path] = await self._rh.upload(image.path)
        return _with_urls(checked, lambda image: urls[image.path])

    def report(self) -> BatchReport:
        """Every row's state now (the duplicates, never run, included), then any other row the
        state holds (of an earlier version of the rows, or another file run in this folder):
        a paid task is never left out of the report."""
        known = self._store.rows()
        rows = []
        for item in self._plan:
            row = known.pop(item.key, None) if not _duplicate(item) else None
            rows.append(row or RowReport(item.index, item.key, "duplicate" if item.problem else
                                         "pending", error=item.problem))  # fmt: skip
        return BatchReport(rows + sorted(known.values(), key=lambda row: row.index))


_NEW = RowReport(-1, "", "pending")


def _unsent(row: RowReport) -> bool:
    """A row no task was ever created for: pending, invalid, or failed before one was (its
    upload failed, or its submit was refused: the key, the request). Run again, it cannot pay
    twice; a row whose submit may have created a task is `unconfirmed`, never this."""
    return row.state in ("pending", "invalid") or (row.state == "failed" and not row.task_id)


def _first(errors: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first error a TaskGroup gathered (a StateError, or a bug) as itself."""
    first = errors.exceptions[0]
    return _first(first) if isinstance(first, BaseExceptionGroup) else first


def _duplicate(item: _Planned) -> bool:
    return (item.problem or "").startswith("duplicate of row")


def _columns(info: Any) -> tuple[dict[str, str], dict[str, Any]]:
    """The names a row's column may give a field by (Python, JSON, the face's: `image`, and
    the CLI option's: `aspect-ratio`), and the face's defaults (the seed's cheapest)."""
    from . import _endpoints
    from ._params import face

    names, defaults = face(info)
    columns: dict[str, str] = {}
    for field in _endpoints.load(info).fields:
        for alias in (field.json_name, names.get(field.name, field.name)):
            columns[alias] = columns[alias.replace("_", "-")] = field.name
    return columns, dict(defaults)


def _cannot_price(error: RunningHubError) -> bool:
    """Whether error means the API cannot price (no preview for the endpoint: HTTP 404, a
    ConfigurationError; a server, a connection or an answer that failed), not that it refuses
    the request."""
    failed = (APIConnectionError, ServerError, RateLimitError, UnexpectedResponseError,
              ConfigurationError)  # fmt: skip
    return isinstance(error, failed)


def _published_estimate(requests: list[CheckedRequest], error: str, base_url: str) -> Estimate:
    """The estimate of requests (one endpoint's: a batch has one) from the endpoint's published
    prices (the spec's x-published-price), for when the API could not price them (error);
    unknown unless every request has a listed price, or on another RunningHub site than the
    list's (its prices and currency are its own)."""
    total, currency = Decimal(0), None
    host = (urlsplit(base_url).hostname or "").lower()
    for checked in requests:
        listed = checked.endpoint.info.published_price
        field = next((f for f in checked.endpoint.fields
                      if listed and f.json_name == listed.field), None)  # fmt: skip
        value = checked.values.get(field.name, field.default) if field else None
        amount = listed.prices.get(str(value)) if listed else None
        other_site = listed is not None and _is_runninghub(host) and host != urlsplit(
            listed.site).hostname  # fmt: skip
        if listed is None or amount is None or other_site:
            why = ("its list is of another site" if other_site
                   else "the vendor publishes no price for them")  # fmt: skip
            return Estimate(None, None, len(requests),
                            f"the API could not price the rows ({error}), and {why}")  # fmt: skip
        total, currency = total + Decimal(amount), listed.currency
    note = (f"from the vendor's published prices, which may differ from what is charged: "
            f"the API could not price the rows ({error})")  # fmt: skip
    return Estimate(total, currency, len(requests), note, published=True)


def _is_runninghub(host: str) -> bool:
    """A host of one of the vendor's sites (runninghub.cn, runninghub.ai and their www)."""
    return host.rpartition(".")[0].rpartition(".")[2] == "runninghub"


def _with_urls(checked: CheckedRequest, url_of: Any) -> CheckedRequest:
    def swap(value: Any) -> Any:
        if isinstance(value, list):
            return [swap(item) for item in value]
        return url_of(value) if isinstance(value, LocalImage) else value

    return dataclasses.replace(checked, images={k: swap(v) for k, v in checked.images.items()})


def _cost(task: Any) -> str | None:
    usage = getattr(task, "usage", None)
    money = getattr(usage, "consume_money", None)
    return None if money is None else str(money)


STOPPED_MID_SUBMIT = "the run stopped during the submit"


def status(folder: str | Path = ".", *, state: str | Path | None = None) -> BatchReport:
    """A batch's rows as its state file holds them, read without taking the batch (it may be
    running); a row whose run died mid-submit shows as unconfirmed. Nothing is sent."""
    path = Path(state) if state else Path(folder) / STATE_FILE
    if not path.is_file():
        raise InvalidInputError("folder", str(folder), "a batch's folder (it has no state file)")
    running = _running(path)
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro",
                                                uri=True)) as db:  # fmt: skip
            rows = sorted(map(_row_of, db.execute(_SELECT)), key=lambda row: row.index)
    except sqlite3.Error as error:
        raise StateError(f"cannot read the batch state {path} ({error})") from None
    for row in rows:
        if row.state == "submitting" and not running:
            row.state, row.error = "unconfirmed", STOPPED_MID_SUBMIT
    return BatchReport(rows, running=running)


def resolve(
    folder: str | Path = ".",
    key: str = "",
    *,
    task_id: str | None = None,
    resubmit: bool = False,
    state: str | Path | None = None,
) -> RowReport:
    """Settle an unconfirmed row: `task_id` (the task you found in your RunningHub task list:
    the next run waits for it and downloads it, paying nothing) or `resubmit` (the next run
    prices it and sends it again). Takes the batch: BatchLockedError while a run holds it."""
    if (task_id is None) == (not resubmit):
        raise InvalidInputError("resolve", key, "either a task id or resubmit, not both")
    path = Path(state) if state else Path(folder) / STATE_FILE
    if not path.is_file():
        raise InvalidInputError("folder", str(folder), "a batch's folder (it has no state file)")
    store = _Store(path)
    try:
        try:
            row = store.row(key)
        except KeyError:
            raise InvalidInputError("key", key, "the key of one of the batch's rows") from None
        if row.state not in ("unconfirmed", "submitting"):
            raise InvalidInputError("key", key, f"an unconfirmed row (this one is {row.state})")
        if task_id is not None:
            return store.set(key, state="running", task_id=checks.check_task_id(task_id),
                             error=None)  # fmt: skip
        return store.set(key, state="pending", error=None)
    finally:
        store.close()


def _running(path: Path) -> bool:
    """Whether a process holds the batch's lock now."""
    try:
        lock = os.open(f"{path}.lock", os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(lock)
    return False


class Batch:
    """The batch for synchronous code: AsyncBatch with a client made from api_key, base_url,
    policy and journal (the environment's by default). Each call runs on its own event loop;
    inside `with Batch(...) as batch:` every call shares one, so the rows are planned once and
    the batch stays locked from the first call to the end of the block (no other process can
    take it between the estimate and the run)."""

    def __init__(
        self,
        rows: Iterable[Mapping[str, object]],
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        policy: Policy | None = None,
        allow_insecure_http: bool = False,
        journal: bool = False,
        **options: Any,
    ) -> None:
        self._rows = [dict(row) for row in rows]
        self._journal = journal
        self._api_key, self._base_url, self._policy = api_key, base_url, policy
        self._insecure = allow_insecure_http
        self._options = options
        self._runner: asyncio.Runner | None = None
        self._open: tuple[contextlib.AsyncExitStack, AsyncBatch] | None = None

    async def _enter(self) -> tuple[contextlib.AsyncExitStack, AsyncBatch]:
        """The client and the AsyncBatch, opened (the stack closes both)."""
        from ._async_client import AsyncRunningHub

        stack = contextlib.AsyncExitStack()
        try:
            rh = await stack.enter_async_context(AsyncRunningHub(
                self._api_key, base_url=self._base_url, policy=self._policy,
                allow_insecure_http=self._insecure, journal=self._journal,
            ))  # fmt: skip
            batch = AsyncBatch(rh, self._rows, **self._options)
            stack.callback(batch.close)
        except BaseException:
            await stack.aclose()
            raise
        return stack, batch

    async def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        stack, batch = self._open or await self._enter()
        try:
            found = getattr(batch, method)(*args, **kwargs)
            return await found if asyncio.iscoroutine(found) else found
        finally:
            if self._open is None:
                await stack.aclose()

    def _sync(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if self._runner is None:
            return asyncio.run(self._call(method, *args, **kwargs))
        return self._runner.run(self._call(method, *args, **kwargs))

    def __enter__(self) -> Batch:
        if self._runner is not None:
            raise RuntimeError("this Batch is already open in a with block")
        self._runner = asyncio.Runner()
        try:
            self._open = self._runner.run(self._enter())
        except BaseException:
            self._runner.close()
            self._runner = None
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        runner, opened = self._runner, self._open
        self._runner = self._open = None
        if runner is None:
            return
        try:
            if opened is not None:
                runner.run(opened[0].aclose())
        finally:
            runner.close()

    def validate(self) -> list[Problem]:
        return self._sync("validate")  # type: ignore[no-any-return]

    def estimate(self) -> Estimate:
        return self._sync("estimate")  # type: ignore[no-any-return]

    def run(self, *, skip_invalid: bool = False) -> BatchReport:
        return self._sync("run", skip_invalid=skip_invalid)  # type: ignore[no-any-return]

    def report(self) -> BatchReport:
        return self._sync("report")  # type: ignore[no-any-return]


__all__ = ["REPORT_FILE", "AsyncBatch", "Batch", "BatchLockedError", "BatchReport", "Estimate",
           "InvalidRowsError", "Problem", "RowReport", "StateError", "resolve", "row_key",
           "status"]  # fmt: skip
