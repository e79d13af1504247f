"""Sans-IO reading of API answers: an HTTP answer in, a Task or UploadResult out, or the right
RunningHubError raised. Shared by the sync and async clients; no I/O happens here.

Models are the generated ones. This module adds the policy the generator cannot know: the
vendor's errorCode table, error bodies that are not JSON, unknown statuses, wrong types.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runninghub_client.models import (
    TaskOutput,
    TaskResult,
    UploadedMedia,
    UploadResult,
)
from runninghub_client.types import Unset

from ._error_codes import (
    AUTH_CODES,
    CONTENT_REJECTED_CODES,
    ERROR_MESSAGES,
    INVALID_REQUEST_CODES,
    RATE_LIMIT_CODES,
    SERVER_CODES,
)
from ._errors import (
    APIError,
    AuthenticationError,
    ContentRejectedError,
    InvalidRequestError,
    RateLimitError,
    ServerError,
    TaskFailedError,
    TaskNotFoundError,
    UnexpectedResponseError,
)
from ._params import TASK_ID_MAX, is_task_id
from ._redaction import redact
from ._task import FINAL_STATUSES, KNOWN_STATUSES, SUCCESS, Task

logger = logging.getLogger("runninghub_video")

EXCERPT_CHARS = 200


@dataclass(frozen=True)
class RawAnswer:
    """What came back over HTTP, as the generated client saw it."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes
    parsed: object = None
    """The generated model, or None when the generated parser failed or had none."""
    truncated: bool = False
    """The body was cut at its cap (bounded_reads): too large to be a real answer."""


