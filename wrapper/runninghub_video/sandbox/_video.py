"""MP4 rendering with imageio-ffmpeg's ffmpeg: a slow zoom over the image, cached per input."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
import re
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from runninghub_video._error_codes import FILE_PROCESSING_FAILED, GENERATION_FAILED
from runninghub_video.sandbox._limits import Limits
from runninghub_video.sandbox._media import image_size
from runninghub_video.sandbox._tasks import DIMENSIONS, RenderProgress

log = logging.getLogger("runninghub_video.sandbox")

FPS: Final = 12
ZOOM: Final = 0.12  # how much the picture grows over the whole video
STDERR_TAIL: Final = 2000
# Fallbacks for values the sandbox has no rule for (documented in docs/sandbox.md).
DEFAULT_SHORT_SIDE: Final = 720
DEFAULT_RATIO: Final = (16, 9)
#: What a body that does not give a resolution or an aspect ratio is rendered as (and labelled),
#: unless its endpoint's schema has a default.
FALLBACK_LABELS: Final = {
    "resolution": f"{DEFAULT_SHORT_SIDE}p",
    "aspectRatio": f"{DEFAULT_RATIO[0]}:{DEFAULT_RATIO[1]}",
}
PLACEHOLDER_ID: Final = "placeholder"
# The card used when imageUrl is not an upload of this sandbox (there is no internet to fetch it).
# The seed is fixed: without it ffmpeg picks a random gradient angle, and some angles leave the
# centre (all a 9:16 crop keeps) one flat colour.
_PLACEHOLDER_SOURCE: Final = (
    "gradients=s=1920x1080:c0=0x1e3c72:c1=0x2a9d8f:c2=0xe9c46a:nb_colors=3"
    ":x0=0:y0=0:x1=1920:y1=1080:speed=0:seed=3"
)


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary shipped with imageio-ffmpeg."""
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


@dataclass(frozen=True)
class VideoSpec:
    """What to render: length in seconds, aspect ratio and resolution as the API names them,
    or explicit dimensions ("1280x720", from a size field) where the request has them.

    The size is derived, never looked up: "<W>x<H>" is that size (scaled to at most
    max_short_side on the short side), "<N>p" N pixels on the short side (at most
    max_short_side), "W:H" the ratio; anything else falls back to 720 and 16:9, keeping its label.
    """

    duration: int
    aspect_ratio: str
    resolution: str
    max_short_side: int = 1080
    dimensions: str | None = None

    @property
    def size(self) -> tuple[int, int]:
        """Width and height in pixels (even numbers, as H.264 with yuv420p needs)."""
        explicit = _explicit_size(
            (self.dimensions, self.resolution, self.aspect_ratio), self.max_short_side
        )
        if explicit is not None:
            return explicit
        match = re.fullmatch(r"(\d{2,5})[pP]", self.resolution)
        short = int(match.group(1)) if match else DEFAULT_SHORT_SIDE
        short = max(16, min(short, self.max_short_side))
        ratio = re.fullmatch(r"(\d{1,3}):(\d{1,3})", self.aspect_ratio)
        w, h = (int(ratio.group(1)), int(ratio.group(2))) if ratio else DEFAULT_RATIO
        if not (w and h and 1 / 4 <= w / h <= 4):
            w, h = DEFAULT_RATIO
        long = round(short * max(w, h) / min(w, h))
        width, height = (long, short) if w >= h else (short, long)
        return width // 2 * 2, height // 2 * 2

    @property
    def label(self) -> str:
        """What was asked for, as the API names it (written into the MP4's title)."""
        if self.dimensions:
            return f"{self.duration}s {self.dimensions}"
        return f"{self.duration}s {self.aspect_ratio} {self.resolution}"

    @property
    def slug(self) -> str:
        """A file-name-safe label, e.g. 4s-16x9-720p (or 8s-1280x720)."""
        if self.dimensions:
            raw = f"{self.duration}s-{self.dimensions}"
        else:
            raw = f"{self.duration}s-{self.aspect_ratio.replace(':', 'x')}-{self.resolution}"
        return re.sub(r"[^A-Za-z0-9._-]", "_", raw)


def _explicit_size(values: tuple[str | None, ...], max_short_side: int) -> tuple[int, int] | None:
    """The first "<W>x<H>" of values with a sane ratio, its short side kept within 16 and
    max_short_side (even numbers); None if there is none."""
    for value in values:
        match = DIMENSIONS.fullmatch(value) if value else None
        if match is None:
            continue
        w, h = int(match.group(1)), int(match.group(2))
        if not (w and h and 1 / 4 <= w / h <= 4):
            continue
        scale = max(16, min(min(w, h), max_short_side)) / min(w, h)
        return round(w * scale) // 2 * 2, round(h * scale) // 2 * 2
    return None


def card_id(endpoint: str) -> str:
    """A file-name-safe id of endpoint's title card: its last path segment and a short hash."""
    segment = re.sub(r"[^A-Za-z0-9._-]", "_", endpoint.rstrip("/").rpartition("/")[2])[:40]
    return f"card-{segment}-{hashlib.sha256(endpoint.encode()).hexdigest()[:8]}"


