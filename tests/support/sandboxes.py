"""The one way tests start an in-process sandbox: on a free loopback port, fast unless asked
otherwise, always stopped. The session's `sandbox` fixture (tests/conftest.py) uses it; a folder
or module with other needs overrides that fixture with other options, never with a copy."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from runninghub_video.sandbox import Sandbox

FAST = 50.0
"""The tests' speed: a task takes about 0.1 s instead of about 5 s."""


@contextlib.contextmanager
def running_sandbox(*, speed: float = FAST, port: int = 0, **options: Any) -> Iterator[Sandbox]:
    """A started Sandbox(port=port, speed=speed, **options) for the duration of the block."""
    with Sandbox(port=port, speed=speed, **options) as sandbox:
        yield sandbox
