"""Task store and lifecycle: CREATE -> QUEUED -> RUNNING -> final status, computed from elapsed
time (CREATE, the vendor's first status [KIT], is the first CREATE_SHARE of the queued time).

Pure (no I/O, no event loop): the clock and the random source are injectable, so the timing
rules are testable without sleeping.
"""

from __future__ import annotations

import hashlib
import random
import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Final, Literal

from runninghub_video._error_codes import GENERATION_FAILED
from runninghub_video._image_fields import is_image_field
from runninghub_video.sandbox._errors import message_for
from runninghub_video.sandbox._faults import FaultPlan

Status = Literal["CREATE", "QUEUED", "RUNNING", "SUCCESS", "FAILED", "CANCEL"]

# Seconds at speed 1; Timing.at_speed divides them.
QUEUED_SECONDS: Final = 1.0
RUNNING_SECONDS: Final = 4.0
CREATE_SHARE: Final = 0.25
"""The part of the queued time a task answers CREATE: a submit answers CREATE, as the vendor's
kit says a task starts, and a first query soon after sees QUEUED."""


@dataclass(frozen=True)
class Timing:
    """How long a task stays QUEUED and then RUNNING (at least; rendering may extend RUNNING)."""

    queued: float = QUEUED_SECONDS
    running: float = RUNNING_SECONDS

    @classmethod
    def at_speed(cls, speed: float) -> Timing:
        """The default schedule run speed times faster."""
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        return cls(QUEUED_SECONDS / speed, RUNNING_SECONDS / speed)


DEFAULT_SECONDS: Final = 4  # a duration the sandbox cannot read as seconds renders this long
# (resolution and aspect ratio not given fall back to the endpoint's: Operation.fallback)
DIMENSIONS: Final = re.compile(r"\s*(\d{1,5})\s*[xX*\u00d7]\s*(\d{1,5})\s*")  # "1280x720": W x H


@dataclass(frozen=True)
class VideoRequest:
    """What a validated submit body asks for, read by name, never checked against a list.

    The spec decides what is valid; this only reads what the sandbox needs to render and price.
    A value it has no rule for keeps its label and falls back (see _video.VideoSpec).
    """

    prompt: str
    resolution: str = ""
    aspect_ratio: str = ""
    image_url: str | None = None
    duration: int = DEFAULT_SECONDS
    webhook_url: str | None = None
    size: str | None = None  # a field named size ("1280x720"), as asked

    @property
    def dimensions(self) -> str | None:
        """The first "<W>x<H>" value among size, resolution and aspectRatio (None if none)."""
        values = (self.size, self.resolution, self.aspect_ratio)
        return next((v for v in values if v and DIMENSIONS.fullmatch(v)), None)

    @classmethod
    def from_body(
        cls, body: dict[str, object], max_prompt_chars: int, fallback: Callable[[str], str]
    ) -> VideoRequest:
        """Read a (spec-validated) task body; the prompt is kept up to max_prompt_chars, the
        image is the first image field's (runninghub_video._image_fields, as the library), a
        resolution or aspect ratio not given is fallback(its JSON name)."""
        prompt = body.get("prompt")
        image = _first_image(body)
        webhook = body.get("webhookUrl")
        return cls(
            prompt=prompt[:max_prompt_chars] if isinstance(prompt, str) else "",
            resolution=_text(body.get("resolution"), fallback("resolution")),
            aspect_ratio=_text(body.get("aspectRatio"), fallback("aspectRatio")),
            image_url=image,
            duration=_seconds(body.get("duration")),
            webhook_url=webhook if isinstance(webhook, str) else None,
            size=_text(body.get("size"), "") or None,
        )


def _first_image(body: dict[str, object]) -> str | None:
    """The image the video starts from: imageUrl, else the first image field's URL (the
    library's rule: runninghub_video._image_fields; the first URL of a list of them)."""
    first = body.get("imageUrl")
    if isinstance(first, str):
        return first
    for key, value in body.items():
        if is_image_field(key):
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str):
                    return item
    return None


def _text(value: object, default: str) -> str:
    """value as a short label (str or number), else default."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)[:40] or default
    return default


def _seconds(value: object) -> int:
    """A duration as whole seconds ('16', 16, '16s'), else DEFAULT_SECONDS."""
    match = (
        re.fullmatch(r"\s*(\d{1,5})(?:\.0*)?\s*s?\s*", str(value)) if value is not None else None
    )
    seconds = int(match.group(1)) if match else 0
    return seconds if seconds > 0 else DEFAULT_SECONDS


@dataclass(frozen=True)
class RenderProgress:
    """Where the task's video stands: ready (at a clock time), failed, or still rendering."""

    ready_at: float | None = None
    error: str | None = None
    error_code: str = GENERATION_FAILED


@dataclass
class Task:
    """One submitted task and its schedule (clock times)."""

    task_id: str
    request: VideoRequest
    plan: FaultPlan
    client_id: str
    created_at: float
    queued_until: float
    running_until: float
    render_key: str | None = None
    failed_queries: int = 0
    render_outcome: RenderProgress | None = None  # kept once final: the render may be evicted
    last_used: float = 0.0
    cancelled_at: float | None = None  # the cancel call's time: CANCEL from then on
    slot_wait: float = 0.0  # how long it stays QUEUED for a slot of the key's limit
    cost: str = ""  # its price (consumeMoney once it succeeds), fixed at submit


@dataclass(frozen=True)
class TaskState:
    """A task's status at one moment, with its error fields (empty strings when fine)."""

    status: Status
    finished_at: float | None = None
    error_code: str = ""
    error_message: str = ""
    failure_detail: str = ""

    @property
    def is_final(self) -> bool:
        """Whether the status will not change any more (SUCCESS, FAILED, CANCEL: they end it)."""
        return self.finished_at is not None


