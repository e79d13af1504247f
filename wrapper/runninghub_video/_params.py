"""Checks every submit parameter before any request is sent, so no money goes on a call the
API would reject. Allowed values are read from the generated Literal types, never listed here:
a regenerated spec with a new value needs no edit in this file. check_fields() checks the
fields of every task endpoint of the spec (its request model's: required, allowed values,
limits, image URLs that take a local file); check_seed() is the seed face's signature on it.
"""

from __future__ import annotations

import inspect
import json
import math
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast
from urllib.parse import urlsplit

from runninghub_client.models import AspectRatio, Duration, Resolution

from ._endpoints import load, seed
from ._errors import InvalidInputError
from ._limits import check_limits

if TYPE_CHECKING:
    from ._endpoints import Endpoint, EndpointInfo, Field

#: The vendor's limit for imageUrl inputs (model registry: JPG/PNG, at most 10 MB).
MAX_IMAGE_BYTES = 10 * 1024 * 1024
IMAGE_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}


def _seed_defaults() -> dict[str, Any]:
    """The seed face's defaults (submit(), run(), generate): each choice field's spec default
    (the generated model's), else its first value in natural order (the cheapest resolution,
    the shortest duration): read from the generated code, never written here."""
    return {
        field.name: field.default if field.default in field.choices else field.choices[0]
        for field in load(seed()).fields
        if field.choices
    }


SEED_DEFAULTS = _seed_defaults()
DEFAULT_RESOLUTION = cast(Resolution, SEED_DEFAULTS["resolution"])
DEFAULT_ASPECT_RATIO = cast(AspectRatio, SEED_DEFAULTS["aspect_ratio"])
DEFAULT_DURATION = cast(Duration, SEED_DEFAULTS["duration"])
SEED_NAMES = {"image_url": "image"}
"""The seed face's names for its fields where they differ (`submit(image=...)`, `--image`)."""


_Callback = TypeVar("_Callback", bound=Callable[..., None])


def check_callback(name: str, value: _Callback | None) -> _Callback | None:
    """None, or a plain function to call (on_update, on_submitted, on_uploaded, on_progress):
    a value of another kind (a URL meant as a field) or an async function (it would be called,
    never awaited) is refused before any request."""
    if value is None:
        return None
    if not callable(value) or inspect.iscoroutinefunction(value):
        what = {
            "on_uploaded": "the image's path and URL",
            "on_progress": "the bytes received and the total",
        }.get(name, "the Task")
        raise InvalidInputError(name, value, f"None or a plain function called with {what}")
    return value


def _one_of(values: tuple[str, ...]) -> str:
    return "one of " + ", ".join(values)


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
    value: str | Path, parameter: str = "image", *, expected: str = "an existing JPG/PNG file"
) -> LocalImage:
    """An existing JPG or PNG file (by content, not name) of at most MAX_IMAGE_BYTES; a path
    that names nothing says "not found" (with the absolute path it was looked for at).
    `expected` says what the caller takes (upload: a file only; submit: a URL too)."""
    path = Path(value).expanduser()
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise InvalidInputError(parameter, str(value), f"{expected} ({kind})")
        if info.st_size > MAX_IMAGE_BYTES:
            raise InvalidInputError(
                parameter, str(value),
                f"a file of at most 10 MB (this one is {info.st_size / 1e6:.1f} MB)",
            )  # fmt: skip
        with path.open("rb") as handle:
            head = handle.read(8)
    except FileNotFoundError:
        raise InvalidInputError(
            parameter, str(value), f"{expected} (file not found: {path.absolute()})"
        ) from None
    except OSError as exc:  # no permission, a path through a file, a loop of symlinks
        why = exc.strerror or type(exc).__name__
        raise InvalidInputError(parameter, str(value), f"{expected} ({why})") from None
    for mime_type, signatures in IMAGE_SIGNATURES.items():
        if head.startswith(signatures):
            return LocalImage(path=path, mime_type=mime_type, size=info.st_size)
    raise InvalidInputError(parameter, str(value), "a JPG or PNG image (by its content)")


