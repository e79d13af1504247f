"""Every error pickles whole (class, message, task id, attributes), so that it crosses a process
pool: a worker whose wait timed out gives its parent the WaitTimeoutError and the task id, not a
BrokenProcessPool (issue 18, item 5)."""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import pytest
import runninghub_video
from runninghub_video import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ContentRejectedError,
    DownloadError,
    InvalidInputError,
    RateLimitError,
    RunningHubError,
    TaskFailedError,
    WaitTimeoutError,
)
from runninghub_video.types import FailureReason


def examples() -> list[RunningHubError]:
    failed = ContentRejectedError("rejected", status_code=200, error_code="1505", task_id="T1")
    failed.status = "FAILED"
    failed.failed_reason = FailureReason(exception_message="real people")
    limited = RateLimitError("slow down", status_code=429, error_code="1003")
    limited.retry_after = 2.0
    may_exist = APIError("odd", status_code=500, body_excerpt="<html>", task_id=None)
    may_exist.task_may_exist = True
    return [
        WaitTimeoutError("deadline passed", task_id="T2", last_status="RUNNING"),
        InvalidInputError("duration", 7, "4, 8 or 12"),
        APITimeoutError("read timed out", task_may_exist=True),
        APIConnectionError("refused", task_id="T3"),
        DownloadError("HTTP 403", task_id="T4", status_code=403),
        failed,
        limited,
        may_exist,
        TaskFailedError("cancelled", status_code=200, task_id="T5"),
        RunningHubError("any", task_id="T6"),
    ]


@pytest.mark.parametrize("error", examples(), ids=lambda error: type(error).__name__)
def test_an_error_survives_pickling(error: RunningHubError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (str(copy), copy.args) == (str(error), error.args)
    assert vars(copy) == vars(error)


def test_every_public_error_class_has_an_example() -> None:
    public = {
        getattr(runninghub_video, name)
        for name in runninghub_video.__all__
        if isinstance(getattr(runninghub_video, name), type)
        and issubclass(getattr(runninghub_video, name), RunningHubError)
    }
    # Classes that add no state of their own pickle as their base does.
    covered = {type(error) for error in examples()}
    assert {cls for cls in public if "__init__" in vars(cls)} <= covered


def timed_out_wait(task_id: str) -> str:
    """A worker's wait whose deadline passed."""
    raise WaitTimeoutError("the deadline passed", task_id=task_id, last_status="RUNNING")


@pytest.mark.integration  # a process pool
def test_a_process_pool_worker_error_reaches_the_parent_with_its_task_id() -> None:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        future = pool.submit(timed_out_wait, "2013508786110730241")
        with pytest.raises(WaitTimeoutError) as raised:
            future.result(timeout=120)
    assert raised.value.task_id == "2013508786110730241"
    assert raised.value.last_status == "RUNNING"
