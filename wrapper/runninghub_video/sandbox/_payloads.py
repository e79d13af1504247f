"""JSON bodies the sandbox answers: TaskResult (submit and query) and UploadResult."""

from __future__ import annotations

from typing import Final

from runninghub_video.sandbox._tasks import Task, TaskState

PROMPT_TIPS: Final = '{"result": true, "error": null}'
NODE_NAME: Final = "rhart-video-s-official"
# A task's price is its endpoint's published price (the spec's x-published-price) where the
# list has its value; else it is estimated from the length (about 0.81 CNY a second: the
# vendor's 4 s and 8 s prices are 3.2 and 6.5), so any duration the spec allows gets a price.
PRICE_PER_SECOND: Final = 0.8125
_EXCEPTION_TYPES: Final[dict[str, str]] = {
    "1501": "ContentPolicyViolation",
    "1505": "ContentPolicyViolation",
    "1006": "TimeoutError",
    "1504": "TimeoutError",
}


def task_result(
    task: Task, state: TaskState, result_url: str, *, speed: float, detailed: bool
) -> dict[str, object]:
    """A TaskResult body; detailed (query answers) adds failedReason and usage like the vendor."""
    body: dict[str, object] = {
        "taskId": task.task_id,
        "status": state.status,
        "errorCode": state.error_code,
        "errorMessage": state.error_message,
        "results": (
            [{"url": result_url, "outputType": "mp4", "text": None}]
            if state.status == "SUCCESS"
            else None
        ),
        "clientId": task.client_id,
        "promptTips": PROMPT_TIPS,
    }
    if detailed or state.is_final:
        body["failedReason"] = failed_reason(state)
        body["usage"] = usage(task, state, speed)
    return shaped(body, task.plan.shape, submit=not detailed)


def shaped(body: dict[str, object], shape: str | None, *, submit: bool) -> dict[str, object]:
    """body in one of the vendor kit's shapes ([sandbox:shape=SHAPE], _faults.SHAPES) [KIT]:
    minimal keeps only what the kit's contract shows (submit {"taskId"}; queries the status,
    results as [{"url"}], a failure's error fields); task_id renames taskId; outputUrl moves each
    result's url there; envelope wraps the submit answer in {"code": 0, "msg", "data"}."""
    if shape == "minimal":
        if submit:
            return {"taskId": body["taskId"]}
        kept: dict[str, object] = {"status": body["status"]}
        if body["status"] == "SUCCESS":
            kept["results"] = [{"url": item["url"]} for item in _results(body)]
        if body.get("errorCode"):
            kept |= {"errorCode": body["errorCode"], "errorMessage": body["errorMessage"]}
        return kept
    if shape == "task_id":
        return {"task_id": body.pop("taskId"), **body}
    if shape == "outputUrl" and body.get("results"):
        results = [{"outputUrl": item.pop("url"), **item} for item in _results(body)]
        return {**body, "results": results}
    if shape == "envelope" and submit:
        return {"code": 0, "msg": "success", "data": body}
    return body


def _results(body: dict[str, object]) -> list[dict[str, object]]:
    """The result items of a SUCCESS body (copies)."""
    results = body.get("results")
    return (
        [dict(item) for item in results if isinstance(item, dict)]
        if isinstance(results, list)
        else []
    )


def failed_reason(state: TaskState) -> dict[str, object]:
    """failedReason: {} unless the task FAILED, then the keys the vendor is seen to send."""
    if state.status != "FAILED":
        return {}
    return {
        "exception_type": _EXCEPTION_TYPES.get(state.error_code, "GenerationError"),
        "node_id": "1",
        "node_name": NODE_NAME,
        "exception_message": state.failure_detail or state.error_message,
        "traceback": [
            "Traceback (most recent call last):",
            f'  File "{NODE_NAME}/run.py", line 1, in generate',
            f"RuntimeError: [{state.error_code}] {state.error_message}",
        ],
    }


def usage(task: Task, state: TaskState, speed: float) -> dict[str, object]:
    """usage: price (SUCCESS only) and taskCostTime in vendor-time seconds, once final."""
    cost_time = None
    if state.finished_at is not None:
        cost_time = str(round((state.finished_at - task.created_at) * speed))
    return {
        "consumeMoney": (task.cost or price(task.request.duration))
        if state.status == "SUCCESS"
        else None,
        "consumeCoins": None,
        "taskCostTime": cost_time,
        "thirdPartyConsumeMoney": None,
    }


def price(seconds: int) -> str:
    """The estimated consumeMoney of a video of seconds, e.g. '3.2' for 4 s."""
    return f"{round(seconds * PRICE_PER_SECOND, 1):g}"


def task_not_found(task_id: str) -> dict[str, object]:
    """The answer to a query for an unknown taskId: HTTP 200, status FAILED, errorCode 1004."""
    return {
        "taskId": task_id,
        "status": "FAILED",
        "errorCode": "1004",
        "errorMessage": "task not found",
        "results": None,
        "clientId": "",
        "promptTips": "",
        "failedReason": {},
        "usage": {
            "consumeMoney": None,
            "consumeCoins": None,
            "taskCostTime": None,
            "thirdPartyConsumeMoney": None,
        },
    }


def upload_result(
    download_url: str, file_name: str, size: int, kind: str = "image"
) -> dict[str, object]:
    """The upload answer: code 0 and data.download_url to use as imageUrl."""
    return {
        "code": 0,
        "message": "success",
        "data": {
            "type": kind,
            "download_url": download_url,
            "fileName": file_name,
            "size": str(size),
        },
    }
