"""Uploaded images: type sniffing by magic bytes, content-addressed storage, URL lookup."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

MAX_UPLOAD_BYTES: Final = 10 * 1024 * 1024
UPLOAD_PATH_PREFIX: Final = "/files/uploads/"
_NAME: Final = re.compile(r"[0-9a-f]{32}\.(?:png|jpg)")
CONTENT_TYPES: Final[dict[str, str]] = {"png": "image/png", "jpg": "image/jpeg"}


def image_kind(data: bytes) -> str | None:
    """'png' or 'jpg' from the file's magic bytes; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    return None


class UploadStore:
    """Uploaded images in one folder, named by content hash so equal uploads share a file."""

    def __init__(self, folder: Path) -> None:
        """Keep uploads in folder (created if missing)."""
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def save(self, data: bytes, kind: str) -> str:
        """Store data (a PNG or JPG) and return its file name."""
        name = f"{hashlib.sha256(data).hexdigest()[:32]}.{kind}"
        path = self.folder / name
        if not path.exists():
            tmp = path.with_suffix(".part")
            tmp.write_bytes(data)
            tmp.replace(path)
        return name

    def path(self, name: str) -> Path | None:
        """The stored file called name, or None (also for names that are not ours)."""
        if not _NAME.fullmatch(name):
            return None
        path = self.folder / name
        return path if path.is_file() else None

    def find_by_url(self, url: str) -> Path | None:
        """The upload an imageUrl points at (any host, path /files/uploads/<name>), or None."""
        try:
            path = urlsplit(url).path
        except ValueError:
            return None
        if not path.startswith(UPLOAD_PATH_PREFIX):
            return None
        return self.path(path.removeprefix(UPLOAD_PATH_PREFIX))
