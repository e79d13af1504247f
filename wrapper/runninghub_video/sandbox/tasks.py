"""Task store and lifecycle: QUEUED -> RUNNING -> final status, computed from elapsed time.

Pure (no I/O, no event loop): the clock and the random source are injectable, so the timing
rules are testable without sleeping.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Literal

from runninghub_video.sandbox.errors import GENERATION_FAILED, message_for
from runninghub_video.sandbox.faults import FaultPlan

Status = Literal["QUEUED", "RUNNING", "SUCCESS", "FAILED", "CANCEL"]
FINAL_STATUSES: Final = frozenset({"SUCCESS", "FAILED", "CANCEL"})

# Seconds at speed 1; Timing.at_speed divides them.
QUEUED_SECONDS: Final = 1.0
RUNNING_SECONDS: Final = 4.0


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


@dataclass(frozen=True)
class VideoRequest:
    """A validated submit body."""

    prompt: str
    resolution: str
    aspect_ratio: str
    image_url: str
    duration: int
    webhook_url: str | None = None


@dataclass(frozen=True)
class RenderProgress:
    """Where the task's video stands: ready (at a clock time), failed, or still rendering."""

    ready_at: float | None = None
    error: str | None = None


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
        """Whether the status will not change any more."""
        return self.status in FINAL_STATUSES


def task_state(task: Task, now: float, render: RenderProgress) -> TaskState:
    """The status of task at clock time now, given how its render is doing.

    SUCCESS needs both the schedule to have run out and the video to exist: a slow render
    keeps the task RUNNING. A failed render ends the task FAILED with errorCode 1015.
    """
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
        code = GENERATION_FAILED
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
    _tasks: dict[str, Task] = field(default_factory=dict)
    _rate_limited: dict[str, int] = field(default_factory=dict)

    def now(self) -> float:
        """The store's clock."""
        return self.clock()

    def create(self, request: VideoRequest, plan: FaultPlan, render_key: str | None) -> Task:
        """Register a new task starting now ([sandbox:instant] tasks have no waiting time)."""
        task_id = new_task_id(self.rng)
        while task_id in self._tasks:
            task_id = new_task_id(self.rng)
        now = self.now()
        queued, running = (0.0, 0.0) if plan.instant else (self.timing.queued, self.timing.running)
        task = Task(
            task_id=task_id,
            request=request,
            plan=plan,
            client_id=f"{self.rng.getrandbits(128):032x}",
            created_at=now,
            queued_until=now + queued,
            running_until=now + queued + running,
            render_key=render_key,
        )
        self._tasks[task_id] = task
        return task

    def get(self, task_id: str) -> Task | None:
        """The task with this id, or None."""
        return self._tasks.get(task_id)

    def __len__(self) -> int:
        """How many tasks exist."""
        return len(self._tasks)

    def take_submit_429(self, prompt: str, limit: int) -> bool:
        """True if this submit of prompt is one of the first `limit` ones and must answer 429."""
        seen = self._rate_limited.get(prompt, 0)
        if seen >= limit:
            return False
        self._rate_limited[prompt] = seen + 1
        return True

    def take_query_5xx(self, task: Task) -> bool:
        """True if this query of task is one of the first plan.query_5xx and must answer 503."""
        if task.failed_queries >= task.plan.query_5xx:
            return False
        task.failed_queries += 1
        return True
