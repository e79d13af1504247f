"""A paid SUCCESS task is read, waited for and downloaded by id whatever a diagnostic field
(usage, failedReason) holds: a value of the wrong type is None on the Task (as _task.py
promises), never an UnexpectedResponseError. Fields the flow depends on are still checked."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from runninghub_video import AsyncRunningHub, Policy, RunningHub, UnexpectedResponseError
from runninghub_video.types import Task

from tests.support.api import QUERY
from tests.support.canned_server import Canned, canned_server
from tests.support.file_server import PAYLOAD, FileServer
from tests.wrapper.fakes import KEY, task_body

TASK = "2013508786110730241"
POLICY = Policy(poll_interval=0.01, request_timeout=5.0, connect_timeout=5.0)
ODD_VALUES = ["", [], "0.8", 5, 0.5, True, ["a"], "null"]


@pytest.fixture(scope="module")
def api() -> Iterator[Canned]:
    """One server for the module (each test sets the query's answer)."""
    with canned_server({}) as canned:
        yield canned


def success(files: FileServer, **fields: Any) -> dict[str, Any]:
    body = task_body("SUCCESS", task_id=TASK, **fields)
    body["results"] = [{"url": f"{files.base_url}/ok.mp4", "outputType": "mp4"}]
    return body


def get_wait_download(mode: str, base_url: str, dest: Path) -> tuple[Task, Task, Path]:
    """get(), wait() and download() of the task by id, with the sync or the async client."""
    if mode == "sync":
        with RunningHub(KEY, base_url=base_url, policy=POLICY) as rh:
            return rh.get(TASK), rh.wait(TASK), rh.download(TASK, dest)

    async def go() -> tuple[Task, Task, Path]:
        async with AsyncRunningHub(KEY, base_url=base_url, policy=POLICY) as rh:
            return await rh.get(TASK), await rh.wait(TASK), await rh.download(TASK, dest)

    return asyncio.run(go())


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("field", ["usage", "failedReason"])
@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
def test_a_success_task_with_an_odd_diagnostic_field_is_read_and_downloaded(
    api: Canned, files: FileServer, tmp_path: Path, mode: str, field: str, value: object
) -> None:
    api.answers[QUERY] = (200, success(files, **{field: value}))
    got, waited, path = get_wait_download(mode, api.base_url, tmp_path / "v.mp4")
    for task in (got, waited):
        assert task.succeeded
        assert task.usage is None
        if field == "usage" or not (isinstance(value, str) and value):
            assert task.failed_reason is None
        else:  # a string failedReason is its message (the vendor's other documented form)
            assert task.failed_reason is not None
            assert task.failed_reason.exception_message == value
        assert task.to_dict()["usage"] is None
        repr(task)
    assert path.read_bytes() == PAYLOAD


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"taskId": 7}, "taskId"),
        ({"results": "nope"}, "results"),
        ({"results": [{"url": 5, "outputType": "mp4"}]}, "url"),
    ],
)
def test_the_fields_the_flow_depends_on_are_still_checked(
    api: Canned, files: FileServer, fields: dict[str, Any], why: str
) -> None:
    api.answers[QUERY] = (200, {**success(files), **fields})
    with (
        RunningHub(KEY, base_url=api.base_url, policy=POLICY) as rh,
        pytest.raises(UnexpectedResponseError, match=why),
    ):
        rh.get(TASK)
