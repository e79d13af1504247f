"""Task is this library's own type: no generated-client internals in its attributes or repr,
exact money, numbers where the vendor sends numeric strings, a JSON-ready to_dict()."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from typing import Any, get_args

import httpx
import pytest
import runninghub_video
from runninghub_client.models import TaskResult
from runninghub_client.types import Unset
from runninghub_video import RunningHub, TaskFailedError
from runninghub_video import types as public
from runninghub_video._responses import RawAnswer, read_submit, read_task
from runninghub_video.types import FailureReason, OutputFile, Task, Usage

from tests.contract.vendor_bodies import BODIES, QUERY
from tests.wrapper.fakes import KEY, task_body

TASK_BODIES = [case for case in BODIES if case.path == QUERY]


def read(body: dict[str, Any]) -> Task:
    """A query answer read as the client reads it (its body, decoded once)."""
    return read_task(RawAnswer(200, httpx.Headers(), json.dumps(body).encode()))


def with_usage(**usage: object) -> Task:
    return read(task_body("SUCCESS", usage=usage))


def values_of(value: object) -> list[object]:
    """Every value reachable from a Task's fields (its parts' fields too), raw left out."""
    if isinstance(value, Task | OutputFile | Usage | FailureReason):
        found: list[object] = [value]
        for field in dataclasses.fields(value):
            if field.name != "raw":
                found += values_of(getattr(value, field.name))
        return found
    if isinstance(value, tuple):
        return [value, *(item for element in value for item in values_of(element))]
    return [value]


# ---------------------------------------------------------------- no generated internals


@pytest.mark.parametrize("case", TASK_BODIES, ids=lambda case: case.name)
def test_no_attribute_holds_a_generated_type(case: Any) -> None:
    task = read(case.body)
    for value in values_of(task):
        assert not isinstance(value, Unset)
        assert type(value).__module__.split(".")[0] != "runninghub_client", value
        assert isinstance(value, str | float | Decimal | tuple | None | Task | OutputFile | Usage
                          | FailureReason)  # fmt: skip


@pytest.mark.parametrize(
    ("body", "shown", "absent"),
    [
        (
            task_body("SUCCESS", usage={"consumeMoney": "3.2", "taskCostTime": "187"}),
            ["id='1999'", "status='SUCCESS'", "video_url='https://cdn.test/result/out.mp4'",
             "usage=Usage(consume_money=Decimal('3.2'), task_cost_time=187.0)"],
            ["error_code", "node_id", "failed_reason"],
        ),
        (
            task_body("FAILED", errorCode="1505", errorMessage="real people",
                      failedReason={"exception_type": "X", "traceback": ["line 1"]}),
            ["id='1999'", "status='FAILED'", "error_code='1505'", "error_message='real people'"],
            ["video_url", "usage", "traceback"],
        ),
        (
            task_body("RUNNING", failedReason={}, usage={}),
            ["Task(id='1999', status='RUNNING')"],
            ["video_url", "error", "usage"],
        ),
    ],
    ids=["SUCCESS", "FAILED", "RUNNING"],
)  # fmt: skip
def test_repr_is_clean_and_useful(
    body: dict[str, Any], shown: list[str], absent: list[str]
) -> None:
    text = repr(read(body))
    assert "Unset" not in text
    assert " at 0x" not in text  # no default object reprs
    for part in shown:
        assert part in text
    for part in absent:
        assert part not in text


def test_every_part_reprs_without_unset() -> None:
    task = read(task_body("FAILED", errorCode="1015", failedReason={"node_id": "7"}))
    assert task.failed_reason is not None
    output = read(task_body("SUCCESS")).results[0]
    for text in (repr(task.failed_reason), repr(output), repr(Usage())):
        assert "Unset" not in text
    assert repr(task.failed_reason) == "FailureReason(node_id='7')"


def test_repr_cuts_a_long_error_message_and_redacts_the_key() -> None:
    with RunningHub(KEY, base_url="https://api.test"):  # registers the key with the redactor
        pass
    message = f"bad key {KEY} " + "x" * 5000
    text = repr(read(task_body("FAILED", errorCode="1002", errorMessage=message)))
    assert KEY not in text
    assert len(text) < 400


# ---------------------------------------------------------------- to_dict


@pytest.mark.parametrize("case", TASK_BODIES, ids=lambda case: case.name)
def test_to_dict_is_json_ready_for_every_vendor_body(case: Any) -> None:
    task = read(case.body)
    data = task.to_dict()
    assert json.loads(json.dumps(data)) == data  # no default=, nothing lost on the way
    assert data["id"] == task.id
    assert data["status"] == case.status
    assert [r["url"] for r in data["results"]] == [r.url for r in task.results]


def test_to_dict_shows_each_part() -> None:
    body = task_body(
        "SUCCESS",
        results=[{"url": "https://cdn.test/a.mp4", "outputType": "mp4", "nodeId": "9", "text": ""}],
        usage={"consumeMoney": "0.35", "consumeCoins": "35", "taskCostTime": "42.5",
               "thirdPartyConsumeMoney": None},
    )  # fmt: skip
    assert read(body).to_dict() == {
        "id": "1999",
        "status": "SUCCESS",
        "results": [
            {"url": "https://cdn.test/a.mp4", "output_type": "mp4", "node_id": "9", "text": None}
        ],
        "error_code": None,
        "error_message": None,
        "failed_reason": None,
        "usage": {
            "consume_money": "0.35",
            "consume_coins": "35",
            "task_cost_time": 42.5,
            "third_party_consume_money": None,
        },
    }


def test_failed_reason_to_dict() -> None:
    body = task_body("FAILED", errorCode="1015", failedReason={
        "exception_type": "OOM", "exception_message": "", "node_name": "render",
        "traceback": ["a", 7, "b"]})  # fmt: skip
    data = read(body).to_dict()
    assert data["failed_reason"] == {
        "exception_type": "OOM",
        "exception_message": None,
        "node_id": None,
        "node_name": "render",
        "traceback": ["a", "b"],
    }
    json.dumps(data)


# ---------------------------------------------------------------- numbers


def test_money_is_an_exact_decimal_and_stays_exact_in_to_dict() -> None:
    exact = "0.1000000000000000055511151231257827"
    task = with_usage(consumeMoney=exact, consumeCoins="12", thirdPartyConsumeMoney="0.20")
    assert task.usage is not None
    assert task.usage.consume_money == Decimal(exact)
    assert isinstance(task.usage.consume_money, Decimal)
    assert task.usage.consume_coins == Decimal(12)
    assert task.usage.third_party_consume_money == Decimal("0.20")
    usage = task.to_dict()["usage"]
    assert usage["consume_money"] == exact  # a string: a float would keep about 17 digits
    assert usage["third_party_consume_money"] == "0.20"


def test_duration_is_seconds_as_a_number() -> None:
    task = with_usage(taskCostTime="187")
    assert task.usage is not None
    assert task.usage.task_cost_time == 187.0
    assert isinstance(task.usage.task_cost_time, float)


@pytest.mark.parametrize(
    "sent",
    ["", "  ", "abc", "3,2", "NaN", "-Infinity", "sNaN", "1e999999", [1], {"a": 1}, True],
)
def test_a_value_that_is_not_a_finite_number_is_none_and_never_fails_the_read(sent: object) -> None:
    task = with_usage(consumeMoney=sent, taskCostTime=sent, consumeCoins="5")
    assert task.succeeded
    assert task.usage is not None
    assert task.usage.consume_coins == Decimal(5)  # the other fields are still read
    assert task.usage.task_cost_time is None
    if sent != "1e999999":  # a huge but finite amount stays exact
        assert task.usage.consume_money is None
    assert task.raw is not None
    assert task.raw.to_dict()["usage"]["consumeMoney"] == sent  # the original, on raw
    json.dumps(task.to_dict())


def test_a_json_number_against_the_spec_is_read_too() -> None:
    task = with_usage(consumeMoney=3.2, taskCostTime=12)
    assert task.usage == Usage(consume_money=Decimal("3.2"), task_cost_time=12.0)


def test_usage_with_nothing_to_read_is_none() -> None:
    assert read(task_body("SUCCESS")).usage is None
    assert read(task_body("SUCCESS", usage=None)).usage is None
    assert with_usage().usage is None
    assert with_usage(consumeMoney=None, taskCostTime="n/a").usage is None


# ---------------------------------------------------------------- failure reasons


@pytest.mark.parametrize(
    ("sent", "reason"),
    [
        ({}, None),
        (None, None),
        ("", None),
        (7, None),
        ("boom", FailureReason(exception_message="boom")),
        (
            {"exception_type": "X", "node_id": 3, "traceback": "t"},
            FailureReason(exception_type="X", traceback=("t",)),  # one line as a string
        ),
        (
            {"exception_type": "X", "traceback": 5},
            FailureReason(exception_type="X"),
        ),
    ],
)
def test_failed_reason_forms(sent: object, reason: FailureReason | None) -> None:
    body = task_body("FAILED", errorCode="1015", failedReason=sent)
    assert read(body).failed_reason == reason
    with pytest.raises(TaskFailedError) as caught:  # the error carries the same reason
        read_submit(RawAnswer(200, httpx.Headers(), json.dumps(body).encode()))
    assert caught.value.failed_reason == reason


# ---------------------------------------------------------------- raw, and the public names


def test_raw_is_the_generated_model_and_model_is_a_deprecated_alias() -> None:
    task = read(task_body("RUNNING", clientId="c1"))
    assert isinstance(task.raw, TaskResult)
    assert task.raw.client_id == "c1"
    with pytest.warns(DeprecationWarning, match="Task.raw"):
        assert task.model is task.raw
    assert Task("1", "RUNNING").raw is None


def test_types_module_exports_the_user_facing_types() -> None:
    for name in public.__all__:
        assert getattr(public, name) is not None
    for name in ("Task", "OutputFile", "Usage", "FailureReason", "Policy", "Video"):
        assert getattr(runninghub_video, name) is getattr(public, name)
        assert name in runninghub_video.__all__
    assert "SUCCESS" in get_args(public.TaskStatus)
    assert "720p" in get_args(public.Resolution)
    assert "9:16" in get_args(public.AspectRatio)
    assert "4" in get_args(public.Duration)


def test_every_repr_cuts_each_long_text() -> None:
    long = "y" * 200_000
    task = read(
        task_body(
            "SUCCESS",
            taskId="1999",
            errorCode=long,
            results=[{"url": "https://cdn.test/" + long + ".mp4", "outputType": "mp4",
                      "text": long, "nodeId": long}],
            failedReason={"exception_type": long, "exception_message": long, "node_name": long},
            usage={"consumeMoney": "1" * 100_000},
        )
    )  # fmt: skip
    assert task.failed_reason is not None
    for shown in (task, task.results[0], task.failed_reason):
        text = repr(shown)
        assert len(text) < 2000, type(shown).__name__
        assert "y" * 197 + "..." in text or "1" * 100 in text
    assert repr(task.results[0]).startswith("OutputFile(url='https://cdn.test/yyy")
    assert len(repr(task.usage)) < 300