def card_colour(endpoint: str) -> str:
    """A dark colour of endpoint's own (0xRRGGBB), so two endpoints' cards differ."""
    digest = hashlib.sha256(endpoint.encode()).digest()
    return "0x" + "".join(f"{32 + b % 96:02x}" for b in digest[:3])


def zoom_argv(
    ffmpeg: str, image: Path, spec: VideoSpec, output: Path, fps: int = FPS, title: str = ""
) -> list[str]:
    """ffmpeg argv: image -> H.264/yuv420p MP4 (+faststart) of spec, slowly zooming in; the
    MP4's title says what was asked (after title, e.g. the endpoint of a title card)."""
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
        "-metadata", f"title=runninghub-video sandbox: {title}{spec.label}",
        "-movflags", "+faststart", "-f", "mp4", str(output),
    ]  # fmt: skip


def still_argv(ffmpeg: str, image: Path, output: Path, max_pixels: int = 40_000_000) -> list[str]:
    """ffmpeg argv decoding one frame of image into a clean PNG (fails fast on broken input;
    the decoder refuses frames over max_pixels, for formats whose header we do not read)."""
    return [
        ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-max_pixels", str(max_pixels), "-i", str(image),
        "-frames:v", "1", "-c:v", "png", "-f", "image2", str(output),
    ]  # fmt: skip


def placeholder_argv(ffmpeg: str, output: Path, source: str = _PLACEHOLDER_SOURCE) -> list[str]:
    """ffmpeg argv for the placeholder card (a PNG gradient), or a card of another lavfi
    source."""
    return [
        ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "lavfi", "-i", source, "-frames:v", "1", "-c:v", "png", "-f", "image2",
        str(output),
    ]  # fmt: skip


def card_source(endpoint: str) -> str:
    """The lavfi source of endpoint's title card: a plain card in its own colour (no text, so
    no font is needed; the MP4's title names the endpoint)."""
    return f"color=c={card_colour(endpoint)}:s=320x180"


@dataclass
class RenderJob:
    """One cached video: where it goes, and when it became ready (or why it failed)."""

    key: str
    path: Path
    ready_at: float | None = None
    error: str | None = None
    error_code: str = GENERATION_FAILED
    last_used: float = 0.0

    @property
    def progress(self) -> RenderProgress:
        """The job as tasks.task_state reads it."""
        return RenderProgress(self.ready_at, self.error, self.error_code)


class RenderRefused(Exception):
    """An input the sandbox will not render (too many pixels): the task fails with errorCode."""

    def __init__(self, code: str, reason: str) -> None:
        """code: the errorCode; reason: the failedReason text."""
        super().__init__(reason)
        self.code = code


class RenderQueueFull(Exception):
    """max_queued_renders renders are waiting or running: a new one is refused, not queued."""


