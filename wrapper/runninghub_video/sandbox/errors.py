"""The sandbox's errorCodes and JSON error bodies (ErrorResponse in the spec)."""

from __future__ import annotations

from typing import Final

from runninghub_video.error_codes import ERROR_MESSAGES

INVALID_PARAMETERS: Final = "1007"
FILE_TOO_LARGE: Final = "1008"
INVALID_KEY: Final = "1002"
RATE_LIMITED: Final = "1003"
TASK_NOT_FOUND: Final = "1004"
INTERNAL_ERROR: Final = "1005"
UNAVAILABLE: Final = "1010"
GENERATION_FAILED: Final = "1015"


def message_for(code: str) -> str:
    """The vendor's message for an errorCode, so failures read like the real API's."""
    return ERROR_MESSAGES.get(code, ERROR_MESSAGES["1000"])


def error_body(code: str, detail: str | None = None) -> dict[str, object]:
    """An ErrorResponse body: errorCode plus the vendor message, with detail appended if given."""
    message = message_for(code)
    return {"errorCode": code, "errorMessage": f"{message}: {detail}" if detail else message}
