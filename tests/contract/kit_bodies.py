"""Every answer the vendor's developer kit states or tests, and the outcome its client reaches.

The facts (not the kit's code) of HM-RunningHub/ComfyUI_RH_OpenAPI:
`developer-kit/rh-api-contract.md` (CONTRACT), `developer-kit/tests/test_contract.py`
(KIT_TESTS), `developer-kit/examples/python/client.py` (EXAMPLE), `core/task.py` (TASK) and
`core/upload.py` (UPLOAD_PY); summarised with sources in ../shared/reference/runninghub-api.md,
"What the vendor's developer kit states". Where we deliberately differ, the case names the
`x-deviation-*` entry of openapi/overlay.yaml that records it and asserts our outcome.
tests/contract/test_kit_bodies.py runs them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runninghub_video import (
    APIError,
    AuthenticationError,
    ContentRejectedError,
    InvalidRequestError,
    ServerError,
    TaskFailedError,
    UnexpectedResponseError,
)

from tests.contract.vendor_bodies import QUERY, SUBMIT, UPLOAD

TASK = "task-123"  # the kit's tests' id
PNG = "https://example.com/out.png"
MP4 = "https://example.com/video.mp4"
UPLOADED = "https://example.com/input.png"

Answer = tuple[int, Any]
"""(HTTP status, body): a dict is sent as JSON, bytes as they are."""

VALID = "valid"
"""The merged spec documents the answer, field by field."""
UNDECLARED = "undeclared"
"""Spec-valid, with the meaning in a field the spec cannot declare (task_id beside taskId, a
data envelope): _responses.normalise_task reads it."""
REFUSED = "refused"
"""The spec refuses it and cannot say it otherwise (a case-insensitive status, a numeric id,
an item that is no object): _responses.normalise_task reads it."""
NOT_JSON = "not JSON"
"""No JSON answer to validate (a failure the client rides over or reports)."""


@dataclass(frozen=True)
class KitCase:
    """One answer (or answers in turn) the kit documents and what a user of ours must see."""

    name: str
    source: str
    path: str
    answers: tuple[Answer, ...]
    spec: str = VALID
    """VALID, UNDECLARED, REFUSED or NOT_JSON: what the merged spec says of the JSON answers."""
    status: str | None = None
    """The Task status reached (submit's Task, or wait()'s final Task)."""
    outputs: tuple[str, ...] = ()
    """Task.results' values (a URL or a text each), in order; for uploads the URL."""
    error: type[APIError] | None = None
    task_may_exist: bool = False
    requests: int = 1
    """Requests the path got: retries included, and never a second submit for one task."""
    deviation: str | None = None
    """The overlay's x-deviation-* entry when our outcome differs from the kit's on purpose."""
    exit_code: int = 0
    """The CLI's exit code (submit, wait or upload)."""
    named: str = TASK
    """The id the answers name (as a string)."""

    @property
    def task_id(self) -> str | None:
        """The task id the user must get (result or exception): a wait's always names the task,
        a refused or unreadable submit names none (its answer had none), an upload has none."""
        if self.path == UPLOAD or (self.path == SUBMIT and self.error is not None):
            return None
        return self.named


def one(status: int, body: Any) -> tuple[Answer, ...]:
    return ((status, body),)


