"""Polling under faults, over real sockets: transient failures are survived, a run of them
longer than allowed gives up naming the task, odd bodies become typed errors.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from runninghub_video import (
    APIConnectionError,
    APITimeoutError,
    RateLimitError,
    RunningHubError,
    ServerError,
    TaskFailedError,
    UnexpectedResponseError,
    WaitTimeoutError,
)
from runninghub_video.sandbox import Sandbox

from tests.reliability.conftest import FAST, IMAGE_URL, Sleeps, call, modes
from tests.reliability.fault_server import (
    Action,
    FaultServer,
    Hold,
    Reply,
    Reset,
    html_reply,
    json_reply,
    task_body,
)
from tests.support.api import QUERY
from tests.support.bodies import VIDEO_URL
from tests.support.cli import Cli

CliAt = Callable[[str], Cli]
TASK = "2013508786110730241"


def running() -> Reply:
    return json_reply(task_body("RUNNING", TASK))


def success() -> Reply:
    return json_reply(task_body("SUCCESS", TASK))


# ---------------------------------------------------------------- transient failures


@modes
def test_polling_survives_intermittent_faults(mode: str, faults: FaultServer) -> None:
    faults.route(
        QUERY,
        running(),
        json_reply({"errorCode": "1010", "errorMessage": "unavailable"}, 503),
        Reset(),
        html_reply(500, "<html><h1>500 Internal Server Error</h1></html>"),
        html_reply(502),  # four failures in a row: one fewer than the limit of five
        running(),
        Reset(),
        success(),
    )
    task = call(mode, faults.base_url, "wait", TASK)
    assert task.status == "SUCCESS"
    assert task.video_url == VIDEO_URL
    assert faults.count(QUERY) == 8


@modes
def test_sandbox_503s_are_survived(mode: str, sandbox: Sandbox) -> None:
    before = sandbox.stats
    task = call(mode, sandbox.base_url, "run", "a wave [sandbox:query5xx=4]", IMAGE_URL)
    assert task.status == "SUCCESS"
    after = sandbox.stats
    assert after.submits - before.submits == 1
    assert after.queries - before.queries >= 5


@modes
def test_query_429_retry_after_is_honoured(mode: str, faults: FaultServer) -> None:
    faults.route(
        QUERY, running(), json_reply({"errorCode": "1003"}, 429, {"Retry-After": "1"}), success()
    )
    sleeps = Sleeps()
    assert call(mode, faults.base_url, "wait", TASK, sleeps=sleeps).status == "SUCCESS"
    assert 1.0 in sleeps.calls
    _, limited, last = faults.on(QUERY)
    assert last.time - limited.time >= 0.95


GIVE_UP: dict[str, tuple[Action, type[RunningHubError]]] = {
    "html-503": (html_reply(503), ServerError),
    "reset": (Reset(), APIConnectionError),
    "429": (json_reply({"errorCode": "1003"}, 429, {"Retry-After": "0"}), RateLimitError),
    "read-timeout": (Hold(), APITimeoutError),
}


@pytest.mark.parametrize(
    ("mode", "fault"),
    # Read timeouts cost 0.3 s each; the async client shares the policy, so sync only.
    [(m, f) for f in GIVE_UP for m in ("sync", "async") if (m, f) != ("async", "read-timeout")],
)
def test_too_many_consecutive_failures_give_up_with_the_task_id(
    mode: str, fault: str, faults: FaultServer
) -> None:
    action, error_type = GIVE_UP[fault]
    faults.route(QUERY, running(), action)
    policy = replace(FAST, request_timeout=0.3) if fault == "read-timeout" else FAST
    with pytest.raises(error_type) as caught:
        call(mode, faults.base_url, "wait", TASK, policy=policy)
    assert caught.value.task_id == TASK
    assert TASK in str(caught.value)
    assert faults.count(QUERY) == 1 + FAST.max_consecutive_failures


# ---------------------------------------------------------------- statuses the spec lacks


@modes
def test_unknown_statuses_keep_polling(mode: str, faults: FaultServer) -> None:
    faults.route(
        QUERY,
        json_reply(task_body("WARMING", TASK)),
        json_reply(task_body("PENDING_REVIEW", TASK)),
        json_reply(task_body("WARMING", TASK)),
        success(),
    )
    seen: list[str] = []
    task = call(mode, faults.base_url, "wait", TASK, on_update=lambda t: seen.append(t.status))
    assert task.status == "SUCCESS"
    assert seen == ["WARMING", "PENDING_REVIEW", "WARMING", "SUCCESS"]


@modes
def test_unknown_status_forever_ends_at_the_deadline(mode: str, faults: FaultServer) -> None:
    faults.route(QUERY, json_reply(task_body("WARMING", TASK)))
    start = time.monotonic()
    with pytest.raises(WaitTimeoutError) as caught:
        call(mode, faults.base_url, "wait", TASK, timeout=0.5)
    assert time.monotonic() - start >= 0.45  # not before the deadline (a slow host only adds)
    assert caught.value.last_status == "WARMING"
    assert caught.value.task_id == TASK
    assert faults.count(QUERY) >= 5


# ---------------------------------------------------------------- bodies that are not a task


def _body(data: Any) -> Reply:
    return json_reply(data)


MALFORMED: dict[str, Reply] = {
    "html-200": html_reply(200, "<html>maintenance</html>"),
    "empty": Reply(200, b"", "application/json"),
    "not-utf8": Reply(200, b"\xff\xfe\x00{\x80", "application/json"),
    "truncated-json": Reply(200, b'{"taskId": "1", "status": "RUN', "application/json"),
    "array": _body([task_body("SUCCESS", TASK)]),
    "string": _body("SUCCESS"),
    "null": _body(None),
    "deep-nesting": Reply(200, b"[" * 50_000 + b"]" * 50_000, "application/json"),
    "status-int": _body({**task_body("RUNNING", TASK), "status": 3}),
    "results-string": _body(task_body("SUCCESS", TASK, results="https://cdn.test/x.mp4")),
    "results-url-int": _body(task_body("SUCCESS", TASK, results=[{"url": 5, "outputType": "mp4"}])),
    "results-item-string": _body(task_body("SUCCESS", TASK, results=["https://cdn.test/x.mp4"])),
    "results-item-no-url": _body(task_body("SUCCESS", TASK, results=[{"outputType": "mp4"}])),
    "success-without-results": _body(task_body("SUCCESS", TASK, results=None)),
    "another-task": _body(task_body("SUCCESS", "222", result_url="https://cdn.test/222.mp4")),
}


@modes
@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_query_answer_is_retried_then_a_typed_error(
    mode: str, case: str, faults: FaultServer
) -> None:
    """As the vendor's kit polls: an unreadable answer is a transient failure, ridden over
    up to max_consecutive_failures in a row; then an error naming the task."""
    faults.route(QUERY, MALFORMED[case])
    with pytest.raises(UnexpectedResponseError) as caught:
        call(mode, faults.base_url, "wait", TASK)
    error = caught.value
    assert error.task_id == TASK
    assert error.status_code == 200
    assert error.body_excerpt is not None
    assert len(error.body_excerpt) <= 200
    assert faults.count(QUERY) == FAST.max_consecutive_failures


@modes
@pytest.mark.parametrize("case", ["html-200", "empty", "results-item-no-url"])
def test_a_malformed_answer_between_good_ones_is_ridden_over(
    mode: str, case: str, faults: FaultServer
) -> None:
    faults.route(QUERY, running(), MALFORMED[case], MALFORMED[case], success())
    task = call(mode, faults.base_url, "wait", TASK)
    assert task.status == "SUCCESS"
    assert faults.count(QUERY) == 4


# Shapes the vendor's kit reads [KIT]: no longer malformed.
KIT_SHAPES: dict[str, tuple[Reply, str]] = {
    "missing-task-id": (
        _body({k: v for k, v in task_body("SUCCESS", TASK).items() if k != "taskId"}),
        "SUCCESS",
    ),
    "task-id-int": (_body({**task_body("SUCCESS", TASK), "taskId": int(TASK)}), "SUCCESS"),
    "lower-case-status": (_body({**task_body("SUCCESS", TASK), "status": " success "}), "SUCCESS"),
    "error-code-int": (_body(task_body("FAILED", TASK, errorCode=1505)), "FAILED"),
    "task_id-alias": (
        _body(
            {
                "task_id": TASK,
                **{k: v for k, v in task_body("SUCCESS", TASK).items() if k != "taskId"},
            }
        ),
        "SUCCESS",
    ),
}


@modes
@pytest.mark.parametrize("case", list(KIT_SHAPES))
def test_the_kits_query_shapes_are_read(mode: str, case: str, faults: FaultServer) -> None:
    reply, status = KIT_SHAPES[case]
    faults.route(QUERY, reply)
    task = call(mode, faults.base_url, "get", TASK)
    assert (task.id, task.status) == (TASK, status)
    if status == "FAILED":
        assert task.error_code == "1505"
    assert faults.count(QUERY) == 1


@modes
@pytest.mark.parametrize("body", [{"taskId": TASK}, {"status": ""}, {}], ids=str)
def test_a_query_answer_without_a_status_is_not_final(
    mode: str, body: dict[str, str], faults: FaultServer
) -> None:
    """The kit: an empty or absent status is not final: the wait goes on (status UNKNOWN)."""
    faults.route(QUERY, _body(body), success())
    seen: list[str] = []
    task = call(mode, faults.base_url, "wait", TASK, on_update=lambda t: seen.append(t.status))
    assert seen == ["UNKNOWN", "SUCCESS"]
    assert task.succeeded


EXTRA_FIELDS = task_body(
    "SUCCESS",
    TASK,
    results=[{"url": "https://cdn.test/x.mp4", "outputType": "mp4", "width": 1280, "meta": {}}],
    newTopLevel={"nested": [1, 2, {"deep": None}]},
    usage={"consumeMoney": "3.2", "currency": "CNY"},
    failedReason={},
    anotherOne=None,
)


@modes
def test_a_failed_reason_of_another_type_is_dropped_not_fatal(
    mode: str, faults: FaultServer
) -> None:
    faults.route(QUERY, _body(task_body("FAILED", TASK, errorCode="1015", failedReason=7)))
    with pytest.raises(TaskFailedError) as caught:
        call(mode, faults.base_url, "wait", TASK)
    assert caught.value.error_code == "1015"
    assert caught.value.failed_reason is None


@modes
def test_extra_fields_are_tolerated(mode: str, faults: FaultServer) -> None:
    faults.route(QUERY, json_reply(EXTRA_FIELDS))
    task = call(mode, faults.base_url, "wait", TASK)
    assert task.status == "SUCCESS"
    assert task.video_url == "https://cdn.test/x.mp4"
    assert task.usage is not None
    assert task.usage.consume_money == Decimal("3.2")


# ---------------------------------------------------------------- the same through the CLI


def test_cli_wait_survives_faults_and_unknown_statuses(cli_at: CliAt, faults: FaultServer) -> None:
    faults.route(
        QUERY,
        html_reply(500),
        json_reply({"errorCode": "1003"}, 429, {"Retry-After": "0"}),
        json_reply(task_body("WARMING", TASK)),
        Reset(),
        json_reply(EXTRA_FIELDS),
    )
    cli = cli_at(faults.base_url)
    result = cli("wait", TASK, "--poll-interval", "0.05")
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == "https://cdn.test/x.mp4"
    assert "status 'WARMING' is not in the spec" in result.stderr
    assert faults.count(QUERY) == 5
    statuses = [line.get("status") for line in cli.journal_lines()]
    assert statuses[-2:] == ["WARMING", "SUCCESS"]


def test_cli_wait_gives_up_naming_the_task_and_how_to_resume(
    cli_at: CliAt, faults: FaultServer
) -> None:
    faults.route(QUERY, running(), json_reply({"errorCode": "1003"}, 429, {"Retry-After": "0"}))
    cli = cli_at(faults.base_url)
    result = cli("wait", TASK, "--poll-interval", "0.05")
    assert result.code == 1, result.stderr
    assert faults.count(QUERY) == 1 + FAST.max_consecutive_failures
    assert "error: HTTP 429, rate limited" in result.stderr
    assert f"(task {TASK})" in result.stderr
    assert f"task {TASK} goes on; resume it with: runninghub-video wait {TASK}" in result.stderr
    events = [(line["event"], line["task_id"]) for line in cli.journal_lines()]
    assert events[-1] == ("error", TASK)


def test_cli_unknown_status_forever_exits_5(cli_at: CliAt, faults: FaultServer) -> None:
    faults.route(QUERY, json_reply(task_body("WARMING", TASK)))
    cli = cli_at(faults.base_url)
    result = cli("wait", TASK, "--poll-interval", "0.05", "--timeout", "0.3", "--json")
    assert result.code == 5, result.stderr
    data = result.json()
    assert data["status"] == "WARMING"
    assert data["resume"] == f"runninghub-video wait {TASK}"


@pytest.mark.parametrize("case", ["html-200", "not-utf8", "deep-nesting", "results-item-string"])
def test_cli_malformed_answer_exits_1_without_a_traceback(
    case: str, cli_at: CliAt, faults: FaultServer
) -> None:
    faults.route(QUERY, MALFORMED[case])
    cli = cli_at(faults.base_url)
    result = cli("status", TASK)
    assert result.code == 1, result.stderr
    assert result.stderr.startswith("error: unexpected answer from RunningHub"), result.stderr
    assert "Traceback" not in result.stderr
    assert "unexpected " + "KeyError" not in result.stderr


@modes
def test_a_usage_that_is_not_an_object_is_none_not_an_error(mode: str, faults: FaultServer) -> None:
    # Diagnostic only: it must not make a (paid) SUCCESS task unreadable (_task.py).
    faults.route(QUERY, _body(task_body("SUCCESS", TASK, usage=[1, 2])))
    task = call(mode, faults.base_url, "wait", TASK)
    assert task.succeeded
    assert task.usage is None