def excerpt(content: bytes) -> str:
    """The start of a body, for error messages. The whole body is redacted before it is cut
    (a server may echo the key: cut first, a key split by the cut would no longer match)."""
    text = redact(content.decode("utf-8", errors="replace"))
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 3] + "..."


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The Retry-After header in seconds (delta-seconds form), if present and sane."""
    value = headers.get("retry-after") or headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if 0 <= seconds <= 24 * 3600 else None


def _json_object(content: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than Python allows
        return None
    return data if isinstance(data, dict) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def describe(error_code: str | None, message: str | None) -> str:
    """'errorCode 1505: photorealistic ...' from whatever the API said."""
    text = message or (ERROR_MESSAGES.get(error_code) if error_code else None)
    if error_code and text:
        return f"errorCode {error_code}: {text}"
    return text or (f"errorCode {error_code}" if error_code else "no details given")


def error_for_code(
    error_code: str,
    message: str | None,
    *,
    status_code: int | None,
    task_id: str | None,
    body: bytes = b"",
) -> APIError:
    """The exception for a vendor errorCode that came without a final task status."""
    text = describe(error_code, message)
    kwargs: dict[str, Any] = {
        "status_code": status_code,
        "error_code": error_code,
        "task_id": task_id,
        "body_excerpt": excerpt(body) if body else None,
    }
    if error_code in AUTH_CODES:
        return AuthenticationError(f"API key refused: {text}", **kwargs)
    if error_code in RATE_LIMIT_CODES:
        return RateLimitError(f"rate limited: {text}", **kwargs)
    if error_code in CONTENT_REJECTED_CODES:
        return ContentRejectedError(f"content rejected: {text}", **kwargs)
    if error_code in SERVER_CODES:
        return ServerError(f"RunningHub server error: {text}", **kwargs)
    if error_code in INVALID_REQUEST_CODES:
        return InvalidRequestError(f"request rejected: {text}", **kwargs)
    return APIError(f"RunningHub error: {text}", **kwargs)


def error_for_status(answer: RawAnswer, *, task_id: str | None = None) -> APIError:
    """The exception for a non-200 HTTP answer (an errorCode in the body refines it)."""
    status = answer.status_code
    body = _json_object(answer.content) or {}
    code = _text(body.get("errorCode")) or (
        str(body["code"]) if isinstance(body.get("code"), int | str) and body.get("code") else None
    )
    message = (
        _text(body.get("errorMessage"))
        or _text(body.get("message"))
        or _text(body.get("msg"))
        or _text(body.get("detail"))
        or _text(body.get("title"))
    )
    detail = describe(code, message) if (code or message) else excerpt(answer.content) or "empty"
    kwargs: dict[str, Any] = {
        "status_code": status,
        "error_code": code,
        "task_id": task_id,
        "body_excerpt": excerpt(answer.content),
    }
    if status == 401 or (status == 403 and code in AUTH_CODES):
        return AuthenticationError(f"HTTP {status}, API key refused: {detail}", **kwargs)
    if status == 429:
        error = RateLimitError(f"HTTP 429, rate limited: {detail}", **kwargs)
        error.retry_after = retry_after_seconds(answer.headers)
        return error
    if status >= 500:
        return ServerError(f"HTTP {status} from RunningHub: {detail}", **kwargs)
    if status in (400, 404, 405, 413, 415, 422):
        return InvalidRequestError(f"HTTP {status}, request rejected: {detail}", **kwargs)
    return UnexpectedResponseError(f"unexpected HTTP {status}: {detail}", **kwargs)


def _unexpected(answer: RawAnswer, why: str, task_id: str | None) -> UnexpectedResponseError:
    return UnexpectedResponseError(
        f"unexpected answer from RunningHub ({why}): {excerpt(answer.content) or 'empty body'}",
        status_code=answer.status_code,
        task_id=task_id,
        body_excerpt=excerpt(answer.content),
    )


def _check_types(model: TaskResult) -> str | None:
    """The generator casts without checking; say what does not match the spec, if anything.

    Only the fields the flow depends on are refused (taskId, errorCode, errorMessage,
    results): a diagnostic field of the wrong type (usage, failedReason) becomes None on the
    Task (_task.py), so that a task, a paid one perhaps, is always readable.
    """
    task_id = model.task_id
    if not is_task_id(task_id):
        # The same rule as params.check_task_id: the id goes into file names, URLs, terminals.
        shown = repr(task_id)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        return f"taskId {shown} is not 1-{TASK_ID_MAX} letters, digits, '-' or '_'"
    for name in ("error_code", "error_message"):
        if getattr(model, name) is not None and not isinstance(getattr(model, name), str):
            return f"{name} is not a string"
    if model.results is not None and not isinstance(model.results, Unset):  # absent: no results
        if not isinstance(model.results, list):
            return "results is not a list"
        for output in model.results:
            if not isinstance(output, TaskOutput) or not isinstance(output.url, str):
                return "a result has no url string"
            if not isinstance(output.output_type, str):
                return "a result has no outputType string"
    return None


def _read_task_model(answer: RawAnswer, task_id: str | None) -> tuple[TaskResult, str | None]:
    """The generated model of a 200 answer, and the status to use if the spec does not know it."""
    if isinstance(answer.parsed, TaskResult):
        return answer.parsed, None
    # The generated parser raised: not JSON, a missing field, or a status the spec lacks.
    data = _json_object(answer.content)
    if data is None:
        raise _unexpected(answer, "not a JSON object", task_id)
    status = data.get("status")
    if isinstance(status, str) and status and status not in KNOWN_STATUSES:
        # A status newer than our spec: read everything else with the generated model
        # (standing in a known non-final status) and keep the real status on the Task.
        try:
            return TaskResult.from_dict({**data, "status": "RUNNING"}), status
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _unexpected(answer, f"does not match the spec: {exc!r}", task_id) from None
    try:
        return TaskResult.from_dict(data), None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _unexpected(answer, f"does not match the spec: {exc!r}", task_id) from None


def read_task(answer: RawAnswer, *, task_id: str | None = None) -> Task:
    """A submit or query answer as a Task (any status, FAILED and CANCEL included).

    Raises APIError subclasses for HTTP errors and for an errorCode that comes without a
    final status, UnexpectedResponseError for bodies that are not what the spec says.
    """
    if answer.status_code != 200:
        raise error_for_status(answer, task_id=task_id)
    if answer.truncated:
        raise _too_large(answer, task_id)
    # The common case, already parsed by the generated client, is read from the model; the
    # body is decoded again only when the generated parser could not read it.
    fields: Mapping[str, Any] | None
    if isinstance(answer.parsed, TaskResult):
        model = answer.parsed
        fields = {"status": model.status, "errorCode": model.error_code,
                  "errorMessage": model.error_message, "taskId": model.task_id}  # fmt: skip
    else:
        fields = _json_object(answer.content)
    status = fields.get("status") if fields is not None else None
    if fields is not None and not (isinstance(status, str) and status in FINAL_STATUSES):
        # A refusal (rate limit, bad key, bad parameter...) is a 200 with an errorCode and
        # often no usable task fields: map the code before reading the body as a task.
        code = _text(fields.get("errorCode"))
        if code:
            raise error_for_code(
                code,
                _text(fields.get("errorMessage")),
                status_code=200,
                task_id=_text(fields.get("taskId")) or task_id,
                body=answer.content,
            )
    model, unknown_status = _read_task_model(answer, task_id)
    problem = _check_types(model)
    if problem:
        raise _unexpected(answer, problem, task_id)
    task = Task.from_model(model, status=unknown_status)
    if task.status == SUCCESS and not task.results:
        raise _unexpected(answer, "status SUCCESS without results", task.id)
    return task


def read_submit(answer: RawAnswer) -> Task:
    """A submit answer as a Task; failures say whether a paid task may exist."""
    try:
        task = read_task(answer)
    except (ServerError, UnexpectedResponseError) as error:
        # The request reached the service: it may have created (and charged) a task.
        if error.task_id is None:
            error.task_may_exist = True
            error.message += (
                "; the submit reached RunningHub, so a paid task may exist: check your "
                "task list before submitting again"
            )
        raise
    if task.is_final and not task.succeeded:
        raise task_failed(task)
    return task


def task_failed(task: Task) -> TaskFailedError:
    """The error for a task that ended FAILED or CANCEL."""
    code = task.error_code
    what = "was cancelled" if task.status == "CANCEL" else "failed"
    message = f"task {task.id} {what}: {describe(code, task.error_message)}"
    cls = ContentRejectedError if code in CONTENT_REJECTED_CODES else TaskFailedError
    error = cls(message, status_code=200, error_code=code, task_id=task.id)
    error.status = task.status
    error.failed_reason = task.failed_reason
    return error


def read_upload(answer: RawAnswer) -> str:
    """The download_url of an upload answer, or the matching error."""
    if answer.status_code != 200:
        raise error_for_status(answer)
    if answer.truncated:
        raise _too_large(answer, None)
    result = answer.parsed
    if not isinstance(result, UploadResult):
        data = _json_object(answer.content)
        if data is None:
            raise _unexpected(answer, "not a JSON object", None)
        try:
            result = UploadResult.from_dict(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _unexpected(answer, f"does not match the spec: {exc!r}", None) from None
    if result.code != 0:
        message = result.message if isinstance(result.message, str) else None
        if not message and isinstance(result.msg, str):
            message = result.msg
        raise error_for_code(str(result.code), message, status_code=200, task_id=None)
    media = result.data
    if isinstance(media, Unset) or not isinstance(media, UploadedMedia):
        raise _unexpected(answer, "code 0 without data", None)
    if not isinstance(media.download_url, str) or not media.download_url.startswith("http"):
        raise _unexpected(answer, "data.download_url is not a URL", None)
    return media.download_url


# ---------------------------------------------------------------- added for issue 10


def _too_large(answer: RawAnswer, task_id: str | None) -> UnexpectedResponseError:
    """A 2xx answer cut at its cap (bounded_reads): no real answer is that large."""
    from ._bounded_reads import MAX_ANSWER_BYTES

    return _unexpected(answer, f"an answer of more than {MAX_ANSWER_BYTES} bytes", task_id)


TASK_NOT_FOUND = "1004"


def read_query(answer: RawAnswer, *, task_id: str) -> Task:
    """A query answer as a Task; TaskNotFoundError when the API does not know the id
    (errorCode 1004, whether it comes as a refusal or as a FAILED "task")."""
    try:
        task = read_task(answer, task_id=task_id)
    except InvalidRequestError as error:
        if error.error_code == TASK_NOT_FOUND:
            raise _not_found(task_id, error.status_code) from None
        raise
    if task.error_code == TASK_NOT_FOUND and task.status in FINAL_STATUSES:
        raise _not_found(task_id, answer.status_code)
    if task.id != task_id:  # another task's status (or its video) is never taken for this one
        raise _unexpected(answer, f"asked for task {task_id}, got taskId {task.id}", task_id)
    return task


def _not_found(task_id: str, status_code: int | None) -> TaskNotFoundError:
    return TaskNotFoundError(
        f"task {task_id} not found (errorCode {TASK_NOT_FOUND}): check the id, and that it "
        "was submitted on this site (keys and tasks are per site: runninghub.cn or .ai)",
        status_code=status_code,
        error_code=TASK_NOT_FOUND,
        task_id=task_id,
    )
