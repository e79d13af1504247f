"""Bounded reads of API answers: a server that sends a huge body cannot make the client grow.

The clients' httpx response hook caps each API answer's stream before httpx reads it: a task
or upload answer stops at MAX_ANSWER_BYTES (then it is an unexpected response), an error
answer at MAX_ERROR_BYTES (only an excerpt is kept anyway). Reading stops there and the
connection is closed, so memory stays flat whatever the server sends. Result downloads are
streamed to disk and are not capped here.

A wait's deadline bounds its queries' answers too (`answer_deadline`): an answer still arriving
at the deadline (a server trickling bytes, each read inside the read timeout) is aborted with
httpx.ReadTimeout, as a timeout. The first chunk is always taken, so the last query of a wait,
made at its deadline, still gets its (one-chunk) answer.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from contextvars import ContextVar

import httpx

MAX_ANSWER_BYTES = 1 << 20
"""1 MiB: a task answer is a few hundred bytes, a few kB with many results."""
MAX_ERROR_BYTES = 64 << 10
"""64 KiB of an error answer (HTML error pages included) is more than any excerpt needs."""


Deadline = tuple[Callable[[], float], float]
"""A clock and the time on it past which an answer is no longer read."""

_DEADLINE: ContextVar[Deadline | None] = ContextVar("runninghub_video.deadline", default=None)


@contextlib.contextmanager
def answer_deadline(clock: Callable[[], float], deadline: float) -> Iterator[None]:
    """Within this block, API answers still arriving after `deadline` (on `clock`) are aborted."""
    token = _DEADLINE.set((clock, deadline))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


class _Cap:
    """What the capped streams share: the limit, whether it was hit, and the deadline."""

    def __init__(self, limit: int, deadline: Deadline | None) -> None:
        self.limit = limit
        self.deadline = deadline
        self.received = 0
        self.chunks = 0
        self.truncated = False

    def take(self, chunk: bytes) -> bytes:
        """The part of `chunk` that still fits; marks the answer truncated past the limit.
        Past the deadline, any chunk but the first raises httpx.ReadTimeout."""
        self.chunks += 1
        if self.deadline is not None and self.chunks > 1:
            clock, deadline = self.deadline
            if clock() > deadline:
                raise httpx.ReadTimeout("the answer was still arriving at the wait deadline")
        room = self.limit - self.received
        if len(chunk) > room:
            self.truncated = True
            chunk = chunk[:room]
        self.received += len(chunk)
        return chunk


class _CappedStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, cap: _Cap) -> None:
        self.inner = inner
        self.cap = cap

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            yield self.cap.take(chunk)
            if self.cap.truncated:
                break  # httpx then closes the response: the connection is dropped

    def close(self) -> None:
        self.inner.close()


class _AsyncCappedStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, cap: _Cap) -> None:
        self.inner = inner
        self.cap = cap

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.inner:
            yield self.cap.take(chunk)
            if self.cap.truncated:
                break

    async def aclose(self) -> None:
        await self.inner.aclose()


_CAPS = "runninghub_video.cap"


def cap_answer(response: httpx.Response) -> None:
    """Cap the body of an API answer before httpx reads it (call from a response hook)."""
    limit = MAX_ANSWER_BYTES if response.status_code < 300 else MAX_ERROR_BYTES
    cap = _Cap(limit, _DEADLINE.get())
    response.extensions[_CAPS] = cap
    stream = response.stream
    if isinstance(stream, httpx.AsyncByteStream):
        response.stream = _AsyncCappedStream(stream, cap)
    elif isinstance(stream, httpx.SyncByteStream):
        response.stream = _CappedStream(stream, cap)


def was_truncated(response: httpx.Response | None) -> bool:
    """True when the answer's body was cut at its cap."""
    cap = response.extensions.get(_CAPS) if response is not None else None
    return isinstance(cap, _Cap) and cap.truncated
