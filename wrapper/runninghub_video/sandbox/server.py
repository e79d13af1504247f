"""Running the sandbox: in a background thread (Sandbox, tests) or blocking (serve, the CLI)."""

from __future__ import annotations

import asyncio
import contextlib
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

from aiohttp import web

from runninghub_video.sandbox.app import SandboxState, create_app
from runninghub_video.sandbox.stats import Stats
from runninghub_video.sandbox.tasks import TaskStore, Timing
from runninghub_video.sandbox.uploads import UploadStore
from runninghub_video.sandbox.video import Renderer

log = logging.getLogger("runninghub_video.sandbox")


@contextlib.asynccontextmanager
async def running_site(
    host: str, port: int, speed: float, data_dir: Path, public_url: str | None
) -> AsyncIterator[tuple[str, SandboxState]]:
    """Serve the sandbox on host:port inside the current event loop; yield (base URL, state)."""
    clock = time.monotonic
    renderer = Renderer(data_dir / "renders", clock)
    state = SandboxState(
        public_url="",
        speed=speed,
        tasks=TaskStore(Timing.at_speed(speed), clock),
        uploads=UploadStore(data_dir / "uploads"),
        renderer=renderer,
        stats=Stats(),
    )
    runner = web.AppRunner(
        create_app(state), access_log=None, handle_signals=False, shutdown_timeout=1.0
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_port = runner.addresses[0][1]
        url_host = f"[{host}]" if ":" in host else host
        base_url = f"http://{url_host}:{bound_port}"
        state.public_url = (public_url or base_url).rstrip("/")
        log.info("sandbox listening on %s (speed x%g, data in %s)", base_url, speed, data_dir)
        yield base_url, state
    finally:
        await renderer.close()
        await runner.cleanup()


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
    ) -> None:
        """Configure (not start) a sandbox; public_url (default base_url) prefixes file URLs."""
        Timing.at_speed(speed)  # validates speed
        self.host = host
        self.port = port
        self.speed = speed
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
            self.host, self.port, self.speed, self._data_dir.path, self.public_url_option
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
) -> None:
    """Run the sandbox in the foreground until Ctrl-C or SIGTERM; announce(base_url) once up."""
    Timing.at_speed(speed)  # validates speed
    folder = _DataDir(data_dir)
    try:
        asyncio.run(_serve_forever(host, port, speed, folder.path, public_url, announce))
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
) -> None:
    """Serve until SIGTERM or cancellation (Ctrl-C)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    if threading.current_thread() is threading.main_thread():
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with running_site(host, port, speed, data_dir, public_url) as (base_url, _):
        (announce or _print_banner)(base_url)
        await stop.wait()


def _print_banner(base_url: str) -> None:
    """Tell a human where the sandbox listens."""
    print(f"RunningHub sandbox on {base_url} (Ctrl-C stops)", file=sys.stderr, flush=True)
