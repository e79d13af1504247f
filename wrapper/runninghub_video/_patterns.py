"""A spec `pattern`, matched in linear time by RE2 (google-re2), in the pre-submit check and
the sandbox: a vendor pattern such as ^([A-Za-z0-9]+\\s?)*$ makes Python's re backtrack for
minutes on a 31-character prompt. The build (scripts/build_spec.py) refuses a pattern RE2
cannot read (lookarounds, backreferences), so every pattern of the spec is checked here."""

from __future__ import annotations

import functools
from typing import Any

import re2  # type: ignore[import-untyped]  # google-re2 ships no type information

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print each refused pattern on stderr


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> Any:
    return re2.compile(pattern, options=_OPTIONS)


def unreadable(pattern: str) -> str | None:
    """Why RE2 cannot read pattern (None when it can)."""
    try:
        _compiled(pattern)
    except re2.error as error:
        reason = error.args[0] if error.args else error
        return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
    return None


def matches(pattern: str, text: str) -> bool | None:
    """Whether pattern matches somewhere in text (JSON Schema patterns are not anchored);
    None when RE2 cannot read the pattern (the server checks it then). Lone surrogates (text
    from a non-UTF-8 argv) are matched as U+FFFD."""
    if unreadable(pattern) is not None:
        return None
    if any("\ud800" <= char <= "\udfff" for char in text):
        text = "".join("\ufffd" if "\ud800" <= char <= "\udfff" else char for char in text)
    return _compiled(pattern).search(text) is not None


def pattern_keyword(validator: Any, pattern: str, instance: object, schema: object) -> Any:
    """jsonschema's `pattern` keyword by RE2, for the client's limits and the sandbox's and
    doctor's validators: jsonschema's own uses Python's re, which one vendor pattern holds for
    minutes."""
    from jsonschema.exceptions import ValidationError

    del schema
    if validator.is_type(instance, "string") and matches(pattern, str(instance)) is False:
        yield ValidationError(f"must match the pattern {pattern!r}")
