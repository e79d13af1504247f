"""Uploaded files: streamed to one temporary file per request, stored by content hash, looked
up by URL, and expired (TTL) or evicted (least recently used) to keep disk use bounded."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from runninghub_video.sandbox._media import CONTENT_TYPES, EXTENSIONS

UPLOAD_PATH_PREFIX: Final = "/files/uploads/"
_NAME: Final = re.compile(r"[0-9a-f]{32}\.[a-z0-9]{1,5}")


class IncomingFile:
    """One upload being received: a private temporary file plus a running hash and size."""

    def __init__(self, folder: Path) -> None:
        """Open a fresh temporary file in folder (unique per request)."""
        fd, name = tempfile.mkstemp(dir=folder, prefix=".incoming-", suffix=".part")
        self.path = Path(name)
        self._file = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        self.size = 0
        self.head = b""

    def write(self, chunk: bytes) -> None:
        """Append chunk."""
        if len(self.head) < 64:
            self.head += chunk[: 64 - len(self.head)]
        self._hash.update(chunk)
        self._file.write(chunk)
        self.size += len(chunk)

    def digest(self) -> str:
        """The content hash so far (a file name stem)."""
        return self._hash.hexdigest()[:32]

    def discard(self) -> None:
        """Close and delete the temporary file."""
        self._file.close()
        self.path.unlink(missing_ok=True)

    def close(self) -> None:
        """Close the temporary file (kept)."""
        self._file.close()


class UploadStore:
    """Uploaded files in one folder, named by content hash so equal uploads share a file."""

    def __init__(self, folder: Path, clock: Callable[[], float] = time.monotonic) -> None:
        """Keep uploads in folder (created if missing; leftovers of a killed run removed)."""
        self.folder = folder
        self.clock = clock
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob(".incoming-*"):
            stale.unlink(missing_ok=True)
        # Files of an earlier run in the same folder count towards the TTL and the disk cap.
        self._last_used: dict[str, float] = {
            path.name: clock() for path in folder.iterdir() if _NAME.fullmatch(path.name)
        }
        self.evicted = 0

    def incoming(self) -> IncomingFile:
        """A temporary file for one request's upload."""
        return IncomingFile(self.folder)

    def keep(self, incoming: IncomingFile, media_type: str) -> str:
        """Move a complete upload to its content-addressed name; return that name."""
        incoming.close()
        name = f"{incoming.digest()}.{EXTENSIONS.get(media_type, 'bin')}"
        path = self.folder / name
        if path.exists():
            incoming.path.unlink(missing_ok=True)
        else:
            incoming.path.replace(path)  # atomic; equal uploads at once each have their own temp
        self._last_used[name] = self.clock()
        return name

    def path(self, name: str) -> Path | None:
        """The stored file called name, or None (also for names that are not ours)."""
        if not _NAME.fullmatch(name):
            return None
        path = self.folder / name
        if not path.is_file():
            return None
        self._last_used[name] = self.clock()
        return path

    def find_by_url(self, url: str) -> Path | None:
        """The upload an imageUrl points at (any host, path /files/uploads/<name>), or None."""
        try:
            path = urlsplit(url).path
        except ValueError:
            return None
        if not path.startswith(UPLOAD_PATH_PREFIX):
            return None
        return self.path(path.removeprefix(UPLOAD_PATH_PREFIX))

    def files(self) -> list[tuple[float, int, str]]:
        """(last used, bytes, name) of every stored upload."""
        found = []
        for name, used in self._last_used.items():
            with contextlib.suppress(OSError):
                found.append((used, (self.folder / name).stat().st_size, name))
        return found

    def forget(self, name: str) -> None:
        """Delete one stored upload."""
        self._last_used.pop(name, None)
        (self.folder / name).unlink(missing_ok=True)
        self.evicted += 1

    def expire(self, cutoff: float) -> None:
        """Delete uploads last used before cutoff."""
        for name, used in list(self._last_used.items()):
            if used < cutoff:
                self.forget(name)


def content_type(name: str) -> str:
    """The Content-Type to serve a stored upload with."""
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream")
