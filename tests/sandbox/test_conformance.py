"""Whole lifecycles through a validating Prism proxy (`prism proxy --errors`) before the sandbox.

What Prism 5.14.2 does (checked by test_prism_flags_violations against bad_upstream.py):
- a response that breaks the spec (e.g. a TaskResult field of the wrong type) becomes HTTP 500
  application/problem+json (type .../prism/errors#VIOLATIONS) with an `sl-violations` header;
- an undocumented status passes through unchanged but with a Warning in `sl-violations`;
- an invalid request (missing field, bad JSON, wrong content type, no bearer token) is answered
  by Prism itself (422 / 400 / 422 / 401) and never reaches the upstream;
- multipart bodies are re-encoded as UTF-8 on the way (bytes that are not UTF-8 become EF BF BD),
  so no real image survives an upload through the proxy (stoplightio/prism#1321, #2349).
So: no `sl-violations` header and the expected status on every answer means the sandbox conforms.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from runninghub_video._error_codes import (
    FILE_PROCESSING_FAILED,
    INVALID_KEY,
    INVALID_PARAMETERS,
    RATE_LIMITED,
    TASK_NOT_FOUND,
    UNAVAILABLE,
)
from runninghub_video.sandbox import INVALID_API_KEY

from scripts._processes import free_port, prism_proxy, running
from tests.sandbox.conftest import AUTH, submit_body
from tests.support.api import (
    FINAL,
    QUERY,
    SUBMIT,
    UPLOAD,
    conforming,
    request_body,
    task_operations,
)
from tests.support.constants import SAMPLE_PNG, SPEC

pytestmark = pytest.mark.integration  # Prism (Node) and the rendering sandbox

SCHEMA = schemathesis.openapi.from_path(SPEC, config=schemathesis.Config.from_dict({}))


@pytest.fixture(scope="module")
def proxy(prism_proxy_url: str) -> Iterator[httpx.Client]:
    """An httpx client (good key) for the Prism proxy in front of the session's sandbox."""
    with httpx.Client(base_url=prism_proxy_url, headers=AUTH, timeout=30) as client:
        yield client


def submit_via(proxy: httpx.Client, prompt: str, **overrides: Any) -> dict[str, Any]:
    """Submit through the proxy, expecting a conforming 200."""
    return conforming(proxy.post(SUBMIT, json=submit_body(prompt, **overrides)), 200)


def poll_via(proxy: httpx.Client, task_id: str, timeout: float = 40) -> dict[str, Any]:
    """Query through the proxy until final, every answer a conforming 200."""
    deadline = time.monotonic() + timeout
    while True:
        body = conforming(proxy.post(QUERY, json={"taskId": task_id}), 200)
        if body["status"] in FINAL:
            return body
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_prism_flags_violations():
    """The oracle itself: Prism must turn a bad upstream answer into a visible violation."""
    port = free_port()
    argv = [sys.executable, "-m", "tests.sandbox.bad_upstream", str(port)]
    with running(argv, port), prism_proxy(f"http://127.0.0.1:{port}") as url:
        bad = httpx.post(url + QUERY, json={"taskId": "1"}, headers=AUTH)
        assert bad.status_code == 500
        assert bad.headers["content-type"] == "application/problem+json"
        assert "VIOLATIONS" in bad.json()["type"]
        assert "taskId must be string" in bad.headers["sl-violations"]  # a wrong type
        assert "CREATE, QUEUED, RUNNING" in bad.headers["sl-violations"]  # an undocumented status
        undocumented = httpx.post(url + SUBMIT, json=submit_body(), headers=AUTH)
        assert undocumented.status_code == 418
        assert "Unable to match the returned status code" in undocumented.headers["sl-violations"]


def test_success_lifecycle(proxy):
    submitted = submit_via(proxy, "a lighthouse")
    assert submitted["status"] == "CREATE"
    body = poll_via(proxy, submitted["taskId"])
    assert body["status"] == "SUCCESS"
    video = httpx.get(body["results"][0]["url"])  # result host: not part of the spec
    assert video.status_code == 200
    assert video.headers["content-type"] == "video/mp4"


@pytest.mark.parametrize("operation", task_operations(), ids=lambda op: op.operation_id)
def test_every_task_endpoint_lifecycle(proxy, operation):
    """Each task endpoint of the spec, with a body built from its own schema."""
    submitted = conforming(
        proxy.post(operation.path, json=request_body(operation, "a harbour")), 200
    )
    assert poll_via(proxy, submitted["taskId"])["status"] == "SUCCESS"


