"""Running the sandbox: in a background thread (Sandbox, tests) or blocking (serve, the CLI)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Final

from aiohttp import web
from aiohttp.web_request import BaseRequest

from runninghub_video.sandbox import _errors as errors
from runninghub_video.sandbox._app import Handler, SandboxState, create_app
from runninghub_video.sandbox._contract import load_contract
from runninghub_video.sandbox._limits import Limits
from runninghub_video.sandbox._options import check_host, check_port, check_speed
from runninghub_video.sandbox._stats import Stats
from runninghub_video.sandbox._tasks import TaskStore, Timing
from runninghub_video.sandbox._uploads import UploadStore
from runninghub_video.sandbox._video import Renderer

log = logging.getLogger("runninghub_video.sandbox")

HOUSEKEEPING_INTERVAL: Final = 1.0


class _JsonErrorHandler(web.RequestHandler):
    """aiohttp's connection handler, answering its own errors (unparsable request lines or
    headers, handler crashes) with an ErrorResponse JSON body like every other answer. The
    request's text is neither echoed nor logged: a broken header line may hold the key."""

    __slots__ = ()

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        """The JSON error answer; the connection is closed after it."""
        if request.writer.output_size > 0:
            raise ConnectionError("an answer was already sent; cannot send an error")
        kind = type(exc).__name__ if exc is not None else "error"
        if status >= 500:
            log.error("unexpected %s answering a request: %s", status, kind)
            code, detail = errors.INTERNAL_ERROR, None
        else:
            log.info("malformed HTTP request answered %s (%s)", status, kind)
            code, detail = errors.INVALID_PARAMETERS, f"malformed HTTP request ({kind})"
        answer = web.json_response(errors.error_body(code, detail), status=status)
        answer.force_close()
        return answer


class ConnectionGuard:
    """Holds off slow and idle clients: a connection must deliver a complete request head within
    header_timeout of opening or of its previous answer, else it is closed; beyond
    max_connections, the connection idle longest is closed to make room."""

    def __init__(self, state: SandboxState) -> None:
        """Guard the connections of state's server (attach() it once set up)."""
        self.server: web.Server | None = None
        self.state = state
        self._idle_since: dict[web.RequestHandler, float] = {}  # absent = busy with a request

    def attach(self, server: web.Server, handler_options: dict[str, Any]) -> None:
        """Guard server (an aiohttp low-level server, set up), whose connection handlers take
        handler_options (the options given to its AppRunner)."""
        self.server = server
        self._loop = asyncio.get_running_loop()
        self._handler_options = handler_options

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Mark the connection busy while its request is handled and its answer sent."""
        self.busy(request.protocol)
        try:
            response = await handler(request)
            if isinstance(response, web.FileResponse) and not response.prepared:
                await response.prepare(request)  # sends the file now, while marked busy
            return response
        finally:
            self.idle(request.protocol)

    def protocol(self) -> web.RequestHandler:
        """The protocol factory for loop.create_server: a tracked aiohttp RequestHandler."""
        assert self.server is not None
        if len(self.server.connections) >= self.state.limits.max_connections:
            self._close_idlest()
        handler = _JsonErrorHandler(self.server, loop=self._loop, **self._handler_options)
        self._idle_since[handler] = time.monotonic()
        return handler

    def busy(self, handler: object) -> None:
        """A request head arrived on handler's connection."""
        if isinstance(handler, web.RequestHandler):
            self._idle_since.pop(handler, None)

    def idle(self, handler: object) -> None:
        """handler's answer was sent; its next request head must come within header_timeout."""
        if isinstance(handler, web.RequestHandler) and self.server is not None:
            self._idle_since[handler] = time.monotonic()

    def sweep(self) -> None:
        """Close connections that sent no complete request head in time; forget closed ones."""
        if self.server is None:
            return
        alive = set(self.server.connections)
        cutoff = time.monotonic() - self.state.limits.header_timeout
        for handler, since in list(self._idle_since.items()):
            if handler not in alive and since < time.monotonic() - 5:
                del self._idle_since[handler]
            elif since < cutoff:
                self._close(handler)
        self.state.connections = len(alive)

    def _close_idlest(self) -> None:
        """Close the connection waiting longest for a request head (none busy is touched)."""
        waiting = [(since, h) for h, since in self._idle_since.items()]
        if waiting:
            self._close(min(waiting, key=lambda item: item[0])[1])

    def _close(self, handler: web.RequestHandler) -> None:
        """Close handler's connection now."""
        self._idle_since.pop(handler, None)
        transport = handler.transport
        if transport is not None and not transport.is_closing():
            transport.close()
            self.state.stats.connections_closed += 1


