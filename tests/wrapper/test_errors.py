"""HTTP statuses and the vendor's errorCodes map onto one exception hierarchy; bodies that are
not what the spec says give UnexpectedResponseError, never KeyError/TypeError/AttributeError."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from runninghub_video import (
    APIConnectionError,
    AuthenticationError,
    ContentRejectedError,
    InvalidRequestError,
    RateLimitError,
    RunningHubError,
    ServerError,
    TaskFailedError,
    UnexpectedResponseError,
)
from runninghub_video._responses import RawAnswer, read_submit, read_task, read_upload

from tests.wrapper.fakes import KEY, QUERY, FakeClock, ScriptedAPI, make_client, ok, raw, task_body


def answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> RawAnswer:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return RawAnswer(status_code=status, headers=httpx.Headers(headers or {}), content=content)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, InvalidRequestError),
        (401, AuthenticationError),
        (415, InvalidRequestError),
        (422, InvalidRequestError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (504, ServerError),
        (418, UnexpectedResponseError),
    ],
)
def test_http_status_maps_to_error(status: int, error: type[RunningHubError]) -> None:
    with pytest.raises(error) as caught:
        read_task(answer({"errorMessage": "nope"}, status), task_id="7")
    assert type(caught.value) is error
    assert caught.value.task_id == "7"
    assert f"HTTP {status}" in str(caught.value)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("1002", AuthenticationError),
        ("1014", AuthenticationError),
        ("1003", RateLimitError),
        ("1520", RateLimitError),
        ("1001", InvalidRequestError),
        ("1007", InvalidRequestError),
        ("1008", InvalidRequestError),
        ("1501", ContentRejectedError),
        ("1505", ContentRejectedError),
        ("1005", ServerError),
        ("1010", ServerError),
        ("1011", ServerError),
        ("1012", ServerError),
    ],
)
def test_error_code_with_http_200_maps_to_error(code: str, error: type[RunningHubError]) -> None:
    body = {"taskId": "", "status": "", "errorCode": code, "errorMessage": "vendor says no"}
    with pytest.raises(error) as caught:
        read_task(answer(body))
    assert type(caught.value) is error
    assert code in str(caught.value)
    assert "vendor says no" in str(caught.value)


def test_429_carries_retry_after() -> None:
    with pytest.raises(RateLimitError) as caught:
        read_task(answer({}, 429, {"Retry-After": "7"}))
    assert caught.value.retry_after == 7.0


def test_html_5xx_is_a_server_error_with_excerpt() -> None:
    with pytest.raises(ServerError) as caught:
        read_task(answer(b"<html><body>502 Bad Gateway</body></html>", 502))
    assert caught.value.body_excerpt is not None
    assert "Bad Gateway" in caught.value.body_excerpt


@pytest.mark.parametrize(
    ("status", "error"), [("FAILED", TaskFailedError), ("CANCEL", TaskFailedError)]
)
def test_failed_and_cancelled_tasks_are_returned_by_query(
    status: str, error: type[TaskFailedError]
) -> None:
    body = task_body(status, errorCode="1015", errorMessage="generation failed",
                     failedReason={"exception_type": "X", "node_name": "n"})  # fmt: skip
    task = read_task(answer(body))
    assert task.status == status
    assert task.is_final
    assert not task.succeeded
    with pytest.raises(error) as caught:
        read_submit(answer(body))
    assert caught.value.status == status
    assert caught.value.error_code == "1015"
    assert caught.value.task_id == "1999"
    assert caught.value.failed_reason is not None


def test_moderation_failure_is_content_rejected_and_a_task_failure() -> None:
    body = task_body("FAILED", errorCode="1505", errorMessage="Photorealistic real people")
    with pytest.raises(ContentRejectedError) as caught:
        read_submit(answer(body))
    assert isinstance(caught.value, TaskFailedError)
    assert "1505" in str(caught.value)


def test_failed_reason_may_be_a_string() -> None:
    task = read_task(answer(task_body("FAILED", failedReason="boom")))
    assert task.failed_reason is not None
    assert task.failed_reason.exception_message == "boom"


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"not json at all", "not a JSON object"),
        (b"[1, 2]", "not a JSON object"),
        (b"", "not a JSON object"),
        ({"status": "RUNNING", "results": {}}, "does not match the spec"),
        (task_body(taskId=12.5), "taskId"),
        (task_body(taskId="no spaces allowed"), "taskId"),
        (task_body(results="nope"), "results"),
        (task_body(results=[{"url": 1, "outputType": "mp4"}]), "url"),
        ({**task_body(), "status": 7}, "does not match the spec"),
        (task_body("SUCCESS", results=[]), "without results"),
    ],
)
def test_malformed_bodies_are_unexpected_response(body: Any, why: str) -> None:
    with pytest.raises(UnexpectedResponseError, match=why) as caught:
        read_task(answer(body), task_id="9")
    assert caught.value.task_id in {"9", "1999"}  # the asked id, or the one the body names


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"status": "RUNNING"}, "RUNNING"),
        ({"status": "create"}, "CREATE"),
        ({"task_id": "9", "status": "QUEUED"}, "QUEUED"),
        ({"taskId": 9, "status": "QUEUED"}, "QUEUED"),
        ({"taskId": "9"}, "UNKNOWN"),
    ],
    ids=["status-only", "lower-case", "task_id", "numeric-id", "no-status"],
)
def test_the_kits_minimal_query_answers_are_read(body: dict[str, Any], status: str) -> None:
    """The vendor's kit polls {"status": ...} alone, in any case, with taskId or task_id."""
    task = read_task(answer(body), task_id="9")
    assert (task.id, task.status, task.is_final) == ("9", status, False)