def read_checked_image(image: LocalImage) -> bytes:
    """The bytes of an image checked by check_local_image, read once to be sent: if the file
    changed since (grown past the limit, no longer a JPG/PNG), InvalidInputError, and nothing
    is sent."""
    try:
        with image.path.open("rb") as handle:
            data = handle.read(MAX_IMAGE_BYTES + 1)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise InvalidInputError("image", str(image.path), f"a readable file ({why})") from None
    if len(data) > MAX_IMAGE_BYTES or not data.startswith(IMAGE_SIGNATURES[image.mime_type]):
        raise InvalidInputError(
            "image", str(image.path), "the JPG/PNG it was when checked (the file changed since)"
        )
    return data


def check_image(value: object, parameter: str = "image") -> str | LocalImage:
    """An http(s) URL (used as is) or a local JPG/PNG (to be uploaded first)."""
    if isinstance(value, Path):
        return check_local_image(value, parameter, expected=_LOCAL_OR_URL)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(parameter, value, _LOCAL_OR_URL)
    if "://" in value:
        return check_http_url(parameter, value)
    return check_local_image(value, parameter, expected=_LOCAL_OR_URL)


# ---------------------------------------------------------------- every task endpoint


class RequestModel(Protocol):
    """What every generated request model is (TextToVideoRequest, ...): attrs fields,
    to_dict(), and the extra JSON fields a caller may add."""

    additional_properties: dict[str, Any]

    def to_dict(self) -> dict[str, Any]: ...


ImageInput = str | LocalImage
"""An image field's value once checked: an http(s) URL, or a local image to upload first."""
ImageValue = ImageInput | list[ImageInput]
"""An image field's checked value, or each element of an array of images."""


@dataclass(frozen=True)
class CheckedRequest:
    """Checked fields of one endpoint's request: `images` the image fields (a URL or a local
    image to upload, or a list of them for an array), `values` the others, `extra` JSON fields
    beyond the model's."""

    endpoint: Endpoint
    values: dict[str, object]
    images: dict[str, ImageValue]
    extra: dict[str, Any] = field(default_factory=dict)

    def request(self, urls: Mapping[str, str | list[str]]) -> RequestModel:
        """The generated request model, once every image field has its URL(s) (`urls`)."""
        body: RequestModel = self.endpoint.model(**self.values, **urls)
        body.additional_properties.update(self.extra)
        return body

    @property
    def local_paths(self) -> tuple[Path, ...]:
        """The local images it uploads: never overwritten by its video (generate())."""
        return tuple(image.path for value in self.images.values() for image in local_images(value))


def local_images(value: ImageValue) -> list[LocalImage]:
    """The local images (to upload) of an image field's checked value."""
    return [item for item in (value if isinstance(value, list) else [value])
            if isinstance(item, LocalImage)]  # fmt: skip


_INTEGER = re.compile(r"[+-]?\d{1,18}")


def _choice(spec: Field, parameter: str, value: object) -> object:
    """One of the allowed values, as typed in the Literal: text for a string enum (a number
    given is taken as its text: duration 4 for "4"), a number for an integer enum (its text
    is taken too: "8" for 8)."""
    assert spec.choices is not None
    typed = value
    if isinstance(value, int) and not isinstance(value, bool) and spec.kind is str:
        typed = str(value)
    elif isinstance(value, str) and spec.kind is int and _INTEGER.fullmatch(value.strip()):
        typed = int(value)
    for choice in spec.choices:
        if type(choice) is type(typed) and choice == typed:
            return choice
    raise InvalidInputError(parameter, value, _one_of(tuple(str(c) for c in spec.choices)))


def _value(spec: Field, parameter: str, value: object) -> object:
    """One value (or one element of an array) by the field's generated type."""
    if spec.choices is not None:
        return _choice(spec, parameter, value)
    if spec.takes_image:
        return check_image(value, parameter)
    if spec.takes_url:
        return check_http_url(parameter, value)
    if spec.kind is str and not (isinstance(value, str) and (value.strip() or not spec.required)):
        raise InvalidInputError(parameter, value, "a non-empty string")
    if spec.kind in (int, float) and (
        isinstance(value, bool) or not isinstance(value, int if spec.kind is int else int | float)
    ):
        raise InvalidInputError(parameter, value, f"a number ({spec.kind.__name__})")
    if isinstance(value, float) and not math.isfinite(value):  # JSON has no NaN or infinity
        raise InvalidInputError(parameter, value, "a finite number")
    if spec.kind is object and not _json_value(value):
        raise InvalidInputError(parameter, value, "a JSON value (no NaN or infinity)")
    if spec.kind is bool and not isinstance(value, bool):
        raise InvalidInputError(parameter, value, "true or false")
    return value


