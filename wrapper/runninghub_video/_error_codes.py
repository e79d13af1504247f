"""The vendor's errorCode table, in one place for the client (to map errors) and the sandbox
(to answer like the real API). Source: the vendor's docs and llms.txt, see
../shared/reference/runninghub-api.md ([DOC][SJ]).
"""

from __future__ import annotations

from typing import Final

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
    # Seen in public clients, as "wait and retry later" [PYPI][GO][LEGACY]:
    "415": "TASK_INSTANCE_MAXED",
    "421": "TASK_QUEUE_MAXED",
    "814": "PERSONAL_QUEUE_COUNT_LIMIT",
}

# Names for the codes the code base raises or answers itself (the sandbox, the tests).
UNKNOWN_ERROR: Final = "1000"
INVALID_URL: Final = "1001"
INVALID_KEY: Final = "1002"
RATE_LIMITED: Final = "1003"
TASK_NOT_FOUND: Final = "1004"
INTERNAL_ERROR: Final = "1005"
INVALID_PARAMETERS: Final = "1007"
FILE_TOO_LARGE: Final = "1008"
METHOD_NOT_SUPPORTED: Final = "1009"
UNAVAILABLE: Final = "1010"
SYSTEM_BUSY: Final = "1011"
FILE_PROCESSING_FAILED: Final = "1013"
GENERATION_FAILED: Final = "1015"
CONCURRENCY_LIMIT: Final = "1520"

# How the client classifies them (see errors.py).
AUTH_CODES: Final = frozenset({"1002", "1014"})
RATE_LIMIT_CODES: Final = frozenset({"1003", "1520", "415", "421", "814"})
INVALID_REQUEST_CODES: Final = frozenset({"1001", "1004", "1007", "1008", "1009"})
CONTENT_REJECTED_CODES: Final = frozenset({"1501", "1505"})
SERVER_CODES: Final = frozenset({"1005", "1010", "1011", "1012"})
