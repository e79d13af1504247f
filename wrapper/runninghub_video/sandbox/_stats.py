"""Counters a test reads to see what a client did to the sandbox, and what the sandbox holds."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Stats:
    """Request counters and state figures (a snapshot when read through Sandbox.stats)."""

    submit_attempts: int = 0  # every request to a task endpoint, whatever its answer
    submits: int = 0  # accepted submits (a task was created)
    submits_refused_busy: int = 0  # submits answered 429 / 1011: max_queued_renders pending
    queries: int = 0  # every request to the query route
    cancels: int = 0  # tasks ended CANCEL by a cancel call
    upload_attempts: int = 0  # every request to the upload route
    webhook_attempts: int = 0  # webhook POSTs made (retries included)
    webhooks_delivered: int = 0  # of those, the ones the receiver answered 2xx in time
    webhooks_refused: int = 0  # webhookUrls not called: not loopback
    uploads: int = 0  # accepted uploads
    uploads_in_flight_peak: int = 0  # most uploads read at the same moment
    file_requests: int = 0  # requests to /files/results/... and /files/uploads/...
    file_requests_with_authorization: int = 0  # of those, the ones with an Authorization header
    renders: int = 0  # ffmpeg renders started (the cache makes equal tasks share one)
    renders_refused: int = 0  # images refused before rendering (too many pixels: 1013)
    client_disconnects: int = 0  # requests whose client went away before its body was read
    answers_5xx: int = 0  # answers with HTTP status >= 500 (markers included; else a bug)
    tasks: int = 0  # tasks held now
    tasks_expired: int = 0  # tasks forgotten (TTL or max_tasks)
    uploads_evicted: int = 0  # uploaded files deleted (TTL or disk cap)
    renders_evicted: int = 0  # rendered videos deleted (TTL or disk cap)
    disk_bytes: int = 0  # uploads + renders on disk at the last housekeeping
    connections: int = 0  # open client connections now
    connections_closed: int = 0  # connections closed by the sandbox (slow or idle heads, cap)
