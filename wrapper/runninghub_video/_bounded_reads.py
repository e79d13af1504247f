"""Bounded reads of API answers and downloads: a server that sends a huge or compressed body
cannot make the client grow.

The caps count decoded bytes. httpx inflates a whole chunk at once (1,898 bytes of
`Content-Encoding: gzip, gzip` became 2 GB in memory), so the clients undo content codings
here instead, in steps of at most STEP bytes, and stop pulling once a cap is passed: httpx
itself only ever sees identity bodies. gzip and deflate (stacked too) are undone, and those
are all the clients accept (ACCEPT_ENCODING); any other coding (br, zstd) is passed through
undecoded, so it reads as an unexpected answer, never as an unbounded one.

The clients' httpx response hook caps each API answer's stream before httpx reads it: a task
or upload answer stops at MAX_ANSWER_BYTES (then it is an unexpected response), an error
answer at MAX_ERROR_BYTES (only an excerpt is kept anyway), and an answer in more than
MAX_ANSWER_CHUNKS pieces is cut there (a million 1-byte chunks cost seconds of CPU). Reading
stops there and the connection is closed, so memory stays flat whatever the server sends.
Result downloads go through the same decoding with their own cap (`BoundedBody`).

A wait's deadline bounds its queries' answers too (`answer_deadline`): an answer still arriving
at the deadline (a server trickling bytes, each read inside the read timeout) is aborted with
httpx.ReadTimeout, as a timeout. The first chunk is always taken, so the last query of a wait,
made at its deadline, still gets its (one-chunk) answer.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextvars import ContextVar

import httpx

MAX_ANSWER_BYTES = 1 << 20
"""1 MiB: a task answer is a few hundred bytes, a few kB with many results."""
MAX_ERROR_BYTES = 64 << 10
"""64 KiB of an error answer (HTML error pages included) is more than any excerpt needs."""
MAX_ANSWER_CHUNKS = 16 << 10
"""Reads of one API answer: a few-kB answer never needs more; each read costs CPU."""
STEP = 64 << 10
"""The most one decoding step produces: what a bomb can cost before its cap is seen."""
ACCEPT_ENCODING = "gzip, deflate"
"""The codings the clients ask for, the ones undone here (httpx would add br and zstd when
their libraries are installed, and inflate them whole)."""
_UNDONE = ("gzip", "x-gzip", "deflate")


class _Inflater:
    """One gzip or deflate coding undone in steps of at most STEP bytes."""

    def __init__(self, coding: str) -> None:
        gzip = coding in ("gzip", "x-gzip")
        self._z = zlib.decompressobj(zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS)
        self._raw_deflate_fallback = not gzip  # as httpx: "deflate" is often raw deflate
        self._fed = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded bytes of `data`, a step at a time (httpx.DecodingError on bad data)."""
        while not self._z.eof:
            try:
                out = self._z.decompress(data, STEP)
            except zlib.error as exc:
                if self._raw_deflate_fallback and not self._fed:
                    self._raw_deflate_fallback = False
                    self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise httpx.DecodingError(f"the answer's content coding is broken: {exc}") from None
            self._fed = True
            data = self._z.unconsumed_tail
            if out:
                yield out
            if not data and len(out) < STEP:
                return


def _stages(headers: Mapping[str, str]) -> list[_Inflater] | None:
    """The inflaters that undo a body's Content-Encoding, outermost first; None when a coding
    cannot be undone here (the body is then passed through as sent)."""
    codings = [c.strip().lower() for c in headers.get("content-encoding", "").split(",")]
    codings = [c for c in codings if c not in ("", "identity")]
    if any(coding not in _UNDONE for coding in codings):
        return None
    return [_Inflater(coding) for coding in reversed(codings)]


def _through(stages: list[_Inflater], data: bytes) -> Iterator[bytes]:
    if not stages:
        yield data
        return
    for out in stages[0].feed(data):
        yield from _through(stages[1:], out)


class BoundedBody:
    """A body decoded chunk by chunk, cut at `limit` decoded bytes (then `truncated`)."""

    def __init__(self, headers: Mapping[str, str], limit: int) -> None:
        self.limit = limit
        self.received = 0
        self.truncated = False
        self._stages = _stages(headers) or []

    def take_joined(self, chunk: bytes) -> bytes:
        """take(chunk) as one bytes (an identity body without the generators: most answers)."""
        if self._stages:
            return b"".join(self.take(chunk))
        room = self.limit - self.received
        if len(chunk) > room:
            self.truncated = True
            chunk = chunk[:room]
        self.received += len(chunk)
        return chunk

    def take(self, chunk: bytes) -> Iterator[bytes]:
        """The decoded bytes of one raw chunk that still fit under the limit."""
        for piece in _through(self._stages, chunk):
            room = self.limit - self.received
            if len(piece) > room:
                self.truncated = True
                piece = piece[:room]
            self.received += len(piece)
            if piece:
                yield piece
            if self.truncated:
                return


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
    """What the capped streams share: the decoded body, whether it was cut, the deadline."""

    def __init__(self, body: BoundedBody, deadline: Deadline | None) -> None:
        self.body = body
        self.deadline = deadline
        self.chunks = 0

    @property
    def truncated(self) -> bool:
        """True once the answer was cut (too many bytes or too many chunks)."""
        return self.body.truncated

    def take(self, chunk: bytes) -> bytes:
        """The decoded part of `chunk` that still fits; marks the answer truncated past a cap.
        Past the deadline, any chunk but the first raises httpx.ReadTimeout."""
        self.chunks += 1
        if self.deadline is not None and self.chunks > 1:
            clock, deadline = self.deadline
            if clock() > deadline:
                raise httpx.ReadTimeout("the answer was still arriving at the wait deadline")
        if self.chunks > MAX_ANSWER_CHUNKS:
            self.body.truncated = True
            return b""
        return self.body.take_joined(chunk)


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
    """Decode and cap the body of an API answer before httpx reads it (call from a response
    hook); httpx then sees an identity body and inflates nothing itself."""
    limit = MAX_ANSWER_BYTES if response.status_code < 300 else MAX_ERROR_BYTES
    cap = _Cap(BoundedBody(response.headers, limit), _DEADLINE.get())
    stream = response.stream
    if isinstance(stream, httpx.AsyncByteStream):
        response.stream = _AsyncCappedStream(stream, cap)
    elif isinstance(stream, httpx.SyncByteStream):
        response.stream = _CappedStream(stream, cap)
    else:
        return
    response.extensions[_CAPS] = cap
    if "content-encoding" in response.headers:
        del response.headers["content-encoding"]  # undone by the cap, whatever it said


def was_truncated(response: httpx.Response | None) -> bool:
    """True when the answer's body was cut at its cap."""
    cap = response.extensions.get(_CAPS) if response is not None else None
    return isinstance(cap, _Cap) and cap.truncated
