"""Which HTTP transport the clients use (_transport.py), how to opt out, and what holds over
aiohttp: the key stays on the API host, failures after sending are not "never sent", the TLS
setting is honoured, and closing leaves no unclosed session behind.
"""

from __future__ import annotations

import asyncio
import gc
import json
import socket
import ssl
import sys
import traceback
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from runninghub_video import (
    APIConnectionError,
    APITimeoutError,
    AsyncRunningHub,
    ConfigurationError,
    RunningHub,
    RunningHubError,
    Task,
)

from tests.reliability.conftest import FAST
from tests.reliability.fault_server import (
    FaultServer,
    Hold,
    Reply,
    Reset,
    json_reply,
    task_body,
)
from tests.support.constants import KEY
from tests.wrapper.fakes import QUERY, SUBMIT

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TASK = "2013508786110730241"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy and no transport switch in the environment, whatever the machine has."""
    for name in (*PROXY_VARIABLES, *(v.lower() for v in PROXY_VARIABLES)):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("RUNNINGHUB_HTTP_TRANSPORT", raising=False)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as fault_server:
        yield fault_server


def api_transport(hub: AsyncRunningHub) -> object:
    """The transport of the API pool: submits, uploads (httpx's own when none was given)."""
    return hub._api.get_async_httpx_client()._transport


def query_transport(hub: AsyncRunningHub) -> object:
    """The transport of the task queries' pool."""
    return hub._queries.get_async_httpx_client()._transport


def test_async_client_uses_aiohttp_by_default_and_sync_client_httpx() -> None:
    async def main() -> None:
        async with AsyncRunningHub(KEY) as hub:
            assert hub.http_transport == "aiohttp"
            assert type(query_transport(hub)).__name__ == "AiohttpTransport"
            # Submits and uploads keep httpx's transport.
            assert isinstance(api_transport(hub), httpx.AsyncHTTPTransport)
            # Result downloads keep httpx's transport.
            assert isinstance(hub._files._transport, httpx.AsyncHTTPTransport)
        with RunningHub(KEY) as sync_hub:
            assert sync_hub.http_transport == "httpx"

    asyncio.run(main())


def test_the_environment_switch_keeps_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    async def main() -> None:
        monkeypatch.setenv("RUNNINGHUB_HTTP_TRANSPORT", "httpx")
        async with AsyncRunningHub(KEY) as hub:
            assert hub.http_transport == "httpx"
            assert isinstance(api_transport(hub), httpx.AsyncHTTPTransport)
            assert hub._queries is hub._api  # one pool

    asyncio.run(main())


def test_without_aiohttp_the_async_client_keeps_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "aiohttp", None)  # import raises ImportError
    monkeypatch.setitem(sys.modules, "runninghub_video._vendor.httpx_aiohttp", None)

    async def main() -> None:
        async with AsyncRunningHub(KEY) as hub:
            assert hub.http_transport == "httpx"
            assert isinstance(api_transport(hub), httpx.AsyncHTTPTransport)
            assert hub._queries is hub._api  # one pool

    asyncio.run(main())


def test_an_unknown_switch_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNNINGHUB_HTTP_TRANSPORT", "curl")
    with pytest.raises(ConfigurationError, match="RUNNINGHUB_HTTP_TRANSPORT"):
        AsyncRunningHub(KEY)


def test_a_given_transport_is_used_as_is() -> None:
    async def main() -> None:
        given = httpx.AsyncHTTPTransport()
        async with AsyncRunningHub(KEY, transport=given) as hub:
            assert hub.http_transport == "custom"
            assert api_transport(hub) is given
            assert query_transport(hub) is given

    asyncio.run(main())


def test_a_proxy_in_the_environment_keeps_httpx_which_applies_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def main() -> None:
        monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
        async with AsyncRunningHub(KEY) as hub:
            assert hub.http_transport == "httpx"
            mounts = hub._api.get_async_httpx_client()._mounts
            assert any(transport is not None for transport in mounts.values())

    asyncio.run(main())


@pytest.mark.parametrize(("verify", "mode"), [(True, ssl.CERT_REQUIRED), (False, ssl.CERT_NONE)])
def test_the_verify_setting_reaches_aiohttp(verify: bool, mode: ssl.VerifyMode) -> None:
    async def main() -> None:
        async with AsyncRunningHub(KEY, verify=verify) as hub:
            context = query_transport(hub).ssl_context  # type: ignore[attr-defined]
            assert context.verify_mode == mode
            assert context.check_hostname is verify

    asyncio.run(main())


