"""Every answer the vendor's developer kit states or tests (tests/contract/kit_bodies.py) reaches
the kit's outcome, or the recorded deviation, through four real parts: schemathesis's response
validator against openapi/runninghub.yaml, the generated model, the wrapper over a real socket
and the CLI in a subprocess."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from runninghub_client.models import TaskOutput, TaskResult, UploadResult
from runninghub_video import APIError, Policy, RunningHub, Task

from tests.contract.kit_bodies import (
    KIT_CASES,
    NOT_JSON,
    QUERIES,
    REFUSED,
    SUBMITS,
    TASK,
    KitCase,
)
from tests.contract.test_vendor_bodies import conforms, run_cli
from tests.contract.vendor_bodies import QUERY, SUBMIT, UPLOAD
from tests.support.canned_server import Canned, canned_server
from tests.support.cli import FAST_RETRY_CLI, Cli
from tests.support.constants import KEY, SAMPLE_PNG, SPEC

FAST = Policy(poll_interval=0.001, backoff_initial=0.001, backoff_max=0.001)
IMAGE = "https://example.com/input.png"
STILL_RUNNING = (200, {"status": "RUNNING"})
PATHS = yaml.safe_load(SPEC.read_text(encoding="utf-8"))["paths"]


def check_spec(case: KitCase) -> None:
    """The spec documents every JSON answer, unless the case says it refuses one."""
    documented = [(status, body) for status, body in case.answers if isinstance(body, dict)]
    assert bool(documented) == (case.spec != NOT_JSON), case.name
    for status, _ in case.answers:  # the status is declared (403 and 404 too, [KIT])
        assert str(status) in PATHS[case.path]["post"]["responses"], (case.name, status)
    if case.spec == REFUSED:
        refused = 0
        for status, body in documented:
            try:
                conforms(case.path, status, body)
            except Exception:  # schemathesis's FailureGroup
                refused += 1
        assert refused, f"{case.name}: the spec accepts it now; mark it VALID or UNDECLARED"
        return
    for status, body in documented:
        conforms(case.path, status, body)


def check_generated_model(case: KitCase) -> None:
    """The generated model parses an answer or raises: it never returns a raw dict as a model."""
    for status, body in case.answers:
        if status != 200 or not isinstance(body, dict):
            continue
        model = UploadResult if case.path == UPLOAD else TaskResult
        try:
            parsed: Any = model.from_dict(body)
        except (KeyError, TypeError, ValueError):
            continue
        assert isinstance(parsed, model)
        if isinstance(parsed, TaskResult) and isinstance(parsed.results, list):
            assert all(isinstance(item, TaskOutput) for item in parsed.results), case.name


def call(case: KitCase, rh: RunningHub) -> Task | str:
    if case.path == SUBMIT:
        return rh.submit("a calm lake", IMAGE)
    if case.path == QUERY:
        return rh.wait(TASK, timeout=60)
    return rh.upload(SAMPLE_PNG)


def answers_of(case: KitCase) -> dict[str, Any]:
    answers: dict[str, Any] = {case.path: list(case.answers)}
    if case.path == SUBMIT:
        answers[QUERY] = STILL_RUNNING
    return answers


def check_wrapper(case: KitCase, server: Canned) -> None:
    with RunningHub(KEY, base_url=server.base_url, policy=FAST) as rh:
        if case.error is None:
            got = call(case, rh)
            if isinstance(got, str):
                assert (got,) == case.outputs
            else:
                assert (got.id, got.status) == (case.task_id, case.status)
                assert tuple(output.value for output in got.results) == case.outputs
        else:
            with pytest.raises(case.error) as raised:
                call(case, rh)
            error = raised.value
            assert isinstance(error, APIError)
            assert (error.task_id, error.task_may_exist) == (case.task_id, case.task_may_exist)
            assert ("may exist" in str(error)) == case.task_may_exist
            for text in case.outputs:  # an upload refusal's text reaches the user
                assert text in str(error)
    assert server.paths.count(case.path) == case.requests, server.paths


def check_cli(case: KitCase, server: Canned, home: Path) -> None:
    server.paths.clear()
    if case.path == SUBMIT:
        result = run_cli(server.base_url, home, "submit", "--image", IMAGE, "--prompt", "a lake",
                         "--json")  # fmt: skip
    elif case.path == QUERY:
        cli = Cli(server.base_url, home, home, command=FAST_RETRY_CLI)  # failed polls back off
        result = cli("wait", TASK, "--json", "--poll-interval", "0.01", timeout=120)
    else:
        result = run_cli(server.base_url, home, "upload", str(SAMPLE_PNG), "--json")
    assert result.code == case.exit_code, result.stderr
    out = json.loads(result.stdout.splitlines()[-1])
    if case.path == SUBMIT:
        journal = home / "tasks.jsonl"
        lines = journal.read_text().splitlines() if journal.exists() else []
        journaled = [json.loads(line) for line in lines]
        intents = [line for line in journaled if line["event"] in ("submitting", "unsent")]
        assert intents[0]["event"] == "submitting"  # journaled before the paid request
        journaled = [line for line in journaled if line not in intents]
        # A task, or a submit that may have made one, is journaled; a refusal is not.
        expected = {case.task_id} if case.task_id or case.task_may_exist else set()
        assert {line.get("task_id") for line in journaled} == expected
        if case.task_id is not None:
            assert out["task_id"] == case.task_id
            assert case.task_id in result.stderr
        assert server.paths.count(SUBMIT) == case.requests  # never resent
    elif case.path == QUERY:
        assert out.get("task_id") == TASK or TASK in json.dumps(out), out
    for text in case.outputs if case.error is None and case.path == UPLOAD else ():
        assert text in result.stdout


@pytest.mark.integration  # the CLI in a subprocess
@pytest.mark.parametrize("case", KIT_CASES, ids=[case.name for case in KIT_CASES])
def test_kit_answer(case: KitCase, tmp_path: Path) -> None:
    check_spec(case)
    check_generated_model(case)
    with canned_server(answers_of(case)) as server:
        check_wrapper(case, server)
        check_cli(case, server, tmp_path)


def test_the_corpus_covers_what_the_kit_states() -> None:
    """Each shape the reference lists from the kit is a case here."""
    bodies = [body for case in KIT_CASES for _, body in case.answers]
    shown = json.dumps([body for body in bodies if isinstance(body, dict)])
    for shape in ('{"taskId": "task-123"}', '{"task_id": "task-123"}', '"outputUrl"',
                  '"content"', '"output"', '{"status": "CREATE"}', '{"status": "FAILED"}',
                  '{"status": "CANCEL"}', '"errorMessage": "bad file"', '"success"'):  # fmt: skip
        assert shape in shown, shape
    assert {case.path for case in SUBMITS} == {SUBMIT}
    assert {case.path for case in QUERIES} == {QUERY}


def test_every_named_deviation_is_recorded_in_the_spec() -> None:
    """A case that differs from the kit names an x-deviation-* entry the merged spec carries."""
    info = yaml.safe_load(SPEC.read_text(encoding="utf-8"))["info"]
    named = {case.deviation for case in KIT_CASES if case.deviation}
    assert named
    assert named <= set(info), named - set(info)
