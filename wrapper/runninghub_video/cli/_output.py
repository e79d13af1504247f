"""What the CLI shows: live progress on stderr for people, one JSON object on stdout for scripts.

Three modes: `rich` (stderr is a terminal: spinner with status and elapsed time, a byte progress
bar), `plain` (stderr is not a terminal: a short line per change) and `json` (nothing but
errors on stderr). rich is imported only in rich mode. Every line goes through `redact` (the API
key, Authorization values, URL userinfo; query strings too, except in the URLs a command
prints as its result) and `terminal_safe` (control characters escaped); server text and paths
are never read as Rich markup.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Literal, TextIO

from .._redaction import redact
from ._terminal import json_terminal_safe, terminal_safe

if TYPE_CHECKING:
    from pathlib import Path

    from .._task import Task

Mode = Literal["rich", "plain", "json"]


def usage_json(task: Task | None) -> dict[str, Any] | None:
    """The task's usage (cost, time) as the library's Usage.to_dict() gives it, or None:
    money and coins as decimal strings (exact), task_cost_time in seconds as a number, a value
    that is not a finite number as null, and no key the library does not know."""
    if task is None or task.usage is None:
        return None
    return task.usage.to_dict()


def error_json(error: BaseException, message: str | None = None) -> dict[str, Any]:
    """{type, message, code} of an error; code is the vendor's errorCode when there is one."""
    code = getattr(error, "error_code", None)
    message = message or str(error) or type(error).__name__
    return {
        "type": type(error).__name__,
        "message": redact(message),
        "code": code if isinstance(code, str) else None,
    }


def result_json(
    *,
    task_id: str | None,
    task: Task | None = None,
    output: str | None = None,
    error: BaseException | None = None,
    message: str | None = None,
    status: str | None = None,
    resume: str | None = None,
) -> dict[str, Any]:
    """The one JSON object a command prints with --json, in success and in failure."""
    if status is None and task is not None:
        status = task.status
    results = [
        {"url": result.url, "output_type": result.output_type}
        for result in (task.results if task is not None else ())
    ]
    return {
        "task_id": task_id,
        "status": status,
        "results": results,
        "output": output,
        "error": None if error is None else error_json(error, message),
        "usage": usage_json(task),
        "resume": redact(resume) if resume else None,
    }


def print_json(data: dict[str, Any], stream: TextIO | None = None) -> None:
    """One JSON object, one line, on stdout: always valid, strict JSON. Each string is redacted
    before encoding (redacting the encoded text could eat the backslash of an escaped quote),
    and a number that is not finite is written as null (strict JSON has no NaN)."""
    out = stream or sys.stdout
    text = json.dumps(_redacted(data), ensure_ascii=False, allow_nan=False)
    out.write(json_terminal_safe(text) + "\n")
    out.flush()