# fmt: off
SUBMITS: list[KitCase] = [
    KitCase("submit-taskId", "CONTRACT, KIT_TESTS", SUBMIT, one(200, {"taskId": TASK}),
            status="CREATE"),
    KitCase("submit-task_id", "CONTRACT ('some implementations may also return task_id'), TASK",
            SUBMIT, one(200, {"task_id": TASK}), spec=UNDECLARED, status="CREATE"),
    KitCase("submit-data-envelope-taskId", "runninghub-api.md (an answer inside data)",
            SUBMIT, one(200, {"code": 0, "msg": "success", "data": {"taskId": TASK}}),
            spec=UNDECLARED, status="CREATE"),
    KitCase("submit-data-envelope-task_id", "runninghub-api.md (an answer inside data)",
            SUBMIT, one(200, {"data": {"task_id": TASK}}), spec=UNDECLARED, status="CREATE"),
    KitCase("submit-numeric-taskId", "TASK (str(task_id))", SUBMIT, one(200, {"taskId": 123}),
            spec=REFUSED, status="CREATE", named="123"),
    KitCase("submit-refused-errorCode", "TASK (errorCode in a 200 is a refusal)", SUBMIT,
            one(200, {"errorCode": "1007", "errorMessage": "invalid parameter"}),
            error=InvalidRequestError, exit_code=4),
    KitCase("submit-refused-error_code", "TASK (error_code/error_message)", SUBMIT,
            one(200, {"error_code": "1006", "error_message": "task execution timed out"}),
            spec=UNDECLARED, error=APIError, exit_code=1),
    # No task was created by a rate limit: retried like the kit retries a 429.
    KitCase("submit-rate-limited-then-taskId", "CONTRACT (HTTP 429 is transient)", SUBMIT,
            ((429, {"errorCode": "1003", "errorMessage": "rate limited"}), (200, {"taskId": TASK})),
            status="CREATE", requests=2),
    KitCase("submit-401", "CONTRACT (401/403 deterministic)", SUBMIT, one(401, {}),
            error=AuthenticationError, exit_code=3),
    KitCase("submit-403", "CONTRACT (401/403 deterministic)", SUBMIT,
            one(403, {"message": "forbidden"}), error=AuthenticationError, exit_code=3),
    KitCase("submit-400", "CONTRACT (400 deterministic)", SUBMIT,
            one(400, {"errorCode": "1007", "errorMessage": "invalid parameter"}),
            error=InvalidRequestError, exit_code=4),
    # Deviations: the kit resends these; we never resend a submit that may have made a task.
    KitCase("submit-taskId-with-errorCode", "TASK (errorCode wins over taskId)", SUBMIT,
            one(200, {"taskId": TASK, "errorCode": "1520", "errorMessage": "busy"}),
            status="CREATE", deviation="x-deviation-submit-resend"),
    KitCase("submit-500", "CONTRACT, TASK (a 5xx is retried up to 3 times)", SUBMIT,
            one(500, {"errorCode": "1010", "errorMessage": "server error"}), error=ServerError,
            task_may_exist=True, deviation="x-deviation-submit-resend", exit_code=1),
    KitCase("submit-html", "CONTRACT, TASK (invalid JSON is retried)", SUBMIT,
            one(200, b"<html><body>502 Bad Gateway</body></html>"), spec=NOT_JSON,
            error=UnexpectedResponseError, task_may_exist=True,
            deviation="x-deviation-submit-resend", exit_code=1),
    KitCase("submit-empty", "CONTRACT ('empty response' is transient)", SUBMIT, one(200, b""),
            spec=NOT_JSON, error=UnexpectedResponseError, task_may_exist=True,
            deviation="x-deviation-submit-resend", exit_code=1),
]

