"""Every body the vendor documents (tests/contract/vendor_bodies.py) reaches the right outcome.

Each body goes through four real parts: schemathesis's response validator against
openapi/runninghub.yaml (read with PyYAML, as in the contract run), the generated model, the
wrapper over a real socket, and the CLI in a subprocess. Removing one of the overlay's
"bodies the vendor documents" fixes makes the matching case fail.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import yaml
from openapi_schema_validator import OAS30Validator
from runninghub_client.models import TaskResult, UploadResult
from runninghub_video import Policy, RunningHub

from tests.contract.vendor_bodies import BODIES, QUERY, RUNNING, SUBMIT, TASK_ID, UPLOAD, VendorBody
from tests.support.canned_server import canned_server
from tests.support.cli import Cli, Result
from tests.support.constants import KEY, SAMPLE_PNG, SPEC

SCHEMA = schemathesis.openapi.from_path(SPEC, config=schemathesis.Config.from_dict({}))


def conforms(path: str, status: int, body: object) -> None:
    """Raise (schemathesis FailureGroup) unless the spec documents this answer."""
    request = httpx.Request("POST", f"http://127.0.0.1{path}")
    response = httpx.Response(status, json=body, request=request)
    response.elapsed = datetime.timedelta(0)  # set by httpx's client; read by schemathesis
    SCHEMA[path]["POST"].validate_response(response)


def run_cli(base_url: str, home: Path, *args: str) -> Result:
    return Cli(base_url, home, home)(*args, timeout=120)


def check_task_body(case: VendorBody, tmp_path: Path) -> None:
    model = TaskResult.from_dict(case.body)
    assert (model.task_id, model.status) == (TASK_ID, case.status)
    with canned_server({QUERY: (200, case.body)}) as server:
        policy = Policy(poll_interval=0.01)
        with RunningHub(KEY, base_url=server.base_url, policy=policy) as rh:
            task = rh.get(TASK_ID)
            assert (task.id, task.status) == (TASK_ID, case.status)
            if case.error is not None:
                with pytest.raises(case.error) as raised:
                    rh.wait(TASK_ID, timeout=60)
                assert type(raised.value) is case.error
                assert raised.value.task_id == TASK_ID
                assert raised.value.error_code == (case.body["errorCode"] or None)
        command = "wait" if case.error is not None else "status"
        result = run_cli(server.base_url, tmp_path, command, TASK_ID, "--json")
        assert result.code == case.exit_code, result.stderr
        out = json.loads(result.stdout)
        assert (out["task_id"], out["status"]) == (TASK_ID, case.status)


def check_upload_body(case: VendorBody, tmp_path: Path) -> None:
    model = UploadResult.from_dict(case.body)
    assert model.code == case.body["code"]
    answers = {UPLOAD: (200, case.body), SUBMIT: (200, RUNNING)}
    with canned_server(answers) as server:
        with RunningHub(KEY, base_url=server.base_url) as rh:
            if case.error is None:
                assert rh.upload(SAMPLE_PNG) == case.body["data"]["download_url"]
            else:
                with pytest.raises(case.error) as raised:
                    rh.upload(SAMPLE_PNG)
                assert type(raised.value) is case.error
                assert raised.value.error_code == str(case.body["code"])
        server.paths.clear()
        result = run_cli(
            server.base_url, tmp_path,
            "generate", "--image", str(SAMPLE_PNG), "--prompt", "a calm lake", "--no-wait",
        )  # fmt: skip
        assert result.code == case.exit_code, result.stderr
        # A refused upload never leads to a (paid) submit.
        assert server.paths == ([UPLOAD, SUBMIT] if case.error is None else [UPLOAD])


@pytest.mark.integration  # the CLI in a subprocess
@pytest.mark.parametrize("case", BODIES, ids=[case.name for case in BODIES])
def test_documented_body(case: VendorBody, tmp_path: Path) -> None:
    """Spec-valid, parsed by the generated model, and the right wrapper and CLI outcome."""
    conforms(case.path, 200, case.body)
    if case.path == QUERY:
        conforms(SUBMIT, 200, case.body)  # submit answers the same task object
        check_task_body(case, tmp_path)
    else:
        check_upload_body(case, tmp_path)


def test_corpus_covers_the_reference() -> None:
    """The three documented task bodies and an upload success and failure are all here."""
    names = {case.name for case in BODIES}
    assert {"query-RUNNING", "query-SUCCESS", "query-FAILED-1505"} <= names
    assert {"upload-success", "upload-failed-data-null"} <= names


def request_schema(path: str) -> dict[str, Any]:
    """The JSON request body schema of an operation, with a top-level $ref resolved."""
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    schema: dict[str, Any] = spec["paths"][path]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"]
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


SUBMIT_BODY = {"prompt": "p", "resolution": "720p", "aspectRatio": "16:9",
               "imageUrl": "https://example.com/a.png", "duration": "4"}  # fmt: skip


@pytest.mark.parametrize(
    ("path", "body"),
    [(QUERY, {"taskId": ""}), (SUBMIT, {**SUBMIT_BODY, "imageUrl": ""})],
    ids=["query-empty-taskId", "submit-empty-imageUrl"],
)
def test_request_constraints(path: str, body: dict[str, object]) -> None:
    """An empty taskId or imageUrl is not a valid request (minLength 1 in the overlay)."""
    validator = OAS30Validator(request_schema(path))
    assert validator.is_valid({**body, "taskId": "1"} if path == QUERY else SUBMIT_BODY)
    assert not validator.is_valid(body)
