"""Cancel (issue 20): rh.cancel() ends a task the sandbox runs as CANCEL (a wait then raises),
reads the v1 envelope's codes (Prism's examples), and never lets the key it carries in the body
reach an error; the CLI's `cancel` is that one call."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from runninghub_video import (
    AsyncRunningHub,
    InvalidInputError,
    RunningHub,
    ServerError,
    TaskFailedError,
    TaskNotFoundError,
)
from runninghub_video.sandbox import Sandbox

from tests.support.api import CONTRACT
from tests.support.cli import cli_in
from tests.support.sandboxes import running_sandbox
from tests.wrapper.fakes import KEY
from tests.wrapper.test_against_prism import Prefer

IMAGE_URL = "https://cdn.test/cat.png"
CANCEL = CONTRACT.one("cancel").path
TASK = "2013508786110730241"


@pytest.fixture(scope="module")
def still() -> Iterator[Sandbox]:
    """A sandbox whose tasks stay unfinished for hours."""
    with running_sandbox(speed=1e-4) as sandbox:
        yield sandbox


@pytest.mark.integration  # a sandbox of its own (rendering)
def test_a_cancelled_task_ends_cancel_and_its_wait_raises(still: Sandbox) -> None:
    with RunningHub(KEY, base_url=still.base_url) as rh:
        task = rh.submit("a gull", IMAGE_URL)
        assert not rh.get(task.id).is_final
        rh.cancel(task.id)
        assert rh.get(task.id).status == "CANCEL"
        with pytest.raises(TaskFailedError) as failed:
            rh.wait(task.id, timeout=5)
        rh.cancel(task.id)  # cancelling an ended task again changes nothing
    assert failed.value.status == "CANCEL"
    assert failed.value.task_id == task.id


@pytest.mark.integration  # a sandbox of its own (rendering)
def test_async_cancel_of_an_unknown_task_is_task_not_found(still: Sandbox) -> None:
    async def go() -> None:
        async with AsyncRunningHub(KEY, base_url=still.base_url) as rh:
            await rh.cancel("123")

    with pytest.raises(TaskNotFoundError) as raised:
        asyncio.run(go())
    assert raised.value.task_id == "123"


@pytest.mark.parametrize(
    ("example", "error"), [("CANCELLED", None), ("NOT_FOUND", TaskNotFoundError)]
)
def test_the_documented_answers_from_prism(
    prism_url: str, example: str, error: type[Exception] | None
) -> None:
    with RunningHub(
        KEY, base_url=prism_url, transport=Prefer({CANCEL: f"example={example}"})
    ) as rh:
        if error is None:
            rh.cancel(TASK)
        else:
            with pytest.raises(error):
                rh.cancel(TASK)


class Echo:
    """Answers 500 with the request's own body (the key inside) echoed back."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        return httpx.Response(500, json={"msg": f"bad request {request.content.decode()}"})


def test_the_key_in_the_cancel_body_never_reaches_an_error() -> None:
    echo = Echo()
    rh = RunningHub(KEY, base_url="https://api.test", transport=httpx.MockTransport(echo))
    with rh, pytest.raises(ServerError) as raised:
        rh.cancel(TASK)
    assert echo.bodies[0] == {"apiKey": KEY, "taskId": TASK}  # as the vendor's v1 call takes it
    shown = f"{raised.value} {raised.value!r} {raised.value.body_excerpt}"
    assert KEY not in shown
    assert raised.value.task_id == TASK


@pytest.mark.parametrize(
    "key", ["sk-ab/cd+ef0123456789xyz", "sk-ab\\cd0123456789xyz", 'sk-"q0123456789']
)
def test_a_key_echoed_json_escaped_is_redacted_too(key: str) -> None:
    """helper-9: a server escaping '/' as '\\/' (PHP), or JSON-escaping '\\' and '"'."""

    def echo(request: httpx.Request) -> httpx.Response:
        text = request.content.decode().replace("/", "\\/")
        return httpx.Response(500, content=f'{{"msg": "bad {text}"}}'.encode())

    rh = RunningHub(key, base_url="https://api.test", transport=httpx.MockTransport(echo))
    with rh, pytest.raises(ServerError) as raised:
        rh.cancel(TASK)
    shown = f"{raised.value} {raised.value!r} {raised.value.body_excerpt}"
    for form in (key, json.dumps(key)[1:-1], json.dumps(key)[1:-1].replace("/", "\\/")):
        assert form not in shown


class ReleaseInterrupted(threading.Semaphore):
    """A semaphore whose first release raises KeyboardInterrupt: a Ctrl-C as the submit's
    answer has been read, before the call returns (helper-9)."""

    fired = False

    def release(self, n: int = 1) -> None:
        super().release(n)
        if not ReleaseInterrupted.fired:
            ReleaseInterrupted.fired = True
            raise KeyboardInterrupt


@pytest.mark.integration  # a sandbox of its own (rendering)
def test_a_ctrl_c_as_the_submit_returns_names_the_task(still: Sandbox) -> None:
    with RunningHub(KEY, base_url=still.base_url) as rh:
        rh._in_flight = ReleaseInterrupted(4)
        with pytest.raises(KeyboardInterrupt) as raised:
            rh.submit("a gull", IMAGE_URL)
    task_id = getattr(raised.value, "task_id", None)
    assert task_id is not None
    assert still.stats.submits >= 1
    assert f"task {task_id} was submitted" in "".join(raised.value.__notes__)


def test_a_bad_task_id_is_refused_before_any_request() -> None:
    echo = Echo()
    rh = RunningHub(KEY, base_url="https://api.test", transport=httpx.MockTransport(echo))
    with rh, pytest.raises(InvalidInputError):
        rh.cancel("")
    assert echo.bodies == []


@pytest.mark.integration  # the CLI in a subprocess
def test_the_cli_cancels_then_wait_exits_4(still: Sandbox, tmp_path: Path) -> None:
    cli = cli_in(tmp_path, still.base_url)
    submitted = cli("submit", "--image", IMAGE_URL, "--prompt", "a heron", "--json")
    task_id = submitted.json()["task_id"]
    cancelled = cli("cancel", task_id, "--json")
    assert cancelled.code == 0, cancelled.stderr
    assert cancelled.json()["task_id"] == task_id
    assert cancelled.json()["status"] is None  # requested; only a query says the status
    waited = cli("wait", task_id, "--timeout", "5")
    assert waited.code == 4, waited.stderr
    assert "cancel" in waited.stderr.lower()
    unknown = cli("cancel", "123")
    assert unknown.code != 0
    assert "not found" in unknown.stderr


@pytest.mark.integration  # a sandbox of its own (rendering)
def test_the_sandbox_refuses_the_invalid_key_in_the_body_too(still: Sandbox) -> None:
    """helper-9: the v1 call authenticates by its body key; the sandbox ignored it."""
    from runninghub_video.sandbox import INVALID_API_KEY

    with RunningHub(KEY, base_url=still.base_url) as rh:
        task = rh.submit("a gull", IMAGE_URL)
    answer = httpx.post(
        f"{still.base_url}{CANCEL}",
        json={"apiKey": INVALID_API_KEY, "taskId": task.id},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert answer.status_code == 401
    with RunningHub(KEY, base_url=still.base_url) as rh:
        assert not rh.get(task.id).is_final  # not cancelled