def test_a_redirect_to_another_host_does_not_carry_the_key(server: FaultServer) -> None:
    async def main() -> None:
        with FaultServer() as elsewhere:
            elsewhere.route(QUERY, json_reply(task_body("RUNNING", TASK)))
            server.route(QUERY, Reply(307, headers={"Location": f"{elsewhere.base_url}{QUERY}"}))
            async with AsyncRunningHub(KEY, base_url=server.base_url, policy=FAST) as hub:
                assert hub.http_transport == "aiohttp"
                with pytest.raises(RunningHubError):
                    await hub.get(TASK)
            assert server.on(QUERY)[0].headers["authorization"] == f"Bearer {KEY}"
            assert elsewhere.requests == []

    asyncio.run(main())


def test_a_reset_after_the_submit_was_sent_is_not_never_sent(server: FaultServer) -> None:
    """httpx-aiohttp alone reports this as ConnectTimeout ("never sent"): a retried paid submit."""

    async def main() -> None:
        server.route(SUBMIT, Reset())
        async with AsyncRunningHub(KEY, base_url=server.base_url, policy=FAST) as hub:
            with pytest.raises(APIConnectionError) as caught:
                await hub.submit("a cat", "https://cdn.test/cat.png")
        assert caught.value.task_may_exist
        assert server.count(SUBMIT) == 1

    asyncio.run(main())


def test_a_refused_connection_is_never_sent() -> None:
    async def main() -> None:
        with FaultServer() as gone:
            url = gone.base_url
        async with AsyncRunningHub(KEY, base_url=url, policy=FAST) as hub:
            with pytest.raises(APIConnectionError) as caught:
                await hub.submit("a cat", "https://cdn.test/cat.png")
        assert not caught.value.task_may_exist
        assert "ConnectError" in str(caught.value)

    asyncio.run(main())


def test_closing_leaves_no_unclosed_session(server: FaultServer) -> None:
    async def main() -> None:
        server.route(QUERY, json_reply(task_body("SUCCESS", TASK)))
        gc.collect()  # other tests' garbage warns here, not inside the block below
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            async with AsyncRunningHub(KEY, base_url=server.base_url, policy=FAST) as hub:
                assert (await hub.get(TASK)).status == "SUCCESS"
            async with AsyncRunningHub(KEY, base_url=server.base_url, policy=FAST):
                pass  # never used: no session was opened
            del hub
            await asyncio.sleep(0)
            gc.collect()
        assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []

    asyncio.run(main())


def test_an_upload_to_a_peer_that_never_reads_ends_with_a_timeout(tmp_path: Path) -> None:
    """aiohttp has no write timeout; the read timeout (request_timeout) still ends the call."""
    image = tmp_path / "big.png"
    image.write_bytes(PNG_SIGNATURE + bytes(9_000_000))
    policy = replace(FAST, upload_attempts=1, request_timeout=0.5)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # listens, never accepts nor reads
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"

        async def main() -> None:
            async with AsyncRunningHub(KEY, base_url=url, policy=policy) as hub:
                assert hub.http_transport == "aiohttp"
                with pytest.raises(APITimeoutError):
                    await hub.upload(image)

        asyncio.run(main())


def test_an_answer_aiohttp_cannot_parse_leaves_no_key_in_the_error(server: FaultServer) -> None:
    """aiohttp's ClientResponseError shows the request headers in its repr: it is not chained."""
    server.route(QUERY, Hold(head=raw_answer(LENGTH * 2)))  # h11 reads it

    async def main() -> BaseException:
        async with AsyncRunningHub(KEY, base_url=server.base_url, policy=FAST) as hub:
            with pytest.raises(APIConnectionError) as caught:
                await hub.get(TASK)
        return caught.value

    error = asyncio.run(main())
    assert "RemoteProtocolError" in str(error)
    assert "Duplicate Content-Length" in str(error)
    chain: list[BaseException] = []
    cause: BaseException | None = error
    while cause is not None:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    shown = "".join(traceback.format_exception(error)) + "".join(repr(e) for e in chain)
    assert KEY not in shown


def raw_answer(headers: bytes, status_line: bytes = b"HTTP/1.1 200 OK") -> bytes:
    """A RUNNING task answer with these header lines ({LEN}: the body's length)."""
    body = json.dumps(task_body("RUNNING", TASK)).encode()
    head = status_line + b"\r\n" + headers + b"\r\n"
    return head.replace(b"{LEN}", str(len(body)).encode()) + body


LENGTH = b"Content-Length: {LEN}\r\n"
HTTPX_READS = {
    # httpcore gives h11 a head of up to 100 KiB, whatever its lines and header count
    "a 9 KiB cookie": raw_answer(b"Set-Cookie: acw_tc=" + b"x" * 9000 + b"\r\n" + LENGTH),
    "a 15 KiB header": raw_answer(b"X-Padding: " + b"x" * 15_000 + b"\r\n" + LENGTH),
    "a 70 KB header": raw_answer(b"X-Padding: " + b"x" * 70_000 + b"\r\n" + LENGTH),
    "10,000 headers": raw_answer(b"".join(b"X%d:v\r\n" % i for i in range(10_000)) + LENGTH),
    "1,000 headers": raw_answer(b"".join(b"X-H%d: v\r\n" % i for i in range(1000)) + LENGTH),
    "a reason that is not UTF-8": raw_answer(LENGTH, b"HTTP/1.1 200 \xc9t\xe9"),
}


