"""Which HTTP transports a client's pools use, chosen once per client (policy only: the
aiohttp adapter itself is runninghub_video/_vendor/httpx_aiohttp.py, a fork with its FORK.md).

AsyncRunningHub sends its task queries over aiohttp, in a pool of their own, under httpx and the
generated client: a third of httpx's CPU per poll, which is what keeps 1,000 concurrent waits
under 1 ms per poll (docs/benchmarks.md, figure 2). Everything else (submits, uploads, result
downloads) goes over httpx's own transport, and so does every call when aiohttp is not
installed, when RUNNINGHUB_HTTP_TRANSPORT=httpx, or when a proxy is set in the environment
(HTTP(S)_PROXY / ALL_PROXY: httpx applies those only with its own transport). A `transport=`
given by the caller carries every API call as is. The sync client always uses httpx's transport.

Why submits and uploads stay on httpx: an answer to a paid submit must give the task id whenever
httpx can read it, and aiohttp's parser refuses some answers h11 takes (a Content-Length sent
twice, even when equal); an upload (a streamed multipart body) to a server that stops reading
would hang on aiohttp, which has no write timeout, where httpx raises WriteTimeout. Both are
rare and not what polling at scale spends its CPU on.
"""

from __future__ import annotations

import logging
import os
import ssl
import urllib.request
from typing import Generic, NamedTuple, TypeVar

import httpx

from ._errors import ConfigurationError

logger = logging.getLogger("runninghub_video")

ENV_TRANSPORT = "RUNNINGHUB_HTTP_TRANSPORT"
"""`httpx`: the async client keeps httpx's transport; `aiohttp` (or unset): aiohttp if it can."""
AIOHTTP = "aiohttp"
HTTPX = "httpx"
CUSTOM = "custom"


T = TypeVar("T", httpx.BaseTransport, httpx.AsyncBaseTransport)


class Transports(NamedTuple, Generic[T]):
    """A client's transports (None: httpx's own) and the name users see (`http_transport`):
    `api` carries submits and uploads, `queries` the task queries, `files` result downloads."""

    api: T | None
    queries: T | None
    files: T | None
    name: str


def sync_transports(
    transport: httpx.BaseTransport | None, verify: ssl.SSLContext | str | bool
) -> Transports[httpx.BaseTransport]:
    """The sync client's: the caller's transport for every pool, else httpx's own."""
    return Transports(transport, transport, transport, HTTPX if transport is None else CUSTOM)


def async_transports(
    transport: httpx.AsyncBaseTransport | None, verify: ssl.SSLContext | str | bool
) -> Transports[httpx.AsyncBaseTransport]:
    """The async client's: the caller's transport for every pool, else aiohttp for the task
    queries when it can be used (see the module docstring) and httpx's own for the rest."""
    if transport is not None:
        return Transports(transport, transport, transport, CUSTOM)
    reason = _httpx_reason()
    if reason is None:
        try:
            from ._vendor.httpx_aiohttp import AiohttpTransport
        except ImportError:
            reason = "aiohttp is not installed"
        else:
            logger.debug("task queries go over aiohttp")
            return Transports(None, AiohttpTransport(verify=verify), None, AIOHTTP)
    logger.debug("API calls go over httpx's transport: %s", reason)
    return Transports(None, None, None, HTTPX)


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
