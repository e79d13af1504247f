"""What the sync client takes from the standard library (its sleep and its semaphore) and its
transports (httpx's own); it has no event loop.

The counterpart of _async_backend.py (see there); a semaphore also bounds the requests that
threads sharing one RunningHub send at once.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import TypeAlias

from ._transport import sync_transports as transports

Sleep: TypeAlias = Callable[[float], None]
sleep: Sleep = time.sleep
Semaphore = threading.Semaphore
__all__ = ["Semaphore", "Sleep", "running_loop", "sleep", "time_limit", "transports"]


def time_limit(seconds: float) -> contextlib.AbstractContextManager[object]:
    """No limit: a blocking call cannot be interrupted from its own thread; the read timeout
    and the bounded answer reader (_bounded_reads.py) bound a query instead."""
    return contextlib.nullcontext()


def running_loop() -> object | None:
    """None: the sync client has no loop; its connections belong to its process only."""
    return None
