"""The key's limits in the sandbox (issue 20): beyond `concurrency_limit` tasks wait QUEUED
(first in, first out) and run as slots free; beyond `queue_limit` waiting tasks a submit is
refused with errorCode 1520 and creates nothing, which the library reads as a RateLimitError
that never says a paid task may exist."""

from __future__ import annotations

from decimal import Decimal

import pytest
from runninghub_video import APIError, Policy, RateLimitError, RunningHub
from runninghub_video.sandbox import FaultPlan, Limits
from runninghub_video.sandbox._tasks import RenderProgress, TaskStore, task_state

from tests.sandbox.test_units import REQUEST, FakeClock, make_store
from tests.support.sandboxes import running_sandbox
from tests.wrapper.fakes import KEY

DONE = RenderProgress(ready_at=0.0)


def statuses(store: TaskStore, clock: FakeClock) -> list[str]:
    return [task_state(t, clock.now, DONE).status for t in store]


def test_beyond_the_limit_tasks_wait_queued_and_run_as_slots_free() -> None:
    clock = FakeClock()
    store = make_store(clock)  # 1 s queued, 4 s running
    for _ in range(5):
        store.create(REQUEST, FaultPlan(), None, limit=2)
    clock.now += 2  # past the queued second: two run, three wait
    assert statuses(store, clock) == ["RUNNING", "RUNNING", "QUEUED", "QUEUED", "QUEUED"]
    clock.now += 3.5  # the first two ended: the next two run
    assert statuses(store, clock) == ["SUCCESS", "SUCCESS", "RUNNING", "RUNNING", "QUEUED"]
    clock.now += 4
    assert statuses(store, clock) == ["SUCCESS"] * 4 + ["RUNNING"]


def test_without_a_limit_every_task_runs_at_once() -> None:
    clock = FakeClock()
    store = make_store(clock)
    for _ in range(5):
        store.create(REQUEST, FaultPlan(), None)
    clock.now += 2
    assert statuses(store, clock) == ["RUNNING"] * 5


@pytest.mark.integration  # a sandbox of its own (rendering)
def test_a_full_queue_refuses_the_submit_with_1520_and_no_task_is_paid() -> None:
    limits = Limits(concurrency_limit=2, queue_limit=3)
    fast = Policy(backoff_initial=0.001, backoff_max=0.002, max_retry_after=0.01)
    with running_sandbox(speed=1e-4, limits=limits) as sandbox:
        with RunningHub(KEY, base_url=sandbox.base_url, policy=fast) as rh:
            for _ in range(3):
                rh.submit("a gull", "https://cdn.test/cat.png")
            queue = rh.queue()
            with pytest.raises(RateLimitError) as refused:
                rh.submit("one more", "https://cdn.test/cat.png")
        stats = sandbox.stats
    assert (queue.running, queue.queued, queue.concurrency_limit) == (0, 3, 2)
    assert refused.value.error_code == "1520"
    assert not refused.value.task_may_exist
    assert "concurrency limit" in str(refused.value)
    assert stats.submits == 3  # the refused ones created nothing
    assert stats.submit_attempts == 3 + fast.submit_attempts  # retried, as a 1520 allows


@pytest.mark.parametrize("code", ["421", "415", "814"])
def test_the_kits_queue_codes_are_a_rate_limit_too(code: str) -> None:
    from runninghub_video._responses import RawAnswer, read_submit

    body = f'{{"errorCode": "{code}", "errorMessage": "busy"}}'.encode()
    with pytest.raises(RateLimitError) as refused:
        read_submit(RawAnswer(status_code=200, headers={}, content=body))
    assert not refused.value.task_may_exist


@pytest.mark.integration  # a sandbox of its own
def test_the_queuefull_marker_forces_the_1520_refusal(sandbox_fast_policy) -> None:
    with running_sandbox() as sandbox:
        with RunningHub(KEY, base_url=sandbox.base_url, policy=sandbox_fast_policy) as rh:
            with pytest.raises(RateLimitError) as refused:
                rh.submit("a gull [sandbox:queuefull]", "https://cdn.test/cat.png")
            rh.submit("a gull", "https://cdn.test/cat.png")  # the queue itself has room
        stats = sandbox.stats
    assert refused.value.error_code == "1520"
    assert not refused.value.task_may_exist
    assert stats.submits == 1


@pytest.mark.integration  # a sandbox of its own
def test_a_spent_balance_refuses_the_submit_and_nothing_is_paid(sandbox_fast_policy) -> None:
    with running_sandbox(limits=Limits(balance=5)) as sandbox:  # a 4 s video costs 3.2
        with RunningHub(KEY, base_url=sandbox.base_url, policy=sandbox_fast_policy) as rh:
            rh.submit("a gull", "https://cdn.test/cat.png", duration="4")
            assert rh.account().money == Decimal("1.80")
            with pytest.raises(APIError) as refused:
                rh.submit("one more", "https://cdn.test/cat.png", duration="4")
            assert rh.account().money == Decimal("1.80")
        stats = sandbox.stats
    assert "insufficient balance" in str(refused.value)
    assert not refused.value.task_may_exist
    assert not isinstance(refused.value, RateLimitError)  # deterministic: never retried [KIT]
    assert (stats.submits, stats.submit_attempts) == (1, 2)


@pytest.fixture
def sandbox_fast_policy() -> Policy:
    return Policy(backoff_initial=0.001, backoff_max=0.002, max_retry_after=0.01)