@contextlib.asynccontextmanager
async def running_site(
    host: str,
    port: int,
    speed: float,
    data_dir: Path,
    public_url: str | None,
    limits: Limits | None = None,
    spec_path: str | Path | None = None,
    *,
    allow_remote: bool = False,
) -> AsyncIterator[tuple[str, SandboxState]]:
    """Serve the sandbox on host:port inside the current event loop; yield (base URL, state).
    allow_remote: webhooks may go to other machines (else loopback only)."""
    limits = limits or Limits()
    clock = time.monotonic
    renderer = Renderer(data_dir / "renders", clock, limits=limits)
    state = SandboxState(
        public_url="",
        speed=speed,
        tasks=TaskStore(Timing.at_speed(speed), clock, ttl=limits.ttl, max_tasks=limits.max_tasks),
        uploads=UploadStore(data_dir / "uploads", clock),
        renderer=renderer,
        stats=Stats(),
        contract=load_contract(spec_path),
        limits=limits,
        upload_slots=asyncio.Semaphore(limits.max_concurrent_uploads),
        allow_remote=allow_remote,
    )
    guard = ConnectionGuard(state)
    app = create_app(state)
    app.middlewares.insert(0, guard.middleware)
    handler_options: dict[str, Any] = {
        "access_log": None,
        "keepalive_timeout": limits.keepalive_timeout,
    }
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0, **handler_options)
    await runner.setup()
    assert runner.server is not None
    guard.attach(runner.server, handler_options)
    loop = asyncio.get_running_loop()
    server: asyncio.Server | None = None
    housekeeping: asyncio.Task[None] | None = None
    try:
        server = await loop.create_server(guard.protocol, host, port, reuse_address=True)
        bound_port = server.sockets[0].getsockname()[1]
        url_host = f"[{host}]" if ":" in host else host
        base_url = f"http://{url_host}:{bound_port}"
        state.public_url = (public_url or base_url).rstrip("/")
        housekeeping = loop.create_task(_housekeeping(state, guard), name="sandbox housekeeping")
        log.info(
            "sandbox listening on %s (speed x%g, spec %s, data in %s)",
            base_url, speed, state.contract.path, data_dir,
        )  # fmt: skip
        yield base_url, state
    finally:
        if housekeeping is not None:
            housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping
        if server is not None:
            server.close()
        for delivery in list(state.deliveries):  # webhooks not made yet end with the sandbox
            delivery.cancel()
        await asyncio.gather(*state.deliveries, return_exceptions=True)
        await renderer.close()
        await runner.cleanup()


async def _housekeeping(state: SandboxState, guard: ConnectionGuard) -> None:
    """Every HOUSEKEEPING_INTERVAL: close slow connections, expire and evict state."""
    while True:
        await asyncio.sleep(HOUSEKEEPING_INTERVAL)
        try:
            guard.sweep()
            state.housekeep()
        except Exception:  # keep serving; a bug here must not stop the sandbox
            log.exception("housekeeping failed")


def with_overrides(limits: Limits | None, ttl: float | None, max_disk_bytes: int | None) -> Limits:
    """limits (default Limits()) with ttl and max_disk_bytes replaced where given."""
    limits = limits or Limits()
    if ttl is not None:
        limits = dataclasses.replace(limits, ttl=ttl)
    if max_disk_bytes is not None:
        limits = dataclasses.replace(limits, max_disk_bytes=max_disk_bytes)
    return limits


class _DataDir:
    """The sandbox's folder: the one given, or a temporary one removed on cleanup."""

    def __init__(self, data_dir: str | Path | None) -> None:
        """Use data_dir, or make a temporary folder if it is None."""
        self._temporary = data_dir is None
        self.path = (
            Path(tempfile.mkdtemp(prefix="rh-sandbox-")) if data_dir is None else Path(data_dir)
        )
        self.path.mkdir(parents=True, exist_ok=True)

    def cleanup(self) -> None:
        """Remove the folder if it was temporary."""
        if self._temporary:
            shutil.rmtree(self.path, ignore_errors=True)


