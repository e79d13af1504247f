"""--json prints one strict JSON object whatever the server sends: text is redacted before it
is encoded (redacting the encoded text could eat the backslash of an escaped quote), numbers
that are not finite are null, and usage is the library's Usage.to_dict()."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from runninghub_video._redaction import redact
from runninghub_video.cli._output import print_json, result_json
from runninghub_video.types import Task, Usage

from tests.support.api import QUERY
from tests.support.canned_server import canned_server
from tests.support.cli import cli_in
from tests.support.constants import KEY

TASK = "2013508786110730241"
QUOTING = [
    'proxy said: authorization="abc" missing',
    'token="x" Authorization: "abc"',
    "Authorization='abc' \\\" end",
    'authorization="',
    'a "quoted" \\ backslash and authorization=\\"abc\\"',
]


def strict(text: str) -> Any:
    """text as strict JSON (NaN and Infinity refused)."""

    def refuse(constant: str) -> None:
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def printed(data: dict[str, Any]) -> str:
    out = io.StringIO()
    print_json(data, out)
    return out.getvalue()


@pytest.mark.parametrize("message", QUOTING)
def test_a_message_quoting_authorization_stays_json(message: str) -> None:
    text = printed({"error": {"message": message}})
    assert text.endswith("\n")
    assert text.count("\n") == 1
    shown = strict(text)["error"]["message"]
    assert shown == redact(message, keep_query=True)
    assert "abc" not in shown


def test_the_key_is_redacted_in_every_string_keys_included() -> None:
    redact.add(KEY)
    data = {"a": [f"x {KEY} y", {"nested": KEY}], KEY: "key as a key", "n": 3, "ok": True}
    text = printed(data)
    assert KEY not in text
    assert strict(text)["n"] == 3


def test_a_result_url_keeps_its_query_string() -> None:
    url = "https://cdn.test/out.mp4?Expires=1&Signature=abc"
    assert strict(printed({"url": url}))["url"] == url


def test_numbers_that_are_not_finite_are_null() -> None:
    text = printed({"a": float("nan"), "b": [float("inf"), -float("inf")], "c": 1.5})
    assert strict(text) == {"a": None, "b": [None, None], "c": 1.5}


def test_usage_is_the_library_s_to_dict() -> None:
    usage = Usage(consume_money=Decimal("3.2"), task_cost_time=187.0)
    task = Task(id=TASK, status="SUCCESS", usage=usage)
    assert (
        result_json(task_id=TASK, task=task)["usage"]
        == usage.to_dict()
        == {
            "consume_money": "3.2",
            "consume_coins": None,
            "task_cost_time": 187.0,
            "third_party_consume_money": None,
        }
    )
    assert result_json(task_id=TASK, task=Task(id=TASK, status="RUNNING"))["usage"] is None


@pytest.mark.integration  # CLI subprocesses
def test_status_json_is_strict_whatever_usage_the_server_sends(tmp_path: Path) -> None:
    usage = {"consumeMoney": float("nan"), "consumeCoins": "12", "taskCostTime": float("inf"),
             "thirdPartyConsumeMoney": "-Infinity", "brandNew": {"deep": [1, 2]}}  # fmt: skip
    body = {"taskId": TASK, "status": "RUNNING", "errorCode": "", "errorMessage": "",
            "results": None, "usage": usage}  # fmt: skip
    with canned_server({QUERY: (200, body)}) as canned:
        cli = cli_in(tmp_path, canned.base_url)
        done = cli("status", "--json", TASK)
        plain = cli("status", TASK)
    assert done.code == 0, done.stderr
    data = strict(done.stdout)
    assert data["usage"] == {
        "consume_money": None,
        "consume_coins": "12",
        "task_cost_time": None,
        "third_party_consume_money": None,
    }
    assert plain.code == 0, plain.stderr
    assert "usage: consume_coins=12\n" in plain.stdout


@pytest.mark.integration  # CLI subprocesses
@pytest.mark.parametrize("message", QUOTING[:2])
def test_an_error_message_quoting_authorization_stays_json(tmp_path: Path, message: str) -> None:
    body = {"errorCode": "1004", "errorMessage": f"{message} {KEY}"}
    with canned_server({QUERY: (200, body)}) as canned:
        done = cli_in(tmp_path, canned.base_url)("status", "--json", TASK)
    assert done.code != 0
    data = strict(done.stdout)
    assert data["task_id"] == TASK
    assert data["error"]["code"] == "1004"
    assert "abc" not in data["error"]["message"]
    assert KEY not in done.stdout + done.stderr