SUCCESS_PNG = {"status": "SUCCESS", "results": [{"url": PNG}]}
QUERIES: list[KitCase] = [
    KitCase("query-CREATE-RUNNING-SUCCESS", "KIT_TESTS (no taskId, no error fields)", QUERY,
            ((200, {"status": "CREATE"}), (200, {"status": "RUNNING"}), (200, SUCCESS_PNG)),
            status="SUCCESS", outputs=(PNG,), requests=3),
    KitCase("query-final-outputType-image", "CONTRACT (expected final answer)", QUERY,
            one(200, {"status": "SUCCESS", "results": [{"url": PNG, "outputType": "image"}]}),
            status="SUCCESS", outputs=(PNG,)),
    KitCase("query-outputUrl-and-content", "KIT_TESTS (extract_outputs)", QUERY,
            one(200, {"status": "SUCCESS",
                      "results": [{"outputUrl": MP4}, {"content": "hello"}]}),
            status="SUCCESS", outputs=(MP4, "hello")),
    KitCase("query-text-and-output", "CONTRACT (text, content, output)", QUERY,
            one(200, {"status": "SUCCESS", "results": [{"text": "a"}, {"output": "b"}]}),
            status="SUCCESS", outputs=("a", "b")),
    KitCase("query-url-wins-over-outputUrl", "CONTRACT (url, then outputUrl)", QUERY,
            one(200, {"status": "SUCCESS", "results": [{"url": MP4, "outputUrl": PNG}]}),
            status="SUCCESS", outputs=(MP4,)),
    KitCase("query-item-not-an-object", "TASK (an item that is no mapping is skipped)", QUERY,
            one(200, {"status": "SUCCESS", "results": ["x", None, {"url": MP4}]}),
            spec=REFUSED, status="SUCCESS", outputs=(MP4,)),
    KitCase("query-lower-case-success", "TASK (status stripped and upper-cased)", QUERY,
            ((200, {"status": " running "}),
             (200, {"status": "success", "results": [{"url": MP4}]})),
            spec=REFUSED, status="SUCCESS", outputs=(MP4,), requests=2),
    KitCase("query-empty-status-not-final", "TASK (an empty status is not final)", QUERY,
            ((200, {"status": ""}), (200, SUCCESS_PNG)), spec=REFUSED, status="SUCCESS",
            outputs=(PNG,), requests=2),
    KitCase("query-FAILED-bare", "KIT_TESTS, CONTRACT (FAILED is final)", QUERY,
            one(200, {"status": "FAILED"}), status="FAILED", error=TaskFailedError, exit_code=4),
    KitCase("query-CANCEL-bare", "CONTRACT (CANCEL is final)", QUERY,
            one(200, {"status": "CANCEL"}), status="CANCEL", error=TaskFailedError, exit_code=4),
    KitCase("query-errorCode-while-running", "TASK (an errorCode fails the poll)", QUERY,
            one(200, {"status": "RUNNING", "errorCode": "1505",
                      "errorMessage": "real people are prohibited"}),
            error=ContentRejectedError, requests=5, exit_code=4),
    KitCase("query-SUCCESS-without-results", "TASK ('No results in response')", QUERY,
            one(200, {"status": "SUCCESS", "results": []}), error=UnexpectedResponseError,
            requests=5, exit_code=1),
    # The kit rides over a few failed polls of any kind, then fails naming the task.
    KitCase("query-rides-over-400-html-empty-5xx", "TASK, EXAMPLE (consecutive failures)", QUERY,
            ((200, {"status": "CREATE"}), (400, {"errorCode": "1007"}), (200, b"<html></html>"),
             (200, b""), (503, {"errorCode": "1010"}), (200, SUCCESS_PNG)),
            status="SUCCESS", outputs=(PNG,), requests=6),
    KitCase("query-fails-after-5-failures", "TASK ('failed N times consecutively')", QUERY,
            ((200, {"status": "RUNNING"}), (200, b"")),
            error=UnexpectedResponseError, requests=6, exit_code=1),
    KitCase("query-403", "CONTRACT (403 deterministic)", QUERY,
            one(403, {"message": "forbidden"}), error=AuthenticationError, exit_code=3),
]

UPLOADS: list[KitCase] = [
    KitCase("upload-minimal", "CONTRACT (expected upload answer)", UPLOAD,
            one(200, {"code": 0, "data": {"download_url": UPLOADED}}), outputs=(UPLOADED,)),
    KitCase("upload-errorMessage", "EXAMPLE (msg, message, errorMessage)", UPLOAD,
            one(200, {"code": 1, "errorMessage": "bad file"}), outputs=("bad file",),
            error=APIError, exit_code=1),
    KitCase("upload-msg", "EXAMPLE (msg, message, errorMessage)", UPLOAD,
            one(200, {"code": 1, "msg": "bad msg"}), outputs=("bad msg",), error=APIError,
            exit_code=1),
    KitCase("upload-server-error-retried", "UPLOAD_PY (retried when the message says server)",
            UPLOAD, ((200, {"code": 500, "message": "internal server error"}),
                     (200, {"code": 0, "data": {"download_url": UPLOADED}})),
            outputs=(UPLOADED,), requests=2),
    KitCase("upload-403", "CONTRACT (403 deterministic)", UPLOAD, one(403, {}),
            error=AuthenticationError, exit_code=3),
    KitCase("upload-rate-limited", "CONTRACT (HTTP 429 is transient)", UPLOAD,
            ((429, {"errorCode": "1003"}), (200, {"code": 0, "data": {"download_url": UPLOADED}})),
            outputs=(UPLOADED,), requests=2),
]
# fmt: on

KIT_CASES = SUBMITS + QUERIES + UPLOADS
