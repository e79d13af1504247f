"""Which HTTP transport the clients' API pool uses, chosen once per client.

AsyncRunningHub sends its task queries over aiohttp, through httpx-aiohttp's
transport under httpx and the generated client: a third of httpx's CPU per poll, which is what
keeps 1,000 concurrent waits under 1 ms per poll (benchmarks/README.md, figure 2). It falls back
to httpx's own transport when httpx-aiohttp is not installed, when RUNNINGHUB_HTTP_TRANSPORT=httpx,
or when a proxy is set in the environment (HTTP(S)_PROXY / ALL_PROXY: httpx applies those only
with its own transport). A `transport=` given by the caller is used as is. Result downloads and
the sync client always use httpx's transport.

Only queries go over aiohttp; the other API calls go over httpx's transport in the same client.
Submits: an answer to a paid submit must give the task id whenever httpx can read it, and
aiohttp's parser refuses some answers h11 takes (a Content-Length sent twice, even when equal).
Uploads (streamed multipart bodies): aiohttp has no write timeout, so an upload to a server that
stops reading would hang where httpx raises WriteTimeout. Both are rare and not what polling at
scale spends its CPU on.

httpx-aiohttp maps aiohttp's errors loosely (a connection reset after the request was sent comes
out as ConnectTimeout, i.e. "never sent", which would let a paid submit be retried); _AiohttpApi
maps them again, conservatively: only failures to connect count as "never sent".
"""

from __future__ import annotations

import logging
import os
import ssl
import urllib.request
import warnings
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

import httpx

from ._endpoints import query_path
from ._errors import ConfigurationError

if TYPE_CHECKING:
    import aiohttp

logger = logging.getLogger("runninghub_video")

ENV_TRANSPORT = "RUNNINGHUB_HTTP_TRANSPORT"
"""`httpx`: the async client keeps httpx's transport; `aiohttp` (or unset): aiohttp if it can."""
AIOHTTP = "aiohttp"
HTTPX = "httpx"
CUSTOM = "custom"


T = TypeVar("T", httpx.BaseTransport, httpx.AsyncBaseTransport)


class Transports(NamedTuple, Generic[T]):
    """A client's transports (None: httpx's own) and the name users see (`http_transport`)."""

    api: T | None
    files: T | None
    name: str


def sync_transports(
    transport: httpx.BaseTransport | None, verify: ssl.SSLContext | str | bool
) -> Transports[httpx.BaseTransport]:
    """The sync client's: the caller's transport for both pools, else httpx's own."""
    return Transports(transport, transport, HTTPX if transport is None else CUSTOM)


def async_transports(
    transport: httpx.AsyncBaseTransport | None, verify: ssl.SSLContext | str | bool
) -> Transports[httpx.AsyncBaseTransport]:
    """The async client's: the caller's transport for both pools, else aiohttp for the API pool
    when it can be used (see the module docstring) and httpx's own for downloads."""
    if transport is not None:
        return Transports(transport, transport, CUSTOM)
    reason = _httpx_reason()
    if reason is None:
        try:
            api = _aiohttp_transport(verify)
        except ImportError:
            reason = "httpx-aiohttp is not installed"
        else:
            logger.debug("API calls go over aiohttp (httpx-aiohttp)")
            return Transports(api, None, AIOHTTP)
    logger.debug("API calls go over httpx's transport: %s", reason)
    return Transports(None, None, HTTPX)


def _httpx_reason() -> str | None:
    """Why httpx's own transport must be used, or None when aiohttp may be."""
    wanted = os.environ.get(ENV_TRANSPORT, "").strip().lower()
    if wanted == HTTPX:
        return f"{ENV_TRANSPORT}=httpx"
    if wanted not in ("", AIOHTTP):
        raise ConfigurationError(f"{ENV_TRANSPORT} must be 'httpx' or 'aiohttp', not {wanted!r}")
    if {"http", "https", "all"} & urllib.request.getproxies().keys():
        return "a proxy is set in the environment"
    return None


# aiohttp's parser limits, widened so that every answer httpx (h11) reads is read here too: h11
# takes a head of up to 16 KiB with no limit on a line or on the header count; aiohttp's
# defaults (8190-byte lines, 128 headers) would turn a submit answer with a big CDN cookie
# into "no answer", and a paid task's id would be lost.
MAX_HEAD_LINE = 64 << 10
MAX_HEADERS = 16 << 10
"""A header is at least 4 bytes ("a:\r\n"): h11's 16 KiB head holds at most 4,096."""


