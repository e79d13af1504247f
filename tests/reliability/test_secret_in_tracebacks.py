"""The key never leaks through an exception's chain: a broken server or proxy that echoes the
Authorization header into an answer httpx or aiohttp cannot parse makes the HTTP library's
error quote it; the error we raise must not carry that error as its cause or context, since
every uncaught traceback prints the chain. Submit, get and wait; sync, async on httpx and async
on aiohttp; over real sockets.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable
from typing import Any

import pytest
from runninghub_video import AsyncRunningHub, RunningHub, RunningHubError

from tests.reliability.conftest import FAST
from tests.reliability.fault_server import FaultServer, Hold, Request
from tests.support.constants import KEY
from tests.wrapper.fakes import QUERY, SUBMIT

TASK = "2013508786110730241"

ECHOES: dict[str, Callable[[str], bytes]] = {
    "status line": lambda auth: f"HTTP/1.1 2x0 {auth}\r\n\r\n".encode(),
    "header line": lambda auth: f"HTTP/1.1 200 OK\r\n{auth}\r\nContent-Length: 2\r\n\r\n".encode(),
    "header value": lambda auth: (
        f"HTTP/1.1 200 OK\r\nX-Echo: {auth}\x00\r\nContent-Length: 2\r\n\r\n".encode()
    ),
}
CALLS: dict[str, tuple[str, tuple[Any, ...], str]] = {
    "submit": (SUBMIT, ("a cat", "https://cdn.test/cat.png"), "submit"),
    "get": (QUERY, (TASK,), "get"),
    "wait": (QUERY, (TASK,), "wait"),
}
CLIENTS = ["sync", "async-httpx", "async-aiohttp"]


def _echo(head: Callable[[str], bytes]) -> Callable[[Request], Hold]:
    return lambda request: Hold(head=head(request.headers["authorization"]))


def _failure(client: str, base_url: str, method: str, args: tuple[Any, ...]) -> BaseException:
    if client == "sync":
        with (
            RunningHub(KEY, base_url=base_url, policy=FAST) as hub,
            pytest.raises(RunningHubError) as caught,
        ):
            getattr(hub, method)(*args)
        return caught.value

    async def go() -> BaseException:
        async with AsyncRunningHub(KEY, base_url=base_url, policy=FAST) as hub:
            assert hub.http_transport == client.removeprefix("async-")
            with pytest.raises(RunningHubError) as caught:
                await getattr(hub, method)(*args)
        return caught.value

    return asyncio.run(go())


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize("echo", list(ECHOES))
def test_a_key_echoed_into_a_broken_answer_is_not_in_the_traceback(
    echo: str, call: str, client: str, faults: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNNINGHUB_HTTP_TRANSPORT", client.removeprefix("async-"))
    path, args, method = CALLS[call]
    faults.route(path, _echo(ECHOES[echo]))
    error = _failure(client, faults.base_url, method, args)
    assert faults.on(path)[0].headers["authorization"] == f"Bearer {KEY}"  # it was echoed
    chain: list[BaseException] = []
    cause: BaseException | None = error
    while cause is not None and cause not in chain:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    shown = "".join(traceback.format_exception(error)) + "".join(repr(e) for e in chain)
    assert KEY not in shown
    assert "RemoteProtocolError: " in str(error)  # the cause is described, redacted
