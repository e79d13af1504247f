"""Every bound the sandbox puts on one client's work and on its own state, in one place.

Defaults suit a shared CI host running the sandbox for days; `Sandbox(limits=Limits(...))` and
the command-line flags change them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Final

MB: Final = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Per-request work bounds, timeouts and state bounds (sizes in bytes, times in seconds)."""

    # Requests
    max_json_bytes: int = 1 * MB  # a larger JSON body is answered 413... as 400 with an error body
    max_json_depth: int = 64  # deeper JSON nesting is answered 400
    max_prompt_chars: int = 10_000  # the part of a prompt the sandbox stores and scans for markers
    max_upload_bytes: int = 10 * MB  # a larger upload is answered 422, errorCode 1008
    max_concurrent_uploads: int = 4  # more wait (reading nothing) up to body_timeout, then 503
    upload_grace: float = 2.0  # an upload holding a slot may send nothing this long, then must...
    upload_min_rate: int = 16 * 1024  # ... keep up this many bytes/s on average, else 408
    header_timeout: float = 15.0  # a connection must send a complete request head this soon
    body_timeout: float = 60.0  # ... and its body within this, else 408
    keepalive_timeout: float = 15.0  # idle keep-alive connections are closed after this
    max_connections: int = 512  # beyond it, the connection idle (no request head) longest is closed
    # Rendering
    max_pixels: int = 40_000_000  # larger images fail the task quickly: errorCode 1013
    max_render_seconds: int = 60  # longer requested durations are rendered this long (labelled)
    max_render_short_side: int = 1080  # larger resolutions are rendered at this size (labelled)
    max_queued_renders: int = 8  # renders waiting or running; a submit needing one more: 429
    render_timeout: float = 120.0  # wall time of one ffmpeg run
    render_memory_bytes: int = 1536 * MB  # address-space limit of one ffmpeg run (RLIMIT_AS)
    # State
    ttl: float = 24 * 3600.0  # tasks, uploads and renders unused for this long are removed
    max_disk_bytes: int = 2048 * MB  # uploads + renders; least recently used files go first
    max_tasks: int = 100_000  # the oldest tasks go first beyond it
    # The key and the account
    concurrency_limit: int = (
        50  # tasks of the key run at once (the vendor's default); more wait QUEUED
    )
    queue_limit: int = 1000  # tasks waiting beyond which a submit is refused (errorCode 1520)
    balance: float = 1000.0  # the money (CNY) at start; each task's price comes off it
    # Webhooks
    webhook_attempts: int = 3  # deliveries of one task end, the first included
    webhook_timeout: float = 5.0  # a receiver slower than this gets the delivery again

    def __post_init__(self) -> None:
        """Refuse limits that are not positive finite numbers."""
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"{field.name} must be a number, got {value!r}")
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"{field.name} must be a finite number > 0, got {value!r}")
