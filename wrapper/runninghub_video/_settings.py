"""Client settings (API key, base URL, policy) resolved from arguments and the environment."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import urlsplit

from ._bounded_reads import ACCEPT_ENCODING
from ._errors import ConfigurationError
from ._policy import Policy
from ._redaction import redact, safe_url

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
