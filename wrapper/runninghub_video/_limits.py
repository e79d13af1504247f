"""The spec's request limits (minLength, maxLength, pattern, minimum, maximum, exclusive
bounds, minItems, maxItems), checked before any request (a pattern in linear time, by
_patterns). They are read from the spec, never written here: scripts/generate.py writes each
task endpoint's limits to runninghub_client/_constraints.json beside the generated client
(whose code does not carry them), and this module reads that file once, when first needed.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from ._errors import InvalidInputError
from ._patterns import matches

PACKAGE = "runninghub_client"
FILE = "_constraints.json"


@functools.cache
def _all() -> dict[str, Any]:
    """Every endpoint's limits, by path ({} when the generated client has no such file)."""
    try:
        text = resources.files(PACKAGE).joinpath(FILE).read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return {}
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def limits(endpoint: str, json_name: str) -> dict[str, Any]:
    """The limits of one request field of an endpoint (its path or function module)."""
    for path, entry in _all().items():
        if endpoint in (path, entry.get("module")):
            found: dict[str, Any] = entry.get("fields", {}).get(json_name, {})
            return found
    return {}


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_BOUNDS = (
    ("minimum", "at least"),
    ("exclusiveMinimum", "more than"),
    ("maximum", "at most"),
    ("exclusiveMaximum", "less than"),
)


def _within(key: str, value: float, bound: float) -> bool:
    if key == "minimum":
        return value >= bound
    if key == "exclusiveMinimum":
        return value > bound
    if key == "maximum":
        return value <= bound
    return value < bound


def _broken(rules: dict[str, Any], value: object) -> str | None:
    """What value breaks among rules (as the text of what is expected), or None."""
    if isinstance(value, str):
        if "minLength" in rules and len(value) < rules["minLength"]:
            return f"at least {rules['minLength']} characters (the spec's minLength)"
        if "maxLength" in rules and len(value) > rules["maxLength"]:
            return f"at most {rules['maxLength']} characters (the spec's maxLength)"
        pattern = rules.get("pattern")
        if isinstance(pattern, str) and matches(pattern, value) is False:
            return f"text matching {pattern!r} (the spec's pattern)"
    if isinstance(value, int | float) and not isinstance(value, bool):
        for key, words in _BOUNDS:
            bound = rules.get(key)
            if isinstance(bound, int | float) and _number(bound) and not _within(key, value, bound):
                return f"a number {words} {bound} (the spec's {key})"
    if isinstance(value, list | tuple):
        if "minItems" in rules and len(value) < rules["minItems"]:
            return f"at least {rules['minItems']} items (the spec's minItems)"
        if "maxItems" in rules and len(value) > rules["maxItems"]:
            return f"at most {rules['maxItems']} items (the spec's maxItems)"
    return None


def check_limits(endpoint: str, json_name: str, value: object, name: str | None = None) -> None:
    """InvalidInputError naming the field (`name`, default its JSON name), the value and the
    limit, when value breaks one of the spec's limits for this field of endpoint (its path
    or function module). Values of another type than a limit's pass (type checks are
    elsewhere)."""
    broken = _broken(limits(endpoint, json_name), value)
    if broken is not None:
        raise InvalidInputError(name or json_name, value, broken)
