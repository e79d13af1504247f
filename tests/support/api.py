"""The API's paths and final statuses for every test, from the one place each is defined:
paths from the spec (as the sandbox reads it), final statuses from runninghub_video._task."""

from __future__ import annotations

from runninghub_video._task import FINAL_STATUSES
from runninghub_video.sandbox._contract import load_contract

from tests.support.constants import SPEC

CONTRACT = load_contract(SPEC)
SUBMIT = CONTRACT.one("task").path
QUERY = CONTRACT.one("query").path
UPLOAD = CONTRACT.one("upload").path
FINAL = FINAL_STATUSES

__all__ = ["CONTRACT", "FINAL", "QUERY", "SUBMIT", "UPLOAD"]
