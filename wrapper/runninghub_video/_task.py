"""The task as users see it: small frozen types read from the generated TaskResult model.

Nothing of the generated client shows through (no `Unset`, no attrs models): each field is
a plain value or None. The vendor sends usage as strings ("3.2", "187"); they are read as
numbers: money and coins as `decimal.Decimal` (exact), the duration as `float` seconds. A value
that does not read as a finite number becomes None, and so does a field of the wrong type:
reading a task (a paid one, perhaps) never fails over a diagnostic field. The answer as the
generated client read it stays on `Task.raw`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from runninghub_client.models import FailedReason, TaskOutput, TaskResult, TaskUsage
from runninghub_client.types import Unset

from ._endpoints import statuses
from ._redaction import redact

#: Every status the spec knows, and those after which a task never changes (the spec's
#: x-final-statuses; anything else, unknown statuses included, is not): the contract table's.
KNOWN_STATUSES, FINAL_STATUSES = statuses()
SUCCESS = "SUCCESS"
CREATED = "CREATE"
"""The status of a task whose submit answer said none (the kit's whole answer is {"taskId"}):
the vendor's name for a task just created, not final."""
UNKNOWN = "UNKNOWN"
"""The status of a query answer that said none (or ""): not final, as the kit reads it."""
_REPR_TEXT = 200
"""Longest server text a repr shows per field (a server may send a URL, a message or a
number of any length): longer text is cut and ends with "..."."""


# ---------------------------------------------------------------- lenient readers


def _text(value: object) -> str | None:
    """A non-empty string, else None (the vendor sends "" and null for "nothing")."""
    return value if isinstance(value, str) and value else None


def _decimal(value: object) -> Decimal | None:
    """A finite number sent as a string (or, against the spec, as a JSON number), else None."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        number = Decimal(value.strip() if isinstance(value, str) else str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _seconds(value: object) -> float | None:
    """Seconds as a finite float, read like _decimal, else None."""
    number = _decimal(value)
    if number is None:
        return None
    seconds = float(number)
    return seconds if math.isfinite(seconds) else None


def _money(value: Decimal | None) -> str | None:
    """A Decimal for JSON: a string, so that no precision is lost to a float."""
    return None if value is None else str(value)


def _repr(name: str, shown: dict[str, object]) -> str:
    """`name(key=value, ...)` without the values that hold nothing (None, empty); redacted,
    each text or number cut at _REPR_TEXT characters."""
    parts = [f"{key}={_shown(value)}" for key, value in shown.items() if value not in (None, ())]
    return redact(f"{name}({', '.join(parts)})", keep_query=True)


def _shown(value: object) -> str:
    """One field in a repr: a string redacted (before the cut: a key cut in two would no
    longer match) and cut; a number's repr cut; anything else (a part) as its own repr."""
    if isinstance(value, str):
        value = redact(value, keep_query=True)
        return repr(value if len(value) <= _REPR_TEXT else value[: _REPR_TEXT - 3] + "...")
    text = repr(value)
    if isinstance(value, Decimal | float) and len(text) > _REPR_TEXT:
        return text[: _REPR_TEXT - 3] + "..."
    return text


# ---------------------------------------------------------------- the parts of a task


@dataclass(frozen=True, repr=False)
class OutputFile:
    """One result: a file (`url`, living about 24 hours) or a text (`text`), or both.

    As the vendor's kit reads them: the URL from url, else outputUrl; the text from text, else
    content, else output. `output_type` is a file extension such as "mp4" (display only; ""
    when the vendor sent none).
    """

    url: str | None
    output_type: str
    node_id: str | None = None
    text: str | None = None

    @classmethod
    def from_model(cls, model: TaskOutput) -> OutputFile:
        return cls(
            url=_text(model.url) or _text(model.output_url),
            output_type=model.output_type if isinstance(model.output_type, str) else "",
            node_id=_text(model.node_id),
            text=_text(model.text) or _text(model.content) or _text(model.output),
        )

    @property
    def value(self) -> str:
        """The output as the kit's client returns it: the URL, else the text."""
        return self.url or self.text or ""

    @property
    def is_video(self) -> bool:
        """True when the output is a file of type mp4 (or, with no type, a URL ending .mp4)."""
        kind = self.output_type.lower().lstrip(".")
        if kind:
            return kind == "mp4"
        return self.url is not None and urlsplit(self.url).path.lower().endswith(".mp4")

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-ready dict."""
        return {
            "url": self.url,
            "output_type": self.output_type,
            "node_id": self.node_id,
            "text": self.text,
        }

    def __repr__(self) -> str:
        return _repr("OutputFile", vars(self))


@dataclass(frozen=True, repr=False)
class Usage:
    """What a task cost, as the vendor reports it (all optional).

    Money and coins are Decimals (exact); `task_cost_time` is seconds. A value the vendor
    sends that is not a finite number is None here (the original stays on `Task.raw`).
    """

    consume_money: Decimal | None = None
    consume_coins: Decimal | None = None
    task_cost_time: float | None = None
    third_party_consume_money: Decimal | None = None

    @classmethod
    def from_model(cls, model: TaskUsage | object) -> Usage | None:
        """The usage, or None when there is none to read (absent, null, {}, all unreadable)."""
        if not isinstance(model, TaskUsage):
            return None
        read = (
            _decimal(model.consume_money),
            _decimal(model.consume_coins),
            _seconds(model.task_cost_time),
            _decimal(model.third_party_consume_money),
        )
        return None if read == (None, None, None, None) else cls(*read)

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-ready dict: Decimals as strings (exact), seconds as a number."""
        return {
            "consume_money": _money(self.consume_money),
            "consume_coins": _money(self.consume_coins),
            "task_cost_time": self.task_cost_time,
            "third_party_consume_money": _money(self.third_party_consume_money),
        }

    def __repr__(self) -> str:
        return _repr("Usage", vars(self))


@dataclass(frozen=True, repr=False)
class FailureReason:
    """Why a task failed, as the vendor's failedReason says (its keys are observed, not
    specified: all optional). When the vendor sends a plain string instead of an object,
    that string is `exception_message`."""

    exception_type: str | None = None
    exception_message: str | None = None
    node_id: str | None = None
    node_name: str | None = None
    traceback: tuple[str, ...] = ()

    @classmethod
    def from_model(cls, model: FailedReason | str | object) -> FailureReason | None:
        """The reason, or None when there is none ({} on success, null, "", another type)."""
        if isinstance(model, str):
            return cls(exception_message=model) if model else None
        if not isinstance(model, FailedReason):
            return None
        lines = model.traceback if isinstance(model.traceback, list) else []
        read = (
            _text(model.exception_type),
            _text(model.exception_message),
            _text(model.node_id),
            _text(model.node_name),
            tuple(line for line in lines if isinstance(line, str)),
        )
        return None if read == (None, None, None, None, ()) else cls(*read)

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-ready dict."""
        return {
            "exception_type": self.exception_type,
            "exception_message": self.exception_message,
            "node_id": self.node_id,
            "node_name": self.node_name,
            "traceback": list(self.traceback),
        }

    def __repr__(self) -> str:
        """The fields that hold something, the (long) traceback left out."""
        return _repr("FailureReason", {**vars(self), "traceback": None})


# ---------------------------------------------------------------- the task


@dataclass(frozen=True, repr=False)
class Task:
    """One image-to-video task: id, status, results and, when it failed, why.

    `status` is one of the spec's statuses (`TaskStatus`) or, if the service sends one the
    spec does not know yet, that string unchanged. `raw` is the generated TaskResult it was
    read from (None for a Task built by hand), for fields this view does not carry.
    """

    id: str
    status: str
    results: tuple[OutputFile, ...] = ()
    error_code: str | None = None
    error_message: str | None = None
    failed_reason: FailureReason | None = None
    usage: Usage | None = None
    raw: TaskResult | None = field(default=None, compare=False)

    @property
    def is_final(self) -> bool:
        """True once the task can no longer change (SUCCESS, FAILED or CANCEL)."""
        return self.status in FINAL_STATUSES

    @property
    def succeeded(self) -> bool:
        """True when the task finished with results."""
        return self.status == SUCCESS

    @property
    def video_url(self) -> str | None:
        """The URL of the result video (the first mp4 result, else the first result with a
        URL; None when the results are text only)."""
        for output in self.results:
            if output.is_video and output.url:
                return output.url
        return next((output.url for output in self.results if output.url), None)

    @property
    def model(self) -> TaskResult | None:
        """Deprecated: use `raw`."""
        warnings.warn("Task.model is deprecated; use Task.raw", DeprecationWarning, stacklevel=2)
        return self.raw

    def to_dict(self) -> dict[str, Any]:
        """The task as a JSON-ready dict (`json.dumps` needs no `default=`). Money is a
        string (a Decimal's exact digits); seconds are numbers; absent values are None."""
        return {
            "id": self.id,
            "status": self.status,
            "results": [output.to_dict() for output in self.results],
            "error_code": self.error_code,
            "error_message": self.error_message,
            "failed_reason": None if self.failed_reason is None else self.failed_reason.to_dict(),
            "usage": None if self.usage is None else self.usage.to_dict(),
        }

    def __repr__(self) -> str:
        """id and status, then whichever of video_url, error and usage the task has."""
        shown: dict[str, object] = {
            "id": self.id,
            "status": self.status,
            "video_url": self.video_url,
        }
        shown |= {
            "error_code": self.error_code,
            "error_message": self.error_message,
            "usage": self.usage,
        }
        return _repr("Task", shown)

    @classmethod
    def from_model(
        cls, model: TaskResult, *, status: str | None = None, task_id: str | None = None
    ) -> Task:
        """Build the view from the generated model (read by _responses.py, which has checked
        its types). `status` stands for one the spec does not know (or none: UNKNOWN);
        `task_id` for an answer that did not repeat it (the kit's query answers)."""
        outputs = model.results if isinstance(model.results, list) else []
        model_status = None if isinstance(model.status, Unset) else model.status
        return cls(
            id=model.task_id if isinstance(model.task_id, str) else task_id or "",
            status=status or model_status or UNKNOWN,
            results=tuple(  # an item with neither a URL nor a text is skipped, as the kit does
                output
                for output in (OutputFile.from_model(item) for item in outputs)
                if output.url or output.text
            ),
            error_code=_text(model.error_code),
            error_message=_text(model.error_message),
            # Diagnostic only: a failedReason of another type (the generator casts without
            # checking) is dropped rather than let it fail the reading of the whole task.
            failed_reason=FailureReason.from_model(model.failed_reason),
            usage=Usage.from_model(model.usage),
            raw=model,
        )


@dataclass(frozen=True)
class Video:
    """What generate() and finish() return: the finished task and where its video was saved."""

    task: Task
    path: Path
