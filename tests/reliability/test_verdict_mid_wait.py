"""The right verdict mid-wait: once a task exists, no exit code says "nothing was paid" (2) or
"the task failed" (4) for a refused query, and the command that resumes the task is printed.
The CLI runs as a subprocess against a real loopback server."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.reliability.conftest import IMAGE_URL
from tests.reliability.fault_server import FaultServer, json_reply, task_body
from tests.support.api import QUERY, SUBMIT
from tests.support.cli import FAST_RETRY_CLI, Cli

pytestmark = pytest.mark.integration  # runs the CLI in a subprocess

TASK = "2013508786110730241"
REFUSALS = {
    "404-no-such-path": (json_reply({"error": "not found"}, 404), 1),
    "401-key-refused": (json_reply({"code": 401, "msg": "bad key"}, 401), 3),
    "400-bad-request": (json_reply({"code": 400, "msg": "bad request"}, 400), 1),
}


@pytest.mark.parametrize("refusal", list(REFUSALS))
def test_a_refused_query_mid_wait_keeps_the_task_and_prints_the_resume_command(
    faults: FaultServer, cli_at: Callable[[str], Cli], refusal: str
) -> None:
    answer, code = REFUSALS[refusal]
    faults.route(SUBMIT, json_reply(task_body("QUEUED", TASK)))
    faults.route(QUERY, json_reply(task_body("RUNNING", TASK)), answer)
    user = cli_at(faults.base_url)
    cli = Cli(user.base_url, user.home, user.cwd, command=FAST_RETRY_CLI)  # a 400 is retried
    result = cli("generate", "--image", IMAGE_URL, "--prompt", "a cat", "--poll-interval", "0.05")
    assert result.code == code, result.stderr
    assert f"resume it with: runninghub-video wait {TASK}" in result.stderr
    assert cli.journaled_ids() == {TASK}
    assert faults.count(SUBMIT) == 1


def test_a_wait_on_a_wrong_base_url_is_not_nothing_paid(
    faults: FaultServer, cli_at: Callable[[str], Cli]
) -> None:
    faults.route(QUERY, json_reply({"error": "not found"}, 404))
    result = cli_at(faults.base_url)("wait", TASK)
    assert result.code == 1, result.stderr
    assert "is the base URL right?" in result.stderr
    assert f"resume it with: runninghub-video wait {TASK}" in result.stderr


def test_task_not_found_mid_wait_is_the_apis_word_on_the_task(
    faults: FaultServer, cli_at: Callable[[str], Cli]
) -> None:
    faults.route(SUBMIT, json_reply(task_body("QUEUED", TASK)))
    faults.route(QUERY, json_reply(task_body("FAILED", TASK, errorCode="1004")))
    cli = cli_at(faults.base_url)
    result = cli("generate", "--image", IMAGE_URL, "--prompt", "a cat", "--poll-interval", "0.05")
    assert result.code == 4, result.stderr
    assert f"task {TASK} not found" in result.stderr
    assert "resume it with" not in result.stderr
    assert cli.journaled_ids() == {TASK}
    assert faults.count(SUBMIT) == 1
