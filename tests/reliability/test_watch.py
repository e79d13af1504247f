"""watch(task_id), sync and async, over real sockets: each status change once and in order,
the end at the final status, and wait()'s deadline and tolerance of transient failures.

Real parts: the sandbox (whole task lifecycles, failures on demand) and the fault server
(scripted answers, resets, error pages), both from tests/reliability/conftest.py.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from runninghub_video import (
    AsyncRunningHub,
    Policy,
    RunningHub,
    ServerError,
    Task,
    WaitTimeoutError,
)
from runninghub_video.sandbox import Sandbox

from tests.reliability.conftest import FAST, IMAGE_URL, call, modes
from tests.reliability.fault_server import (
    FaultServer,
    Reply,
    Reset,
    html_reply,
    json_reply,
    task_body,
)
from tests.support.constants import KEY
from tests.wrapper.fakes import QUERY

TASK = "2013508786110730241"
LIFECYCLE = ["CREATE", "QUEUED", "RUNNING", "SUCCESS"]


def watch(mode: str, base_url: str, task_id: str, seen: list[Task], *, policy: Policy = FAST,
          stop_after: int | None = None, **kwargs: Any) -> None:  # fmt: skip
    """Iterate watch() on a fresh client, sync or async, each task into `seen`; stop after
    `stop_after` tasks (a consumer that breaks out of the loop), else run to the end."""
    if mode == "sync":
        with RunningHub(KEY, base_url=base_url, policy=policy) as rh:
            for task in rh.watch(task_id, **kwargs):
                seen.append(task)
                if len(seen) == stop_after:
                    break
        return

    async def go() -> None:
        async with AsyncRunningHub(KEY, base_url=base_url, policy=policy) as rh:
            async for task in rh.watch(task_id, **kwargs):
                seen.append(task)
                if len(seen) == stop_after:
                    break

    asyncio.run(go())


def statuses(tasks: list[Task]) -> list[str]:
    return [task.status for task in tasks]


def reply(status: str, **extra: Any) -> Reply:
    return json_reply(task_body(status, TASK, **extra))


def assert_changes(tasks: list[Task], final: str) -> None:
    """Each status once, consecutive ones different, in lifecycle order, ending at `final`."""
    seen = statuses(tasks)
    assert seen[-1] == final
    assert all(a != b for a, b in itertools.pairwise(seen))
    running = [status for status in seen if status != final]
    assert running == sorted(running, key=LIFECYCLE.index)
    assert not any(task.is_final for task in tasks[:-1])


def watch_new_task(mode: str, sandbox: Sandbox, prompt: str, final: str) -> tuple[list[Task], int]:
    """Submit a sandbox task, watch it to `final` (checked with assert_changes); return the
    tasks seen and the number of queries the sandbox answered meanwhile."""
    submitted = call(mode, sandbox.base_url, "submit", prompt, IMAGE_URL)
    before = sandbox.stats.queries
    seen: list[Task] = []
    watch(mode, sandbox.base_url, submitted.id, seen)
    assert_changes(seen, final)
    assert {task.id for task in seen} == {submitted.id}
    return seen, sandbox.stats.queries - before


# ---------------------------------------------------------------- each change, once, in order


@modes
def test_watch_yields_each_status_change_once_in_order(mode: str, faults: FaultServer) -> None:
    faults.route(
        QUERY,
        reply("QUEUED"),
        reply("QUEUED"),
        reply("RUNNING"),
        reply("RUNNING"),
        reply("RUNNING"),
        reply("SUCCESS", result_url="https://cdn.test/out.mp4"),
    )
    seen: list[Task] = []
    watch(mode, faults.base_url, TASK, seen)
    assert statuses(seen) == ["QUEUED", "RUNNING", "SUCCESS"]
    assert seen[-1].video_url == "https://cdn.test/out.mp4"
    assert {task.id for task in seen} == {TASK}
    assert faults.count(QUERY) == 6  # every query made, no query after the final status


@modes
def test_watch_follows_a_sandbox_task_to_success(mode: str, sandbox: Sandbox) -> None:
    seen, queries = watch_new_task(mode, sandbox, "a cat turns its head", "SUCCESS")
    assert seen[-1].usage is not None  # the sandbox reports usage like the vendor
    assert queries >= len(seen)
    after = sandbox.stats.queries
    assert call(mode, sandbox.base_url, "wait", seen[-1].id).to_dict() == seen[-1].to_dict()
    assert sandbox.stats.queries - after == 1  # wait() agrees, in one query


@modes
@pytest.mark.parametrize(
    ("marker", "final", "code"),
    [("[sandbox:fail=1505]", "FAILED", "1505"), ("[sandbox:cancel]", "CANCEL", None)],
)
def test_watch_yields_a_failure_as_the_last_task_without_raising(
    mode: str, sandbox: Sandbox, marker: str, final: str, code: str | None
) -> None:
    seen, _ = watch_new_task(mode, sandbox, f"a fox {marker}", final)
    assert seen[-1].error_code == code
    if final == "FAILED":
        assert seen[-1].failed_reason is not None


@modes
def test_breaking_out_of_watch_stops_the_polling(mode: str, faults: FaultServer) -> None:
    faults.route(QUERY, reply("RUNNING"))
    seen: list[Task] = []
    watch(mode, faults.base_url, TASK, seen, stop_after=1)
    assert statuses(seen) == ["RUNNING"]
    assert faults.count(QUERY) == 1


# ---------------------------------------------------------------- wait()'s tolerance and deadline


@modes
def test_watch_survives_transient_query_failures_like_wait(mode: str, faults: FaultServer) -> None:
    faults.route(
        QUERY,
        reply("RUNNING"),
        json_reply({"errorCode": "1010", "errorMessage": "unavailable"}, 503),
        Reset(),
        html_reply(500, "<html><h1>500 Internal Server Error</h1></html>"),
        html_reply(502),  # four failures in a row: one fewer than the limit of five
        reply("RUNNING"),
        Reset(),
        reply("SUCCESS"),
    )
    seen: list[Task] = []
    watch(mode, faults.base_url, TASK, seen)
    assert statuses(seen) == ["RUNNING", "SUCCESS"]
    assert faults.count(QUERY) == 8


@modes
def test_watch_survives_the_sandboxs_503s(mode: str, sandbox: Sandbox) -> None:
    _, queries = watch_new_task(mode, sandbox, "a wave [sandbox:query5xx=4]", "SUCCESS")
    assert queries >= 5  # four 503s, then at least one answer


@modes
def test_watch_gives_up_after_too_many_consecutive_failures(mode: str, faults: FaultServer) -> None:
    faults.route(QUERY, reply("RUNNING"), html_reply(503))
    seen: list[Task] = []
    with pytest.raises(ServerError) as caught:
        watch(mode, faults.base_url, TASK, seen)
    assert caught.value.task_id == TASK
    assert statuses(seen) == ["RUNNING"]  # what was seen before the failures came out first
    assert faults.count(QUERY) == 1 + FAST.max_consecutive_failures


@modes
@pytest.mark.parametrize("where", ["policy", "call"])
def test_watch_honours_the_deadline(mode: str, where: str, faults: FaultServer) -> None:
    faults.route(QUERY, reply("QUEUED"), reply("RUNNING"))
    short = Policy(poll_interval=0.02, wait_timeout=0.3)
    options: dict[str, Any] = {"timeout": 0.3} if where == "call" else {}
    seen: list[Task] = []
    with pytest.raises(WaitTimeoutError) as caught:
        watch(mode, faults.base_url, TASK, seen, policy=short if where == "policy" else FAST,
              **options)  # fmt: skip
    assert caught.value.task_id == TASK
    assert caught.value.last_status == seen[-1].status
    assert statuses(seen) in (["QUEUED"], ["QUEUED", "RUNNING"])  # never a status twice
    assert faults.count(QUERY) >= len(seen)
