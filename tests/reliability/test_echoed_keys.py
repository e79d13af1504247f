"""A server that echoes the key it was sent, wherever it puts it (a response header, the status,
the task id, an error code, a UTF-16 body, a header line too long to parse), never gets it
into a log record, a Task, an error or the CLI's output (promise 3; found by a hostile review)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from runninghub_video import RunningHubError, Task, UnexpectedResponseError

from tests.reliability.conftest import FAST, call, modes
from tests.reliability.fault_server import FaultServer, Reply, json_reply, task_body
from tests.reliability.test_secrets import texts_of
from tests.support.api import QUERY, SUBMIT, UPLOAD
from tests.support.constants import KEY, SAMPLE_PNG

TASK = "2013508786110730241"


def everything(value: Any) -> str:
    """A Task's or an error's every text: repr, attributes, the raw model's dict."""
    if isinstance(value, BaseException):
        return "\n".join(texts_of(value))
    assert isinstance(value, Task)
    return "\n".join([repr(value), repr(vars(value)), repr(value.raw and value.raw.to_dict())])


def outcome(mode: str, url: str, method: str, *args: Any) -> Any:
    try:
        return call(mode, url, method, *args, policy=FAST)
    except RunningHubError as error:
        return error


@modes
def test_a_key_echoed_in_a_header_or_status_line_reaches_no_log_record(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: ours, httpx (INFO), httpcore (DEBUG)
    with FaultServer() as server:
        body = json.dumps(task_body("RUNNING", TASK)).encode()
        server.route(QUERY, Reply(200, body, headers={"X-Echo": f"Bearer {KEY}", "X-Raw": KEY}))
        task = call(mode, server.base_url, "get", TASK)
    assert task.status == "RUNNING"
    assert any(record.name.startswith(("httpx", "httpcore")) for record in caplog.records)
    assert KEY not in "\n".join(record.getMessage() for record in caplog.records)


UTF16 = json.dumps(task_body("FAILED", TASK, errorMessage=KEY)).encode("utf-16")
ECHOES = {
    "status": (QUERY, json_reply({"taskId": TASK, "status": KEY})),  # upper-cased as a status
    "error-fields": (QUERY, json_reply(task_body("FAILED", TASK, errorCode=KEY, errorMessage=KEY))),
    "http-400": (QUERY, json_reply({"errorCode": KEY, "errorMessage": f"bad key {KEY}"}, 400)),
    "utf-16": (QUERY, Reply(200, UTF16)),
    "submit-task-id": (SUBMIT, json_reply({"taskId": KEY, "status": "QUEUED"})),  # no id
    "upload-code": (UPLOAD, json_reply({"code": KEY, "msg": KEY})),
}


@modes
@pytest.mark.parametrize("case", sorted(ECHOES))
def test_a_key_echoed_in_a_body_is_in_no_task_or_error(mode: str, case: str) -> None:
    path, answer = ECHOES[case]
    with FaultServer() as server:
        server.route(path, answer)
        if path == QUERY:
            got = outcome(mode, server.base_url, "get", TASK)
        elif path == SUBMIT:
            got = outcome(mode, server.base_url, "submit", "a cat", "https://h.test/a.png")
        else:
            got = outcome(mode, server.base_url, "upload", SAMPLE_PNG)
    assert KEY not in everything(got)
    assert KEY.upper() not in everything(got).upper()
    if path == SUBMIT:
        assert isinstance(got, UnexpectedResponseError)
        assert got.task_id is None


def test_the_aiohttp_adapter_keeps_no_parser_message() -> None:
    """aiohttp's parser quotes the bytes it refused (a header line past its limit, holding an
    echoed key, cut at 100 bytes): the mapped error keeps what it said, not the quote."""
    import aiohttp
    from multidict import CIMultiDict, CIMultiDictProxy
    from runninghub_video._vendor.httpx_aiohttp import mapped
    from yarl import URL

    url = URL("http://127.0.0.1:9/openapi/v2/query")
    sent = aiohttp.RequestInfo(url, "POST", CIMultiDictProxy(CIMultiDict()), url)
    refused = aiohttp.ClientResponseError(
        sent,
        (),
        status=400,
        message=f"Got more than 65536 bytes when reading: b'{'a' * 70}{KEY[:25]}...'",
    )
    error = mapped(refused)
    assert str(error) == (
        "ClientResponseError: status 400, Got more than 65536 bytes when reading: [bytes]"
    )
    assert KEY[:8] not in repr(error)
