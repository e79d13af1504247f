"""Polling, deadlines and retries, with a fake clock: each test runs in milliseconds.

Every scenario runs through both clients (sync and async) to prove the policy is shared.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from runninghub_video import (
    APIConnectionError,
    APITimeoutError,
    ContentRejectedError,
    RateLimitError,
    ServerError,
    Task,
    TaskFailedError,
    WaitTimeoutError,
)

from tests.wrapper.fakes import (
    QUERY,
    SUBMIT,
    FakeClock,
    ScriptedAPI,
    make_async_client,
    make_client,
    ok,
    raw,
    task_body,
)

URL = "https://cdn.test/cat.png"


def call(mode: str, api: ScriptedAPI, clock: FakeClock, method: str, *args: Any,
         policy: dict[str, Any] | None = None, **kwargs: Any) -> Any:  # fmt: skip
    """Call one client method, sync or async, with a fresh client."""
    if mode == "sync":
        with make_client(api, clock, **(policy or {})) as rh:
            return getattr(rh, method)(*args, **kwargs)

    async def go() -> Any:
        async with make_async_client(api, clock, **(policy or {})) as rh:
            return await getattr(rh, method)(*args, **kwargs)

    return asyncio.run(go())


modes = pytest.mark.parametrize("mode", ["sync", "async"])


@modes
def test_wait_polls_every_interval_until_success(mode: str) -> None:
    api = ScriptedAPI().add(
        QUERY, ok(task_body("QUEUED")), ok(task_body("RUNNING")), ok(task_body("SUCCESS"))
    )
    clock = FakeClock()
    updates: list[Task] = []
    task = call(mode, api, clock, "wait", "1999", on_update=updates.append)
    assert task.succeeded
    assert task.video_url == "https://cdn.test/result/out.mp4"
    assert clock.sleeps == [5.0, 5.0]
    assert [t.status for t in updates] == ["QUEUED", "RUNNING", "SUCCESS"]


@modes
def test_poll_interval_is_configurable(mode: str) -> None:
    api = ScriptedAPI().add(QUERY, ok(task_body("RUNNING")), ok(task_body("SUCCESS")))
    clock = FakeClock()
    call(mode, api, clock, "wait", "1999", policy={"poll_interval": 0.5})
    assert clock.sleeps == [0.5]


@modes
def test_deadline_raises_wait_timeout_with_last_status(mode: str) -> None:
    api = ScriptedAPI().add(QUERY, ok(task_body("RUNNING")))
    clock = FakeClock()
    with pytest.raises(WaitTimeoutError) as caught:
        call(mode, api, clock, "wait", "1999", timeout=12)
    assert caught.value.task_id == "1999"
    assert caught.value.last_status == "RUNNING"
    assert sum(clock.sleeps) == pytest.approx(12)
    assert api.count(QUERY) == 4  # at 0, 5, 10 and the deadline (12)


@modes
def test_default_deadline_is_30_minutes(mode: str) -> None:
    api = ScriptedAPI().add(QUERY, ok(task_body("RUNNING")))
    clock = FakeClock()
    with pytest.raises(WaitTimeoutError):
        call(mode, api, clock, "wait", "1999")
    assert sum(clock.sleeps) == pytest.approx(1800)


@modes
def test_transient_failures_are_survived(mode: str) -> None:
    api = ScriptedAPI().add(
        QUERY,
        raw(b"<html>bad gateway</html>", 502),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        ok({"errorCode": "1003"}, 429, {"Retry-After": "9"}),
        ok(task_body("SUCCESS")),
    )
    clock = FakeClock()
    task = call(mode, api, clock, "wait", "1999")
    assert task.succeeded
    assert api.count(QUERY) == 5
    assert 9.0 in clock.sleeps  # Retry-After honoured


@modes
def test_too_many_consecutive_failures_give_up_with_task_id(mode: str) -> None:
    api = ScriptedAPI().add(QUERY, raw(b"<html>down</html>", 503))
    clock = FakeClock()
    with pytest.raises(ServerError) as caught:
        call(mode, api, clock, "wait", "1999", policy={"max_consecutive_failures": 3})
    assert caught.value.task_id == "1999"
    assert api.count(QUERY) == 3


@modes
def test_failures_do_not_accumulate_across_successful_polls(mode: str) -> None:
    flaky = raw(b"", 503)
    running = ok(task_body("RUNNING"))
    api = ScriptedAPI().add(QUERY, flaky, flaky, running, flaky, flaky, running,
                            ok(task_body("SUCCESS")))  # fmt: skip
    assert call(mode, api, FakeClock(), "wait", "1999",
                policy={"max_consecutive_failures": 3}).succeeded  # fmt: skip


@modes
def test_unknown_status_keeps_polling_logged_once(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="runninghub_video")
    api = ScriptedAPI().add(
        QUERY, ok(task_body("WARMING")), ok(task_body("WARMING")), ok(task_body("SUCCESS"))
    )
    assert call(mode, api, FakeClock(), "wait", "1999").succeeded
    warnings = [r for r in caplog.records if "WARMING" in r.getMessage()]
    assert len(warnings) == 1


@modes
def test_unknown_status_is_still_bounded_by_the_deadline(mode: str) -> None:
    api = ScriptedAPI().add(QUERY, ok(task_body("WARMING")))
    with pytest.raises(WaitTimeoutError) as caught:
        call(mode, api, FakeClock(), "wait", "1999", timeout=20)
    assert caught.value.last_status == "WARMING"


@modes
@pytest.mark.parametrize(
    ("code", "error"), [("1505", ContentRejectedError), ("1015", TaskFailedError)]
)
def test_wait_raises_for_a_failed_task(mode: str, code: str, error: type[Exception]) -> None:
    api = ScriptedAPI().add(QUERY, ok(task_body("FAILED", errorCode=code, errorMessage="no")))
    with pytest.raises(error) as caught:
        call(mode, api, FakeClock(), "wait", "1999")
    assert getattr(caught.value, "task_id", None) == "1999"


@modes
def test_run_does_not_poll_a_submit_that_already_succeeded(mode: str) -> None:
    api = ScriptedAPI().add(SUBMIT, ok(task_body("SUCCESS")))
    clock = FakeClock()
    task = call(mode, api, clock, "run", "a cat", URL)
    assert task.succeeded
    assert api.count(QUERY) == 0
    assert clock.sleeps == []


@modes
def test_run_submits_once_then_polls(mode: str) -> None:
    api = (
        ScriptedAPI()
        .add(SUBMIT, ok(task_body("QUEUED")))
        .add(QUERY, ok(task_body("RUNNING")), ok(task_body("SUCCESS")))
    )
    assert call(mode, api, FakeClock(), "run", "a cat", URL).succeeded
    assert api.count(SUBMIT) == 1
    assert api.count(QUERY) == 2


# ---------------------------------------------------------------- submit retries


@modes
def test_submit_retried_when_the_connection_was_never_made(mode: str) -> None:
    api = ScriptedAPI().add(SUBMIT, httpx.ConnectError("refused"), ok(task_body()))
    assert call(mode, api, FakeClock(), "submit", "a cat", URL).id == "1999"
    assert api.count(SUBMIT) == 2


@modes
def test_submit_gives_up_after_its_attempts_when_unreachable(mode: str) -> None:
    api = ScriptedAPI().add(SUBMIT, httpx.ConnectError("refused"))
    with pytest.raises(APIConnectionError) as caught:
        call(mode, api, FakeClock(), "submit", "a cat", URL)
    assert not caught.value.task_may_exist
    assert api.count(SUBMIT) == 4


@modes
@pytest.mark.parametrize(
    "refusal",
    [
        lambda: ok({"errorCode": "1003", "errorMessage": "rate"}, 429, {"Retry-After": "3"}),
        lambda: ok({"taskId": "", "status": "", "errorCode": "1520", "errorMessage": "busy"}),
        lambda: ok({"taskId": "", "status": "", "errorCode": "1003", "errorMessage": "rate"}),
    ],
)
def test_submit_retried_after_a_rate_limit_refusal(
    mode: str, refusal: Callable[[], httpx.Response]
) -> None:
    api = ScriptedAPI().add(SUBMIT, refusal(), ok(task_body()))
    clock = FakeClock()
    assert call(mode, api, clock, "submit", "a cat", URL).id == "1999"
    assert api.count(SUBMIT) == 2
    assert len(clock.sleeps) == 1


@modes
def test_submit_rate_limited_for_good_raises_rate_limit(mode: str) -> None:
    api = ScriptedAPI().add(SUBMIT, ok({}, 429, {"Retry-After": "1"}))
    with pytest.raises(RateLimitError):
        call(mode, api, FakeClock(), "submit", "a cat", URL)
    assert api.count(SUBMIT) == 4


@modes
@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (lambda: httpx.ReadTimeout("sent, no answer"), APITimeoutError),
        (lambda: httpx.RemoteProtocolError("reset after send"), APIConnectionError),
        (lambda: raw(b"<html>500</html>", 500), ServerError),
        (lambda: raw(b"<html>504</html>", 504), ServerError),
    ],
)
def test_submit_never_retried_once_sent(
    mode: str, reply: Callable[[], Any], error: type[Exception]
) -> None:
    api = ScriptedAPI().add(SUBMIT, reply(), ok(task_body()))
    with pytest.raises(error) as caught:
        call(mode, api, FakeClock(), "submit", "a cat", URL)
    assert api.count(SUBMIT) == 1
    assert getattr(caught.value, "task_may_exist", False)
    assert "task may exist" in str(caught.value)


@modes
def test_run_timeout_bounds_the_whole_call(mode: str) -> None:
    # The poll interval (5 s) is longer than the timeout: run() must not sleep past it.
    api = ScriptedAPI().add(SUBMIT, ok(task_body("QUEUED"))).add(QUERY, ok(task_body("RUNNING")))
    clock = FakeClock()
    start = clock.now
    with pytest.raises(WaitTimeoutError) as caught:
        call(mode, api, clock, "run", "a cat", URL, timeout=1)
    assert clock.now - start <= 1
    assert sum(clock.sleeps) <= 1
    assert caught.value.last_status == "RUNNING"
