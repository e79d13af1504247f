"""The spec's request limits as the wrapper checks them (runninghub_video/_limits.py), read
from the committed client's _constraints.json, and each kind of limit on its own."""

from __future__ import annotations

from typing import Any

import pytest
from runninghub_video import InvalidInputError
from runninghub_video import _limits as limits
from runninghub_video._params import check_seed as check_submit

SEED_PATH = "/openapi/v2/rhart-video-s-official/image-to-video-realistic"


def test_the_seed_limits_are_read_from_the_committed_client() -> None:
    assert limits.limits(SEED_PATH, "prompt") == {"minLength": 1}
    assert limits.limits("image_to_video_realistic", "imageUrl") == {"minLength": 1}
    assert limits.limits(SEED_PATH, "aspectRatio") == {}
    assert limits.limits("no-such-endpoint", "prompt") == {}


@pytest.mark.parametrize(
    ("rules", "value", "broken"),
    [
        ({"minLength": 5}, "hi", "at least 5 characters (the spec's minLength)"),
        ({"minLength": 5}, "hello", None),
        ({"maxLength": 3}, "four", "at most 3 characters (the spec's maxLength)"),
        ({"pattern": "^[a-z]+$"}, "ab1", "text matching '^[a-z]+$' (the spec's pattern)"),
        ({"pattern": "^[a-z]+$"}, "abc", None),
        ({"pattern": "(?<x"}, "abc", None),  # a pattern Python cannot read: the server checks
        ({"minimum": 0}, -1, "a number at least 0 (the spec's minimum)"),
        ({"minimum": 0}, 0, None),
        ({"exclusiveMinimum": 0}, 0, "a number more than 0 (the spec's exclusiveMinimum)"),
        ({"maximum": 1.5}, 1.6, "a number at most 1.5 (the spec's maximum)"),
        ({"exclusiveMaximum": 10}, 10, "a number less than 10 (the spec's exclusiveMaximum)"),
        ({"exclusiveMaximum": 10}, 9.99, None),
        ({"minimum": 2}, True, None),  # a boolean is no number (its type is checked elsewhere)
        ({"minItems": 1}, [], "at least 1 items (the spec's minItems)"),
        ({"maxItems": 2}, ["a", "b", "c"], "at most 2 items (the spec's maxItems)"),
        ({"maxItems": 2}, ["a", "b"], None),
        ({"minLength": 5}, 3, None),  # a limit of another type than the value's
    ],
)
def test_each_limit(rules: dict[str, Any], value: object, broken: str | None) -> None:
    assert limits._broken(rules, value) == broken


def test_check_limits_names_field_value_and_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = {"/v/x": {"module": "x", "fields": {"seed": {"minimum": 0}}}}
    monkeypatch.setattr(limits, "_all", lambda: fake)
    with pytest.raises(InvalidInputError) as refused:
        limits.check_limits("x", "seed", -5, "seed")
    assert str(refused.value) == (
        "invalid seed: -5; expected a number at least 0 (the spec's minimum)"
    )
    limits.check_limits("/v/x", "seed", 0)


def test_the_seed_submit_reads_its_prompt_limit_from_the_spec(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = {SEED_PATH: {"module": "image_to_video_realistic",
                        "fields": {"prompt": {"maxLength": 4}}}}  # fmt: skip
    monkeypatch.setattr(limits, "_all", lambda: fake)
    with pytest.raises(InvalidInputError, match="at most 4 characters"):
        check_submit(prompt="a lake", image="https://h/a.png", resolution="720p",
                     aspect_ratio="16:9", duration=4)  # fmt: skip
