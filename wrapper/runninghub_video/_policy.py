"""Retry, polling and deadline policy, written once and driven by both clients (sans-IO).

Retries use tenacity (sync `Retrying` and async `AsyncRetrying` take the same settings,
built here); polling is a small state object the clients feed with each query's outcome.
Time and sleep are injected, so tests of this policy run in milliseconds.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import httpx
import tenacity

from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    InvalidInputError,
    RateLimitError,
    RunningHubError,
    ServerError,
    TaskNotFoundError,
    WaitTimeoutError,
)
from ._redaction import redact, safe_url
from ._task import KNOWN_STATUSES, Task

logger = logging.getLogger("runninghub_video")

Clock = Callable[[], float]

MAX_SECONDS = 7 * 24 * 3600.0
"""The longest duration any setting takes (a week; results expire after a day): larger ones
overflow the OS's timers (`--timeout 1e10` was an OverflowError after the paid submit)."""


@dataclass(frozen=True)
class Policy:
    """Timing and retry settings. The defaults follow the vendor's published guidance."""

    poll_interval: float = 5.0
    """Seconds between status queries: the vendor asks for about 5 s."""
    wait_timeout: float = 1800.0
    """Overall deadline of wait()/run() in seconds: a 4-12 s video takes 1-10 minutes, cold
    starts double that; the vendor's contract gives up after 10-30 minutes."""
    max_consecutive_failures: int = 5
    """Failed queries in a row (network, 5xx, 429, 400, an unreadable answer: poll_transient)
    before wait() gives up; the vendor's own client tolerates 5."""
    submit_attempts: int = 4
    """Attempts of a submit; retried only when provably no task was created."""
    upload_attempts: int = 4
    """Attempts of an upload (free and repeatable): retried on network errors, 5xx, 429."""
    backoff_initial: float = 1.0
    """First retry delay when the API gives no Retry-After; doubles up to backoff_max."""
    backoff_max: float = 30.0
    max_retry_after: float = 120.0
    """Longest Retry-After honoured; a larger one is cut to this."""
    max_in_flight: int = 20
    """API requests one client sends at once; more wait their turn. httpx's async
    pool slows sharply with many queued requests (benchmarks/: 1,000 concurrent waits)."""
    connect_timeout: float = 10.0
    request_timeout: float = 60.0
    """Per-request read/write timeout, separate from the overall wait deadline."""
    max_download_bytes: int = 4 << 30
    """The most a result download may hold once decoded (4 GiB; a 15 s 1080p video is tens of
    MB): a compressed bomb stops there with DownloadError, not a full disk."""

    def __post_init__(self) -> None:
        for name in (
            "poll_interval",
            "wait_timeout",
            "backoff_initial",
            "backoff_max",
            "max_retry_after",
            "connect_timeout",
            "request_timeout",
        ):
            if not 0 <= getattr(self, name) <= MAX_SECONDS:
                raise ValueError(f"{name} must be between 0 and {MAX_SECONDS:.0f} seconds")
        for name in (
            "max_consecutive_failures",
            "submit_attempts",
            "upload_attempts",
            "max_in_flight",
            "max_download_bytes",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")

    def for_call(self, *, timeout: float | None, poll_interval: float | None) -> Policy:
        """This policy with one call's `timeout` (as wait_timeout) and `poll_interval` where
        given; InvalidInputError, before any request is sent, unless each is a finite number
        of seconds above 0."""
        if timeout is None and poll_interval is None:
            return self
        return replace(
            self,
            wait_timeout=self.wait_timeout if timeout is None else _seconds("timeout", timeout),
            poll_interval=(
                self.poll_interval
                if poll_interval is None
                else _seconds("poll_interval", poll_interval)
            ),
        )

    def httpx_timeout(self) -> httpx.Timeout:
        """Per-request timeouts for the API client."""
        return httpx.Timeout(self.request_timeout, connect=self.connect_timeout)


def _seconds(name: str, value: object) -> float:
    """A per-call duration: a finite number of seconds above 0 (bool is not a number here)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not (math.isfinite(value) and 0 < value <= MAX_SECONDS)
    ):
        raise InvalidInputError(
            name, value, f"a number of seconds above 0, at most {MAX_SECONDS:.0f}"
        )
    return float(value)


# ---------------------------------------------------------------- what may be retried


def never_sent(error: BaseException) -> bool:
    """True when the request provably did not reach the server (so no task was created)."""
    return isinstance(error, APIConnectionError) and not error.task_may_exist


def submit_may_retry(error: BaseException) -> bool:
    """A submit is retried only when it provably created no task: never sent, or refused by
    the rate limiter (HTTP 429, errorCode 1003 / 1520). Never after a timeout or a 5xx."""
    return never_sent(error) or isinstance(error, RateLimitError)


def transient(error: BaseException) -> bool:
    """Failures worth another try for calls that cost nothing (query, upload)."""
    return isinstance(error, APIConnectionError | ServerError | RateLimitError)


def poll_transient(error: BaseException) -> bool:
    """Failures a wait rides over (within max_consecutive_failures): as the vendor's kit
    does while polling, any failed query (an HTTP 400, an HTML or empty 200, a 5xx...) except
    a refused key (401, 403, errorCode 1002/1014), a task the API does not know (1004) and a
    base URL that has no API (ConfigurationError): those answers do not change [KIT]."""
    return isinstance(error, APIError) and not isinstance(
        error, AuthenticationError | TaskNotFoundError
    )


DESCRIPTION_CHARS = 300
"""An httpx error's text in our messages is cut here (a malformed head can be 16 KiB)."""


def describe(exc: BaseException) -> str:
    """`Kind: text` of a transport error, redacted then cut: our errors carry this instead of
    chaining the error itself, whose text can hold the key (a server echoing it)."""
    kind = type(exc).__name__
    text = redact(f"{kind}: {exc}" if str(exc) else kind)
    return text if len(text) <= DESCRIPTION_CHARS else text[: DESCRIPTION_CHARS - 3] + "..."


def _at(exc: httpx.HTTPError) -> str:
    """ " at <url>" of the request that failed (no query string, no user info), if known."""
    try:
        return f" at {redact(safe_url(str(exc.request.url)))}"
    except RuntimeError:  # an error raised outside a request
        return ""


def connection_error(exc: httpx.HTTPError, *, sent_may_matter: bool) -> APIConnectionError:
    """Our error for an httpx transport failure.

    Connect errors and connect/pool timeouts happen before the request leaves: nothing was
    sent. Anything later (read/write timeout, reset, protocol error) may have reached the
    server, which matters for a submit (`sent_may_matter`): then the task may exist.
    """
    before_send = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    may_exist = sent_may_matter and not before_send
    if may_exist:
        message = (
            f"no answer to the submit ({describe(exc)}); the request was sent, so a paid task "
            "may exist: check your RunningHub task list before submitting again"
        )
    else:
        message = f"could not reach RunningHub{_at(exc)} ({describe(exc)})"
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    return cls(message, task_may_exist=may_exist)


# ---------------------------------------------------------------- tenacity settings


class _WaitRetryAfter(tenacity.wait.wait_base):
    """Retry-After when the API gave one (capped), else exponential backoff."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.backoff = tenacity.wait_exponential(
            multiplier=policy.backoff_initial, max=policy.backoff_max
        )

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(error, RateLimitError) and error.retry_after is not None:
            return min(error.retry_after, self.policy.max_retry_after)
        return float(self.backoff(retry_state))


class _StopAtDeadline(tenacity.stop.stop_base):
    """Stop when the next sleep would end past the deadline (None: no deadline)."""

    def __init__(self, clock: Clock, deadline: float | None) -> None:
        self.clock = clock
        self.deadline = deadline

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        if self.deadline is None:
            return False
        return self.clock() + (retry_state.upcoming_sleep or 0.0) > self.deadline


def _log_retry(what: str) -> Callable[[tenacity.RetryCallState], None]:
    def log(retry_state: tenacity.RetryCallState) -> None:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        logger.warning(
            "%s failed (attempt %d: %s); retrying in %.1f s",
            what,
            retry_state.attempt_number,
            error,
            retry_state.upcoming_sleep,
        )

    return log


def retry_settings(
    what: str,
    *,
    policy: Policy,
    retry_if: Callable[[BaseException], bool],
    attempts: int,
    clock: Clock,
    deadline: float | None = None,
) -> dict[str, Any]:
    """Keyword arguments for tenacity.Retrying / AsyncRetrying (add `sleep=`)."""
    return {
        "retry": tenacity.retry_if_exception(retry_if),
        "stop": tenacity.stop_after_attempt(attempts) | _StopAtDeadline(clock, deadline),
        "wait": _WaitRetryAfter(policy),
        "reraise": True,
        "before_sleep": _log_retry(what),
    }


def submit_retry_settings(policy: Policy, clock: Clock) -> dict[str, Any]:
    """tenacity settings for a (paid) submit: only when provably no task was created."""
    return retry_settings(
        "submit",
        policy=policy,
        retry_if=submit_may_retry,
        attempts=policy.submit_attempts,
        clock=clock,
    )


def upload_retry_settings(policy: Policy, clock: Clock) -> dict[str, Any]:
    """tenacity settings for an upload (free, repeatable): any transient failure."""
    return retry_settings(
        "upload", policy=policy, retry_if=transient, attempts=policy.upload_attempts, clock=clock
    )


# ---------------------------------------------------------------- polling


class Poller:
    """Decides, after each query, whether polling is over, sleeps, or gives up.

    Transient failures of a single query are retried inside that query (tenacity, bounded
    by max_consecutive_failures and the deadline); what reaches here is a task or a final
    error. Unknown statuses count as not final, are logged once each, and the deadline
    still bounds the wait. The policy is the call's (Policy.for_call): its poll_interval
    spaces the queries, its wait_timeout sets the deadline unless `timeout` is given.
    """

    def __init__(
        self,
        task_id: str,
        *,
        policy: Policy,
        clock: Clock,
        timeout: float | None = None,
        on_update: Callable[[Task], None] | None = None,
    ) -> None:
        self.task_id = task_id
        self.policy = policy
        self.clock = clock
        self.deadline = clock() + (policy.wait_timeout if timeout is None else timeout)
        self.on_update = on_update
        self.last_status: str | None = None
        self._unknown_logged: set[str] = set()

    def observe(self, task: Task) -> bool:
        """A query answered this task: log it, tell on_update; True when its status changed."""
        if task.status not in KNOWN_STATUSES and task.status not in self._unknown_logged:
            self._unknown_logged.add(task.status)
            logger.warning(
                "task %s: status %r is not in the spec; treating it as not final",
                task.id,
                task.status,
            )
        changed = task.status != self.last_status
        if changed:
            logger.info("task %s: %s", task.id, task.status)
        self.last_status = task.status
        if self.on_update is not None:
            self.on_update(task)
        return changed

    def next_delay(self, task: Task) -> float | None:
        """Seconds until the next query, or None once the task is final; past the deadline,
        WaitTimeoutError."""
        if task.is_final:
            return None
        remaining = self.deadline - self.clock()
        if remaining <= 0:
            raise self.timed_out()
        return min(self.policy.poll_interval, remaining)

    def timed_out(self) -> WaitTimeoutError:
        """The error for a wait past its deadline (the task goes on)."""
        return WaitTimeoutError(
            f"task {self.task_id} not finished after the wait deadline "
            f"(last status {self.last_status or 'unknown'}); it goes on: resume with "
            f"wait({self.task_id!r})",
            task_id=self.task_id,
            last_status=self.last_status,
        )

    def query_time_limit(self) -> float:
        """Seconds one query may take in all (where the client can enforce it: async): the
        time left to the deadline plus one request's own timeouts, so that the last query,
        made at the deadline, still gets its answer."""
        remaining = max(0.0, self.deadline - self.clock())
        return remaining + self.policy.connect_timeout + self.policy.request_timeout

    def query_retry_settings(self) -> dict[str, Any]:
        """tenacity settings for one query: transient failures, bounded count and deadline."""
        return retry_settings(
            f"query of task {self.task_id}",
            policy=self.policy,
            retry_if=lambda error: transient(error) or poll_transient(error),
            attempts=self.policy.max_consecutive_failures,
            clock=self.clock,
            deadline=self.deadline,
        )

    def after_error(self, error: RunningHubError) -> RunningHubError:
        """A query failed for good: the error to raise, carrying the task id; a timeout past
        the deadline (an answer cut at it) is the wait's WaitTimeoutError."""
        if isinstance(error, APITimeoutError) and self.clock() >= self.deadline:
            return self.timed_out()
        return error.with_task_id(self.task_id)
