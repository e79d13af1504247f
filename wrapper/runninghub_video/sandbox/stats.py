"""Counters a test reads to see what a client did to the sandbox."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Stats:
    """Request counters (a snapshot when read through Sandbox.stats)."""

    submit_attempts: int = 0  # every request to the submit route, whatever its answer
    submits: int = 0  # accepted submits (a task was created)
    queries: int = 0  # every request to the query route
    upload_attempts: int = 0  # every request to the upload route
    uploads: int = 0  # accepted uploads
    file_requests: int = 0  # requests to /files/results/... and /files/uploads/...
    file_requests_with_authorization: int = 0  # of those, the ones with an Authorization header
    renders: int = 0  # ffmpeg renders started (the cache makes equal tasks share one)
