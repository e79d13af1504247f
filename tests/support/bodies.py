"""The task answer body the tests serve: one spec-valid TaskResult, for every fake and server."""

from __future__ import annotations

from typing import Any

VIDEO_URL = "https://cdn.test/result/out.mp4"


def task_body(
    status: str = "QUEUED", task_id: str = "1999", *, result_url: str = VIDEO_URL, **extra: Any
) -> dict[str, Any]:
    """A spec-valid TaskResult body (SUCCESS carries one mp4 at result_url); extra overrides."""
    body: dict[str, Any] = {
        "taskId": task_id,
        "status": status,
        "errorCode": "",
        "errorMessage": "",
        "results": None,
        "clientId": "",
        "promptTips": "",
    }
    if status == "SUCCESS":
        body["results"] = [{"url": result_url, "outputType": "mp4", "text": None}]
    body.update(extra)
    return body
