"""A submit answer that names its task keeps the id, however unreadable the rest (promise 1;
found by a hostile review): JSON nested deeper than Python recurses, a 404, bytes after the
JSON, a body cut short or past the size cap. None of them is ever submitted again."""

from __future__ import annotations

import json
from typing import Any

import pytest
from runninghub_video import RunningHubError

from tests.reliability.conftest import FAST, call, modes
from tests.reliability.fault_server import FaultServer, Reply

TASK = "2013508786110730241"
HEAD = f'{{"taskId":"{TASK}","status":"QUEUED","errorMessage":"caf\\u00e9"'


def deep(levels: int) -> bytes:
    return (HEAD + ',"x":' + "[" * levels + "]" * levels + "}").encode()


@modes
@pytest.mark.parametrize(
    "answer",
    [
        Reply(200, deep(600)),  # the \\u escape sent the body to a recursive scrub
        Reply(404, json.dumps({"taskId": TASK, "status": "QUEUED"}).encode()),
        Reply(200, (HEAD + "}").encode() + b"<!-- trailing bytes -->"),
        Reply(200, (HEAD + ',"pad":"').encode() + b"x" * (2 << 20) + b'"}'),  # past the cap
    ],
    ids=["nested-600", "http-404", "trailing-bytes", "over-the-cap"],
)
def test_a_submit_answer_naming_its_task_gives_the_task(mode: str, answer: Reply) -> None:
    submitted: list[str] = []
    with FaultServer() as server:
        server.route("/openapi/v2/rhart-video-s-official/image-to-video-realistic", answer)
        try:
            task: Any = call(
                mode, server.base_url, "submit", "a cat", "https://h.test/a.png",
                on_submitted=lambda task: submitted.append(task.id), policy=FAST,
            )  # fmt: skip
        except RunningHubError as error:
            task = error
        requests = len(server.requests)
    assert getattr(task, "id", getattr(task, "task_id", None)) == TASK, task
    assert submitted == [TASK]
    assert requests == 1  # never sent again
