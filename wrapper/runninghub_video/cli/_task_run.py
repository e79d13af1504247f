"""A command's task, from the submit to the download: the journal writes, the wait and the
download steps, and the advice that resumes the task after a failure.

Nothing paid is lost: a submitted task is tracked (so that an interrupt journals it on the
way out) before its id is shown, it is journaled (written and fsynced) before its id goes to
stderr (a stalled stderr cannot hold the id back from the journal), and both come before
anything else (waiting, downloading). A journal that cannot be written, for any reason, is a
warning naming the task, never a stop. The advice depends on the stage the run reached
(waiting, downloading), which only this module sets and reads.
"""

from __future__ import annotations

import argparse
import contextlib
import enum
import os
import shlex
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ._destination import target
from ._errors import PROG, CliError
from ._exit_codes import AUTH, DEADLINE, ERROR, TASK_FAILED, USAGE, interrupted
from ._options import Options
from ._output import Display

if TYPE_CHECKING:
    from .._journal import Journal, TaskRecord
    from .._task import Task, Video


class Stage(enum.Enum):
    """How far the run got; the resume advice depends on it."""

    START = "start"
    """Checking, uploading, submitting, or a one-off query."""
    WAIT = "wait"
    DOWNLOAD = "download"


class TaskRun:
    """One command's task: what the error handler needs (the id once a task exists, the
    last status seen, the stage, the command that resumes it), the journal, and the library's
    callbacks (on_submitted, on_update, on_progress) that write both and the live display."""

    def __init__(self, args: argparse.Namespace, display: Display) -> None:
        self.options = Options.of(args)
        self.display = display
        self.task_id: str | None = None
        self.task: Task | None = None
        """The task as last seen (its status goes into errors and JSON)."""
        self.output: str | None = None
        """Where the video goes, as the user wrote it (for the resume commands)."""
        self._stage = Stage.START
        self._resume: str | None = None
        self._journal_in_use = False
        self._unjournaled: Callable[[], None] | None = None
        self._journal: Journal | None = None
        self.endpoint: str | None = None
        """The API path the command submits to (journaled with its task)."""
        self.request: str | None = None
        """The digest of the command's work (journaled with its task, see unfinished())."""
        self.downloads = False
        """Whether a download follows the wait (a succeeded task is then at that stage)."""
        self.first: dict[str, Any] | None = None
        """The fields of a "waiting" event (`wait`), journaled once the API has confirmed
        the task exists."""
        self.journal_updates = True
        """Whether status changes are journaled (not by `download`)."""
        self._seen: list[str] = []
        self._shows = contextlib.ExitStack()
        self._show_update: Callable[[Task], None] | None = None
        self._show_progress: Callable[[int, int | None], None] | None = None

    # ------------------------------------------------------------ the journal

    @property
    def prompt(self) -> str | None:
        """The --prompt journaled with the task (an endpoint may have none)."""
        return self.options.prompt

    @property
    def journal(self) -> Journal:
        """The task journal (opened on first use)."""
        if self._journal is None:
            from .._journal import Journal

            self._journal = Journal()
        return self._journal

    def ensure_journal_writable(self) -> None:
        """Before anything is paid for: the journal must take the task (CliError, exit 1)."""
        try:
            self.journal.ensure_writable()
        except OSError as exc:
            raise CliError(f"cannot write the task journal {self.journal.path}: {exc}") from exc

    def event(self, event: str, task_id: str | None, **fields: Any) -> None:
        """Append to the journal; one that cannot be written is a warning, not a stop."""
        try:
            self.journal.append(event, task_id, **fields)
            self._journal_in_use = True
        except Exception as exc:  # a full disk, a FIFO, anything: the task must not be lost
            self.display.warning(f"could not write the task journal {self.journal.path}: {exc}")

    def journal_pending(self) -> None:
        """Journal the submitted task if that has not happened yet (at most once; an
        interrupt path runs it: SIGTERM right after the submit answered must not lose it)."""
        from ._signals import deferred

        with deferred():
            pending, self._unjournaled = self._unjournaled, None
            if pending is not None:
                pending()

    def submitted(
        self,
        task: Task,
        *,
        base_url: str,
        params: dict[str, Any],
        output: str | None,
        will_download: bool,
    ) -> None:
        """The library's on_submitted: the task is paid for, and known before the submit
        returns, so an interrupt from here on finds it (errors name it, the interrupt path
        journals it). It is journaled, then its id is shown on stderr (a display that cannot
        write, a closed or full stderr, stops neither)."""
        self.task = task
        self.task_id = task.id
        wants_file = bool(output) or will_download
        self._unjournaled = lambda: self._journal_submitted(
            task, base_url, params, output, wants_file
        )
        self.track(task.id, target(task.id, output)[0] if wants_file else None)
        self._seen = [task.status]
        self.journal_pending()
        self.display.hint(f"task {task.id} submitted ({task.status})")

    def _journal_submitted(
        self,
        task: Task,
        base_url: str,
        params: dict[str, Any],
        output: str | None,
        wants_file: bool,
    ) -> None:
        """Journal a submitted task (with the absolute path of its video, if one is wanted);
        a failed write (a full disk) is a warning naming the task."""
        try:
            file = os.path.abspath(target(task.id, output)[1]) if wants_file else None
            self.journal.submitted(
                task.id, base_url=base_url, prompt=self.prompt, params=params,
                output=file, status=task.status, endpoint=self.endpoint, request=self.request,
            )  # fmt: skip
            self._journal_in_use = True
        except Exception as exc:  # a full disk, an unencodable path, anything: name the task
            self.display.warning(
                f"task {task.id} exists and is paid for, but the task journal "
                f"{self.journal.path} could not be written ({exc}): keep this id; resume with: "
                f"{self.command('wait', task.id, self.output)}"
            )

    def failed_submit(
        self, error: BaseException, base_url: str | None, params: dict[str, Any]
    ) -> None:
        """A submit that failed: journal the task if one exists or may exist, and say so."""
        task_id = getattr(error, "task_id", None)
        fields: dict[str, Any] = {
            "base_url": base_url, "endpoint": self.endpoint, "request": self.request
        }  # fmt: skip
        fields["prompt"] = self.prompt
        fields["params"] = params
        why = interruption(error) if isinstance(error, KeyboardInterrupt) else str(error)
        if self.task is not None and task_id in (None, self.task_id):
            self.journal_pending()  # submitted() ran: the task is known, journaled as such
            return
        if task_id:  # a submit answered FAILED at once, or was interrupted once it answered
            self.track(task_id, None)
            status = getattr(error, "status", None)
            self.event("submitted", task_id, status=status, error=why, **fields)
            return
        if getattr(error, "task_may_exist", False):  # set on a Ctrl-C while the submit was out
            self.event("unconfirmed", None, status="UNKNOWN", error=why, **fields)
            self.display.warning(
                "the submit may have reached RunningHub although no task id came back, so a "
                "paid task may exist: check your RunningHub task list before submitting again"
            )
        elif self.request is not None:  # provably not sent: the intent is closed
            self.event("unsent", None, request=self.request)

    def submitting(self, base_url: str, params: dict[str, Any]) -> None:
        """Journal the intent before the paid request goes out: a run killed (SIGKILL) while
        it is out leaves it, and the same command then stops instead of paying again."""
        self.event("submitting", None, status="UNKNOWN", base_url=base_url,
                   endpoint=self.endpoint, prompt=self.prompt, params=params,
                   request=self.request)  # fmt: skip

    def unfinished(self, request: str, downloads: bool) -> TaskRecord | None:
        """The newest journaled task of an identical command (same request digest) if it is
        unfinished: not final yet, a SUCCESS whose video this run would download and that was
        never downloaded, or a submit left unconfirmed (no id: a paid task may exist). An
        unreadable journal finds nothing (and the submit goes ahead, journaled as ever)."""
        from .._endpoints import statuses

        try:
            records = self.journal.read()
        except OSError:
            return None
        record = next((r for r in records if r.request == request), None)
        if record is None:
            return None
        if record.event in ("unconfirmed", "submitting") and record.task_id is None:
            return record
        if record.status not in statuses()[1]:
            return record
        if downloads and record.status == "SUCCESS" and record.event != "downloaded":
            return record
        return None

    def inputs(self, task_id: str) -> tuple[str, ...]:
        """The local files the journal kept with the task's fields (its input images): never
        a destination of its video. An unreadable journal protects nothing and stops nothing."""
        try:
            record = self.journal.find(task_id)
        except OSError:
            return ()
        values = record.params.values() if record is not None else ()
        items = [i for value in values for i in (value if isinstance(value, list) else [value])]
        return tuple(
            item
            for item in items
            if isinstance(item, str) and os.path.isabs(item) and "\0" not in item
        )

    def status_seen(self, task: Task) -> None:
        """A one-off query answered: update a task the journal knows; add no stranger."""
        self.task = task
        if self.journal.find(task.id) is not None:
            self.event("status", task.id, status=task.status)

    # ------------------------------------------------------------ tracking

    def about(self, task_id: str) -> None:
        """From now on errors name this task (a query: there is nothing to resume)."""
        self.task_id = task_id

    def track(self, task_id: str, output: str | None) -> None:
        """From now on a task exists: errors name it and say how to resume."""
        self.task_id = task_id
        self.output = output
        self._resume = self.command("wait", task_id, output)

    def command(self, name: str, task_id: str, output: str | None) -> str:
        """A command line that picks the task up again (never with the API key)."""
        parts = [PROG]
        if self.options.base_url:
            parts += ["--base-url", self.options.base_url]
        if self.options.allow_insecure_http:  # else the resume is refused
            parts.append("--allow-insecure-http")
        options: list[str] = []
        if output:  # `--output=`: an output like "-h.mp4" is not read as an option
            options.append(f"--output={output}" if output.startswith("-") else "--output")
            options += [] if output.startswith("-") else [output]
            if self.options.overwrite:  # the user's choice holds on resume
                options.append("--overwrite")
        if task_id.startswith("-"):  # an id like "-h" after `--`, not read as an option
            parts += [name, *options, "--", task_id]
        else:
            parts += [name, task_id, *options]
        return " ".join(shell_quoted(part) for part in parts)

    # ------------------------------------------------------------ the library's callbacks

    @contextlib.contextmanager
    def following(self) -> Iterator[None]:
        """Around the library call: the live displays its callbacks open end with it."""
        with self._shows:
            yield

    def waits(self, first: dict[str, Any] | None) -> None:
        """`wait`: from now on the task is being waited for (resume advice), and `first` is
        journaled with its first status."""
        self._stage = Stage.WAIT
        self.first = first

    def on_update(self, task: Task) -> None:
        """After every query: show the status, journal each change; a succeeded task is at
        its download from now on (if one follows)."""
        self.task = task
        self._stage = Stage.WAIT
        if self._show_update is None:
            known = self._seen[-1] if self._seen else None
            self._show_update = self._shows.enter_context(self.display.polling(task.id, known))
        self._show_update(task)
        if self.journal_updates and (not self._seen or self._seen[-1] != task.status):
            if self.first is not None and not self._seen:
                self.event("waiting", task.id, status=task.status, **self.first)
            else:
                self.event("status", task.id, status=task.status)
        self._seen.append(task.status)
        if task.succeeded and self.downloads:
            self._stage = Stage.DOWNLOAD
            self.output = target(task.id, self.options.output)[0]

    def on_progress(self, received: int, total: int | None) -> None:
        """While downloading: the byte bar (the wait's display ends as it starts)."""
        if self._show_progress is None:
            task_id = self.task.id if self.task is not None else self.task_id or ""
            self._shows.close()
            shows = self.display.downloading(task_id, self.output or "")
            self._show_progress = self._shows.enter_context(shows)
        self._show_progress(received, total)

    def downloaded(self, video: Video) -> str:
        """Journal where the video went; return its path as the user gave it."""
        self.task = video.task
        path = os.path.abspath(video.path)
        self.event("downloaded", video.task.id, status=video.task.status, output=path)
        return self.output or str(video.path)

    # ------------------------------------------------------------ after a failure

    def failed(self, error: BaseException, code: int, message: str) -> str | None:
        """After `error` (exit `code`): print how to resume the task, journal the failure;
        return the resume command, if any."""
        task_id = self.task_id or getattr(error, "task_id", None)
        if not task_id:
            return None
        resume = self._advise(task_id, code)
        if self._journal_in_use:
            event = "interrupted" if interrupted(code) else "error"
            self.event(event, task_id, status=self.error_status(error), error=message)
        return resume

    def verdict(self, error: BaseException, code: int) -> int:
        """The exit code once a task exists (submitted, or being waited on): never "nothing was
        paid" (2, e.g. a 404 mid-wait), and never "the task failed" (4) for a refused query;
        both become 1, with the resume advice. "Task not found" (1004) is the API's word on
        the task and stays 4. Before a task exists, the table's code stands."""
        from .._errors import InvalidInputError, TaskFailedError, TaskNotFoundError

        if self._resume is None and self._stage is Stage.START:
            return code
        if isinstance(error, InvalidInputError) and self.task is None:
            return code  # refused before the first answer: nothing was paid or fetched
        if code == USAGE.code or (
            code == TASK_FAILED.code and not isinstance(error, (TaskFailedError, TaskNotFoundError))
        ):
            return ERROR.code
        return code

    def _advise(self, task_id: str, code: int) -> str | None:
        """Print how to pick the task up again, if that helps; return that command."""
        task = self.task
        if self._stage is Stage.DOWNLOAD and task is not None and task.succeeded:
            if code == ERROR.code or interrupted(code):
                resume = self.command("download", task_id, self.output)
                self.display.hint(f"task {task_id} succeeded; download it again with: {resume}")
                return resume
            return None
        not_final = task is None or not task.is_final
        stopped = code in (ERROR.code, AUTH.code) and not_final and self._stage is not Stage.START
        if code == DEADLINE.code or interrupted(code) or stopped:
            resume = self._resume or self.command("wait", task_id, None)
            self.display.hint(f"task {task_id} goes on; resume it with: {resume}")
            return resume
        return None

    def error_status(self, error: BaseException) -> str | None:
        """The task status to report with an error."""
        from .._errors import TaskFailedError, WaitTimeoutError

        if isinstance(error, WaitTimeoutError) and error.last_status:
            return error.last_status
        if isinstance(error, TaskFailedError):
            return error.status
        return self.task.status if self.task is not None else None


def interruption(error: BaseException) -> str:
    """How an interrupt is reported: `interrupted` (Ctrl-C) or `interrupted (SIGTERM)`."""
    from ._signals import Terminated, signal_name

    return f"interrupted ({signal_name(error)})" if isinstance(error, Terminated) else "interrupted"


def shell_quoted(part: str) -> str:
    """part for a POSIX shell, on one line: a control character (a newline in a file name) is
    written as a bash $'...' escape, and a byte of a non-UTF-8 name (a surrogate escape) as
    that byte, so a printed command stays one line that runs as it reads."""
    if part.isprintable():
        return shlex.quote(part)
    return "$'" + "".join(_escaped(ch) for ch in part) + "'"


def _escaped(ch: str) -> str:
    code = ord(ch)
    if ch.isprintable() and ch not in "\\'":
        return ch
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's escape of one undecodable byte
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