class Sandbox:
    """A stateful local RunningHub in a background thread with its own event loop.

    `with Sandbox(port=0, speed=50) as sb:` then point a client at sb.base_url; sb.stats counts
    what the client did. port 0 picks a free port; speed divides every task duration.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        speed: float = 1.0,
        data_dir: str | Path | None = None,
        public_url: str | None = None,
        *,
        ttl: float | None = None,
        max_disk_bytes: int | None = None,
        limits: Limits | None = None,
        spec_path: str | Path | None = None,
        allow_remote: bool = False,
    ) -> None:
        """Configure (not start) a sandbox; public_url (default base_url) prefixes file URLs.

        ttl (seconds) and max_disk_bytes override those of limits (default Limits()); spec_path
        overrides the spec located at run time; a host other than loopback needs allow_remote.
        """
        self.speed = check_speed(speed)
        self.port = check_port(port)
        warning = check_host(host, allow_remote)
        if warning:
            log.warning(warning)
        self.host = host
        self.limits = with_overrides(limits, ttl, max_disk_bytes)
        self.spec_path = spec_path
        self.allow_remote = allow_remote
        self.public_url_option = public_url
        self._data_dir_option = data_dir
        self._data_dir: _DataDir | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._state: SandboxState | None = None
        self._base_url: str | None = None
        self._startup_error: BaseException | None = None
        self._ready = threading.Event()

    @property
    def base_url(self) -> str:
        """The URL the sandbox listens on, e.g. http://127.0.0.1:PORT."""
        if self._base_url is None:
            raise RuntimeError("the sandbox is not running")
        return self._base_url

    @property
    def public_url(self) -> str:
        """The prefix of result and upload URLs (public_url option, else base_url)."""
        return self._require_state().public_url

    @property
    def data_dir(self) -> Path:
        """The folder holding uploads and renders."""
        if self._data_dir is None:
            raise RuntimeError("the sandbox is not running")
        return self._data_dir.path

    @property
    def stats(self) -> Stats:
        """A snapshot of the request counters."""
        return self._require_state().snapshot()

    def start(self) -> Sandbox:
        """Start serving in a background thread; return once it listens (or raise why not)."""
        if self._thread is not None:
            raise RuntimeError("the sandbox is already running")
        self._data_dir = _DataDir(self._data_dir_option)
        self._ready.clear()
        self._startup_error = None
        self._thread = threading.Thread(target=self._run, name="runninghub-sandbox", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._startup_error is not None:
            error = self._startup_error
            self._thread.join()
            self._thread = None
            self._data_dir.cleanup()
            raise RuntimeError(f"the sandbox did not start: {error}") from error
        return self

    def stop(self) -> None:
        """Stop serving, kill renders in flight and remove a temporary data_dir."""
        if self._thread is None:
            return
        loop, stop_event = self._loop, self._stop_event
        if loop is not None and stop_event is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stop_event.set)
        self._thread.join()
        self._thread = None
        self._state = None
        self._base_url = None
        if self._data_dir is not None:
            self._data_dir.cleanup()

    def __enter__(self) -> Sandbox:
        """Start the sandbox."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the sandbox."""
        self.stop()

    def _require_state(self) -> SandboxState:
        """The running sandbox's state, or RuntimeError."""
        if self._state is None:
            raise RuntimeError("the sandbox is not running")
        return self._state

    def _run(self) -> None:
        """Thread body: run the server until stop() is called."""
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to start() if it happens before ready
            if not self._ready.is_set():
                self._startup_error = exc
            else:
                log.exception("sandbox thread crashed")
        finally:
            self._ready.set()

    async def _main(self) -> None:
        """Serve until the stop event is set."""
        self._loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        assert self._data_dir is not None
        async with running_site(
            self.host,
            self.port,
            self.speed,
            self._data_dir.path,
            self.public_url_option,
            self.limits,
            self.spec_path,
            allow_remote=self.allow_remote,
        ) as (base_url, state):
            self._base_url, self._state = base_url, state
            self._ready.set()
            await self._stop_event.wait()


def serve(
    host: str = "127.0.0.1",
    port: int = 4011,
    speed: float = 1.0,
    data_dir: str | Path | None = None,
    public_url: str | None = None,
    announce: Callable[[str], None] | None = None,
    *,
    limits: Limits | None = None,
    spec_path: str | Path | None = None,
    allow_remote: bool = False,
) -> None:
    """Run the sandbox in the foreground until Ctrl-C or SIGTERM; announce(base_url) once up."""
    check_speed(speed)
    check_port(port)
    warning = check_host(host, allow_remote)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    folder = _DataDir(data_dir)
    try:
        asyncio.run(
            _serve_forever(
                host,
                port,
                speed,
                folder.path,
                public_url,
                announce,
                limits,
                spec_path,
                allow_remote=allow_remote,
            )
        )
    except KeyboardInterrupt:
        pass
    finally:
        folder.cleanup()
        log.info("sandbox stopped")


async def _serve_forever(
    host: str,
    port: int,
    speed: float,
    data_dir: Path,
    public_url: str | None,
    announce: Callable[[str], None] | None,
    limits: Limits | None = None,
    spec_path: str | Path | None = None,
    *,
    allow_remote: bool = False,
) -> None:
    """Serve until SIGTERM or cancellation (Ctrl-C)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    if threading.current_thread() is threading.main_thread():
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signal.SIGTERM, stop.set)
    site = running_site(
        host, port, speed, data_dir, public_url, limits, spec_path, allow_remote=allow_remote
    )
    async with site as (base_url, _):
        (announce or _print_banner)(base_url)
        await stop.wait()


def _print_banner(base_url: str) -> None:
    """Tell a human where the sandbox listens."""
    print(f"RunningHub sandbox on {base_url} (Ctrl-C stops)", file=sys.stderr, flush=True)
