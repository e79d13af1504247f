"""Where a result video may be written, decided before anything is paid for or fetched.

The rules (docs/reliability.md): the default is ./<task id>.mp4; a destination that is an
existing folder, or ends with '/', is a folder (created if needed) that gets <task id>.mp4;
nothing is written through a symlink, onto anything but a regular file, or onto a protected
file (the input image; the task journal and the other files in its folder); an existing file
is replaced only with overwrite=True (`--overwrite`).
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

from ._errors import InvalidInputError


def means_folder(destination: str | Path) -> bool:
    """True for a destination written as a folder (a trailing '/')."""
    text = os.fspath(destination)
    return text.endswith("/") or text.endswith(os.sep)


def resolve_target(task_id: str, destination: str | Path | None) -> Path:
    """The file a task's video goes to (task_id must be validated: params.is_task_id)."""
    name = f"{task_id}.mp4"
    if destination is None or os.fspath(destination) == "":
        return Path(name)
    path = Path(destination).expanduser()
    if means_folder(destination) or path.is_dir():
        return path / name
    return path


def prepare_folder(destination: str | Path | None) -> None:
    """Create the folder a trailing-'/' destination names (before any request)."""
    if destination is not None and means_folder(destination):
        folder = Path(destination).expanduser()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InvalidInputError(
                "output", os.fspath(destination), f"a folder that can be created ({exc})"
            ) from None


def _as_reached(path: Path) -> Path:
    """The file a write to `path` reaches once the download makes its missing folders: a '..'
    after a folder that does not exist yet cancels it (`new/../photo.png` is `photo.png`)."""
    if ".." in path.parts and not path.parent.exists():
        return Path(os.path.normpath(path))
    return path


def _same_folder(one: Path, other: Path) -> bool:
    """Whether two folders are one (the same file when both exist, else the same path)."""
    try:
        return os.path.samefile(one, other)
    except OSError:
        return os.path.normpath(os.path.abspath(one)) == os.path.normpath(os.path.abspath(other))


def check_target(
    path: Path,
    *,
    overwrite: bool = False,
    protected: Iterable[str | Path] = (),
    protected_folders: Iterable[str | Path] = (),
) -> None:
    """InvalidInputError unless a video may be written at `path` under the rules above.
    An existing file in one of `protected_folders` (the task journal's) is never replaced."""
    from ._journal import FILE_NAME

    shown = os.fspath(path)
    path = _as_reached(path)
    parent = path.parent
    for folder in protected_folders:  # the journal's own file, even before it exists
        if path.name == FILE_NAME and _same_folder(parent, Path(folder)):
            raise InvalidInputError(
                "output", shown, f"a path outside the task journal's folder {folder}"
            )
    if parent.exists() and not parent.is_dir():
        raise InvalidInputError("output", shown, f"a path in a folder ({parent} is not one)")
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise InvalidInputError("output", shown, "a path that is not a symlink")
    if not stat.S_ISREG(info.st_mode):
        raise InvalidInputError("output", shown, "a regular file or a new path")
    if any(_same(path, other) for other in protected):
        raise InvalidInputError("output", shown, "a path other than the input image")
    for folder in protected_folders:
        if _same(path.parent, folder):
            raise InvalidInputError(
                "output", shown, f"a path outside the task journal's folder {folder}"
            )
    if not overwrite:
        raise InvalidInputError(
            "output", shown, "a path that does not exist yet (or pass --overwrite / overwrite=True)"
        )


def part_path(destination: Path) -> Path:
    """The temporary file a download writes beside `destination` before the rename: one name
    per destination, so a download after a crash (kill -9) takes over the .part the dead one
    left instead of leaving it (DownloadSink locks it while writing)."""
    return destination.parent / f".{destination.name}.part"


def check_writable(path: Path) -> None:
    """InvalidInputError unless the download's temporary file can be created beside `path`
    (a read-only file system, /proc, no permission, a name too long once `.part` is added):
    checked before anything is paid for, by creating and removing that very file. A folder
    that does not exist yet is judged by its nearest existing parent."""
    shown = os.fspath(path)
    part = part_path(path)  # a probe of its own: a live download may hold the .part
    probe = part.with_name(f"{part.name[: -len('.part')]}.{secrets.token_hex(4)}.part")
    folder = probe.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        if folder == probe.parent:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            os.close(os.open(probe, flags, 0o600))
            os.unlink(probe)
            return
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        if not os.access(folder, os.W_OK | os.X_OK):
            raise OSError(errno.EACCES, os.strerror(errno.EACCES))
        if len(probe.name) > os.pathconf(folder, "PC_NAME_MAX"):
            raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG))
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise InvalidInputError(
            "output", shown, f"a path where a file can be created ({why})"
        ) from None


def _same(a: str | Path, b: str | Path) -> bool:
    """Whether a and b are one file; False when either names none (missing, or a NUL byte)."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False