@pytest.mark.parametrize(
    ("prompt", "status", "code"),
    [
        ("[sandbox:fail=1505] a person", "FAILED", "1505"),
        ("[sandbox:fail=1006] slow", "FAILED", "1006"),
        ("[sandbox:cancel] a boat", "CANCEL", ""),
        ("[sandbox:expire] snow", "SUCCESS", ""),
    ],
)
def test_marker_lifecycles(proxy, prompt, status, code):
    body = poll_via(proxy, submit_via(proxy, prompt)["taskId"])
    assert (body["status"], body["errorCode"]) == (status, code)


def test_instant_submit(proxy):
    body = submit_via(proxy, "[sandbox:instant] sun")
    assert body["status"] == "SUCCESS"
    assert body["results"]


def test_submit429_lifecycle(proxy):
    prompt = f"[sandbox:submit429=1] kite {time.monotonic_ns()}"
    limited = proxy.post(SUBMIT, json=submit_body(prompt))
    assert conforming(limited, 429)["errorCode"] == RATE_LIMITED
    assert limited.headers["retry-after"] == "1"
    assert poll_via(proxy, submit_via(proxy, prompt)["taskId"])["status"] == "SUCCESS"


def test_query5xx_lifecycle(proxy):
    task_id = submit_via(proxy, "[sandbox:query5xx=2] rain")["taskId"]
    for _ in range(2):
        assert (
            conforming(proxy.post(QUERY, json={"taskId": task_id}), 503)["errorCode"] == UNAVAILABLE
        )
    assert poll_via(proxy, task_id)["status"] == "SUCCESS"


def test_unknown_task(proxy):
    body = conforming(proxy.post(QUERY, json={"taskId": "1000000000000000000"}), 200)
    assert (body["status"], body["errorCode"]) == ("FAILED", TASK_NOT_FOUND)


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        (submit_body("[sandbox:nope]"), AUTH, 422, INVALID_PARAMETERS),
        (submit_body(), {"Authorization": f"Bearer {INVALID_API_KEY}"}, 401, INVALID_KEY),
    ],
)
def test_sandbox_errors_conform(sandbox, proxy, body, headers, status, code):
    before = sandbox.stats.submit_attempts
    response = proxy.post(SUBMIT, json=body, headers=headers)
    assert conforming(response, status)["errorCode"] == code
    assert sandbox.stats.submit_attempts == before + 1  # answered by the sandbox


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"json": {"prompt": "only a prompt"}}, 422),
        ({"json": submit_body(prompt="")}, 422),  # the spec's minLength 1
        ({"content": b"{oops", "headers": {"Content-Type": "application/json"}}, 400),
        ({"content": b"x", "headers": {"Content-Type": "text/plain"}}, 422),
        ({"json": submit_body(), "headers": {"Authorization": ""}}, 401),
    ],
)
def test_schema_invalid_requests_are_answered_by_prism(sandbox, proxy, kwargs, status):
    before = sandbox.stats.submit_attempts
    response = proxy.post(SUBMIT, **kwargs)
    assert response.status_code == status
    assert sandbox.stats.submit_attempts == before  # never reached the sandbox


def test_upload_through_prism_arrives_re_encoded(sandbox, proxy):
    """Prism re-encodes multipart bodies, so the sandbox sees a broken PNG and refuses it as the
    vendor does (HTTP 200, code 1013, a message)."""
    before = sandbox.stats.upload_attempts
    files = {"file": ("sample.png", SAMPLE_PNG.read_bytes(), "image/png")}
    body = conforming(proxy.post(UPLOAD, files=files), 200)
    assert body["code"] == int(FILE_PROCESSING_FAILED)
    assert "media types" in body["message"]
    assert sandbox.stats.upload_attempts == before + 1
    missing = proxy.post(UPLOAD, files={"other": ("a.txt", b"x")})  # Prism answers this one
    assert missing.status_code == 422
    assert missing.headers["content-type"] == "application/problem+json"
    assert sandbox.stats.upload_attempts == before + 1


def test_upload_answers_match_the_spec(sandbox):
    """Uploads can't go through Prism intact; validate the direct answers against the spec."""
    operation = SCHEMA[UPLOAD]["POST"]
    files = {"file": ("sample.png", SAMPLE_PNG.read_bytes(), "image/png")}
    with httpx.Client(base_url=sandbox.base_url, headers=AUTH) as client:
        for response, status, code in [
            (client.post(UPLOAD, files=files), 200, 0),
            # Not an accepted type: refused as the vendor refuses, 200 with code 1013.
            (
                client.post(UPLOAD, files={"file": ("a.pdf", b"%PDF-1.7")}),
                200,
                int(FILE_PROCESSING_FAILED),
            ),
            (client.post(UPLOAD, json={}), 415, None),
            (httpx.post(sandbox.base_url + UPLOAD, files=files), 401, None),
        ]:
            assert response.status_code == status
            if code is not None:
                assert response.json()["code"] == code, response.text
            response.request.read()  # multipart requests stream; schemathesis reads the body
            operation.validate_response(response)
