"""`timeout=` and `poll_interval=` per call (wait, run, watch) override the client's Policy for
that call only, and bad values are refused before any request is sent. A fake clock: each test
runs in milliseconds; both clients run every scenario."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest
from runninghub_video import InvalidInputError, Policy, Task, WaitTimeoutError

from tests.wrapper.fakes import (
    QUERY,
    SUBMIT,
    FakeClock,
    ScriptedAPI,
    make_async_client,
    make_client,
    ok,
    task_body,
)

URL = "https://cdn.test/cat.png"
POLICY: dict[str, Any] = {"poll_interval": 5.0, "wait_timeout": 60.0}
modes = pytest.mark.parametrize("mode", ["sync", "async"])


def calls(mode: str, api: ScriptedAPI, clock: FakeClock, *steps: tuple[str, tuple[Any, ...],
          dict[str, Any]]) -> list[Any]:  # fmt: skip
    """Several calls on one client, in order: (method, args, kwargs) each; `watch` is iterated
    to its end. An exception ends the list with the exception."""
    outcomes: list[Any] = []
    if mode == "sync":
        with make_client(api, clock, **POLICY) as rh:
            for method, args, kwargs in steps:
                try:
                    result = getattr(rh, method)(*args, **kwargs)
                    outcomes.append(list(result) if method == "watch" else result)
                except Exception as error:
                    outcomes.append(error)
            outcomes.append(rh.policy)
        return outcomes

    async def go() -> None:
        async with make_async_client(api, clock, **POLICY) as rh:
            for method, args, kwargs in steps:
                try:
                    if method == "watch":
                        outcomes.append([task async for task in rh.watch(*args, **kwargs)])
                    else:
                        outcomes.append(await getattr(rh, method)(*args, **kwargs))
                except Exception as error:
                    outcomes.append(error)
            outcomes.append(rh.policy)

    asyncio.run(go())
    return outcomes


def once(mode: str, api: ScriptedAPI, clock: FakeClock, method: str, *args: Any,
         **kwargs: Any) -> Any:  # fmt: skip
    """One call; its result, or its exception raised."""
    outcome = calls(mode, api, clock, (method, args, kwargs))[0]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def running_then_success(running: int) -> ScriptedAPI:
    return ScriptedAPI().add(QUERY, *[ok(task_body("RUNNING"))] * running, ok(task_body("SUCCESS")))


# ---------------------------------------------------------------- overrides


@modes
@pytest.mark.parametrize("method", ["wait", "watch"])
def test_poll_interval_per_call_overrides_the_policy_for_that_call_only(
    mode: str, method: str
) -> None:
    api = running_then_success(2).add(QUERY, ok(task_body("RUNNING")), ok(task_body("SUCCESS")))
    clock = FakeClock()
    outcomes = calls(
        mode, api, clock, (method, ("1999",), {"poll_interval": 0.5}), (method, ("1999",), {})
    )
    assert not any(isinstance(outcome, Exception) for outcome in outcomes)
    assert clock.sleeps == [0.5, 0.5, 5.0]  # the second call is back to the policy's 5 s
    assert outcomes[-1] == Policy(**POLICY)  # the client's policy is untouched


@modes
@pytest.mark.parametrize("method", ["wait", "watch"])
def test_timeout_per_call_overrides_the_policy(mode: str, method: str) -> None:
    api = ScriptedAPI().add(QUERY, ok(task_body("RUNNING")))
    clock = FakeClock()
    with pytest.raises(WaitTimeoutError) as caught:
        once(mode, api, clock, method, "1999", timeout=12)
    assert caught.value.last_status == "RUNNING"
    assert clock.sleeps == [5.0, 5.0, 2.0]  # the policy's 60 s deadline would allow 12 polls
    assert api.count(QUERY) == 4  # at 0, 5, 10 and the deadline (12)


@modes
def test_a_longer_timeout_per_call_outlives_the_policys(mode: str) -> None:
    api = running_then_success(20)
    clock = FakeClock()
    task = once(mode, api, clock, "wait", "1999", timeout=3600, poll_interval=10)
    assert task.succeeded  # 200 s of polling: past the policy's 60 s deadline
    assert clock.sleeps == [10.0] * 20


@modes
def test_run_takes_both_options(mode: str) -> None:
    api = running_then_success(3).add(SUBMIT, ok(task_body("QUEUED")))
    clock = FakeClock()
    task = once(mode, api, clock, "run", "a cat", URL, poll_interval=1.5, timeout=100)
    assert task.succeeded
    assert clock.sleeps == [1.5] * 4  # after the submit, then between the four queries


@modes
def test_run_timeout_per_call_bounds_the_whole_call(mode: str) -> None:
    api = ScriptedAPI().add(SUBMIT, ok(task_body("QUEUED"))).add(QUERY, ok(task_body("RUNNING")))
    clock = FakeClock()
    with pytest.raises(WaitTimeoutError) as caught:
        once(mode, api, clock, "run", "a cat", URL, timeout=7)
    assert caught.value.task_id == "1999"
    assert sum(clock.sleeps) == pytest.approx(7)


# ---------------------------------------------------------------- validation

BAD = [0, -1, -0.5, math.nan, math.inf, True, "5", [5]]


@modes
@pytest.mark.parametrize("option", ["timeout", "poll_interval"])
@pytest.mark.parametrize("value", BAD, ids=repr)
@pytest.mark.parametrize(
    ("method", "args"), [("wait", ("1999",)), ("watch", ("1999",)), ("run", ("a cat", URL))]
)
def test_bad_values_are_refused_before_any_request(
    mode: str, option: str, value: object, method: str, args: tuple[Any, ...]
) -> None:
    api = ScriptedAPI()  # any request would fail the test: nothing is scripted
    clock = FakeClock()
    with pytest.raises(InvalidInputError, match=option) as caught:
        once(mode, api, clock, method, *args, **{option: value})
    assert caught.value.parameter == option
    assert isinstance(caught.value, ValueError)
    assert api.requests == []
    assert clock.sleeps == []


@modes
def test_watch_checks_its_options_when_called_not_when_iterated(mode: str) -> None:
    api = ScriptedAPI()
    clock = FakeClock()
    if mode == "sync":
        with make_client(api, clock) as rh, pytest.raises(InvalidInputError):
            rh.watch("1999", poll_interval=-1)  # not iterated
    else:

        async def go() -> None:
            async with make_async_client(api, clock) as rh:
                with pytest.raises(InvalidInputError):
                    rh.watch("1999", timeout=0)  # not iterated

        asyncio.run(go())
    assert api.requests == []


def test_policy_for_call_keeps_the_rest_of_the_policy() -> None:
    policy = Policy(poll_interval=2, wait_timeout=30, max_consecutive_failures=2)
    assert policy.for_call(timeout=None, poll_interval=None) is policy
    changed = policy.for_call(timeout=5, poll_interval=0.25)
    assert (changed.wait_timeout, changed.poll_interval) == (5.0, 0.25)
    assert changed.max_consecutive_failures == 2
    assert policy.wait_timeout == 30  # frozen: the original is unchanged


@modes
def test_watch_of_a_finished_task_yields_it_once_without_sleeping(mode: str) -> None:
    clock = FakeClock()
    tasks = once(mode, running_then_success(0), clock, "watch", "1999", poll_interval=1)
    assert [(type(task), task.status) for task in tasks] == [(Task, "SUCCESS")]
    assert clock.sleeps == []
