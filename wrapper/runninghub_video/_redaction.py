"""The one redactor: every message is passed through it before it is logged, raised, printed
or journaled, so that no secret leaves the process by accident.

It removes the API key (each key a client or the CLI was given is registered), the value of
any `Authorization` header or `Bearer` token, URL userinfo (`user:password@`) and, in
messages, URL query strings (signed links carry credentials there). `keep_query=True` keeps
query strings, for output the user asked for (a result URL printed on stdout).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from typing import Any
from urllib.parse import urlsplit

REDACTED = "[redacted]"

_AUTH_HEADER = re.compile(  # quotes may be escaped (\"): a server may echo JSON in a message
    r"(?i)\b((?:proxy-)?authorization\\?[\"']?\s*[:=]\s*\\?[\"']?)"
    r"(?:(?:bearer|basic|token|digest)\s+)?[^\s\"',;}<>)]+"
)
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@?#\"'<>]+@")
_QUERY = re.compile(r"(?i)\b(https?://[^\s?#\"'<>]*)\?[^\s#\"'<>]*")


class Redactor:
    """Replaces secrets in any text: registered keys, Authorization values, URL userinfo,
    URL query strings."""

    def __init__(self) -> None:
        self._secrets: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def add(self, secret: str | None) -> None:
        """Remember a secret; very short strings are ignored (they would mangle normal text)."""
        if secret and len(secret.strip()) >= 4:
            plain = secret.strip()
            escaped = json.dumps(plain)[1:-1]  # as a JSON body echoes it ("\\", '\\"')
            forms = {plain, escaped, escaped.replace("/", "\\/")}  # and "\/", as PHP does
            with self._lock:
                self._secrets = self._secrets | forms

    def in_body(self, content: bytes) -> bool:
        """True when an answer's body may hold a registered key: as is, behind JSON escapes
        (checked after decoding: see scrubbed), or in a UTF-16/32 body (NUL bytes)."""
        return (
            b"\\u" in content
            or b"\x00" in content
            or any(secret.encode() in content for secret in self._secrets)
        )

    def scrubbed(self, value: Any) -> Any:
        """A decoded JSON value with every registered key replaced in every string (keys of
        objects too); URLs and their query strings are otherwise left as they are. Containers
        are changed in place (the caller's own decode), walked without recursion: JSON nested
        deeper than Python recurses is still scrubbed."""
        if isinstance(value, str):
            return self._scrub_text(value)
        stack = [value]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                for key, item in list(node.items()):
                    if isinstance(item, str):
                        item = self._scrub_text(item)
                    elif isinstance(item, dict | list):
                        stack.append(item)
                    clean = self._scrub_text(key) if isinstance(key, str) else key
                    if clean != key:
                        del node[key]
                    node[clean] = item
            elif isinstance(node, list):
                for index, item in enumerate(node):
                    if isinstance(item, str):
                        node[index] = self._scrub_text(item)
                    elif isinstance(item, dict | list):
                        stack.append(item)
        return value

    def _scrub_text(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text

    def __call__(self, text: str, *, keep_query: bool = False) -> str:
        secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, REDACTED)
        text = _cut_fragment(text, secrets)
        text = _AUTH_HEADER.sub(rf"\g<1>{REDACTED}", text)
        text = _BEARER.sub(rf"\g<1>{REDACTED}", text)
        text = _USERINFO.sub(rf"\g<1>{REDACTED}@", text)
        if not keep_query:
            text = _QUERY.sub(rf"\g<1>?{REDACTED}", text)
        return text


_CUT_MARKS = ("...", "\u2026")
FRAGMENT_CHARS = 8
"""A text that ends with at least this many first characters of a key (a key cut by a
length limit) loses them."""


def _cut_fragment(text: str, secrets: list[str]) -> str:
    """Defence in depth: remove the start of a key left at the end of a cut text (before a
    trailing '...' or '\u2026')."""
    for mark in ("", *_CUT_MARKS):
        if not text.endswith(mark):
            continue
        body = text[: len(text) - len(mark)]
        for secret in secrets:
            for size in range(min(len(secret) - 1, len(body)), FRAGMENT_CHARS - 1, -1):
                if body.endswith(secret[:size]):
                    return body[:-size] + REDACTED + mark
    return text


redact = Redactor()
"""The process-wide redactor; clients and the CLI register the API key as soon as they know it."""

_ESCAPED = re.compile(r"\\u([0-9a-fA-F]{4})")


def redact_body(content: bytes) -> str:
    """A body's text with every registered key removed whatever hides it: read as UTF-8, with
    NUL bytes dropped (an ASCII key in UTF-16/32) and JSON \\u escapes undone first."""
    text = content.decode("utf-8", errors="replace")
    if "\x00" in text:
        text = text.replace("\x00", "")
    if "\\u" in text:
        text = _ESCAPED.sub(_unescaped, text)
    return redact(text)


def _unescaped(match: re.Match[str]) -> str:
    """One \\uXXXX escape as its printable character; a control character (terminal escapes)
    or a surrogate (text must encode) stays escaped."""
    char = chr(int(match.group(1), 16))
    return char if char.isprintable() else match.group(0)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts each record's message (arguments merged first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact in place; never drops a record."""
        record.msg = redact(record.getMessage())
        record.args = None
        return True


#: The loggers of the HTTP stack under the clients: httpx logs each request's status line
#: (INFO), httpcore each answer's headers (DEBUG), either of which a server may fill with the
#: key it was sent. A logger's filter sees only its own records, so each is named.
HTTP_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "aiohttp.client",
    "aiohttp.internal",
)


def install_on(logger: logging.Logger) -> None:
    """Give the library logger a NullHandler (no output unless the application configures
    logging) and the redacting filter, and the filter to the HTTP stack's loggers (once)."""
    for one in (logger, *(logging.getLogger(name) for name in HTTP_LOGGERS)):
        if not any(isinstance(f, RedactingFilter) for f in one.filters):
            one.addFilter(RedactingFilter())
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())


def safe_url(url: str) -> str:
    """The URL without its query string and user info (signed links and webhook URLs carry
    credentials there)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
