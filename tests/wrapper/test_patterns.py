"""A spec `pattern` is matched in linear time (issue 18, item 11): the vendor-style pattern
^([A-Za-z0-9]+\\s?)*$ kept Python's re backtracking for over 60 s on a 31-character prompt
ending in `!`; RE2 (runninghub_video._patterns) answers at once. On the old code these tests
end by pytest-timeout."""

from __future__ import annotations

import pytest
from runninghub_video import InvalidInputError
from runninghub_video import _limits as limits
from runninghub_video._patterns import matches, unreadable

HOSTILE = r"^([A-Za-z0-9]+\s?)*$"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("length", [31, 5_000])
def test_a_backtracking_pattern_refuses_a_prompt_at_once(length: int) -> None:
    prompt = "a" * (length - 1) + "!"
    with pytest.raises(InvalidInputError) as refused:
        limits.check_limits({"pattern": HOSTILE}, prompt, "prompt")
    assert f"text matching {HOSTILE!r} (the spec's pattern)" in str(refused.value)
    limits.check_limits({"pattern": HOSTILE}, "a calm lake at dawn", "prompt")  # matches: no error


def test_a_pattern_re2_cannot_read_is_left_to_the_server() -> None:
    """The build refuses such patterns (scripts/build_spec.check_patterns); should one reach
    the check anyway, it passes rather than guess."""
    assert unreadable(r"(?=a)b") is not None
    assert matches(r"(?=a)b", "b") is None
    assert unreadable(HOSTILE) is None


def test_patterns_match_as_json_schema_says() -> None:
    """Unanchored, `$` only at the end (ECMA-262; Python's re also matches before a final
    newline), and text with lone surrogates (a non-UTF-8 argv) matched, not an error."""
    assert matches("b", "abc") is True
    assert matches("^abc$", "abc\n") is False
    assert matches("^a.c$", "a\udcffc") is True
    assert matches(r"^\d+$", "١٢") is False  # ECMA-262's \d is ASCII
