"""Writing a result file safely: a temporary file beside the destination, renamed into place
only once every byte announced by Content-Length has arrived. Shared by both clients, which
only feed it chunks; nothing partial is ever left under the final name.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import stat
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from ._errors import DownloadError
from ._output_paths import check_target, check_writable, part_path, prepare_folder, resolve_target
from ._redaction import safe_url
from ._responses import task_failed
from ._task import Task

logger = logging.getLogger("runninghub_video")

ProgressCallback = Callable[[int, "int | None"], None]
"""on_progress(bytes_received, total_bytes_or_None): once with 0 as the download starts (the
file is open, the total known), then after each chunk."""


def expected_length(headers: Mapping[str, str]) -> int | None:
    """Content-Length as an int, when the server sent a usable one (not for compressed bodies)."""
    if headers.get("content-encoding", "identity") not in ("identity", ""):
        return None
    value = headers.get("content-length")
    return int(value) if value is not None and value.isdigit() else None


def status_error(status_code: int, url: str, task_id: str | None) -> DownloadError:
    """The error for a result URL that answered something other than 200."""
    hint = (
        " (result links expire after about 24 hours; query the task again for a fresh one)"
        if status_code in (401, 403, 404, 410)
        else ""
    )
    return DownloadError(
        f"download of {safe_url(url)} answered HTTP {status_code}{hint}",
        task_id=task_id,
        status_code=status_code,
    )


def too_large(url: str, task_id: str | None, limit: int) -> DownloadError:
    """The error for a result larger than the download cap (Policy.max_download_bytes)."""
    return DownloadError(
        f"download of {safe_url(url)} stopped: larger than {limit} bytes once decoded "
        "(Policy.max_download_bytes)",
        task_id=task_id,
    )


def content_error(headers: Mapping[str, str], url: str, task_id: str | None) -> None:
    """DownloadError for a 200 answer that is text (an HTML "Access denied" page from a CDN
    or proxy): never saved as the video."""
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type.startswith("text/"):
        raise DownloadError(
            f"download of {safe_url(url)} answered {content_type}, not a video "
            "(result links expire after about 24 hours; query the task again for a fresh one)",
            task_id=task_id,
        )


def result_url(task: Task) -> str:
    """The video URL of a finished task; a clear error for any other task."""
    if task.is_final and not task.succeeded:
        raise task_failed(task)
    url = task.video_url
    if not task.succeeded or url is None:
        raise DownloadError(
            f"task {task.id} has no result yet (status {task.status}); wait for it first",
            task_id=task.id,
        )
    return url


def download_target(
    task: Task | str,
    destination: str | Path | None,
    *,
    overwrite: bool,
    protected: Iterable[str | Path] = (),
    protected_folders: Iterable[str | Path] = (),
) -> Path:
    """Where the file goes (output_paths' rules), checked before the request; `protected`
    and `protected_folders` as in check_target (the CLI's input image and journal folder)."""
    prepare_folder(destination)
    target = resolve_target(task if isinstance(task, str) else task.id, destination)
    check_target(
        target, overwrite=overwrite, protected=protected, protected_folders=protected_folders
    )
    return target


def check_destination(
    task_id: str | None,
    output: str | Path | None,
    *,
    overwrite: bool,
    protected: Iterable[Path] = (),
    will_download: bool = True,
) -> None:
    """InvalidInputError unless the video can be written where `output` says (the journal's
    folder and `protected` files are never written), before anything is paid for or fetched.
    Without a task id yet (before the submit), a folder or the default place is only checked
    for room for the longest task id's file (nothing at all when nothing will be downloaded);
    the name is checked again once the id is known."""
    from ._journal import journal_dir
    from ._params import TASK_ID_MAX

    longest = "0" * TASK_ID_MAX
    if task_id is None and resolve_target("a", output) != resolve_target("b", output):
        prepare_folder(output)  # the name comes with the task id: only the folder is known
        if output or will_download:
            check_writable(resolve_target(longest, output))
        return
    path = download_target(
        task_id or longest,
        output,
        overwrite=overwrite,
        protected=protected,
        protected_folders=(journal_dir(),),  # the paid tasks' records
    )
    check_writable(path)


def _take_part(path: Path) -> int:
    """The .part file at path, open for writing, empty and locked for this download: a file
    left by a download that died (its lock went with it) is taken over, one a live download
    holds is BlockingIOError; anything but a regular file there is refused (OSError). Not
    mkstemp: its 0600 mode would survive the rename; os.open applies the umask."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
    while True:
        fd = os.open(path, flags, 0o666)
        try:
            status = os.fstat(fd)
            if not stat.S_ISREG(status.st_mode) or status.st_nlink != 1:
                # a hard link planted there would make the download overwrite another file
                raise OSError(errno.EEXIST, "not a regular file of its own", str(path))
            if status.st_uid != os.geteuid():
                raise OSError(errno.EPERM, "owned by another user", str(path))
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            try:
                current = os.lstat(path).st_ino
            except FileNotFoundError:
                current = None
            if os.fstat(fd).st_ino != current:  # committed or removed meanwhile: open again
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.set_blocking(fd, True)
        except BaseException:
            os.close(fd)
            raise
        return fd


class DownloadSink:
    """A context manager that receives chunks and commits them to `destination` atomically.

    On leaving the block with an exception, or when the byte count does not match the
    announced length, the temporary file is removed and DownloadError is raised. Without
    `overwrite`, the commit is a hard link that fails if the name appeared meanwhile. The
    destination's rules (check_target, with `protected` and `protected_folders`) are checked
    again at the commit.
    """

    def __init__(
        self,
        destination: Path,
        *,
        url: str,
        total: int | None,
        task_id: str | None,
        on_progress: ProgressCallback | None = None,
        overwrite: bool = False,
        protected: Iterable[str | Path] = (),
        protected_folders: Iterable[str | Path] = (),
    ) -> None:
        self.destination = destination
        self.overwrite = overwrite
        self.protected = tuple(protected)
        self.protected_folders = tuple(protected_folders)
        self.url = url
        self.total = total
        self.task_id = task_id
        self.on_progress = on_progress
        self.received = 0
        self._file: BinaryIO | None = None
        self._tmp: Path | None = None

    def __enter__(self) -> DownloadSink:
        self.destination.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = part_path(self.destination)
        try:
            fd = _take_part(self._tmp)
        except BlockingIOError:
            raise DownloadError(
                f"{self.destination} is being downloaded by another process; not started",
                task_id=self.task_id,
            ) from None
        except OSError as exc:
            raise self._disk_error(exc) from None
        self._file = os.fdopen(fd, "wb")
        if self.on_progress is not None:
            try:
                self.on_progress(0, self.total)
            except BaseException:  # no __exit__ after a failed __enter__: no .part left
                self._discard()
                raise
        return self

    def write(self, chunk: bytes) -> None:
        """Append one chunk and report progress; DownloadError when the disk refuses it."""
        assert self._file is not None, "use DownloadSink as a context manager"
        try:
            self._file.write(chunk)
        except OSError as exc:
            raise self._disk_error(exc) from None
        self.received += len(chunk)
        if self.total is not None and self.received > self.total:
            raise self._error(f"received more than the announced {self.total} bytes")
        if self.on_progress is not None:
            self.on_progress(self.received, self.total)

    def _disk_error(self, exc: OSError) -> DownloadError:
        """A full disk (or another refusal to write) as the download's error."""
        why = exc.strerror or type(exc).__name__
        return DownloadError(
            f"download of {safe_url(self.url)} could not be written to "
            f"{self.destination.parent}: {why}",
            task_id=self.task_id,
        )

    def _error(self, why: str) -> DownloadError:
        return DownloadError(
            f"download of {safe_url(self.url)} incomplete: {why}", task_id=self.task_id
        )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._file is not None
        assert self._tmp is not None
        try:
            if exc is None and self.total is not None and self.received != self.total:
                raise self._error(f"got {self.received} of {self.total} bytes")
            if exc is None and self.received == 0:
                raise DownloadError(
                    f"download of {safe_url(self.url)} answered an empty body, not a video",
                    task_id=self.task_id,
                )
            try:
                if exc is None:
                    self._file.flush()
                    os.fsync(self._file.fileno())
                self._file.close()
            except OSError as error:
                raise self._disk_error(error) from None
            if exc is None:
                self._commit()
                logger.info("saved %s (%d bytes)", self.destination, self.received)
        except BaseException:
            self._discard()
            raise
        if exc is not None:
            self._discard()

    def _commit(self) -> None:
        """Put the complete file under its name, by the rules checked before the download
        (checked again: the name may have changed meanwhile)."""
        assert self._tmp is not None
        try:
            check_target(
                self.destination,
                overwrite=self.overwrite,
                protected=self.protected,
                protected_folders=self.protected_folders,
            )
        except ValueError as exc:
            raise DownloadError(str(exc), task_id=self.task_id) from None
        if self.overwrite:
            os.replace(self._tmp, self.destination)
            return
        try:
            os.link(self._tmp, self.destination)  # fails if the name exists: never clobbers
        except FileExistsError:
            raise DownloadError(
                f"{self.destination} appeared during the download; not replaced",
                task_id=self.task_id,
            ) from None
        except OSError:  # a file system without hard links
            os.replace(self._tmp, self.destination)
            return
        self._tmp.unlink()

    def _discard(self) -> None:
        assert self._file is not None
        assert self._tmp is not None
        with contextlib.suppress(OSError):
            self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self._tmp.unlink()