class Renderer:
    """Renders each distinct (image, duration, aspect, resolution) once, off the event loop.

    ffmpeg runs as a subprocess awaited with asyncio, at most max_parallel at a time, each run
    bounded in wall time (render_timeout) and memory (RLIMIT_AS); jobs are cached by key, and
    files already in folder (from an earlier run) are reused. Images are checked for their
    pixel count from the header before any decoding.
    """

    def __init__(
        self,
        folder: Path,
        clock: Callable[[], float] = time.monotonic,
        ffmpeg: str | None = None,
        max_parallel: int = 1,
        limits: Limits | None = None,
    ) -> None:
        """Cache renders in folder, timestamping readiness with clock."""
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self.ffmpeg = ffmpeg or ffmpeg_exe()
        self.limits = limits or Limits()
        self.renders = 0
        self.refused = 0
        self.evicted = 0
        # Videos of an earlier run in the same folder are reused, and count towards the TTL and
        # the disk cap; unfinished files of a killed run are removed.
        now = clock()
        self._jobs: dict[str, RenderJob] = {
            path.stem: RenderJob(path.stem, path, ready_at=now, last_used=now)
            for path in folder.glob("*.mp4")
        }
        for stale in folder.glob("*.part"):
            stale.unlink(missing_ok=True)
        self._running: dict[str, asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(max_parallel)
        self._card_lock = asyncio.Lock()

    def job(self, key: str) -> RenderJob | None:
        """The job with key, or None (marking it used)."""
        job = self._jobs.get(key)
        if job is not None:
            job.last_used = self.clock()
        return job

    def render(
        self, image_id: str, image: Path | None, spec: VideoSpec, card: str | None = None
    ) -> RenderJob:
        """The job for this input, starting a render if none exists or the last one failed
        (image None = placeholder, or with card = an endpoint path, that endpoint's title card);
        RenderQueueFull if max_queued_renders are pending."""
        if image is None and card is not None:
            image_id = card_id(card)
        key = f"{image_id}-{spec.slug}"
        job = self.job(key)
        if job is not None and job.error is None:
            return job  # a failed render is not cached: the cause (a full disk) may be gone
        job = RenderJob(key, self.folder / f"{key}.mp4", last_used=self.clock())
        if job.path.is_file():
            job.ready_at = self.clock()
        else:
            if len(self._running) >= self.limits.max_queued_renders:
                raise RenderQueueFull(f"{len(self._running)} renders already queued")
            self._running[key] = asyncio.get_running_loop().create_task(
                self._render(job, image, spec, card), name=f"render {key}"
            )
        self._jobs[key] = job
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

    def files(self) -> list[tuple[float, int, RenderJob]]:
        """(last used, bytes, job) of every finished render on disk."""
        found = []
        for job in self._jobs.values():
            if job.key in self._running:
                continue
            with contextlib.suppress(OSError):
                found.append((job.last_used, job.path.stat().st_size, job))
        return found

    def forget(self, job: RenderJob) -> None:
        """Drop job and delete its file (expired or evicted); a later request renders again."""
        if job.key in self._running:
            return
        self._jobs.pop(job.key, None)
        job.path.unlink(missing_ok=True)
        self.evicted += 1

    def expire(self, cutoff: float, keep: set[str]) -> None:
        """Forget jobs last used before cutoff, except those in keep (tasks still need them)."""
        for job in list(self._jobs.values()):
            if job.last_used < cutoff and job.key not in keep:
                self.forget(job)

    def check_pixels(self, image: Path) -> None:
        """Raise RenderRefused (errorCode 1013) if image's header declares too many pixels."""
        size = image_size(image)
        if size is None:
            return  # not a format we read: ffmpeg's -max_pixels and the memory limit apply
        width, height = size
        if width * height > self.limits.max_pixels or width <= 0 or height <= 0:
            raise RenderRefused(
                FILE_PROCESSING_FAILED,
                f"image is {width}x{height} = {width * height} pixels; the sandbox renders "
                f"images of at most {self.limits.max_pixels} pixels",
            )

    async def _render(
        self, job: RenderJob, image: Path | None, spec: VideoSpec, card: str | None = None
    ) -> None:
        """Run ffmpeg for job, recording ready_at or error."""
        started = time.monotonic()
        try:
            if image is not None:
                self.check_pixels(image)
            async with self._slots:
                self.renders += 1
                title = ""
                if image is None and card is not None:
                    still = await self._card(card_id(card), card_source(card))
                    title = f"{card}, "
                elif image is None:
                    still = await self._card(PLACEHOLDER_ID, _PLACEHOLDER_SOURCE)
                else:
                    # Decoding one frame first turns odd inputs (trailing bytes, truncated files)
                    # into a clean PNG or a quick error, instead of ffmpeg looping over bad data.
                    still = job.path.with_suffix(".still.png")
                    await self._run(still_argv(self.ffmpeg, image, still, self.limits.max_pixels))
                part = job.path.with_suffix(".part")
                try:
                    await self._run(zoom_argv(self.ffmpeg, still, spec, part, title=title))
                    part.replace(job.path)
                finally:
                    part.unlink(missing_ok=True)  # a failed render leaves no partial file
                    if image is not None:
                        still.unlink(missing_ok=True)
        except asyncio.CancelledError:
            job.error = "render cancelled"
            raise
        except RenderRefused as exc:
            self.refused += 1
            job.error, job.error_code = str(exc), exc.code
            log.warning("render %s refused: %s", job.key, job.error)
        except TimeoutError:
            job.error = f"video rendering took longer than {self.limits.render_timeout:g} s"
            log.error("render %s failed: %s", job.key, job.error)
        except (OSError, RuntimeError) as exc:
            job.error = f"video rendering failed: {exc or type(exc).__name__}"
            log.error("render %s failed: %s", job.key, job.error)
        else:
            job.ready_at = self.clock()
            log.info("rendered %s in %.2f s", job.key, time.monotonic() - started)
        finally:
            self._running.pop(job.key, None)

    async def _card(self, name: str, source: str) -> Path:
        """The card name (the placeholder, or an endpoint's title card) of lavfi source,
        created on first use."""
        path = self.folder / f"{name}.png"
        async with self._card_lock:
            if not path.is_file():
                part = path.with_suffix(".part")
                try:
                    await self._run(placeholder_argv(self.ffmpeg, part, source))
                    part.replace(path)
                finally:
                    part.unlink(missing_ok=True)
        return path

    async def _run(self, argv: list[str]) -> None:
        """Run argv within the render budget, raising RuntimeError with ffmpeg's stderr if it
        fails (or is killed for memory) and TimeoutError past render_timeout; kill it if
        cancelled."""
        memory = self.limits.render_memory_bytes
        cpu = math.ceil(self.limits.render_timeout) + 1

        def budget() -> None:  # runs in the child between fork and exec
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))

        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            preexec_fn=budget,
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
            await asyncio.wait_for(proc.wait(), self.limits.render_timeout)
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
            message = " | ".join(tail.decode(errors="replace").strip().splitlines()[-3:])
            if proc.returncode is not None and proc.returncode < 0:
                message = f"killed by signal {-proc.returncode} (render budget: "
                message += f"{memory // 2**20} MB, {cpu} s CPU) {message}".rstrip()
            raise RuntimeError(f"ffmpeg exited with {proc.returncode}: {message or 'no output'}")
