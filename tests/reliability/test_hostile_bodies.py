"""Hostile answers: huge bodies, echoed request headers, odd task ids, a wrong base URL.

Bounded reads are checked by behaviour (the client hangs up after its cap: the server could
send only a small part of a 300 MB body); memory figures come from benchmarks/huge_body.py.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from runninghub_video import (
    ConfigurationError,
    ServerError,
    UnexpectedResponseError,
)
from runninghub_video._bounded_reads import MAX_ANSWER_BYTES, MAX_ERROR_BYTES

from tests.reliability.conftest import IMAGE_URL, call, modes
from tests.reliability.fault_server import FaultServer, Huge, Request, html_reply, json_reply
from tests.support.api import QUERY, SUBMIT
from tests.support.constants import KEY

TASK = "2013508786110730241"
HANGS_UP_WELL_BEFORE = 64 << 20
"""A client that stops at its cap leaves most of 300 MB unsent (socket buffers are a few MB)."""


@modes
def test_a_300_mb_error_body_is_cut_at_the_cap(mode: str, faults: FaultServer) -> None:
    huge = Huge(status=500)
    faults.route(QUERY, huge)
    with pytest.raises(ServerError) as caught:
        call(mode, faults.base_url, "get", TASK)
    assert huge.sent[0] < HANGS_UP_WELL_BEFORE, huge.sent[0]
    assert faults.count(QUERY) == 1
    excerpt = caught.value.body_excerpt or ""
    assert 0 < len(excerpt) <= 200
    assert huge.size > MAX_ERROR_BYTES


@modes
def test_a_300_mb_task_answer_is_an_unexpected_response(mode: str, faults: FaultServer) -> None:
    huge = Huge(status=200, content_type="application/json")
    faults.route(QUERY, huge)
    with pytest.raises(UnexpectedResponseError, match=f"more than {MAX_ANSWER_BYTES} bytes"):
        call(mode, faults.base_url, "get", TASK)
    assert huge.sent[0] < HANGS_UP_WELL_BEFORE, huge.sent[0]


@modes
def test_a_huge_submit_answer_says_a_paid_task_may_exist(mode: str, faults: FaultServer) -> None:
    faults.route(SUBMIT, Huge(status=200, content_type="application/json"))
    with pytest.raises(UnexpectedResponseError) as caught:
        call(mode, faults.base_url, "submit", "a cat", IMAGE_URL)
    assert caught.value.task_may_exist
    assert faults.count(SUBMIT) == 1


def echo_headers(status: int) -> Any:
    """An error page that shows the request headers, as some proxies and WAFs do."""

    def answer(request: Request) -> Any:
        lines = "\n".join(f"{name}: {value}" for name, value in request.headers.items())
        return html_reply(status, f"<html><pre>{lines}</pre></html>")

    return answer


@modes
def test_an_error_page_echoing_the_headers_never_shows_the_key(
    mode: str, faults: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    faults.route(QUERY, echo_headers(503))
    faults.route(SUBMIT, echo_headers(500))
    caplog.set_level(logging.DEBUG, logger="runninghub_video")
    errors: list[ServerError] = []
    for method, args in (("wait", (TASK,)), ("submit", ("a cat", IMAGE_URL))):
        with pytest.raises(ServerError) as caught:
            call(mode, faults.base_url, method, *args)
        errors.append(caught.value)
    assert "authorization" in faults.on(QUERY)[0].headers  # the echo really carried it
    for error in errors:
        shown = [str(error), repr(error), repr(vars(error)), error.body_excerpt or ""]
        assert all(KEY not in text and "Bearer sk" not in text for text in shown), shown
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "retrying" in logged  # the query retries were logged...
    assert KEY not in logged  # ...redacted
    assert "Bearer sk" not in logged


@pytest.mark.parametrize(
    "task_id", ["../../x", "/etc/passwd", "a b", "\x1b[31mred", "x" * 129, "", "é"]
)
def test_a_task_id_unsafe_for_files_urls_or_terminals_is_refused(
    faults: FaultServer, task_id: str
) -> None:
    faults.route(QUERY, json_reply({"taskId": task_id, "status": "RUNNING", "errorCode": "",
                                    "errorMessage": "", "results": None, "clientId": "",
                                    "promptTips": ""}))  # fmt: skip
    with pytest.raises(UnexpectedResponseError) as caught:
        call("sync", faults.base_url, "get", TASK)
    message = str(caught.value)
    assert "taskId" in message
    assert "\x1b" not in message  # shown escaped
    if task_id == "\x1b[31mred":
        assert "\\x1b[31mred" in message


@modes
def test_a_wrong_base_url_path_is_a_configuration_error_naming_the_url(
    mode: str, faults: FaultServer
) -> None:
    base = faults.base_url + "/wrong"
    with pytest.raises(ConfigurationError) as caught:
        call(mode, base, "get", TASK)
    assert f"{base}/openapi/v2/query answered HTTP 404" in str(caught.value)
    assert "--base-url" in str(caught.value)
    with_user = base.replace("http://", "http://user:secret@")
    with pytest.raises(ConfigurationError) as caught:
        call(mode, with_user, "get", TASK)
    assert f"base URL must not carry a user name or password, got '{base}'" in str(caught.value)
    assert "secret" not in str(caught.value)
    with pytest.raises(ConfigurationError):
        call(mode, base, "submit", "a cat", IMAGE_URL)
    assert faults.count("/wrong" + SUBMIT) == 1  # not retried
