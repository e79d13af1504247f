"""A submit answer that carries a task id is that task, whatever its HTTP status (2xx, 429) and
error fields: the id reaches the caller and on_submitted, and the submit is never sent again
(issue 18, item 2). Real sockets: the canned loopback server."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from runninghub_video import AsyncRunningHub, Policy, RunningHub, Task

from tests.contract.vendor_bodies import QUERY, SUBMIT
from tests.support.canned_server import canned_server
from tests.support.constants import KEY

FAST = Policy(poll_interval=0.001, backoff_initial=0.001, backoff_max=0.001)
IMAGE = "https://example.com/a.png"
CASES = [
    (200, {"taskId": "T1", "status": "QUEUED", "errorCode": "1520", "errorMessage": "busy"},
     "QUEUED"),
    (200, {"taskId": "T1", "status": "RUNNING", "errorCode": "1003", "errorMessage": "slow"},
     "RUNNING"),
    (429, {"taskId": "T1", "status": "QUEUED"}, "QUEUED"),
    (201, {"taskId": "T1", "status": "QUEUED"}, "QUEUED"),
    (202, {"taskId": "T1"}, "CREATE"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("status", "body", "shown"), CASES, ids=["1520", "1003", "429", "201", "202"]
)
def test_the_named_task_is_the_result_and_the_submit_is_sent_once(
    status: int, body: dict[str, Any], shown: str
) -> None:
    seen: list[Task] = []
    answers = {SUBMIT: (status, body), QUERY: (200, {"status": "RUNNING"})}
    with (
        canned_server(answers) as server,
        RunningHub(KEY, base_url=server.base_url, policy=FAST) as rh,
    ):
        task = rh.submit("a lake", IMAGE, on_submitted=seen.append)
    assert (task.id, task.status) == ("T1", shown)
    assert [t.id for t in seen] == ["T1"]
    assert server.paths.count(SUBMIT) == 1


def test_the_async_client_reads_them_the_same() -> None:
    status, body, shown = CASES[0]

    async def submit(base_url: str) -> Task:
        async with AsyncRunningHub(KEY, base_url=base_url, policy=FAST) as rh:
            return await rh.submit("a lake", IMAGE)

    with canned_server({SUBMIT: (status, body)}) as server:
        task = asyncio.run(submit(server.base_url))
    assert (task.id, task.status, task.error_code) == ("T1", shown, "1520")
    assert server.paths.count(SUBMIT) == 1
