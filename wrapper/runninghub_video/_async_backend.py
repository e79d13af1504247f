"""What the async client takes from asyncio (its sleep, its semaphore, its event loop) and its
transports.

scripts/unasync.py turns `_async_backend` into `_sync_backend` when it generates the sync client
from the async one: these two small modules are the one place where the clients really differ.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TypeAlias

from ._transport import async_transports as transports

Sleep: TypeAlias = Callable[[float], Awaitable[None]]
sleep: Sleep = asyncio.sleep
Semaphore = asyncio.Semaphore
__all__ = ["Semaphore", "Sleep", "running_loop", "sleep", "time_limit", "transports"]


def time_limit(seconds: float) -> contextlib.AbstractAsyncContextManager[object]:
    """A block that TimeoutError ends after `seconds` (asyncio.timeout)."""
    return asyncio.timeout(seconds)


def running_loop() -> asyncio.AbstractEventLoop:
    """The loop the client's connections belong to (aiohttp's session is bound to one)."""
    return asyncio.get_running_loop()
