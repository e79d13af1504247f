"""The spec's request limits (minLength, maxLength, pattern, minimum, maximum, exclusive
bounds, minItems, maxItems, and those of each item), checked before any request.

They come from the contract table (each field's `limits`, as JSON Schema 2020), never from
here, and are checked by jsonschema, with `pattern` matched in linear time by RE2 (_patterns):
Python's re, which jsonschema uses, backtracks for minutes on a pattern such as (a+)+$.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from ._errors import InvalidInputError
from ._patterns import pattern_keyword

#: What each limit asks for, in words ({} is the limit's value).
_WORDS = {
    "minLength": "at least {} characters",
    "maxLength": "at most {} characters",
    "pattern": "text matching {!r}",
    "minimum": "a number at least {}",
    "exclusiveMinimum": "a number more than {}",
    "maximum": "a number at most {}",
    "exclusiveMaximum": "a number less than {}",
    "minItems": "at least {} items",
    "maxItems": "at most {} items",
}


@functools.cache
def _validator(rules: str) -> Any:
    """A validator of one field's limits (given as JSON text: cached per distinct limits)."""
    from jsonschema import Draft202012Validator, validators

    checker = validators.extend(Draft202012Validator, {"pattern": pattern_keyword})
    return checker(json.loads(rules))


def check_limits(limits: dict[str, Any], value: object, name: str) -> None:
    """InvalidInputError naming the field (an item as `name[1]`), the value and the limit, when
    value breaks one of limits. A value of another type than a limit's passes (the type
    checks are the caller's)."""
    if not limits:
        return
    errors = _validator(json.dumps(limits, sort_keys=True)).iter_errors(_plain(value))
    error = min(errors, key=lambda error: list(error.absolute_path), default=None)
    if error is None:
        return
    keyword = str(error.validator)
    words = _WORDS.get(keyword, f"{keyword} {{}}").format(error.validator_value)
    path = "".join(f"[{part}]" for part in error.absolute_path)
    shown = value if not path else error.instance
    raise InvalidInputError(f"{name}{path}", shown, f"{words} (the spec's {keyword})")


def _plain(value: object) -> object:
    """value with tuples as lists (jsonschema's arrays) and other objects (a local image to
    upload) as None, which no limit of another type checks."""
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return None
