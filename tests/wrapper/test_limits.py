"""The spec's request limits as the wrapper checks them (runninghub_video/_limits.py, by
jsonschema), read from the committed client's contract table, and each kind of limit alone."""

from __future__ import annotations

from typing import Any

import pytest
from runninghub_video import InvalidInputError
from runninghub_video import _endpoints as endpoints
from runninghub_video import _limits as limits
from runninghub_video._params import check_seed as check_submit


def seed_field(name: str) -> endpoints.Field:
    return endpoints.load(endpoints.seed()).field(name)


def test_the_seed_limits_are_read_from_the_committed_client() -> None:
    assert seed_field("prompt").limits == {"minLength": 1}
    assert seed_field("image_url").limits == {"minLength": 1}
    assert seed_field("aspect_ratio").limits == {}


@pytest.mark.parametrize(
    ("rules", "value", "broken"),
    [
        ({"minLength": 5}, "hi", "at least 5 characters (the spec's minLength)"),
        ({"minLength": 5}, "hello", None),
        ({"maxLength": 3}, "four", "at most 3 characters (the spec's maxLength)"),
        ({"pattern": "^[a-z]+$"}, "ab1", "text matching '^[a-z]+$' (the spec's pattern)"),
        ({"pattern": "^[a-z]+$"}, "abc", None),
        ({"pattern": "(?<x"}, "abc", None),  # a pattern RE2 cannot read: the server checks
        ({"minimum": 0}, -1, "a number at least 0 (the spec's minimum)"),
        ({"minimum": 0}, 0, None),
        ({"exclusiveMinimum": 0}, 0, "a number more than 0 (the spec's exclusiveMinimum)"),
        ({"maximum": 1.5}, 1.6, "a number at most 1.5 (the spec's maximum)"),
        ({"exclusiveMaximum": 10}, 10, "a number less than 10 (the spec's exclusiveMaximum)"),
        ({"exclusiveMaximum": 10}, 9.99, None),
        ({"minimum": 2}, True, None),  # a boolean is no number (its type is checked elsewhere)
        ({"minItems": 1}, [], "at least 1 items (the spec's minItems)"),
        ({"maxItems": 2}, ["a", "b", "c"], "at most 2 items (the spec's maxItems)"),
        ({"maxItems": 2}, ("a", "b"), None),
        ({"minLength": 5}, 3, None),  # a limit of another type than the value's
        ({"minLength": 5}, object(), None),  # a local image to upload: no text to measure
        ({}, "anything", None),
    ],
)
def test_each_limit(rules: dict[str, Any], value: object, broken: str | None) -> None:
    if broken is None:
        limits.check_limits(rules, value, "x")
        return
    with pytest.raises(InvalidInputError) as refused:
        limits.check_limits(rules, value, "x")
    assert refused.value.allowed == broken


def test_check_limits_names_field_value_and_limit() -> None:
    with pytest.raises(InvalidInputError) as refused:
        limits.check_limits({"minimum": 0}, -5, "seed")
    assert str(refused.value) == (
        "invalid seed: -5; expected a number at least 0 (the spec's minimum)"
    )


def test_an_item_breaking_its_limit_is_named_by_its_index() -> None:
    rules = {"maxItems": 3, "items": {"minLength": 2}}
    with pytest.raises(InvalidInputError) as refused:
        limits.check_limits(rules, ["ab", "c"], "tags")
    assert str(refused.value) == (
        "invalid tags[1]: 'c'; expected at least 2 characters (the spec's minLength)"
    )


def test_the_seed_submit_reads_its_prompt_limit_from_the_table(table: dict[str, Any]) -> None:
    (prompt,) = (f for f in table["endpoints"][0]["fields"] if f["name"] == "prompt")
    prompt["limits"] = {"maxLength": 4}
    with pytest.raises(InvalidInputError, match="at most 4 characters"):
        check_submit(prompt="a lake", image="https://h/a.png", resolution="720p",
                     aspect_ratio="16:9", duration=4)  # fmt: skip
