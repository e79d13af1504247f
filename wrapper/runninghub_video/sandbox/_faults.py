"""Failure on demand: `[sandbox:...]` markers in a prompt, parsed into a FaultPlan."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

# Every marker the sandbox understands and what it does (docs/sandbox.md and --help list them).
MARKERS: Final[dict[str, str]] = {
    "[sandbox:fail=CODE]": (
        "the task runs, then ends FAILED with errorCode CODE (e.g. 1505, 1501, 1006, 1015), "
        "the vendor's message and a filled failedReason"
    ),
    "[sandbox:cancel]": "the task runs, then ends with status CANCEL",
    "[sandbox:submit429=N]": (
        "the first N submits carrying this exact prompt answer HTTP 429 "
        "(Retry-After: 1, errorCode 1003) and create no task"
    ),
    "[sandbox:queuefull]": (
        "the submit is refused as when the key's queue is full: HTTP 200, errorCode 1520, no task"
    ),
    "[sandbox:query5xx=N]": "the first N queries of the task answer HTTP 503 (errorCode 1010)",
    "[sandbox:expire]": "the task succeeds but its result URL answers 403, like an expired link",
    "[sandbox:instant]": "the submit itself answers the final status (SUCCESS with results)",
    "[sandbox:shape=SHAPE]": (
        "the task's answers take a shape the vendor's developer kit documents: minimal (submit "
        '{"taskId"}, queries {"status"} and a final {"status", "results": [{"url"}]}), task_id '
        '(the id as task_id), outputUrl (results as {"outputUrl"}) or envelope (the submit '
        'answer inside {"code": 0, "msg", "data"})'
    ),
}

#: The answer shapes of [sandbox:shape=SHAPE] (sandbox/_payloads.py writes them).
SHAPES: Final = ("minimal", "task_id", "outputUrl", "envelope")

# Linear time: a value stops at the next '[' or ']', so no start rescans the rest of the prompt
# (`[^\]]*` made a prompt of repeated "[sandbox:a=" quadratic: 21 s for 110 KB).
_MARKER = re.compile(r"\[sandbox:([a-z0-9]+)(?:=([^\[\]]*))?\]")
_FLAGS: Final = frozenset({"cancel", "expire", "instant", "queuefull"})
_COUNTS: Final = frozenset({"submit429", "query5xx"})


class MarkerError(ValueError):
    """A `[sandbox:...]` marker that is unknown or has a bad value (answered as HTTP 422)."""


@dataclass(frozen=True)
class FaultPlan:
    """What should go wrong for one task; the default plan is a clean success."""

    fail_code: str | None = None
    cancel: bool = False
    submit_429: int = 0
    query_5xx: int = 0
    expire: bool = False
    instant: bool = False
    queue_full: bool = False
    shape: str | None = None
    """[sandbox:shape=SHAPE]: answer in one of the kit's shapes (SHAPES)."""

    @property
    def succeeds(self) -> bool:
        """Whether the task ends SUCCESS (and so needs a rendered video)."""
        return self.fail_code is None and not self.cancel


def parse_faults(prompt: str) -> FaultPlan:
    """Read every `[sandbox:...]` marker in prompt; raise MarkerError on unknown or bad ones."""
    values: dict[str, object] = {}
    for match in _MARKER.finditer(prompt):
        name, value = match.group(1), match.group(2)
        if name in _FLAGS:
            if value is not None:
                raise MarkerError(f"marker [sandbox:{name}] takes no value")
            values[name] = True
        elif name in _COUNTS:
            if value is None or not value.isdigit() or not 0 <= int(value) <= 1000:
                raise MarkerError(f"marker [sandbox:{name}=N] needs N, a whole number 0-1000")
            values[name] = int(value)
        elif name == "shape":
            if value not in SHAPES:
                raise MarkerError(f"marker [sandbox:shape=SHAPE] needs one of {', '.join(SHAPES)}")
            values[name] = value
        elif name == "fail":
            if value is None or not re.fullmatch(r"[0-9]{4}", value):
                raise MarkerError("marker [sandbox:fail=CODE] needs CODE, a 4-digit errorCode")
            values[name] = value
        else:
            known = ", ".join(MARKERS)
            raise MarkerError(f"unknown marker [sandbox:{name}]; known markers: {known}")
    if "fail" in values and "cancel" in values:
        raise MarkerError("markers [sandbox:fail=CODE] and [sandbox:cancel] exclude each other")
    return FaultPlan(
        fail_code=_str_or_none(values.get("fail")),
        cancel=values.get("cancel") is True,
        submit_429=_int(values.get("submit429")),
        query_5xx=_int(values.get("query5xx")),
        expire=values.get("expire") is True,
        instant=values.get("instant") is True,
        queue_full=values.get("queuefull") is True,
        shape=_str_or_none(values.get("shape")),
    )


def _str_or_none(value: object) -> str | None:
    """value if it is a str, else None (keeps parse_faults typed)."""
    return value if isinstance(value, str) else None


def _int(value: object) -> int:
    """value if it is an int, else 0 (keeps parse_faults typed)."""
    return value if isinstance(value, int) else 0
