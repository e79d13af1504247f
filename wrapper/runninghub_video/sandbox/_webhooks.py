"""Webhook deliveries, as the vendor makes them: when a task that has a webhookUrl ends, its
query answer is POSTed there in the legacy shape ({"event": "TASK_END", "taskId", "eventData":
the answer as a JSON string}) [LEGACY]. A receiver that fails or answers slower than
`webhook_timeout` gets it again, up to `webhook_attempts` in all, so duplicates happen as with
the vendor's retries. Only loopback URLs are called (the sandbox must not post anywhere else)."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

import aiohttp

log = logging.getLogger("runninghub_video.sandbox")

POLL_SECONDS = 0.02
"""How often a waiting delivery looks at its task again (the lifecycle is computed, not pushed)."""


def is_loopback(url: str) -> bool:
    """Whether url is http(s) to this machine (127.0.0.0/8, ::1, localhost)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


async def deliver(
    url: str,
    task_id: str,
    ended: Callable[[], bool],
    answer: Callable[[], dict[str, object]],
    *,
    attempts: int,
    timeout: float,
    counted: Callable[[bool], None],
) -> None:
    """Wait until `ended()`, then POST the delivery to url, retried as above; `counted(ok)`
    after every attempt."""
    while not ended():
        await asyncio.sleep(POLL_SECONDS)
    payload = {"event": "TASK_END", "taskId": task_id, "eventData": json.dumps(answer())}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        for attempt in range(1, attempts + 1):
            try:
                async with session.post(url, json=payload) as response:
                    ok = response.status < 300
            except (aiohttp.ClientError, TimeoutError):
                ok = False
            counted(ok)
            if ok:
                return
            log.info("webhook of task %s: attempt %d failed", task_id, attempt)
            await asyncio.sleep(min(1.0, timeout))
