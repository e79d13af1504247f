"""Client settings (API key, base URL, policy) resolved from arguments and the environment,
and the one piece of glue both clients need around the generated functions.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import httpx
from runninghub_client.types import Response

from ._bounded_reads import ACCEPT_ENCODING, cap_answer, was_truncated
from ._error_codes import TASK_NOT_FOUND
from ._errors import ConfigurationError
from ._policy import Policy
from ._redaction import redact, safe_url
from ._responses import RawAnswer, named_error_code

ENV_API_KEY = "RUNNINGHUB_API_KEY"
ENV_BASE_URL = "RUNNINGHUB_BASE_URL"
DEFAULT_BASE_URL = "https://www.runninghub.cn"
"""China site (CNY). The international site is https://www.runninghub.ai; keys are per site."""
USER_AGENT = "runninghub-video (python)"
HEADERS: Mapping[str, str] = MappingProxyType(
    {"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING}
)
"""Sent on every request of both pools (only codings the clients undo in bounded steps).
Read-only: the generated client adds the key to the dict it is given, so each pool gets a
copy (a shared dict would carry the key to the result host)."""

# What the generated parsers raise on a body that is not what the spec says (RecursionError:
# JSON nested deeper than the interpreter's recursion limit).
PARSE_ERRORS = (ValueError, KeyError, TypeError, AttributeError, RecursionError)


@dataclass(frozen=True)
class Settings:
    """Where and how to call. The key is kept out of repr and str."""

    api_key: str = field(repr=False)
    base_url: str
    policy: Policy

    @classmethod
    def resolve(
        cls,
        api_key: str | None,
        base_url: str | None,
        policy: Policy | None,
        *,
        allow_insecure_http: bool = False,
    ) -> Settings:
        """Fill in from RUNNINGHUB_API_KEY / RUNNINGHUB_BASE_URL and check both: plain http
        beyond loopback only with `allow_insecure_http` (the key would travel in clear)."""
        key = api_key if api_key is not None else os.environ.get(ENV_API_KEY, "")
        key = key.strip()
        if not key:
            raise ConfigurationError(
                f"no API key: pass api_key= or set {ENV_API_KEY} (the key of your "
                "runninghub.cn or runninghub.ai account; keys work only on their own site)"
            )
        redact.add(key)
        if any(ch.isspace() for ch in key) or not key.isprintable():
            raise ConfigurationError("the API key contains spaces or control characters")
        if not key.isascii():  # it goes in an HTTP header: a bare UnicodeEncodeError otherwise
            raise ConfigurationError("the API key contains characters that are not ASCII")
        url = (base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL).strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigurationError(f"base URL must be http(s)://host, got {url!r}")
        host = parts.hostname or ""
        if parts.scheme == "http" and not allow_insecure_http and not is_loopback(host):
            raise ConfigurationError(
                f"refusing plain http:// to {host}: the API key would travel unencrypted, "
                "readable by any network or proxy on the way. Use https://, or opt in with "
                "allow_insecure_http=True (CLI: --allow-insecure-http)"
            )
        if "@" in parts.netloc:  # sent to the API host beside the key (aiohttp refuses both)
            raise ConfigurationError(
                f"base URL must not carry a user name or password, got {safe_url(url)!r} with "
                "them: RunningHub takes only the API key (sent in the Authorization header)"
            )
        return cls(api_key=key, base_url=url, policy=policy or Policy())


def is_loopback(host: str) -> bool:
    """Whether `host` (a URL's hostname) is this machine: localhost, 127.0.0.0/8 or ::1."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # another name: it may resolve anywhere
        return False


# The last HTTP response of the current thread / asyncio task, recorded by an httpx event
# hook: when a generated parser raises on a malformed body, the clients still need the
# status, headers and body to report it. Context variables keep concurrent calls apart.
LAST_RESPONSE: ContextVar[httpx.Response | None] = ContextVar("LAST_RESPONSE", default=None)


def record_response(response: httpx.Response) -> None:
    """httpx response hook (sync): remember the response and cap its body."""
    LAST_RESPONSE.set(response)
    cap_answer(response)


async def arecord_response(response: httpx.Response) -> None:
    """httpx response hook (async): remember the response and cap its body."""
    LAST_RESPONSE.set(response)
    cap_answer(response)


def _checked(answer: RawAnswer, response: httpx.Response | None) -> RawAnswer:
    """The answer, or ConfigurationError for an API path the server does not have (HTTP 404,
    unless its body says errorCode 1004, task not found: the base URL is wrong), naming the
    URL that answered."""
    if answer.status_code == 404 and named_error_code(answer) != TASK_NOT_FOUND:
        url = safe_url(str(response.request.url)) if response is not None else "the API"
        raise ConfigurationError(
            f"{url} answered HTTP 404 Not Found: is the base URL right? Check --base-url / "
            f"{ENV_BASE_URL} / base_url= (https://www.runninghub.cn or https://www.runninghub.ai)"
        )
    return answer


def answer_of(response: Response[Any]) -> RawAnswer:
    """A generated Response as a RawAnswer."""
    recorded = LAST_RESPONSE.get()
    answer = RawAnswer(
        status_code=int(response.status_code),
        headers=response.headers,
        content=response.content,
        parsed=None if was_truncated(recorded) else response.parsed,
        truncated=was_truncated(recorded),
    )
    return _checked(answer, recorded)


def answer_after_parse_error(error: BaseException) -> RawAnswer:
    """The answer whose parsing raised `error` (re-raised if no response was recorded)."""
    response = LAST_RESPONSE.get()
    if response is None:
        raise error
    answer = RawAnswer(
        status_code=response.status_code,
        headers=response.headers,
        content=response.content,
        truncated=was_truncated(response),
    )
    return _checked(answer, response)