def _redacted(value: Any) -> Any:
    """`value` with every string (keys too) redacted, query strings kept (result URLs need
    them), and non-finite floats as None."""
    if isinstance(value, str):
        return redact(value, keep_query=True)
    if isinstance(value, dict):
        return {_redacted(key): _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def print_result(task: Task, output: str | None, *, json_output: bool) -> None:
    """A finished command's result on stdout: the JSON object, the video's path, or its URL."""
    if json_output:
        print_json(result_json(task_id=task.id, task=task, output=output))
    else:
        print_line(output if output is not None else task.video_url or task.status)


def write_whole(path: Path, text: str, *, replace: bool) -> None:
    """path written whole through a temporary file beside it, never through a link planted
    there: it replaces an existing file if `replace`, else FileExistsError leaves it as it is."""
    import tempfile

    fd, part = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(part, 0o644)  # mkstemp's 0600 would survive; these hold nothing secret
        if replace:
            os.replace(part, path)
        else:
            os.link(part, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(part)


def print_line(text: str, stream: TextIO | None = None) -> None:
    """A line of normal output on stdout (a result URL keeps its query string: the user
    asked for it, and a signed link needs it)."""
    out = stream or sys.stdout
    out.write(terminal_safe(redact(text, keep_query=True)) + "\n")
    out.flush()


def _seconds(elapsed: float) -> str:
    """Elapsed time as people read it: 7 s, 2 min 05 s."""
    whole = int(elapsed)
    return f"{whole} s" if whole < 60 else f"{whole // 60} min {whole % 60:02d} s"


def _size(count: int) -> str:
    """A byte count in decimal units, as rich's progress bar shows it."""
    if count < 1000:
        return f"{count} bytes"
    if count < 1000_000:
        return f"{count / 1000:.1f} kB"
    return f"{count / 1000_000:.1f} MB"


class Display:
    """Progress and messages on stderr, in one of the three modes."""

    def __init__(self, mode: Mode, stream: TextIO | None = None) -> None:
        self.mode = mode
        self.stream: TextIO | None = stream or sys.stderr  # None when stderr is closed (2>&-)
        self._console: Any = None

    @classmethod
    def choose(cls, *, json_output: bool, stream: TextIO | None = None) -> Display:
        """json with --json, rich on a terminal, else plain."""
        err = stream or sys.stderr
        if json_output:
            return cls("json", err)
        is_tty = getattr(err, "isatty", None)
        return cls("rich" if is_tty is not None and is_tty() else "plain", err)

    # ------------------------------------------------------------ lines

    def _write(self, text: str) -> None:
        self._emit(terminal_safe(redact(text)) + "\n")

    def _emit(self, text: str) -> None:
        """Write to stderr; a stderr that cannot be written (closed, a full disk, a reader
        that went away) is ignored: progress and messages must never stop the command,
        least of all before a submitted task is journaled (promise 1)."""
        if self.stream is None:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # ValueError: write to a closed file
            pass

    def error(self, message: str) -> None:
        """The one `error: ...` line, in every mode."""
        self._write(f"error: {message}")

    def warning(self, message: str) -> None:
        """A `warning: ...` line, in every mode (something the user must know)."""
        self._write(f"warning: {message}")

    def hint(self, message: str) -> None:
        """Advice shown in every mode (how to resume, what may exist)."""
        self._write(message)

    def note(self, message: str) -> None:
        """Progress information; not shown with --json."""
        if self.mode != "json":
            self._write(message)

    def raw(self, text: str) -> None:
        """Text as is (tracebacks with --verbose), still redacted."""
        self._emit(terminal_safe(redact(text), keep_newlines=True))

    # ------------------------------------------------------------ live progress

    def _rich_console(self) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(file=self.stream, highlight=False)
        return self._console

    @contextlib.contextmanager
    def polling(self, task_id: str, known: str | None = None) -> Iterator[Callable[[Task], None]]:
        """While waiting: yields on_update(task); shows status and elapsed time. `known` is
        the status already shown (not repeated)."""
        start = time.monotonic()
        last: list[str] = [known] if known else []

        def elapsed() -> str:
            return _seconds(time.monotonic() - start)

        if self.mode != "rich":

            def update_plain(task: Task) -> None:
                if not last or last[-1] != task.status:
                    last.append(task.status)
                    self.note(f"task {task_id}: {task.status} ({elapsed()})")

            yield update_plain
            return

        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        progress = Progress(
            SpinnerColumn(),
            TextColumn("task {task.fields[task_id]}: [bold]{task.fields[status]}[/]"),
            TimeElapsedColumn(),
            console=self._rich_console(),
            transient=True,
        )
        from rich.markup import escape

        def shown(text: str) -> str:
            return escape(terminal_safe(redact(text)))

        row = progress.add_task(
            "wait", task_id=shown(task_id), status=shown(known or "waiting"), total=None
        )

        def update_rich(task: Task) -> None:
            if not last or last[-1] != task.status:
                last.append(task.status)
            progress.update(row, status=shown(task.status))

        with progress:
            yield update_rich
        if last:
            self.note(f"task {task_id}: {last[-1]} after {elapsed()}")

    @contextlib.contextmanager
    def downloading(self, task_id: str, target: str) -> Iterator[Callable[[int, int | None], None]]:
        """While downloading: yields on_progress(received, total); a byte progress bar."""
        received: list[int] = [0]
        if self.mode != "rich":

            def count(done: int, total: int | None) -> None:
                received[0] = done

            self.note(f"task {task_id}: downloading to {target}")
            yield count
            self.note(f"saved {target} ({_size(received[0])})")
            return

        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        progress = Progress(
            TextColumn("downloading [bold]{task.fields[target]}[/]"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=self._rich_console(),
            transient=True,
        )
        from rich.markup import escape

        row = progress.add_task(
            "download", target=escape(terminal_safe(redact(target))), total=None
        )

        def advance(done: int, total: int | None) -> None:
            received[0] = done
            progress.update(row, completed=done, total=total)

        with progress:
            yield advance
        self.note(f"saved {target} ({_size(received[0])})")