def _json_value(value: object) -> bool:
    """Whether value can be sent as JSON: what could not be is refused before any request,
    not found unsendable once a paid submit may be under way."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return False
    return True


def check_field(spec: Field, value: object) -> object:
    """One field's value, by its generated type: an allowed value (of the Literal's type), an
    image URL or local image, an http(s) URL, a non-empty string where one is required, a
    number, a boolean; for an array, a list (or tuple) of such values, each checked (its
    parameter named `image_urls[1]`), returned as a list."""
    if not spec.array:
        return _value(spec, spec.name, value)
    if not isinstance(value, list | tuple):
        what = "images (URLs or local files)" if spec.takes_image else "values"
        raise InvalidInputError(spec.name, value, f"a list of {what}")
    return [_value(spec, f"{spec.name}[{index}]", item) for index, item in enumerate(value)]


def check_fields(
    endpoint: Endpoint,
    values: Mapping[str, object],
    extra: Mapping[str, Any] | None = None,
    *,
    names: Mapping[str, str] | None = None,
) -> CheckedRequest:
    """Check keyword fields against the endpoint's request model (None: not given); raise
    InvalidInputError naming the first unknown, missing or bad one (by `names`, the caller's
    name of a field where it has another: the seed face's `image`)."""
    try:
        return _check_fields(endpoint, values, extra)
    except InvalidInputError as error:
        if not names or error.parameter not in names:
            raise
        raise InvalidInputError(names[error.parameter], error.value, error.allowed) from None


def _check_fields(
    endpoint: Endpoint, values: Mapping[str, object], extra: Mapping[str, Any] | None
) -> CheckedRequest:
    names = [spec.name for spec in endpoint.fields]
    for name in values:
        if name not in names:
            raise InvalidInputError(
                name, values[name], f"a field of {endpoint.name}: {', '.join(names)}"
            )
    checked: dict[str, object] = {}
    images: dict[str, ImageValue] = {}
    for spec in endpoint.fields:
        value = values.get(spec.name)
        if value is None:
            if spec.required:
                raise InvalidInputError(spec.name, None, f"a value (required by {endpoint.name})")
            continue
        good = check_field(spec, value)
        check_limits(spec.limits, good, spec.name)  # the spec's limits
        if spec.takes_image:
            images[spec.name] = good  # type: ignore[assignment]
        else:
            checked[spec.name] = good
    return CheckedRequest(endpoint, checked, images, dict(extra or {}))


def check_seed(
    *,
    prompt: object,
    image: object,
    resolution: object,
    aspect_ratio: object,
    duration: object,
    webhook_url: object = None,
) -> CheckedRequest:
    """The seed face's arguments (submit(), run(), generate) checked as check_fields() checks
    every endpoint's; an error names the face's parameter (`image`, not `image_url`)."""
    values = {
        "prompt": prompt,
        "image_url": image,
        "resolution": resolution,
        "aspect_ratio": aspect_ratio,
        "duration": duration,
        "webhook_url": webhook_url,
    }
    return check_fields(load(seed()), values, names=SEED_NAMES)


def face(info: EndpointInfo) -> tuple[Mapping[str, str], Mapping[str, Any]]:
    """An endpoint's face: its fields' other names and its defaults beyond the spec's (the
    seed's: `image`, the cheapest resolution and duration; none for the others)."""
    return (SEED_NAMES, SEED_DEFAULTS) if info.module == seed().module else ({}, {})


def check_model(endpoint: Endpoint, body: RequestModel) -> CheckedRequest:
    """Check a generated request model's values as check_fields() does (its type checks
    nothing at run time); its extra JSON fields are kept."""
    from runninghub_client.types import Unset

    values = {spec.name: getattr(body, spec.name) for spec in endpoint.fields}
    given = {name: value for name, value in values.items() if not isinstance(value, Unset)}
    return check_fields(endpoint, given, body.additional_properties)
