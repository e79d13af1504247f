"""The stateful links of the account side (issue 20): submit -> cancel -> query, played by
schemathesis against the sandbox serving the merged spec. The submit answers a task id, cancel
takes it (with the key, in the body) and its answer links to the query of that same id, which
then answers CANCEL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.contract.test_second_page import schemathesis_run
from tests.support.api import SUBMIT
from tests.support.constants import SPEC
from tests.support.sandboxes import running_sandbox

pytestmark = pytest.mark.integration  # schemathesis and a sandbox in processes

OPERATIONS = ("imageToVideoRealistic", "cancelTask", "queryTask")


def test_the_spec_links_submit_to_cancel_and_cancel_to_query() -> None:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    submit = spec["paths"][SUBMIT]["post"]["responses"]["200"]["links"]
    cancel = spec["paths"]["/task/openapi/cancel"]["post"]["responses"]["200"]["links"]
    assert submit["CancelTask"]["requestBody"] == {"taskId": "$response.body#/taskId"}
    assert cancel["QueryTask"] == {
        "operationId": "queryTask",
        "description": cancel["QueryTask"]["description"],
        "requestBody": {"taskId": "$request.body#/taskId"},
    }


def test_schemathesis_plays_submit_cancel_query_against_the_sandbox(tmp_path: Path) -> None:
    selected = [arg for op in OPERATIONS for arg in ("--include-operation-id", op)]
    with running_sandbox(data_dir=tmp_path / "data") as sandbox:
        out = schemathesis_run(
            SPEC, sandbox.base_url, "--phases", "stateful", "--mode", "positive", *selected,
            "--max-examples", "25", "--seed", "1", "--exclude-checks", "ignored_auth",
        )  # fmt: skip
        stats = sandbox.stats
    links = re.search(r"Links:\s+(\d+) covered / (\d+) selected", out)
    assert links, out[-4000:]
    assert int(links.group(1)) == int(links.group(2)) == 3, out[-4000:]
    assert stats.cancels > 0
    assert stats.answers_5xx == 0