def test_extra_fields_are_tolerated() -> None:
    task = read_task(answer(task_body("RUNNING", brandNew={"x": 1})))
    assert task.status == "RUNNING"


def test_unknown_status_is_kept_not_final() -> None:
    task = read_task(answer(task_body("PAUSED")))
    assert task.status == "PAUSED"
    assert not task.is_final
    assert task.raw is not None


def test_a_5xx_or_garbled_submit_says_the_task_may_exist() -> None:
    for bad in (answer(b"<html>oops</html>", 500), answer(b"garbled")):
        with pytest.raises((ServerError, UnexpectedResponseError)) as caught:
            read_submit(bad)
        assert caught.value.task_may_exist
        assert "task may exist" in str(caught.value)


def test_upload_answers() -> None:
    good = {"code": 0, "message": "success", "data": {"download_url": "https://cdn.test/a.png"}}
    assert read_upload(answer(good)) == "https://cdn.test/a.png"
    with pytest.raises(InvalidRequestError, match="too big"):
        read_upload(answer({"code": 1008, "msg": "too big"}))
    with pytest.raises(UnexpectedResponseError):
        read_upload(answer({"code": 0}))
    with pytest.raises(UnexpectedResponseError):
        read_upload(answer(b"<html>"))


def test_no_key_in_errors_reprs_or_debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api = ScriptedAPI().add(
        QUERY,
        ok({"errorMessage": "API Key 不存在"}, 401),
        raw(b"<html>down</html>", 503),
        httpx.ConnectError("refused"),
    )
    seen: list[str] = []
    with make_client(api, FakeClock()) as rh:
        seen.append(repr(rh))
        for _ in range(3):
            with pytest.raises(RunningHubError) as caught:
                rh.get("1")
            seen += [str(caught.value), repr(caught.value), repr(caught.value.__dict__)]
    assert isinstance(caught.value, APIConnectionError)
    assert api.requests[0].headers["Authorization"] == f"Bearer {KEY}"
    seen += [record.getMessage() for record in caplog.records]
    assert all(KEY not in text for text in seen)


def test_the_docs_exception_table_lists_every_public_error() -> None:
    """A user reads the library guide's table to know what to catch: every exported error is
    in it."""
    import runninghub_video

    from tests.support.constants import ROOT

    guide = (ROOT / "docs" / "library.md").read_text(encoding="utf-8")
    table = guide[guide.index("| Exception | When |") :].split("\n\n", 1)[0]
    exported = [name for name in runninghub_video.__all__ if name.endswith("Error")]
    assert "APIError" in exported
    missing = [name for name in exported if f"`{name}`" not in table]
    assert missing == []
