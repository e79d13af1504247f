"""The task as users see it: a typed, immutable view over the generated TaskResult model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import get_args

from runninghub_client.models import FailedReason, TaskOutput, TaskResult, TaskStatus, TaskUsage
from runninghub_client.types import Unset

#: Every status the spec knows, read from the generated code (a regenerated spec updates it).
KNOWN_STATUSES: frozenset[str] = frozenset(get_args(TaskStatus))
#: Statuses after which a task never changes. Anything else, unknown statuses included, is not.
FINAL_STATUSES: frozenset[str] = frozenset({"SUCCESS", "FAILED", "CANCEL"})
SUCCESS = "SUCCESS"


@dataclass(frozen=True)
class Task:
    """One image-to-video task: id, status, results and, when it failed, why.

    `status` is one of the spec's statuses (`TaskStatus`) or, if the service sends one the
    spec does not know yet, that string unchanged. `model` is the generated TaskResult it
    was read from (None when an unknown status kept the generated parser from reading it).
    """

    id: str
    status: str
    results: tuple[TaskOutput, ...] = ()
    error_code: str | None = None
    error_message: str | None = None
    failed_reason: FailedReason | str | None = None
    usage: TaskUsage | None = None
    model: TaskResult | None = field(default=None, repr=False, compare=False)

    @property
    def is_final(self) -> bool:
        """True once the task can no longer change (SUCCESS, FAILED or CANCEL)."""
        return self.status in FINAL_STATUSES

    @property
    def succeeded(self) -> bool:
        """True when the task finished with results."""
        return self.status == SUCCESS

    @property
    def video_url(self) -> str | None:
        """The URL of the result video (the first mp4 result, else the first result)."""
        for output in self.results:
            if output.output_type.lower().lstrip(".") == "mp4":
                return output.url
        return self.results[0].url if self.results else None

    @classmethod
    def from_model(cls, model: TaskResult, *, status: str | None = None) -> Task:
        """Build the view from the generated model; `status` overrides an unknown one."""
        reason = model.failed_reason
        usage = model.usage
        return cls(
            id=model.task_id,
            status=status if status is not None else model.status,
            results=tuple(model.results or ()),
            error_code=model.error_code or None,
            error_message=model.error_message or None,
            # Diagnostic only: a failedReason of another type (the generator casts without
            # checking) is dropped rather than let it fail the reading of the whole task.
            failed_reason=reason if isinstance(reason, FailedReason | str) else None,
            usage=None if isinstance(usage, Unset) else usage,
            model=model,
        )
