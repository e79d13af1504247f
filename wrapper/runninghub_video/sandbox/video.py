"""MP4 rendering with imageio-ffmpeg's ffmpeg: a slow zoom over the image, cached per input."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from runninghub_video.sandbox.tasks import RenderProgress

log = logging.getLogger("runninghub_video.sandbox")

FPS: Final = 12
ZOOM: Final = 0.12  # how much the picture grows over the whole video
RENDER_TIMEOUT: Final = 120.0
STDERR_TAIL: Final = 2000
SIZES: Final[dict[tuple[str, str], tuple[int, int]]] = {
    ("720p", "16:9"): (1280, 720),
    ("720p", "9:16"): (720, 1280),
    ("1080p", "16:9"): (1920, 1080),
    ("1080p", "9:16"): (1080, 1920),
}
PLACEHOLDER_ID: Final = "placeholder"
# The card used when imageUrl is not an upload of this sandbox (there is no internet to fetch it).
_PLACEHOLDER_SOURCE: Final = (
    "gradients=s=1920x1080:c0=0x1e3c72:c1=0x2a9d8f:c2=0xe9c46a:nb_colors=3"
    ":x0=0:y0=0:x1=1920:y1=1080:speed=0"
)


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary shipped with imageio-ffmpeg."""
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


@dataclass(frozen=True)
class VideoSpec:
    """What to render: length in seconds, aspect ratio and resolution as the API names them."""

    duration: int
    aspect_ratio: str
    resolution: str

    @property
    def size(self) -> tuple[int, int]:
        """Width and height in pixels."""
        return SIZES[(self.resolution, self.aspect_ratio)]

    @property
    def slug(self) -> str:
        """A file-name-safe label, e.g. 4s-16x9-720p."""
        return f"{self.duration}s-{self.aspect_ratio.replace(':', 'x')}-{self.resolution}"


def zoom_argv(ffmpeg: str, image: Path, spec: VideoSpec, output: Path, fps: int = FPS) -> list[str]:
    """ffmpeg argv: image -> H.264/yuv420p MP4 (+faststart) of spec, slowly zooming in."""
    width, height = spec.size
    frames = spec.duration * fps
    vf = ",".join(
        [
            f"scale={width}:{height}:force_original_aspect_ratio=increase",
            f"crop={width}:{height}",
            f"zoompan=z='1+{ZOOM}*on/{frames}':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)'"
            f":d=1:s={width}x{height}:fps={fps}",
            "setsar=1",
            "scale=out_range=tv",  # JPEG input is full range; players expect limited yuv420p
            "format=yuv420p",
        ]
    )
    return [
        ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-loop", "1", "-framerate", str(fps), "-i", str(image),
        "-vf", vf, "-frames:v", str(frames), "-r", str(fps),
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-movflags", "+faststart", "-f", "mp4", str(output),
    ]  # fmt: skip


def still_argv(ffmpeg: str, image: Path, output: Path) -> list[str]:
    """ffmpeg argv decoding one frame of image into a clean PNG (fails fast on broken input)."""
    return [
        ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-i", str(image), "-frames:v", "1", "-c:v", "png", "-f", "image2", str(output),
    ]  # fmt: skip


def placeholder_argv(ffmpeg: str, output: Path) -> list[str]:
    """ffmpeg argv for the placeholder card (a PNG gradient)."""
    return [
        ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "lavfi", "-i", _PLACEHOLDER_SOURCE, "-frames:v", "1", "-c:v", "png", "-f", "image2",
        str(output),
    ]  # fmt: skip


@dataclass
class RenderJob:
    """One cached video: where it goes, and when it became ready (or why it failed)."""

    key: str
    path: Path
    ready_at: float | None = None
    error: str | None = None

    @property
    def progress(self) -> RenderProgress:
        """The job as tasks.task_state reads it."""
        return RenderProgress(self.ready_at, self.error)


