"""Submit under faults, over real sockets: a submit is paid, so what reaches the wire is counted.

Retried only when provably no task was created (connection refused, 429); never after the
request left (5xx, timeout, reset), and then the error says a task may exist.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import pytest
from runninghub_video import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ContentRejectedError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
)
from runninghub_video.sandbox import INVALID_API_KEY, Sandbox

from scripts._processes import free_port
from tests.reliability.conftest import FAST, IMAGE_URL, Sleeps, call, modes
from tests.reliability.fault_server import (
    FaultServer,
    Hold,
    Reset,
    html_reply,
    json_reply,
    task_body,
)
from tests.support.api import QUERY, SUBMIT
from tests.support.cli import Cli

CliAt = Callable[[str], Cli]


def submit_args(prompt: str = "a cat turns its head", *extra: str) -> list[str]:
    return ["submit", "--image", IMAGE_URL, "--prompt", prompt, *extra]


# ---------------------------------------------------------------- connection refused


@modes
def test_refused_connection_is_retried_then_a_clear_error(mode: str) -> None:
    sleeps = Sleeps()
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(APIConnectionError) as caught:
        call(mode, url, "submit", "a cat", IMAGE_URL, sleeps=sleeps)
    error = caught.value
    assert type(error) is APIConnectionError
    assert error.task_may_exist is False
    assert error.task_id is None
    assert str(error).startswith(f"could not reach RunningHub at {url}{SUBMIT} (ConnectError")
    assert len(sleeps.calls) == FAST.submit_attempts - 1  # 4 attempts, 3 backoffs


class ListenAfter(Sleeps):
    """Sleeps, and starts `server` once it has been asked to sleep `after` times."""

    def __init__(self, server: FaultServer, after: int) -> None:
        super().__init__()
        self.server = server
        self.after = after

    def __call__(self, seconds: float) -> None:
        super().__call__(seconds)
        self._maybe_listen()

    async def asleep(self, seconds: float) -> None:
        await super().asleep(seconds)
        self._maybe_listen()

    def _maybe_listen(self) -> None:
        if len(self.calls) == self.after:
            self.server.__enter__()


@modes
def test_refused_then_listening_creates_exactly_one_task(mode: str) -> None:
    """The port refuses the first two attempts, then a server listens there: one task."""
    port = free_port()
    late = FaultServer(port).route(SUBMIT, json_reply(task_body("QUEUED", "77")))
    sleeps = ListenAfter(late, 2)
    try:
        task = call(mode, late.base_url, "submit", "a cat", IMAGE_URL, sleeps=sleeps)
    finally:
        late.__exit__(None, None, None)
    assert task.id == "77"
    assert late.count(SUBMIT) == 1
    assert len(sleeps.calls) == 2


def test_cli_refused_connection_exits_1_and_journals_nothing(cli_at: CliAt) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    cli = cli_at(url)
    result = cli(*submit_args())
    assert result.code == 1, result.stderr
    assert result.stdout == ""
    assert result.stderr.count("warning: submit failed") == 3  # retried 3 times
    assert f"error: could not reach RunningHub at {url}{SUBMIT} (ConnectError" in result.stderr
    assert "may exist" not in result.stderr
    assert "Traceback" not in result.stderr
    assert not cli.journaled_ids()
    assert [line["event"] for line in cli.journal_lines()] == []


# ---------------------------------------------------------------- 429 with Retry-After


@modes
def test_429_waits_retry_after_and_creates_exactly_one_task(mode: str, sandbox: Sandbox) -> None:
    before = sandbox.stats
    sleeps = Sleeps()
    prompt = f"a hare [sandbox:submit429=1] {mode} {time.monotonic()}"
    task = call(mode, sandbox.base_url, "submit", prompt, IMAGE_URL, sleeps=sleeps)
    after = sandbox.stats
    assert task.status == "CREATE"
    assert after.submits - before.submits == 1  # exactly one task
    assert after.submit_attempts - before.submit_attempts == 2  # one refusal, one accepted
    assert sleeps.calls == [1.0]  # the sandbox's Retry-After: 1, honoured (backoff: 0.01)


def test_429_for_good_raises_rate_limit_after_the_attempts(faults: FaultServer) -> None:
    faults.route(SUBMIT, json_reply({"errorCode": "1003"}, 429, {"Retry-After": "0"}))
    with pytest.raises(RateLimitError) as caught:
        call("sync", faults.base_url, "submit", "a cat", IMAGE_URL)
    assert faults.count(SUBMIT) == FAST.submit_attempts
    assert caught.value.task_may_exist is False


def test_cli_429_retries_and_journals_one_task(cli_at: CliAt, sandbox: Sandbox) -> None:
    cli = cli_at(sandbox.base_url)
    before = sandbox.stats
    result = cli(*submit_args(f"a lynx [sandbox:submit429=1] {time.monotonic()}"))
    after = sandbox.stats
    assert result.code == 0, result.stderr
    assert "warning: submit failed (attempt 1: HTTP 429" in result.stderr
    assert "retrying in 1.0 s" in result.stderr
    assert (after.submits - before.submits, after.submit_attempts - before.submit_attempts) == (
        1,
        2,
    )
    assert cli.journaled_ids() == {result.stdout.strip()}


# ---------------------------------------------------------------- sent, then no good answer


SENT_THEN_FAILED: dict[str, tuple[object, type[Exception], str]] = {
    "html-500": (html_reply(500), ServerError, "HTTP 500"),
    "html-502": (html_reply(502), ServerError, "HTTP 502"),
    "json-503": (json_reply({"errorCode": "1010"}, 503), ServerError, "HTTP 503"),
    "read-timeout": (Hold(), APITimeoutError, "ReadTimeout"),
    "reset": (Reset(), APIConnectionError, "no answer to the submit"),
}


@modes
@pytest.mark.parametrize("fault", list(SENT_THEN_FAILED))
def test_submit_is_never_retried_once_sent(mode: str, fault: str, faults: FaultServer) -> None:
    action, error_type, words = SENT_THEN_FAILED[fault]
    faults.route(SUBMIT, action, json_reply(task_body("QUEUED", "99")))  # type: ignore[arg-type]
    policy = replace(FAST, request_timeout=0.5) if isinstance(action, Hold) else FAST
    with pytest.raises(error_type) as caught:
        call(mode, faults.base_url, "submit", "a cat", IMAGE_URL, policy=policy)
    error = caught.value
    assert faults.count(SUBMIT) == 1  # no duplicate paid task
    assert getattr(error, "task_may_exist", None) is True
    assert "task may exist" in str(error)
    assert words in str(error)
    assert getattr(error, "task_id", None) is None


@modes
def test_submit_answering_an_unusable_task_id_says_the_task_may_exist(
    mode: str, faults: FaultServer
) -> None:
    """A task id we could never query again (found by the Prism -d run) is an unexpected
    answer to a submit that reached the service, not an InvalidInputError."""
    faults.route(SUBMIT, json_reply(task_body("QUEUED", "in culpa")))
    with pytest.raises(UnexpectedResponseError) as caught:
        call(mode, faults.base_url, "run", "a cat", IMAGE_URL)
    assert caught.value.task_may_exist is True
    assert "taskId" in str(caught.value)
    assert faults.count(SUBMIT) == 1
    assert faults.count(QUERY) == 0


@pytest.mark.parametrize("fault", ["html-500", "reset"])
def test_cli_submit_that_may_have_created_a_task_is_journaled_unconfirmed(
    fault: str, cli_at: CliAt, faults: FaultServer
) -> None:
    action = SENT_THEN_FAILED[fault][0]
    faults.route(SUBMIT, action, json_reply(task_body("QUEUED", "99")))  # type: ignore[arg-type]
    cli = cli_at(faults.base_url)
    result = cli(*submit_args("a heron"))
    assert result.code == 1, result.stderr
    assert faults.count(SUBMIT) == 1
    assert "warning: the submit may have reached RunningHub" in result.stderr
    assert "task may exist" in result.stderr
    assert "Traceback" not in result.stderr
    lines = cli.journal_lines()
    assert [(line["event"], line["status"]) for line in lines] == [("unconfirmed", "UNKNOWN")]
    assert lines[0]["prompt"] == "a heron"


# ---------------------------------------------------------------- refused outright


@modes
def test_401_is_an_authentication_error_and_creates_no_task(mode: str, sandbox: Sandbox) -> None:
    before = sandbox.stats
    with pytest.raises(AuthenticationError) as caught:
        call(mode, sandbox.base_url, "submit", "a cat", IMAGE_URL, key=INVALID_API_KEY)
    after = sandbox.stats
    assert caught.value.status_code == 401
    assert after.submit_attempts - before.submit_attempts == 1  # not retried
    assert after.submits == before.submits


def test_cli_401_with_an_html_body_exits_3(cli_at: CliAt, faults: FaultServer) -> None:
    # The sandbox's JSON 401 is covered by tests/cli/test_commands.py::test_invalid_key_exits_3.
    faults.route(SUBMIT, html_reply(401, "<html>401 Authorization Required</html>"))
    faults.route(QUERY, html_reply(401, "<html>401 Authorization Required</html>"))
    cli = cli_at(faults.base_url)
    submitted = cli(*submit_args())
    assert submitted.code == 3, submitted.stderr
    assert "error: HTTP 401, API key refused" in submitted.stderr
    assert faults.count(SUBMIT) == 1
    assert not cli.journal_lines()
    waited = cli("wait", "2013508786110730241", "--poll-interval", "0.05")
    assert waited.code == 3, waited.stderr
    assert faults.count(QUERY) == 1  # not retried either


REFUSALS = {
    # A refusal at submit: 200 + errorCode, no task.
    "1505-at-submit": (
        json_reply({"taskId": "", "status": "", "errorCode": "1505", "errorMessage": ""}),
        None,
    ),
    "1501-at-submit": (
        json_reply({"taskId": "", "status": "", "errorCode": "1501", "errorMessage": "nsfw"}),
        None,
    ),
    # A task that the submit answers FAILED at once.
    "1505-failed-task": (
        json_reply(task_body("FAILED", "555", errorCode="1505", errorMessage="real people")),
        "555",
    ),
}


@modes
@pytest.mark.parametrize("case", list(REFUSALS))
def test_content_rejected_at_submit(mode: str, case: str, faults: FaultServer) -> None:
    reply, task_id = REFUSALS[case]
    faults.route(SUBMIT, reply)
    with pytest.raises(ContentRejectedError) as caught:
        call(mode, faults.base_url, "run", "a face", IMAGE_URL)
    assert caught.value.error_code == case[:4]
    assert caught.value.task_id == task_id
    assert faults.count(SUBMIT) == 1
    assert faults.count(QUERY) == 0


@pytest.mark.parametrize("case", ["1505-at-submit", "1505-failed-task"])
def test_cli_content_rejected_at_submit_exits_4(
    case: str, cli_at: CliAt, faults: FaultServer
) -> None:
    reply, task_id = REFUSALS[case]
    faults.route(SUBMIT, reply)
    cli = cli_at(faults.base_url)
    result = cli("generate", "--image", IMAGE_URL, "--prompt", "a face", "--json")
    assert result.code == 4, result.stderr
    data = result.json()
    assert data["error"]["type"] == "ContentRejectedError"
    assert data["error"]["code"] == "1505"
    assert data["task_id"] == task_id
    assert faults.count(SUBMIT) == 1
    # A task that exists (even failed) is journaled; a refusal without a task is not.
    assert cli.journaled_ids() == ({task_id} if task_id else set())


@modes
@pytest.mark.parametrize("code", ["1505", "1501"])
def test_content_rejected_while_running(mode: str, code: str, sandbox: Sandbox) -> None:
    # The CLI side is tests/cli/test_commands.py::test_failed_task_exits_4_... and _json.
    with pytest.raises(ContentRejectedError) as caught:
        call(mode, sandbox.base_url, "run", f"a face [sandbox:fail={code}]", IMAGE_URL)
    assert caught.value.error_code == code
    assert caught.value.task_id
    assert caught.value.status == "FAILED"
