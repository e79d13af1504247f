"""Answers as the vendor documents them, and the variants its sources say occur.

Sources as in ../shared/reference/runninghub-api.md ("Examples as documented", "Query",
"Upload"). Each body names the outcome a user must see: the wrapper's result or exception
and the CLI's exit code. Written once; tests/contract/test_vendor_bodies.py runs them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runninghub_video import (
    APIError,
    AuthenticationError,
    ContentRejectedError,
    InvalidRequestError,
    TaskFailedError,
)

QUERY = "/openapi/v2/query"
SUBMIT = "/openapi/v2/rhart-video-s-official/image-to-video-realistic"
UPLOAD = "/openapi/v2/media/upload/binary"
TASK_ID = "2013508786110730241"
VIDEO_URL = "https://rh-images-1252422369.cos.ap-beijing.myqcloud.com/openapi/out.mp4"


@dataclass(frozen=True)
class VendorBody:
    """One documented (or source-described) 200 answer and what it must lead to."""

    name: str
    path: str
    body: dict[str, Any]
    status: str | None = None
    """For task answers: the Task status the wrapper reports."""
    error: type[APIError] | None = None
    """The wrapper's exception (for a final failure: what wait() raises)."""
    exit_code: int = 0
    """The CLI's exit code (status/wait for query answers, generate for upload answers)."""


RUNNING = {
    "taskId": TASK_ID, "status": "RUNNING", "errorCode": "", "errorMessage": "", "results": None,
    "clientId": "f828b9af25161bc066ef152db7b29ccc",
    "promptTips": '{"result": true, "error": null}',
}  # fmt: skip
SUCCESS = {
    "taskId": TASK_ID, "status": "SUCCESS", "errorCode": "", "errorMessage": "",
    "failedReason": {},
    "usage": {"consumeMoney": None, "consumeCoins": None, "taskCostTime": "0",
              "thirdPartyConsumeMoney": None},
    "results": [{"url": VIDEO_URL, "outputType": "mp4", "text": None}],
    "clientId": "", "promptTips": "",
}  # fmt: skip
FAILED_1505 = {
    "taskId": TASK_ID, "status": "FAILED", "errorCode": "1505",
    "errorMessage": "Photorealistic real people are prohibited, please modify your prompt or image",
    "failedReason": {"exception_type": "...", "node_id": "...", "node_name": "...",
                     "traceback": ["..."]},
}  # fmt: skip
UPLOADED = {
    "code": 0, "message": "success",
    "data": {"type": "image", "download_url": "https://rh-images.example/openapi/3f2a.png",
             "fileName": "openapi/3f2a.png", "size": "3490"},
}  # fmt: skip


def _without(body: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in keys}


# fmt: off
BODIES: list[VendorBody] = [
    # As documented [DOC].
    VendorBody("query-RUNNING", QUERY, RUNNING, status="RUNNING"),
    VendorBody("query-SUCCESS", QUERY, SUCCESS, status="SUCCESS"),
    VendorBody(
        "query-FAILED-1505",
        QUERY,
        FAILED_1505,
        status="FAILED",
        error=ContentRejectedError,
        exit_code=4,
    ),
    VendorBody("upload-success", UPLOAD, UPLOADED),
    # Variants the sources say occur.
    VendorBody(
        "query-RUNNING-errors-null",
        QUERY,
        {**RUNNING, "errorCode": None, "errorMessage": None},
        status="RUNNING",
    ),
    VendorBody(
        "query-QUEUED-fields-absent",
        QUERY,
        _without({**RUNNING, "status": "QUEUED"}, "results", "clientId", "promptTips"),
        status="QUEUED",
    ),
    VendorBody(
        "query-SUCCESS-fields-absent",
        QUERY,
        _without(SUCCESS, "clientId", "promptTips", "usage", "failedReason"),
        status="SUCCESS",
    ),
    VendorBody("query-usage-null", QUERY, {**SUCCESS, "usage": None}, status="SUCCESS"),
    VendorBody(
        "query-usage-strings",
        QUERY,
        {
            **SUCCESS,
            "usage": {
                "consumeMoney": "3.2",
                "consumeCoins": "0",
                "taskCostTime": "187",
                "thirdPartyConsumeMoney": "0",
            },
        },
        status="SUCCESS",
    ),
    VendorBody(
        "query-result-nodeId-text",
        QUERY,
        {
            **SUCCESS,
            "results": [{"url": VIDEO_URL, "outputType": "mp4", "nodeId": "9", "text": "done"}],
        },
        status="SUCCESS",
    ),
    VendorBody(
        "query-failedReason-string",
        QUERY,
        {
            **FAILED_1505,
            "errorCode": "1015",
            "errorMessage": "generation failed",
            "failedReason": "Traceback (most recent call last): ...",
        },
        status="FAILED",
        error=TaskFailedError,
        exit_code=4,
    ),
    VendorBody(
        "query-failedReason-null",
        QUERY,
        {
            **FAILED_1505,
            "errorCode": "1015",
            "errorMessage": "generation failed",
            "failedReason": None,
        },
        status="FAILED",
        error=TaskFailedError,
        exit_code=4,
    ),
    VendorBody(
        "query-failedReason-exception_message",
        QUERY,
        {
            **FAILED_1505,
            "failedReason": {"exception_message": "real people"},
            "results": None,
            "clientId": None,
            "promptTips": None,
        },
        status="FAILED",
        error=ContentRejectedError,
        exit_code=4,
    ),
    VendorBody(
        "query-CANCEL",
        QUERY,
        {**_without(RUNNING, "results"), "status": "CANCEL"},
        status="CANCEL",
        error=TaskFailedError,
        exit_code=4,
    ),
    VendorBody(
        "upload-failed-data-null",
        UPLOAD,
        {"code": 1002, "message": "invalid API key", "data": None},
        error=AuthenticationError,
        exit_code=3,
    ),
    VendorBody(
        "upload-failed-msg-no-data",
        UPLOAD,
        {"code": 1008, "msg": "file size limit exceeded"},
        error=InvalidRequestError,
        exit_code=4,
    ),
]
# fmt: on
