"""Sans-IO reading of API answers: an HTTP answer in, a Task or UploadResult out, or the right
RunningHubError raised. Shared by the sync and async clients; no I/O happens here.

Models are the generated ones. This module adds the policy the generator cannot know: the
vendor's errorCode table, error bodies that are not JSON, unknown statuses, wrong types.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from runninghub_client.models import (
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
    TASK_NOT_FOUND,
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
from ._redaction import redact, redact_body
from ._task import CREATED, FINAL_STATUSES, KNOWN_STATUSES, SUCCESS, UNKNOWN, Task

logger = logging.getLogger("runninghub_video")

EXCERPT_CHARS = 200


@dataclass(frozen=True)
class RawAnswer:
    """What came back over HTTP, decoded at most once (`json`, then `task` normalised)."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes
    truncated: bool = False
    """The body was cut at its cap (bounded_reads): too large to be a real answer."""

    @functools.cached_property
    def json(self) -> dict[str, Any] | None:
        """The body's JSON object (None: not JSON, or not an object), with any key it echoes
        replaced, before anything reads it: no id, status, code or message holds one."""
        data = _json_object(self.content)
        if data is not None and redact.in_body(self.content):
            scrubbed: dict[str, Any] = redact.scrubbed(data)
            return scrubbed
        return data

    @functools.cached_property
    def task(self) -> tuple[dict[str, Any], str | None] | None:
        """The body normalised as a task answer (normalise_task), or None when it is no JSON
        object."""
        return None if self.json is None else normalise_task(self.json)


def excerpt(content: bytes) -> str:
    """The start of a body, for error messages. The whole body is redacted before it is cut
    (a server may echo the key: cut first, a key split by the cut would no longer match)."""
    text = " ".join(redact_body(content).split())
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


