"""One exception hierarchy for everything the wrapper raises, rooted at RunningHubError.

Errors carry what a caller needs to act: the task id once a task exists, the vendor's
errorCode and message, the HTTP status, and whether a paid task may exist after a failed
submit. Every message and body excerpt passes through the redactor (redaction.py), so none of
them holds the API key, an Authorization value, URL userinfo or a query string.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._redaction import redact

if TYPE_CHECKING:
    from ._task import FailureReason

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "ConfigurationError",
    "ContentRejectedError",
    "DownloadError",
    "InvalidInputError",
    "InvalidRequestError",
    "RateLimitError",
    "RunningHubError",
    "ServerError",
    "TaskFailedError",
    "TaskNotFoundError",
    "UnexpectedResponseError",
    "WaitTimeoutError",
]


class RunningHubError(Exception):
    """Base class of every error this library raises."""

    def __init__(self, message: str, *, task_id: str | None = None) -> None:
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.task_id = task_id

    def with_task_id(self, task_id: str | None) -> RunningHubError:
        """Attach the task id (once a task exists) unless one is set already; returns self."""
        if self.task_id is None and task_id:
            self.task_id = task_id
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by state, not by __init__'s arguments (which differ per class), so that an
        error crosses a process pool whole: its class, message, task id and every attribute."""
        return (_rebuilt, (type(self), self.args, self.__dict__.copy()))

    def __str__(self) -> str:
        if self.task_id and self.task_id not in self.message:
            return f"{self.message} (task {self.task_id})"
        return self.message


def _rebuilt(cls: type[RunningHubError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    """An unpickled error: made without __init__ (the message is redacted already)."""
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class ConfigurationError(RunningHubError):
    """The client is not set up to make calls (no API key, a malformed base URL)."""


class InvalidInputError(RunningHubError, ValueError):
    """A parameter was rejected before any request was sent (no money spent)."""

    def __init__(self, parameter: str, value: object, allowed: str) -> None:
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        super().__init__(f"invalid {parameter}: {shown}; expected {allowed}")
        self.parameter = parameter
        self.value = value
        self.allowed = allowed


class APIConnectionError(RunningHubError):
    """The request did not get an HTTP answer (refused, reset, DNS, TLS, timeout).

    `task_may_exist` is True when a submit's request may have reached the server: then a
    paid task may exist although no task id came back; check your RunningHub task list
    before submitting again.
    """

    def __init__(
        self, message: str, *, task_id: str | None = None, task_may_exist: bool = False
    ) -> None:
        super().__init__(message, task_id=task_id)
        self.task_may_exist = task_may_exist


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, write, read or pool)."""


class APIError(RunningHubError):
    """The API answered, with an error: an HTTP error status or a vendor errorCode."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        error_code: str | None = None,
        task_id: str | None = None,
        body_excerpt: str | None = None,
    ) -> None:
        super().__init__(message, task_id=task_id)
        self.status_code = status_code
        self.error_code = error_code
        self.body_excerpt = redact(body_excerpt) if body_excerpt is not None else None
        self.task_may_exist = False
        """True when this answered a submit that reached the service: a paid task may exist."""


class AuthenticationError(APIError):
    """The key was refused: HTTP 401, errorCode 1002 (invalid key) or 1014 (not enterprise)."""


class RateLimitError(APIError):
    """Too many requests: HTTP 429, errorCode 1003 (rate limit) or 1520 (concurrency limit)."""

    retry_after: float | None = None
    """Seconds the API asked to wait (the Retry-After header), when it said."""


class InvalidRequestError(APIError):
    """The API rejected the request: HTTP 400/415/422, errorCode 1001, 1004, 1007, 1008."""


class TaskNotFoundError(InvalidRequestError):
    """The API does not know this task id (errorCode 1004): a wrong id, or another site."""


class ServerError(APIError):
    """The service failed: HTTP 5xx, errorCode 1005 or 1010-1012."""


class UnexpectedResponseError(APIError):
    """An answer that is not JSON or does not match the spec; `body_excerpt` shows its start."""


class TaskFailedError(APIError):
    """The task ended without a video: status FAILED or CANCEL."""

    status: str = "FAILED"
    """The final status: FAILED or CANCEL."""
    failed_reason: FailureReason | None = None
    """The vendor's failedReason (exception type, node, message, traceback), when given."""


class ContentRejectedError(TaskFailedError):
    """Moderation refused the prompt or image: errorCode 1501 or 1505."""


class WaitTimeoutError(RunningHubError):
    """The deadline passed before the task reached a final status; the task goes on.

    Resume with `wait(task_id)`; `last_status` is the last status seen.
    """

    def __init__(self, message: str, *, task_id: str, last_status: str | None) -> None:
        super().__init__(message, task_id=task_id)
        self.last_status = last_status


class DownloadError(RunningHubError):
    """The result file could not be downloaded whole; nothing was left under the final name."""

    def __init__(
        self, message: str, *, task_id: str | None = None, status_code: int | None = None
    ) -> None:
        super().__init__(message, task_id=task_id)
        self.status_code = status_code