def task_state(task: Task, now: float, render: RenderProgress) -> TaskState:
    """The status of task at clock time now, given how its render is doing.

    SUCCESS needs both the schedule to have run out and the video to exist: a slow render
    keeps the task RUNNING. A failed render ends the task FAILED with errorCode 1015.
    """
    if task.cancelled_at is not None and now >= task.cancelled_at:
        return TaskState("CANCEL", finished_at=task.cancelled_at)
    if (
        now
        < task.created_at + (task.queued_until - task.created_at - task.slot_wait) * CREATE_SHARE
    ):
        return TaskState("CREATE")
    if now < task.queued_until:
        return TaskState("QUEUED")
    if now < task.running_until:
        return TaskState("RUNNING")
    plan = task.plan
    if plan.cancel:
        return TaskState("CANCEL", finished_at=task.running_until)
    if plan.fail_code is not None:
        code = plan.fail_code
        return TaskState("FAILED", task.running_until, code, message_for(code), message_for(code))
    if render.error is not None:
        code = render.error_code
        return TaskState("FAILED", task.running_until, code, message_for(code), render.error)
    if render.ready_at is None or now < render.ready_at:
        return TaskState("RUNNING")
    return TaskState("SUCCESS", finished_at=max(task.running_until, render.ready_at))


def new_task_id(rng: random.Random) -> str:
    """A 19-digit numeric id like the vendor's (e.g. 2013508786110730241)."""
    return str(rng.randrange(10**18, 10**19))


@dataclass
class TaskStore:
    """Every task of one sandbox run, plus the per-prompt counters of the 429 marker."""

    timing: Timing = field(default_factory=Timing)
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=secrets.SystemRandom)
    ttl: float = 24 * 3600.0
    max_tasks: int = 100_000
    _tasks: dict[str, Task] = field(default_factory=dict)  # oldest first
    _rate_limited: dict[str, tuple[int, float]] = field(default_factory=dict)
    expired: int = 0

    def now(self) -> float:
        """The store's clock."""
        return self.clock()

    def create(
        self, request: VideoRequest, plan: FaultPlan, render_key: str | None, limit: int = 0
    ) -> Task:
        """Register a new task starting now ([sandbox:instant] tasks have no waiting time).
        With a key `limit`, it runs only once fewer than `limit` earlier tasks are unfinished
        (first in, first out): until then it stays QUEUED."""
        task_id = new_task_id(self.rng)
        while task_id in self._tasks:
            task_id = new_task_id(self.rng)
        now = self.now()
        queued, running = (0.0, 0.0) if plan.instant else (self.timing.queued, self.timing.running)
        wait = self._slot_wait(now + queued, limit) if limit and not plan.instant else 0.0
        queued += wait
        task = Task(
            task_id=task_id,
            request=request,
            plan=plan,
            client_id=f"{self.rng.getrandbits(128):032x}",
            created_at=now,
            queued_until=now + queued,
            running_until=now + queued + running,
            render_key=render_key,
            last_used=now,
            slot_wait=wait,
        )
        self._tasks[task_id] = task
        while len(self._tasks) > self.max_tasks:
            del self._tasks[next(iter(self._tasks))]
            self.expired += 1
        return task

    def _slot_wait(self, start: float, limit: int) -> float:
        """How long past `start` a new task waits for one of `limit` slots: until the earlier
        unfinished tasks (not cancelled, ending after `start`) are fewer than `limit`."""
        ends = sorted(
            t.running_until
            for t in self._tasks.values()
            if t.cancelled_at is None and t.running_until > start
        )
        return 0.0 if len(ends) < limit else ends[len(ends) - limit] - start

    def waiting(self, now: float) -> int:
        """How many tasks wait for a slot at `now` (not cancelled, not started)."""
        return sum(
            1 for t in self._tasks.values() if t.cancelled_at is None and now < t.queued_until
        )

    def get(self, task_id: str) -> Task | None:
        """The task with this id, or None."""
        task = self._tasks.get(task_id)
        if task is not None:
            task.last_used = self.now()
        return task

    def expire(self) -> None:
        """Forget tasks created more than ttl ago (and old 429-marker counters)."""
        cutoff = self.now() - self.ttl
        while self._tasks:
            oldest = next(iter(self._tasks.values()))
            if oldest.created_at >= cutoff:
                break
            del self._tasks[oldest.task_id]
            self.expired += 1
        for prompt, (_, since) in list(self._rate_limited.items()):
            if since < cutoff:
                del self._rate_limited[prompt]

    def render_keys(self) -> set[str]:
        """Render keys that living, not yet final tasks still need."""
        return {t.render_key for t in self._tasks.values() if t.render_key and not t.render_outcome}

    def __len__(self) -> int:
        """How many tasks exist."""
        return len(self._tasks)

    def __iter__(self) -> Iterator[Task]:
        """Every task, oldest first."""
        return iter(list(self._tasks.values()))

    def take_submit_429(self, prompt: str, limit: int) -> bool:
        """True if this submit of prompt is one of the first `limit` ones and must answer 429."""
        key = hashlib.sha256(prompt.encode(errors="replace")).hexdigest()
        seen, since = self._rate_limited.get(key, (0, self.now()))
        if seen >= limit:
            return False
        self._rate_limited[key] = (seen + 1, since)
        return True

    def take_query_5xx(self, task: Task) -> bool:
        """True if this query of task is one of the first plan.query_5xx and must answer 503."""
        if task.failed_queries >= task.plan.query_5xx:
            return False
        task.failed_queries += 1
        return True
