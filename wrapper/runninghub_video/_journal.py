"""The local task journal: every submitted task id is appended to a JSON-lines file at once, so
nothing paid for is lost when a command fails, times out or is interrupted after the submit.

One line per event (submitted, status, downloaded, interrupted, unconfirmed); `read()` folds the
lines per task id, newest task first, streaming the file and skipping (with a warning) a line
that is too long or not JSON. Any text is stored losslessly: a path that is not UTF-8 (held as
a surrogate escape) is written as that surrogate's JSON escape, which reads back as the same
path. The file lives in platformdirs' user data folder (`RUNNINGHUB_VIDEO_HOME` overrides
it). Every value is redacted before it is written (no API key, Authorization value, URL
userinfo or query string); the file is always mode 0600, a folder we create is 0700 (and the
default folder is tightened to 0700).
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ENV_HOME = "RUNNINGHUB_VIDEO_HOME"
FILE_NAME = "tasks.jsonl"
APP_NAME = "runninghub-video"
PROMPT_CHARS = 200
"""Prompts are cut to this many characters in the journal."""
MIN_FREE_BYTES = 64 << 10
"""ensure_writable() wants this much free space: a full disk is found before a paid submit."""
MAX_LINE_BYTES = 1 << 20
"""A journal line is a few hundred bytes; a longer one is foreign and skipped unread."""
LOCK_WAIT = 2.0
"""The longest an append waits for another process's (seconds); then it appends unlocked."""

logger = logging.getLogger("runninghub_video")


def journal_dir() -> Path:
    """The journal's folder: $RUNNINGHUB_VIDEO_HOME, else the user data folder."""
    home = os.environ.get(ENV_HOME, "").strip()
    if home:
        return Path(home).expanduser()
    import platformdirs  # imported here: only commands that journal pay for it

    return Path(platformdirs.user_data_dir(APP_NAME))


