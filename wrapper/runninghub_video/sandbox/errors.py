"""The vendor's errorCode table and the sandbox's JSON error bodies (ErrorResponse in the spec)."""

from __future__ import annotations

from typing import Final

# errorCode -> the vendor's English message (shared/reference/runninghub-api.md, [DOC][SJ]).
ERROR_MESSAGES: Final[dict[str, str]] = {
    "1000": "unknown error",
    "1001": "invalid URL",
    "1002": "invalid API key",
    "1003": "rate limit exceeded",
    "1004": "task not found",
    "1005": "internal server error",
    "1006": "task execution timed out",
    "1007": "invalid parameters",
    "1008": "file size limit exceeded",
    "1009": "HTTP method not supported",
    "1010": "service unavailable",
    "1011": "system busy",
    "1012": "service response exception",
    "1013": "file processing failed",
    "1014": "standard-model API restricted to enterprise-shared keys",
    "1015": "generation failed",
    "1101": "node info error",
    "1501": "content verification failed",
    "1504": "model timed out",
    "1505": "Photorealistic real people are prohibited, please modify your prompt or image",
    "1520": "per-user concurrency limit reached",
}

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