MAX_MESSAGE_CHARS = 300
"""The longest server message an error quotes."""


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
    body = answer.json or {}
    code = (
        _text(body.get("errorCode"))
        or _text(body.get("error_code"))
        or (
            str(body["code"])
            if isinstance(body.get("code"), int | str) and body.get("code")
            else None
        )
    )
    message = (
        _text(body.get("errorMessage"))
        or _text(body.get("error_message"))
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
    if status in (401, 403):  # deterministic refusals of the key [KIT]
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


# ---------------------------------------------------------------- the kit's looser shapes

_ALIASES = {"task_id": "taskId", "error_code": "errorCode", "error_message": "errorMessage"}
"""snake_case spellings the vendor's kit says some servers send, and the spec's names."""


def normalise_task(data: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """A decoded task answer made readable by the generated model: the one place where what
    the spec cannot say is said. Returns the body and the status to report when it is not
    one of the spec's (None: the body's own, or none given).

    As the vendor's developer kit reads answers [KIT]: a `{code, msg, data: {...}}` envelope
    holding the task is unwrapped; task_id, error_code and error_message stand for taskId,
    errorCode and errorMessage; a status is compared without case or surrounding space; an id
    or errorCode sent as a number is its digits; a result item that is not an object is
    skipped (and one without a URL or a text, in Task.from_model). A usage or failedReason of
    a type the spec does not allow is dropped (diagnostic only: a paid task is always
    readable).
    """
    inner = data.get("data")
    if "taskId" not in data and "task_id" not in data and isinstance(inner, dict):
        data = {**{k: v for k, v in data.items() if k != "data"}, **inner}
    body = dict(data)
    for alias, name in _ALIASES.items():
        if alias in body:
            value = body.pop(alias)
            if body.get(name) in (None, ""):
                body[name] = value
    for name in ("taskId", "errorCode"):
        if isinstance(body.get(name), int) and not isinstance(body.get(name), bool):
            body[name] = str(body[name])
    unknown: str | None = None
    status = body.get("status")
    if status is None or isinstance(status, str):
        status = (status or "").strip().upper()
        if status in KNOWN_STATUSES:
            body["status"] = status
        else:  # read the rest with the generated model; the real status stays on the Task
            body.pop("status", None)
            unknown = status or None
    if isinstance(body.get("results"), list):  # as the kit: an item that is no object is skipped
        body["results"] = [item for item in body["results"] if isinstance(item, dict)]
    if not isinstance(body.get("usage"), dict | None):
        body.pop("usage")
    reason = body.get("failedReason")
    if not isinstance(reason, dict | str | None):
        body.pop("failedReason")
    elif isinstance(reason, dict) and not isinstance(reason.get("traceback"), list | None):
        lines = reason["traceback"]
        kept = {key: value for key, value in reason.items() if key != "traceback"}
        body["failedReason"] = {**kept, "traceback": [lines]} if isinstance(lines, str) else kept
    return body, unknown


_ID_IN_TEXT = re.compile(rb'"(?:taskId|task_id)"\s*:\s*"?([A-Za-z0-9_-]{1,128})"?[,}\s]')
"""A task id in a body that is no JSON object as a whole (cut short, too large, trailing bytes,
a broken compression after it): the id the kit's contract says every submit answer carries."""
_ID_SCAN_BYTES = 64 << 10


def named_task_id(answer: RawAnswer) -> str | None:
    """The task id an answer names (taskId, task_id, or either in a data envelope), if valid;
    in a body that does not decode, the first `"taskId": "..."` of its start."""
    decoded = answer.task
    if decoded is not None:
        task_id = decoded[0].get("taskId")
        return task_id if is_task_id(task_id) else None
    found = _ID_IN_TEXT.search(answer.content[:_ID_SCAN_BYTES])
    task_id = found.group(1).decode("ascii") if found else None
    if task_id is None or not is_task_id(task_id) or redact(task_id) != task_id:
        return None  # none, or not an id (an echoed key is never taken for one)
    return task_id


def named_error_code(answer: RawAnswer) -> str | None:
    """The errorCode (or error_code) an answer's JSON body states, if any."""
    decoded = answer.task
    return _text(decoded[0].get("errorCode")) if decoded is not None else None


def named_error_message(answer: RawAnswer) -> str | None:
    """The errorMessage (or error_message) an answer's JSON body states, if any, redacted."""
    decoded = answer.task
    message = _text(decoded[0].get("errorMessage")) if decoded is not None else None
    return redact(message[:MAX_MESSAGE_CHARS]) if message else None


def _check_types(model: TaskResult) -> str | None:
    """The generator casts strings without checking; say what does not match the spec.

    Only the fields the flow depends on are refused (taskId, errorCode, errorMessage,
    results): a diagnostic field of the wrong type (usage, failedReason) becomes None on the
    Task (_task.py), so that a task, a paid one perhaps, is always readable.
    """
    task_id = model.task_id
    if not isinstance(task_id, Unset) and not is_task_id(task_id):
        # The same rule as params.check_task_id: the id goes into file names, URLs, terminals.
        shown = repr(task_id)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        return f"taskId {shown} is not 1-{TASK_ID_MAX} letters, digits, '-' or '_'"
    for name in ("error_code", "error_message"):
        if not isinstance(getattr(model, name), str | None | Unset):
            return f"{name} is not a string"
    for output in model.results if isinstance(model.results, list) else []:
        texts = (output.url, output.output_url, output.text, output.content, output.output)
        if not all(isinstance(value, str | None | Unset) for value in texts):
            return "a result's url or text is not a string"
    return None


def _typed(answer: RawAnswer, task_id: str | None) -> tuple[TaskResult, str | None]:
    """The generated model of a task answer (its body decoded once, normalised), and the status
    to use if the spec lacks it."""
    decoded = answer.task
    if decoded is None:
        raise _unexpected(answer, "not a JSON object", task_id)
    body, unknown = decoded  # scrubbed of any echoed key (RawAnswer.json)
    try:
        return TaskResult.from_dict(body), unknown
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise _unexpected(answer, f"does not match the spec: {exc!r}", task_id) from None


def read_task(answer: RawAnswer, *, task_id: str | None = None, refusals: bool = True) -> Task:
    """A submit or query answer as a Task (any status, FAILED and CANCEL included); `task_id`
    stands for an answer that does not repeat it.

    Raises APIError subclasses for HTTP errors and, with `refusals`, for an errorCode that
    comes without a final status; UnexpectedResponseError for bodies the spec does not allow.
    """
    if answer.status_code != 200 and refusals:
        raise error_for_status(answer, task_id=task_id)
    if answer.truncated:
        raise _too_large(answer, task_id)
    model, unknown_status = _typed(answer, task_id)
    status = unknown_status or (None if isinstance(model.status, Unset) else model.status)
    code = _text(model.error_code)
    if refusals and code and status not in FINAL_STATUSES:
        # A refusal (rate limit, bad key, bad parameter...) is a 200 with an errorCode.
        named = model.task_id if isinstance(model.task_id, str) else None
        raise error_for_code(
            code,
            _text(model.error_message),
            status_code=answer.status_code,
            task_id=named or task_id,
            body=answer.content,
        )
    problem = _check_types(model)
    if problem:
        raise _unexpected(answer, problem, task_id)
    task = Task.from_model(model, status=unknown_status, task_id=task_id)
    if task.status == SUCCESS and not task.results:
        raise _unexpected(answer, "status SUCCESS without results", task.id or None)
    return task


def read_submit(answer: RawAnswer) -> Task:
    """A submit answer as a Task; failures say whether a paid task may exist.

    An answer that names a task (taskId or task_id, any HTTP status, whatever error fields
    come with it) is that task: its outcome is read from a query, never guessed, and the
    submit is never sent again. An answer without a status (the kit's `{"taskId"}`) is a task
    just created: CREATE. A body unreadable beyond its id still gives the task (status CREATE
    unless it said another status that is not final).
    """
    task_id = named_task_id(answer)
    if task_id is None:
        return _refused_or_unexpected(answer)
    try:
        task = read_task(answer, task_id=task_id, refusals=False)
    except UnexpectedResponseError as error:
        logger.warning("task %s: the rest of its submit answer is unreadable (%s)", task_id, error)
        decoded = answer.task
        status = decoded[1] or decoded[0].get("status") if decoded else None
        shown = status if isinstance(status, str) and status not in FINAL_STATUSES else CREATED
        return Task(id=task_id, status=shown)
    if task.is_final and not task.succeeded:
        raise task_failed(task)
    if task.status == UNKNOWN:
        task = replace(task, status=CREATED)
    if task.error_code:
        logger.warning(
            "task %s was created although its submit answer also says %s; its outcome is "
            "read from a query",
            task.id,
            describe(task.error_code, task.error_message),
        )
    return task


def _refused_or_unexpected(answer: RawAnswer) -> Task:
    """A submit answer that names no task: the refusal it states (InvalidRequestError,
    RateLimitError...), else an error saying a paid task may exist (the submit reached it)."""
    error: APIError
    try:
        read_task(answer)  # raises what the answer states; a "task" without an id is none
        error = _unexpected(answer, "no taskId", None)
    except (ServerError, UnexpectedResponseError) as raised:
        error = raised
    error.task_may_exist = True
    error.message += (
        "; the submit reached RunningHub, so a paid task may exist: check your "
        "task list before submitting again"
    )
    raise error


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
    data = answer.json
    if data is None:
        raise _unexpected(answer, "not a JSON object", None)
    try:
        result = UploadResult.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise _unexpected(answer, f"does not match the spec: {exc!r}", None) from None
    if result.code != 0:
        message = _text(result.message) or _text(result.msg) or _text(result.error_message)
        raise _upload_refused(str(result.code), message)
    media = result.data
    if isinstance(media, Unset) or not isinstance(media, UploadedMedia):
        raise _unexpected(answer, "code 0 without data", None)
    if not isinstance(media.download_url, str) or not media.download_url.startswith("http"):
        raise _unexpected(answer, "data.download_url is not a URL", None)
    return media.download_url


def _upload_refused(code: str, message: str | None) -> APIError:
    """The error of an upload answered with code != 0. A server-side failure (a 5xx code, or a
    message that says "server" or "internal", as the kit's core/upload.py checks) is a
    ServerError, so that the (free) upload is retried."""
    error = error_for_code(code, message, status_code=200, task_id=None)
    text = (message or "").lower()
    server_side = code.isdigit() and 500 <= int(code) <= 599
    if not isinstance(error, ServerError) and (
        server_side or "server" in text or "internal" in text
    ):
        return ServerError(f"RunningHub server error: {describe(code, message)}", status_code=200,
                           error_code=code)  # fmt: skip
    return error


# ---------------------------------------------------------------- added for issue 10


def _too_large(answer: RawAnswer, task_id: str | None) -> UnexpectedResponseError:
    """A 2xx answer cut at its cap (bounded_reads): no real answer is that large."""
    from ._bounded_reads import MAX_ANSWER_BYTES

    return _unexpected(answer, f"an answer of more than {MAX_ANSWER_BYTES} bytes", task_id)


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
