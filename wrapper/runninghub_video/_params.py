"""Checks every submit parameter before any request is sent, so no money goes on a call the
API would reject. Allowed values are read from the generated Literal types, never listed here:
a regenerated spec with a new value needs no edit in this file.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import get_args
from urllib.parse import urlsplit

from runninghub_client.models import AspectRatio, Duration, ImageToVideoRealisticRequest, Resolution
from runninghub_client.models.aspect_ratio import check_aspect_ratio
from runninghub_client.models.duration import check_duration
from runninghub_client.models.resolution import check_resolution

from ._errors import InvalidInputError

#: The vendor's limit for imageUrl inputs (model registry: JPG/PNG, at most 10 MB).
MAX_IMAGE_BYTES = 10 * 1024 * 1024
IMAGE_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}


def _natural(value: str) -> tuple[int, str]:
    """Sort key: by leading number ("720p" before "1080p", "4" before "12"), then text."""
    number = re.match(r"\d+", value)
    return (int(number.group()) if number else 0, value)


RESOLUTIONS: tuple[str, ...] = tuple(sorted(get_args(Resolution), key=_natural))
ASPECT_RATIOS: tuple[str, ...] = tuple(sorted(get_args(AspectRatio)))
DURATIONS: tuple[str, ...] = tuple(sorted(get_args(Duration), key=_natural))


def _one_of(values: tuple[str, ...]) -> str:
    return "one of " + ", ".join(values)


def check_prompt(prompt: object) -> str:
    """A non-empty string."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise InvalidInputError("prompt", prompt, "a non-empty string")
    return prompt


def check_choice_resolution(value: object) -> Resolution:
    """One of the spec's resolutions."""
    try:
        return check_resolution(value)  # type: ignore[arg-type]
    except TypeError:
        raise InvalidInputError("resolution", value, _one_of(RESOLUTIONS)) from None


def check_choice_aspect_ratio(value: object) -> AspectRatio:
    """One of the spec's aspect ratios."""
    try:
        return check_aspect_ratio(value)  # type: ignore[arg-type]
    except TypeError:
        raise InvalidInputError("aspect_ratio", value, _one_of(ASPECT_RATIOS)) from None


def check_choice_duration(value: object) -> Duration:
    """One of the spec's durations, given as int (4) or str ("4")."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    try:
        return check_duration(text)  # type: ignore[arg-type]
    except TypeError:
        raise InvalidInputError("duration", value, _one_of(DURATIONS) + " (seconds)") from None


def is_url(value: str) -> bool:
    """True for an http(s) URL with a host."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def check_http_url(parameter: str, value: object) -> str:
    """An http(s) URL with a host."""
    if not isinstance(value, str) or not is_url(value) or re.search(r"\s", value):
        raise InvalidInputError(parameter, value, "an http(s) URL")
    return value


TASK_ID_MAX = 128
_TASK_ID = re.compile(rf"[A-Za-z0-9_-]{{1,{TASK_ID_MAX}}}")


def is_task_id(value: object) -> bool:
    """A task id safe in a file name, a URL and a terminal line: 1-128 letters, digits, - _."""
    return isinstance(value, str) and _TASK_ID.fullmatch(value) is not None


def check_task_id(value: object) -> str:
    """A task id as is_task_id() defines it (the same rule for ids from the server)."""
    if not is_task_id(value):
        raise InvalidInputError("task_id", value, "a task id such as 2013508786110730241")
    assert isinstance(value, str)
    return value


@dataclass(frozen=True)
class LocalImage:
    """A local JPG/PNG checked against the vendor's limits, ready to upload."""

    path: Path
    mime_type: str
    size: int


_LOCAL_OR_URL = "an http(s) URL or an existing JPG/PNG file"


def check_local_image(
    value: str | Path, *, expected: str = "an existing JPG/PNG file"
) -> LocalImage:
    """An existing JPG or PNG file (by content, not name) of at most MAX_IMAGE_BYTES; a path
    that names nothing says "not found" (with the absolute path it was looked for at).
    `expected` says what the caller takes (upload: a file only; submit: a URL too)."""
    path = Path(value).expanduser()
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise InvalidInputError("image", str(value), f"{expected} ({kind})")
        if info.st_size > MAX_IMAGE_BYTES:
            raise InvalidInputError(
                "image", str(value),
                f"a file of at most 10 MB (this one is {info.st_size / 1e6:.1f} MB)",
            )  # fmt: skip
        with path.open("rb") as handle:
            head = handle.read(8)
    except FileNotFoundError:
        raise InvalidInputError(
            "image", str(value), f"{expected} (file not found: {path.absolute()})"
        ) from None
    except OSError as exc:  # no permission, a path through a file, a loop of symlinks
        why = exc.strerror or type(exc).__name__
        raise InvalidInputError("image", str(value), f"{expected} ({why})") from None
    for mime_type, signatures in IMAGE_SIGNATURES.items():
        if head.startswith(signatures):
            return LocalImage(path=path, mime_type=mime_type, size=info.st_size)
    raise InvalidInputError("image", str(value), "a JPG or PNG image (by its content)")


def check_image(value: object) -> str | LocalImage:
    """An http(s) URL (used as is) or a local JPG/PNG (to be uploaded first)."""
    if isinstance(value, Path):
        return check_local_image(value, expected=_LOCAL_OR_URL)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError("image", value, _LOCAL_OR_URL)
    if "://" in value:
        return check_http_url("image", value)
    return check_local_image(value, expected=_LOCAL_OR_URL)


@dataclass(frozen=True)
class SubmitParams:
    """Checked submit parameters; `image` may still need uploading."""

    prompt: str
    image: str | LocalImage
    resolution: Resolution
    aspect_ratio: AspectRatio
    duration: Duration
    webhook_url: str | None

    def request(self, image_url: str) -> ImageToVideoRealisticRequest:
        """The generated request model, once the image has a URL."""
        body = ImageToVideoRealisticRequest(
            prompt=self.prompt,
            resolution=self.resolution,
            aspect_ratio=self.aspect_ratio,
            image_url=image_url,
            duration=self.duration,
        )
        if self.webhook_url is not None:
            body.webhook_url = self.webhook_url
        return body


def check_submit(
    *,
    prompt: object,
    image: object,
    resolution: object,
    aspect_ratio: object,
    duration: object,
    webhook_url: object = None,
) -> SubmitParams:
    """Check every parameter; raise InvalidInputError naming the first bad one."""
    return SubmitParams(
        prompt=check_prompt(prompt),
        image=check_image(image),
        resolution=check_choice_resolution(resolution),
        aspect_ratio=check_choice_aspect_ratio(aspect_ratio),
        duration=check_choice_duration(duration),
        webhook_url=None if webhook_url is None else check_http_url("webhook_url", webhook_url),
    )
