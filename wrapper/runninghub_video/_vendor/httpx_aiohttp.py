"""An httpx transport that sends requests over aiohttp: a fork of httpx-aiohttp's transport.py
(upstream 497329b, the code of the 0.2.0 release), BSD-3-Clause (LICENSE.httpx-aiohttp).
What changed and why: FORK.md beside this file.

AsyncRunningHub's task queries go through it (runninghub_video._transport decides when):
aiohttp's parser spends a third of httpx's CPU per answer.
"""

from __future__ import annotations

import os
import re
import ssl
import warnings
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx

CHUNK_SIZE = 16 * 1024
LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
# aiohttp's parser limits, widened so that every answer httpx reads is read here too: httpcore
# gives h11 a head of up to 100 KiB (MAX_INCOMPLETE_EVENT_SIZE) with no limit on a line or on
# the header count; aiohttp's defaults (8190-byte lines, 128 headers) would turn an answer with
# a big CDN cookie into "no answer".
MAX_HEAD_LINE = 100 << 10
MAX_HEADERS = (100 << 10) // 4
"""A header is at least 4 bytes ("a:\r\n"): a 100 KiB head holds at most 25,600."""


_QUOTED_BYTES = re.compile(r"""b(['"]).*""", re.DOTALL)
"""A parser message's quote of what the server sent (b'...'), to the end: cut anywhere (at
100 bytes), an echoed key in it would survive redaction as a fragment."""


def mapped(exc: BaseException) -> httpx.TransportError:
    """The httpx error for an aiohttp failure.

    Only a failure to connect (or to get a connection in time) means the request was not sent;
    everything else may have reached the server, as with httpx's own transport: any other
    exception (a parser's, a decoding error) becomes ReadError, "the answer may be lost". The
    aiohttp exception is not chained (raise the result outside the except block): the repr of
    some (ClientResponseError's request_info) shows the request headers, a key among them; and
    a ClientResponseError's message (a parser's: "Got more than 65536 bytes when reading:
    b'...'") quotes what the server sent, which may hold an echoed key, cut anywhere: the quote
    is dropped.
    """
    message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, aiohttp.ClientResponseError):  # its message may quote the bytes received
        said = _QUOTED_BYTES.sub("[bytes]", str(exc.message))[:200]
        message = f"{type(exc).__name__}: status {exc.status}, {said}"
    kinds: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
        (aiohttp.ClientProxyConnectionError, httpx.ProxyError),
        (aiohttp.ClientConnectorError, httpx.ConnectError),
        (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
        (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
        (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
        (aiohttp.ClientPayloadError, httpx.RemoteProtocolError),
        (aiohttp.ClientResponseError, httpx.RemoteProtocolError),
        (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
    )
    for aiohttp_kind, httpx_kind in kinds:
        if isinstance(exc, aiohttp_kind):
            return httpx_kind(message)
    if isinstance(exc, httpx.TransportError):
        return exc
    return httpx.ReadError(message)


class AiohttpResponseStream(httpx.AsyncByteStream):
    """An aiohttp response's body, for httpx, its read errors mapped like the request's."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_chunked(CHUNK_SIZE):
                yield chunk
        except Exception as exc:  # each is mapped: see mapped()
            error = mapped(exc)
        else:
            return
        raise error

    async def aclose(self) -> None:
        try:
            await self._response.__aexit__(None, None, None)
        except Exception as exc:  # each is mapped: see mapped()
            error = mapped(exc)
        else:
            return
        raise error


class _Connector(aiohttp.TCPConnector):
    """aiohttp's connector, but left alone in a forked child: there its connections are the
    parent's, and its finalizer would close them, unregistering their sockets from the parent's
    event loop (an epoll selector is shared across fork): the parent would wait for its next
    answer forever. The child counts it as closed (so its session, too)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.pid = os.getpid()

    @property
    def closed(self) -> bool:
        return super().closed or os.getpid() != self.pid

    def __del__(self, _warnings: Any = warnings) -> None:
        if os.getpid() == self.pid:
            super().__del__(_warnings)


class AiohttpTransport(httpx.AsyncBaseTransport):
    """httpx requests sent by one aiohttp session (made on first use, in the running loop)."""

    def __init__(
        self,
        verify: ssl.SSLContext | str | bool = True,
        limits: httpx.Limits = LIMITS,
    ) -> None:
        self.ssl_context = httpx.create_ssl_context(verify=verify)
        self.limits = limits
        self.client: aiohttp.ClientSession | None = None

    def get_client(self) -> aiohttp.ClientSession:
        # Cookies stay with httpx (as with its own transport), the parser takes what h11 takes,
        # and a forked child leaves the connector alone.
        connector = _Connector(
            limit=self.limits.max_connections or 0,
            keepalive_timeout=self.limits.keepalive_expiry or 0,
            ssl=self.ssl_context,
        )
        return aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            max_line_size=MAX_HEAD_LINE,
            max_field_size=MAX_HEAD_LINE,
            max_headers=MAX_HEADERS,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send request (its body held in memory: a streamed body is not taken, no proxy);
        every failure is mapped, and the aiohttp response is closed when it is not returned."""
        body = request.content  # httpx.RequestNotRead for a streamed body
        if self.client is None:
            self.client = self.get_client()
        timeout = request.extensions.get("timeout", {})
        response: aiohttp.ClientResponse | None = None
        try:
            response = await self.client.request(
                method=request.method,
                url=str(request.url),
                headers=request.headers,
                data=body or None,
                allow_redirects=False,
                auto_decompress=False,
                compress=False,
                timeout=aiohttp.ClientTimeout(
                    sock_connect=timeout.get("connect"),
                    sock_read=timeout.get("read"),
                    connect=timeout.get("pool"),
                ),
                server_hostname=request.extensions.get("sni_hostname"),
            )
            extensions: dict[str, Any] = {"http_version": b"HTTP/1.1"}
            if response.reason:  # the bytes as received, as h11 gives them
                extensions["reason_phrase"] = response.reason.encode("utf-8", "surrogateescape")
            return httpx.Response(
                status_code=response.status,
                headers=response.raw_headers,
                stream=AiohttpResponseStream(response),
                request=request,
                extensions=extensions,
            )
        except Exception as exc:  # each is mapped: see mapped()
            if response is not None:
                response.close()
            error = mapped(exc)
        raise error  # outside the except block: see mapped()

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.close()