class Renderer:
    """Renders each distinct (image, duration, aspect, resolution) once, off the event loop.

    ffmpeg runs as a subprocess awaited with asyncio, at most max_parallel at a time; jobs are
    cached by key, and files already in folder (from an earlier run) are reused.
    """

    def __init__(
        self,
        folder: Path,
        clock: Callable[[], float] = time.monotonic,
        ffmpeg: str | None = None,
        max_parallel: int = 1,
    ) -> None:
        """Cache renders in folder, timestamping readiness with clock."""
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self.ffmpeg = ffmpeg or ffmpeg_exe()
        self.renders = 0
        self._jobs: dict[str, RenderJob] = {}
        self._running: dict[str, asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(max_parallel)
        self._placeholder_lock = asyncio.Lock()

    def job(self, key: str) -> RenderJob | None:
        """The job with key, or None."""
        return self._jobs.get(key)

    def render(self, image_id: str, image: Path | None, spec: VideoSpec) -> RenderJob:
        """The job for this input, starting a render if none exists (image None = placeholder)."""
        key = f"{image_id}-{spec.slug}"
        job = self._jobs.get(key)
        if job is not None:
            return job
        job = RenderJob(key, self.folder / f"{key}.mp4")
        self._jobs[key] = job
        if job.path.is_file():
            job.ready_at = self.clock()
        else:
            self._running[key] = asyncio.get_running_loop().create_task(
                self._render(job, image, spec), name=f"render {key}"
            )
        return job

    async def wait(self, job: RenderJob) -> None:
        """Return once job is ready or failed."""
        running = self._running.get(job.key)
        if running is not None:
            await asyncio.shield(running)

    async def close(self) -> None:
        """Stop renders in flight (their ffmpeg processes are killed)."""
        for running in list(self._running.values()):
            running.cancel()
        for running in list(self._running.values()):
            with contextlib.suppress(asyncio.CancelledError):
                await running

    async def _render(self, job: RenderJob, image: Path | None, spec: VideoSpec) -> None:
        """Run ffmpeg for job, recording ready_at or error."""
        started = time.monotonic()
        try:
            async with self._slots:
                self.renders += 1
                if image is None:
                    still = await self._placeholder()
                else:
                    # Decoding one frame first turns odd inputs (trailing bytes, truncated files)
                    # into a clean PNG or a quick error, instead of ffmpeg looping over bad data.
                    still = job.path.with_suffix(".still.png")
                    await self._run(still_argv(self.ffmpeg, image, still))
                part = job.path.with_suffix(".part")
                try:
                    await self._run(zoom_argv(self.ffmpeg, still, spec, part))
                finally:
                    if image is not None:
                        still.unlink(missing_ok=True)
                part.replace(job.path)
        except asyncio.CancelledError:
            job.error = "render cancelled"
            raise
        except (OSError, RuntimeError, TimeoutError) as exc:
            job.error = f"video rendering failed: {exc or type(exc).__name__}"
            log.error("render %s failed: %s", job.key, job.error)
        else:
            job.ready_at = self.clock()
            log.info("rendered %s in %.2f s", job.key, time.monotonic() - started)
        finally:
            self._running.pop(job.key, None)

    async def _placeholder(self) -> Path:
        """The placeholder card, created on first use."""
        path = self.folder / f"{PLACEHOLDER_ID}.png"
        async with self._placeholder_lock:
            if not path.is_file():
                part = path.with_suffix(".part")
                await self._run(placeholder_argv(self.ffmpeg, part))
                part.replace(path)
        return path

    async def _run(self, argv: list[str]) -> None:
        """Run argv, raising RuntimeError with ffmpeg's stderr if it fails; kill it if cancelled."""
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        tail = bytearray()

        async def drain_stderr() -> None:
            """Keep only the end of ffmpeg's stderr (it can be huge on broken input)."""
            assert proc.stderr is not None
            while chunk := await proc.stderr.read(65536):
                tail.extend(chunk)
                del tail[:-STDERR_TAIL]

        drain = asyncio.ensure_future(drain_stderr())
        try:
            await asyncio.wait_for(proc.wait(), RENDER_TIMEOUT)
            await drain
        except BaseException:
            drain.cancel()
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
            with contextlib.suppress(asyncio.CancelledError):
                await drain
            raise
        if proc.returncode != 0:
            message = tail.decode(errors="replace").strip().splitlines()[-3:]
            raise RuntimeError(f"ffmpeg exited with {proc.returncode}: {' | '.join(message)}")
