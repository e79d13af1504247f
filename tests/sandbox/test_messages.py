"""How the sandbox words a spec violation (its 422 errorMessage): one line per problem, the
allowed values written as JSON writes them (a string in quotes, a number bare)."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft4Validator
from runninghub_video.sandbox._contract import Operation

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "resolution": {"type": "string", "enum": ["720p", "1080p"]},
        "duration": {"type": "integer", "enum": [4, 8]},
    },
}
OPERATION = Operation("/x", "x", "task", SCHEMA, None, Draft4Validator(SCHEMA))


def test_a_wrong_typed_enum_value_is_one_line() -> None:
    # The value breaks both `type` and `enum`; once said is enough.
    assert OPERATION.validate_json({"resolution": 720}) == [
        "resolution must be one of '720p', '1080p', got 720"
    ]


def test_an_integer_enum_shows_its_values_as_numbers() -> None:
    assert OPERATION.validate_json({"duration": "4"}) == ["duration must be one of 4, 8, got '4'"]
    assert OPERATION.validate_json({"duration": 5}) == ["duration must be one of 4, 8, got 5"]