@pytest.mark.parametrize("name", list(HTTPX_READS))
def test_a_query_answer_httpx_reads_is_read_over_aiohttp_too(
    server: FaultServer, name: str
) -> None:
    """aiohttp's defaults refuse lines over 8190 bytes and over 128 headers."""
    server.route(QUERY, Hold(head=HTTPX_READS[name]))

    async def main() -> None:
        async with AsyncRunningHub(KEY, base_url=server.base_url, policy=FAST) as hub:
            assert hub.http_transport == "aiohttp"
            assert (await hub.get(TASK)).status == "RUNNING"

    asyncio.run(main())


def test_a_submit_answer_only_httpx_reads_gives_the_task_id(server: FaultServer) -> None:
    """aiohttp refuses a Content-Length sent twice (h11 takes equal ones): submits, paid, go
    over httpx's transport, so that any answer httpx reads gives the task's id."""
    body = json.dumps(task_body("QUEUED", TASK)).encode()
    head = b"HTTP/1.1 200 OK\r\n" + b"Content-Length: %d\r\n" % len(body) * 2 + b"\r\n"
    server.route(SUBMIT, Hold(head=head + body))

    async def main() -> None:
        async with AsyncRunningHub(KEY, base_url=server.base_url, policy=FAST) as hub:
            assert hub.http_transport == "aiohttp"
            assert (await hub.submit("a cat", "https://cdn.test/cat.png")).id == TASK

    asyncio.run(main())


def test_a_reset_after_a_query_was_sent_is_not_never_sent(server: FaultServer) -> None:
    """Upstream httpx-aiohttp says ConnectTimeout ("never sent"); a query goes over aiohttp."""
    server.route(QUERY, Reset())
    policy = replace(FAST, max_consecutive_failures=1)

    async def main() -> None:
        async with AsyncRunningHub(KEY, base_url=server.base_url, policy=policy) as hub:
            with pytest.raises(APIConnectionError) as caught:
                await hub.get(TASK)
        assert "ConnectTimeout" not in str(caught.value)
        assert "ConnectError" not in str(caught.value)

    asyncio.run(main())


def test_any_failure_once_the_answer_arrived_is_may_have_been_received(
    server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever raises after aiohttp got the answer (e.g. UnicodeEncodeError, as
    upstream httpx-aiohttp's reason.encode() did) is ReadError, not an escaping bare exception,
    and the aiohttp response is closed: no unclosed-connection warning."""
    from runninghub_video._vendor import httpx_aiohttp

    class Broken(httpx_aiohttp.AiohttpResponseStream):
        def __init__(self, response: object) -> None:
            raise UnicodeEncodeError("utf-8", "\udcc9", 0, 1, "surrogates not allowed")

    monkeypatch.setattr(httpx_aiohttp, "AiohttpResponseStream", Broken)
    server.route(QUERY, json_reply(task_body("RUNNING", TASK)))

    async def main() -> BaseException:
        async with AsyncRunningHub(KEY, base_url=server.base_url, policy=FAST) as hub:
            with pytest.raises(APIConnectionError) as caught:
                await hub.get(TASK)
        return caught.value

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        error = asyncio.run(main())
        gc.collect()
    assert "ReadError: UnicodeEncodeError" in str(error)
    assert error.__cause__ is None
    assert error.__context__ is None
    assert [str(w.message) for w in seen if issubclass(w.category, ResourceWarning)] == []


@pytest.mark.parametrize("key", ["sk-ä-secret-key", "sk secret", "sk-\x00-secret"])
def test_a_key_that_cannot_go_in_a_header_is_refused_before_any_request(key: str) -> None:
    """A non-ASCII key was a bare UnicodeEncodeError at the first (paid) request (issue 18)."""
    with pytest.raises(ConfigurationError) as raised:
        RunningHub(key, base_url="http://127.0.0.1:9")
    assert "secret" not in str(raised.value)


def test_a_closed_client_says_so_before_any_request() -> None:
    """Was a bare RuntimeError from httpx (issue 18, item 16)."""
    rh = RunningHub("sk-test", base_url="http://127.0.0.1:9")
    rh.close()
    for call in (lambda: rh.get("123"), lambda: rh.download(Task(id="1", status="SUCCESS"))):
        with pytest.raises(ConfigurationError, match="closed"):
            call()
