"""The generated runninghub_client against a real Prism mock: typed answers, examples, auth."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator

import httpx
import pytest
from runninghub_client import AuthenticatedClient
from runninghub_client.api.video import image_to_video_realistic, query_task, upload_media
from runninghub_client.models import (
    ErrorResponse,
    FailedReason,
    ImageToVideoRealisticRequest,
    QueryTaskRequest,
    TaskResult,
    TaskUsage,
    UploadedMedia,
    UploadMediaRequest,
    UploadResult,
)
from runninghub_client.types import File

from tests.support.api import QUERY
from tests.support.constants import KEY, ROOT, UPSTREAM_SPEC

BODY = ImageToVideoRealisticRequest(
    prompt="a cat turns its head",
    resolution="720p",
    aspect_ratio="16:9",
    image_url="https://example.invalid/cat.png",
    duration="4",
)


def published_token() -> str:
    """The vendor's published example key, read from openapi/upstream/ (written nowhere else)."""
    for line in UPSTREAM_SPEC.read_text(encoding="utf-8").splitlines():
        if "example: Bearer " in line:
            return line.split("Bearer ", 1)[1].strip()
    raise AssertionError("the upstream spec no longer carries the published example token")


@pytest.fixture
def sent() -> list[httpx.Request]:
    return []


@pytest.fixture
def client(prism_url: str, sent: list[httpx.Request]) -> Iterator[AuthenticatedClient]:
    """A user's client, recording every request that reaches the wire."""
    hooks = {"request": [sent.append]}
    with AuthenticatedClient(base_url=prism_url, token=KEY, httpx_args={"event_hooks": hooks}) as c:
        yield c


def prefer(client: AuthenticatedClient, value: str) -> AuthenticatedClient:
    return client.with_headers({"Prefer": value})


def test_submit_returns_typed_task(client: AuthenticatedClient) -> None:
    answer = image_to_video_realistic.sync(client=prefer(client, "example=QUEUED"), body=BODY)
    assert isinstance(answer, TaskResult)
    assert answer.status == "QUEUED"
    assert answer.task_id == "2013508786110730241"
    assert answer.results is None


@pytest.mark.parametrize("status", ["QUEUED", "RUNNING", "SUCCESS", "FAILED"])
def test_query_named_examples_parse(client: AuthenticatedClient, status: str) -> None:
    response = query_task.sync_detailed(
        client=prefer(client, f"example={status}"),
        body=QueryTaskRequest(task_id="2013508786110730241"),
    )
    assert response.status_code == 200
    task = response.parsed
    assert isinstance(task, TaskResult)
    assert task.status == status


def test_success_example_carries_video_and_usage(client: AuthenticatedClient) -> None:
    task = query_task.sync(
        client=prefer(client, "example=SUCCESS"), body=QueryTaskRequest(task_id="1")
    )
    assert isinstance(task, TaskResult)
    assert isinstance(task.results, list)
    assert isinstance(task.results[0].url, str)
    assert task.results[0].url.endswith(".mp4")
    assert task.results[0].output_type == "mp4"
    assert isinstance(task.usage, TaskUsage)
    assert task.usage.consume_money == "3.2"


def test_failed_example_carries_error_code_and_reason(client: AuthenticatedClient) -> None:
    task = query_task.sync(
        client=prefer(client, "example=FAILED"), body=QueryTaskRequest(task_id="1")
    )
    assert isinstance(task, TaskResult)
    assert task.error_code == "1505"
    assert isinstance(task.failed_reason, FailedReason)
    assert task.failed_reason.exception_type == "ContentPolicyViolation"


def test_upload_returns_typed_result(client: AuthenticatedClient) -> None:
    png = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    body = UploadMediaRequest(file=File(payload=png, file_name="cat.png", mime_type="image/png"))
    result = upload_media.sync(client=client, body=body)
    assert isinstance(result, UploadResult)
    assert result.code == 0
    assert isinstance(result.data, UploadedMedia)
    assert result.data.download_url.startswith("https://")


def test_documented_error_status_is_typed(client: AuthenticatedClient) -> None:
    answer = image_to_video_realistic.sync(client=prefer(client, "code=429"), body=BODY)
    assert isinstance(answer, ErrorResponse)


def test_users_token_is_what_goes_on_the_wire(
    client: AuthenticatedClient, sent: list[httpx.Request]
) -> None:
    image_to_video_realistic.sync(client=client, body=BODY)
    query_task.sync(client=client, body=QueryTaskRequest(task_id="1"))
    assert len(sent) == 2
    token = published_token()
    for request in sent:
        assert request.headers["Authorization"] == f"Bearer {KEY}"
        assert token not in str(request.headers)
        assert token.encode() not in request.content


def test_published_token_is_nowhere_in_generated_code_or_merged_spec() -> None:
    token = published_token()
    files = [ROOT / "openapi" / "runninghub.yaml", *(ROOT / "generated").rglob("*.py")]
    assert len(files) > 10
    assert [f for f in files if token in f.read_text(encoding="utf-8")] == []


def test_prism_rejects_a_request_without_key(prism_url: str) -> None:
    """The spec's security scheme is in force: no key, 401 (the mock enforces it)."""
    response = httpx.post(f"{prism_url}{QUERY}", json={"taskId": "1"})
    assert response.status_code == 401


def test_the_key_is_in_no_repr_of_the_clients() -> None:
    """repr() of the generated clients and vars()-based reprs of the wrapper never show the key.

    get_httpx_client() writes "Authorization: Bearer <key>" into the client's headers, so the
    reprs are taken after the httpx clients exist (openapi/templates/client.py.jinja).
    """
    from runninghub_client import Client
    from runninghub_video import AsyncRunningHub, RunningHub

    key = "repr-probe-key-5f1e0c"
    authenticated = AuthenticatedClient(base_url="http://127.0.0.1:9", token=key)
    authenticated.get_httpx_client()
    authenticated.get_async_httpx_client()
    plain = Client(
        base_url="http://127.0.0.1:9",
        headers={"Authorization": f"Bearer {key}"},
        cookies={"session": key},
        httpx_args={"auth": ("user", key)},
    )
    plain.get_httpx_client()
    with RunningHub(api_key=key, base_url="http://127.0.0.1:9") as sync_hub:
        wrapper_reprs = [repr(sync_hub), repr(vars(sync_hub))]
    async_hub = AsyncRunningHub(api_key=key, base_url="http://127.0.0.1:9")
    wrapper_reprs += [repr(async_hub), repr(vars(async_hub))]
    asyncio.run(async_hub.close())
    reprs = [
        repr(authenticated),
        repr(authenticated.with_headers({"X-Extra": "1"})),
        repr(plain),
        *wrapper_reprs,
    ]
    # The key is inside (so the check below can fail), and the reprs still say where they go.
    assert authenticated.get_httpx_client().headers["Authorization"] == f"Bearer {key}"
    assert all("127.0.0.1:9" in text for text in reprs), reprs
    offenders = [text for text in reprs if key in text]
    assert not offenders, offenders
