"""The sandbox's JSON error bodies (ErrorResponse in the spec); codes come from error_codes."""

from __future__ import annotations

from runninghub_video._error_codes import (
    CONCURRENCY_LIMIT,
    ERROR_MESSAGES,
    FILE_PROCESSING_FAILED,
    FILE_TOO_LARGE,
    GENERATION_FAILED,
    INTERNAL_ERROR,
    INVALID_KEY,
    INVALID_PARAMETERS,
    INVALID_URL,
    METHOD_NOT_SUPPORTED,
    RATE_LIMITED,
    SYSTEM_BUSY,
    TASK_NOT_FOUND,
    UNAVAILABLE,
    UNKNOWN_ERROR,
)

__all__ = [
    "CONCURRENCY_LIMIT",
    "FILE_PROCESSING_FAILED",
    "FILE_TOO_LARGE",
    "GENERATION_FAILED",
    "INTERNAL_ERROR",
    "INVALID_KEY",
    "INVALID_PARAMETERS",
    "INVALID_URL",
    "METHOD_NOT_SUPPORTED",
    "RATE_LIMITED",
    "SYSTEM_BUSY",
    "TASK_NOT_FOUND",
    "UNAVAILABLE",
    "UNKNOWN_ERROR",
    "error_body",
    "message_for",
]


def message_for(code: str) -> str:
    """The vendor's message for an errorCode, so failures read like the real API's."""
    return ERROR_MESSAGES.get(code, ERROR_MESSAGES[UNKNOWN_ERROR])


def error_body(code: str, detail: str | None = None) -> dict[str, object]:
    """An ErrorResponse body: errorCode plus the vendor message, with detail appended if given."""
    message = message_for(code)
    return {"errorCode": code, "errorMessage": f"{message}: {detail}" if detail else message}