def truncate(text: str, limit: int = PROMPT_CHARS) -> str:
    """`text` cut to `limit` characters, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class TaskRecord:
    """Everything the journal knows about one task, folded from its lines."""

    task_id: str | None
    time: str
    """When the task was first journaled (its submit, for tasks submitted here)."""
    updated: str
    base_url: str | None = None
    endpoint: str | None = None
    """The API path the task was submitted to (absent in journals written before 0.2)."""
    prompt: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    output: str | None = None
    status: str | None = None
    error: str | None = None
    event: str = ""
    """The last event seen (submitted, status, downloaded, interrupted, unconfirmed; or
    submitting: a submit about to be sent that never got an answer, so a task may exist)."""
    request: str | None = None
    """The digest of the command's work (site, endpoint, fields, output): an identical command
    finds its unfinished task by it instead of paying again."""

    def as_json(self) -> dict[str, Any]:
        """A plain dict for `tasks --json`."""
        return {
            "task_id": self.task_id,
            "time": self.time,
            "updated": self.updated,
            "base_url": self.base_url,
            "endpoint": self.endpoint,
            "prompt": self.prompt,
            "params": self.params,
            "output": self.output,
            "status": self.status,
            "error": self.error,
            "last_event": self.event,
            "request": self.request,
        }


class Journal:
    """Appends events to `<folder>/tasks.jsonl` and reads them back folded per task."""

    def __init__(self, folder: Path | None = None) -> None:
        self.default_folder = folder is None and not os.environ.get(ENV_HOME, "").strip()
        self.folder = folder if folder is not None else journal_dir()
        self.path = self.folder / FILE_NAME

    def _make_folder(self) -> None:
        """Create the folder 0700; tighten the default folder if it is looser."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.default_folder and stat.S_IMODE(self.folder.stat().st_mode) & 0o077:
            self.folder.chmod(0o700)

    def _open(self) -> int:
        """The journal open for appending (and reading its last byte), always mode 0600; OSError
        for anything but a regular file (a FIFO would block every later read)."""
        self._make_folder()
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(self.path, flags, 0o600)
        try:
            _check_regular(fd, self.path)
            os.set_blocking(fd, True)
            if stat.S_IMODE(os.fstat(fd).st_mode) != 0o600:
                os.fchmod(fd, 0o600)
        except OSError:
            os.close(fd)
            raise
        return fd

    def ensure_writable(self) -> None:
        """Before anything is paid for: the folder and file exist and the disk has room;
        OSError if not (an empty file can be created on a full disk, so space is checked)."""
        os.close(self._open())
        free = os.statvfs(self.folder)
        if free.f_bavail * free.f_frsize < MIN_FREE_BYTES:
            raise OSError(errno.ENOSPC, "no space left for the journal", str(self.folder))

    def append(self, event: str, task_id: str | None, **fields: Any) -> None:
        """Append one event line (one write, flushed to disk); None-valued fields are left out.

        Every string is redacted. A line left torn by an earlier failed write (a full disk)
        is ended first, so it never swallows this one.
        """
        from ._redaction import redact

        line: dict[str, Any] = {"time": now(), "event": event, "task_id": task_id}
        if isinstance(fields.get("prompt"), str):
            fields["prompt"] = truncate(fields["prompt"])
        line.update({key: value for key, value in fields.items() if value is not None})
        line = _redacted(line, redact)
        data = json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"
        # Only a lone surrogate (a non-UTF-8 path's byte) cannot be encoded; it appears only
        # inside a JSON string, where "\udcXX" is its escape: json.loads gives it back as is.
        encoded = data.encode("utf-8", "backslashreplace")
        fd = self._open()
        try:
            _lock_briefly(fd)
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                encoded = b"\n" + encoded
            written = os.write(fd, encoded)
            if written != len(encoded):
                raise OSError(errno.ENOSPC, "the journal line was cut short", str(self.path))
            os.fsync(fd)
        finally:
            os.close(fd)

    def submitted(
        self,
        task_id: str,
        *,
        base_url: str,
        prompt: str | None,
        params: Mapping[str, Any],
        output: str | None,
        status: str,
        endpoint: str | None = None,
        request: str | None = None,
    ) -> None:
        """Record a task the moment its submit answered (endpoint: the API path it went to;
        request: the digest of the work, see TaskRecord.request)."""
        self.append(
            "submitted",
            task_id,
            base_url=base_url,
            endpoint=endpoint,
            prompt=prompt,
            params=dict(params),
            output=output,
            status=status,
            request=request,
        )

    def lines(self) -> Iterator[dict[str, Any]]:
        """Every well-formed line, oldest first, read as a stream; a torn line is skipped, and
        a foreign one (too long, too deep, not a JSON object) with a warning. OSError for a
        journal that is not a regular file."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        except FileNotFoundError:
            return
        with open(fd, "rb") as file:
            _check_regular(fd, self.path)
            os.set_blocking(fd, True)
            for number, raw in enumerate(_bounded_lines(file), start=1):
                line = _parsed(raw)
                if line is None and raw.strip():
                    logger.warning("skipped line %d of the task journal %s", number, self.path)
                elif line is not None:
                    yield line

    def read(self) -> list[TaskRecord]:
        """The tasks, folded per task id (later lines update earlier ones), newest first."""
        records: dict[str, TaskRecord] = {}
        for number, line in enumerate(self.lines()):
            task_id = line.get("task_id")
            request = line.get("request")
            if isinstance(request, str) and line.get("event") in ("submitted", "unsent"):
                records.pop(f"intent:{request}", None)  # the intent got its answer
                if line.get("event") == "unsent":
                    continue
            key = (
                task_id if isinstance(task_id, str) and task_id
                else f"intent:{request}" if line.get("event") == "submitting"
                else f"#{number}"
            )  # fmt: skip
            record = records.get(key)
            if record is None:
                record = TaskRecord(
                    task_id=task_id if isinstance(task_id, str) else None,
                    time=line["time"],
                    updated=line["time"],
                )
                records[key] = record
            _fold(record, line)
        ordered = sorted(enumerate(records.values()), key=lambda item: (item[1].time, item[0]))
        return [record for _, record in reversed(ordered)]

    def find(self, task_id: str) -> TaskRecord | None:
        """The folded record of one task, if the journal knows it."""
        return next((r for r in self.read() if r.task_id == task_id), None)


def _lock_briefly(fd: int) -> bool:
    """Lock the journal for one append, waiting at most LOCK_WAIT seconds; False (append
    unlocked) past that or where the file system has no locks (NFS without lockd). Unlocked,
    another process's append between the torn-line check and the write could leave a blank
    line; a lock held by a stopped process must never keep a paid task's id from the file."""
    deadline, pause = time.monotonic() + LOCK_WAIT, 0.005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                logger.debug(
                    "the task journal stayed locked for %s s: appending unlocked", LOCK_WAIT
                )
                return False
            time.sleep(pause)
            pause = min(pause * 2, 0.1)
        except OSError:
            return False


def _check_regular(fd: int, path: Path) -> None:
    """OSError unless `fd` is a regular file (a FIFO, a device or a socket is refused)."""
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        raise OSError(errno.EINVAL, "the task journal is not a regular file", str(path))


def _bounded_lines(file: Any) -> Iterator[bytes]:
    """The file's lines; one longer than MAX_LINE_BYTES comes out empty, never held whole."""
    while True:
        raw = file.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while (rest := file.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass  # the rest of the long line, dropped chunk by chunk
            raw = b"\x00"  # not JSON: skipped with a warning
        yield raw


def _parsed(raw: bytes) -> dict[str, Any] | None:
    """One journal line as a dict, or None (not JSON, too deeply nested, no time)."""
    try:
        line = json.loads(raw.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return None
    if isinstance(line, dict) and isinstance(line.get("time"), str):
        return line
    return None


def _redacted(value: Any, redact: Callable[[str], str]) -> Any:
    """`value` with every string in it redacted (before JSON encoding, so escapes stay valid)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _redacted(item, redact) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item, redact) for item in value]
    return value


def _fold(record: TaskRecord, line: Mapping[str, Any]) -> None:
    """Update `record` with the fields one line carries."""
    record.updated = line["time"]
    record.event = str(line.get("event", ""))
    for name in ("base_url", "endpoint", "prompt", "output", "status", "error", "request"):
        value = line.get(name)
        if isinstance(value, str):
            setattr(record, name, value)
    params = line.get("params")
    if isinstance(params, dict):
        record.params.update(params)
