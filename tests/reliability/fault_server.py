"""A purpose-built misbehaving HTTP server for fault injection, on raw asyncio sockets.

Raw sockets (not an HTTP framework) let it do what real infrastructure does on a bad day:
answer an HTML 500, reset the connection after reading the request, stall without answering,
announce a Content-Length larger than what it sends, cut a body with a reset, or trickle
bytes and then go silent. Every request is recorded (method, path, headers, body, time).

Answers are scripted per path, like tests/wrapper/fakes.ScriptedAPI: `route(path, *actions)`
queues actions, the last one repeats. An action may also be a function of the request (for
answers that depend on the body, or that forward to a real upstream such as the sandbox).
Every connection is closed after one answer (`Connection: close`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.bodies import task_body as task_body  # the answer body its users serve

# ---------------------------------------------------------------- requests and actions


@dataclass(frozen=True)
class Request:
    """One request as the server read it; header names are lower case."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    time: float

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    """A complete, well-formed answer."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Reset:
    """Read the request, then reset the connection (TCP RST) without a byte of answer."""


@dataclass(frozen=True)
class Stall:
    """Read the request, then say nothing for `seconds` (past the client's read timeout)."""

    seconds: float = 5.0


@dataclass(frozen=True)
class Hold:
    """Read the request, send `head` (e.g. the start of an answer, or nothing), set `arrived`,
    then say nothing more until the test sets `release` or the server stops: a stall that
    lasts as long as the test needs, whatever the machine's speed (a timed Stall can end
    before a loaded client's read timeout fires, turning a timeout into a disconnect)."""

    head: bytes = b""
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True)
class Huge:
    """Answer `status` with a body of `size` bytes, streamed; `sent[0]` counts what the
    socket accepted before the client hung up."""

    status: int = 500
    size: int = 300_000_000
    content_type: str = "text/html"
    chunk: int = 1 << 16
    sent: list[int] = field(default_factory=lambda: [0])


@dataclass(frozen=True)
class Short:
    """Announce `announced` bytes, send `body` (fewer), then close (or reset) the connection."""

    body: bytes
    announced: int
    reset: bool = False
    content_type: str = "video/mp4"


@dataclass(frozen=True)
class Trickle:
    """Announce len(body), send it `chunk` bytes at a time `gap` seconds apart, but go silent
    for `stall` seconds after `stall_after` bytes (None: never); `sent[0]` counts the bytes of
    body written before the client hung up."""

    body: bytes
    chunk: int = 1024
    gap: float = 0.02
    stall_after: int | None = None
    stall: float = 5.0
    content_type: str = "video/mp4"
    sent: list[int] = field(default_factory=lambda: [0])


Action = Reply | Reset | Stall | Hold | Huge | Short | Trickle
Handler = Callable[[Request], "Action | Awaitable[Action]"]
Script = Action | Handler


def json_reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    """A JSON answer."""
    return Reply(status, json.dumps(body).encode(), "application/json", headers or {})


def html_reply(status: int, text: str = "<html><body><h1>Bad Gateway</h1></body></html>") -> Reply:
    """An HTML answer, like a proxy's error page."""
    return Reply(status, text.encode(), "text/html; charset=utf-8")


# ---------------------------------------------------------------- the server