def _aiohttp_transport(verify: ssl.SSLContext | str | bool) -> httpx.AsyncBaseTransport:
    """httpx-aiohttp's transport with our error mapping (ImportError when not installed)."""
    import aiohttp
    from httpx_aiohttp import AiohttpTransport
    from httpx_aiohttp.transport import AiohttpResponseStream

    class _Connector(aiohttp.TCPConnector):
        """aiohttp's connector, but left alone in a forked child: there its connections are the
        parent's, and its finalizer would close them, unregistering their sockets from the
        parent's event loop (an epoll selector is shared across fork): the parent would wait
        for its next answer forever. The child counts it as closed (so its session, too)."""

        def __init__(self, **options: Any) -> None:
            super().__init__(**options)
            self.pid = os.getpid()

        @property
        def closed(self) -> bool:
            return super().closed or os.getpid() != self.pid

        def __del__(self, _warnings: Any = warnings) -> None:
            if os.getpid() == self.pid:
                super().__del__(_warnings)

    class _AiohttpApi(AiohttpTransport):
        def get_client(self) -> aiohttp.ClientSession:
            # As httpx-aiohttp's, but cookies stay with httpx (as with its own transport), the
            # parser takes what h11 takes, and a forked child leaves the connector alone.
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

        def __init__(self, verify: ssl.SSLContext | str | bool) -> None:
            super().__init__(verify=verify)
            self.others = httpx.AsyncHTTPTransport(verify=self.ssl_context)
            self.query_path = query_path()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            """As httpx-aiohttp's (without its proxy support: a proxy means httpx's transport),
            with every failure mapped and the aiohttp response closed when it is not returned."""
            if not request.url.path.endswith(self.query_path) or _streamed(request):
                return await self.others.handle_async_request(request)  # see the docstring
            if not isinstance(self.client, aiohttp.ClientSession):
                self.client = self.get_client()
            timeout = request.extensions.get("timeout", {})
            response: aiohttp.ClientResponse | None = None
            try:
                response = await self.client.request(
                    method=request.method,
                    url=str(request.url),
                    headers=request.headers,
                    data=request.content or None,
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
                    stream=_Body(AiohttpResponseStream(response)),
                    request=request,
                    extensions=extensions,
                )
            except Exception as exc:  # each is mapped: see _mapped
                if response is not None:
                    response.close()
                error = _mapped(exc)
            raise error  # outside the except block: see _mapped

        async def aclose(self) -> None:
            try:
                await super().aclose()
            finally:
                await self.others.aclose()

    return _AiohttpApi(verify=verify)


def _streamed(request: httpx.Request) -> bool:
    """True for a request whose body is streamed (multipart uploads), not held in memory."""
    try:
        request.content  # noqa: B018
    except httpx.RequestNotRead:
        return True
    return False


class _Body(httpx.AsyncByteStream):
    """A response body whose read errors are mapped like the request's."""

    def __init__(self, inner: httpx.AsyncByteStream) -> None:
        self._inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._inner:
                yield chunk
        except Exception as exc:  # each is mapped: see _mapped
            error = _mapped(exc)
        else:
            return
        raise error

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        except Exception as exc:  # each is mapped: see _mapped
            error = _mapped(exc)
        else:
            return
        raise error


def _mapped(exc: BaseException) -> httpx.TransportError:
    """The httpx error for an aiohttp failure (or httpx-aiohttp's mapping of one).

    Only a failure to connect (or to get a connection in time) means the request was not sent;
    everything else may have reached the server, as with httpx's own transport: any other
    exception (a parser's, a decoding error) becomes ReadError, "the answer may be lost". The
    aiohttp exception is not chained (raise it outside the except block): the repr of some (e.g.
    ClientResponseError's request_info) shows the request headers, the API key among them.
    """
    import aiohttp

    cause = exc.__cause__ if isinstance(exc, httpx.HTTPError) and exc.__cause__ else exc
    message = f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__
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
        if isinstance(cause, aiohttp_kind):
            return httpx_kind(message)
    if isinstance(cause, httpx.TransportError):  # not from aiohttp: as httpx-aiohttp said
        return cause
    return httpx.ReadError(message)