class FaultServer:
    """Serve scripted faults on a loopback port from a background thread (a context manager)."""

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.requests: list[Request] = []
        self._scripts: dict[str, list[Script]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._upstream: httpx.AsyncClient | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------ scripting

    def route(self, path: str, *scripts: Script) -> FaultServer:
        """Answer `path` with these actions in turn; the last one repeats."""
        with self._lock:
            self._scripts.setdefault(path, []).extend(scripts)
        return self

    def replace(self, path: str, *scripts: Script) -> FaultServer:
        """Forget what was queued for `path`; answer with these actions from now on."""
        with self._lock:
            self._scripts[path] = list(scripts)
        return self

    def count(self, path: str) -> int:
        """How many requests reached `path`."""
        with self._lock:
            return sum(1 for r in self.requests if r.path == path)

    def on_hold(self, path: str) -> Hold:
        """The Hold action scripted for `path` (to wait for its `arrived` event)."""
        with self._lock:
            holds = [a for a in self._scripts.get(path, []) if isinstance(a, Hold)]
        assert holds, f"no Hold scripted for {path}"
        return holds[0]

    def on(self, path: str) -> list[Request]:
        """The requests that reached `path`, oldest first."""
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _next(self, request: Request) -> Script:
        with self._lock:
            self.requests.append(request)
            queue = self._scripts.get(request.path)
            if not queue:
                return Reply(404, b'{"errorCode": "1001"}')
            return queue.pop(0) if len(queue) > 1 else queue[0]

    async def forward(self, request: Request, upstream: str) -> Reply:
        """Pass the request on to `upstream` (e.g. the sandbox) and answer what it answered."""
        assert self._upstream is not None
        headers = {k: v for k, v in request.headers.items() if k not in ("host", "connection")}
        response = await self._upstream.request(
            request.method, upstream + request.path, content=request.body, headers=headers
        )
        return Reply(
            response.status_code,
            response.content,
            response.headers.get("content-type", "application/octet-stream"),
            {k: v for k, v in response.headers.items() if k.lower() == "retry-after"},
        )

    # ------------------------------------------------------------ lifecycle

    def __enter__(self) -> FaultServer:
        self._thread = threading.Thread(target=self._run, name="fault-server", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            raise RuntimeError(f"fault server did not start: {self._error}") from self._error
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout=10)
            assert not self._thread.is_alive(), "fault server thread did not stop"

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:
            self._error = exc
        finally:
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, reuse_address=True, backlog=512
        )
        self.port = server.sockets[0].getsockname()[1]
        async with httpx.AsyncClient(timeout=30) as upstream:
            self._upstream = upstream
            self._ready.set()
            try:
                await self._stop.wait()
            finally:
                server.close()
                for task in list(self._connections):
                    task.cancel()
                await asyncio.gather(*self._connections, return_exceptions=True)
                await server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            request = await _read_request(reader)
            if request is not None:
                script = self._next(request)
                action = script(request) if callable(script) else script
                if isinstance(action, Awaitable):
                    action = await action
                await _perform(action, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._connections.discard(task)
            if not writer.is_closing():
                writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    line = await reader.readline()
    if not line.strip():
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while (raw := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    path, _, query = target.partition("?")
    return Request(method, path, query, headers, body, time.monotonic())


def _head(status: int, content_type: str, length: int, extra: dict[str, str]) -> bytes:
    lines = [
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}",
        f"Content-Type: {content_type}",
        f"Content-Length: {length}",
        "Connection: close",
        *(f"{k}: {v}" for k, v in extra.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with SO_LINGER 0: the peer gets a TCP RST, not a FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _perform(action: Action, writer: asyncio.StreamWriter) -> None:
    if isinstance(action, Reply):
        writer.write(_head(action.status, action.content_type, len(action.body), action.headers))
        writer.write(action.body)
        await writer.drain()
    elif isinstance(action, Reset):
        _reset(writer)
    elif isinstance(action, Stall):
        await asyncio.sleep(action.seconds)
    elif isinstance(action, Hold):
        if action.head:
            writer.write(action.head)
            await writer.drain()
        action.arrived.set()
        while not action.release.is_set():  # cancelled when the server stops
            await asyncio.sleep(0.01)
    elif isinstance(action, Huge):
        writer.write(_head(action.status, action.content_type, action.size, {}))
        block = b"<p>" + b"x" * (action.chunk - 3)
        while action.sent[0] < action.size:
            piece = block[: action.size - action.sent[0]]
            writer.write(piece)
            await writer.drain()
            action.sent[0] += len(piece)
    elif isinstance(action, Short):
        writer.write(_head(200, action.content_type, action.announced, {}))
        writer.write(action.body)
        await writer.drain()
        if action.reset:
            await asyncio.sleep(0.05)  # let the bytes leave before the RST
            _reset(writer)
    elif isinstance(action, Trickle):
        writer.write(_head(200, action.content_type, len(action.body), {}))
        sent = 0
        while sent < len(action.body):
            if action.stall_after is not None and sent >= action.stall_after:
                await asyncio.sleep(action.stall)
                return
            writer.write(action.body[sent : sent + action.chunk])
            await writer.drain()
            sent += action.chunk
            action.sent[0] = min(sent, len(action.body))
            await asyncio.sleep(action.gap)
    else:  # pragma: no cover - a typo in a test
        raise TypeError(f"unknown action {action!r}")


_REASONS = {
    200: "OK",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


@contextlib.contextmanager
def fault_server(port: int = 0) -> Iterator[FaultServer]:
    """A FaultServer for the duration of the block."""
    with FaultServer(port) as server:
        yield server
