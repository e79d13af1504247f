"""Account status (issue 20): rh.account() reads the balance from the v1 envelope (Prism's
examples, amounts as strings); the sandbox's balance goes down by each task's price and the
CLI's `account` shows it with the key's concurrency; the key the call carries in its body never
reaches an error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from runninghub_video import Account, RunningHub, ServerError, UnexpectedResponseError
from runninghub_video.sandbox import Limits, Sandbox

from tests.support.api import CONTRACT
from tests.support.cli import cli_in
from tests.support.sandboxes import running_sandbox
from tests.wrapper.fakes import KEY
from tests.wrapper.test_against_prism import Prefer

ACCOUNT = CONTRACT.one("account").path
IMAGE_URL = "https://cdn.test/cat.png"


@pytest.mark.parametrize(
    ("example", "expected"),
    [
        ("COINS", Account(money=None, currency=None, coins=Decimal(177814), tasks=0,
                          key_type="NORMAL")),
        ("MONEY", Account(money=Decimal("96.80"), currency="CNY", coins=Decimal(0), tasks=1,
                          key_type="NORMAL")),
    ],
)  # fmt: skip
def test_the_documented_answers_from_prism(prism_url: str, example: str, expected: Account) -> None:
    transport = Prefer({ACCOUNT: f"example={example}"})
    with RunningHub(KEY, base_url=prism_url, transport=transport) as rh:
        assert rh.account() == expected


@pytest.fixture(scope="module")
def still() -> Iterator[Sandbox]:
    """A sandbox whose tasks stay unfinished for hours, with 20 CNY on the account."""
    with running_sandbox(speed=1e-4, limits=Limits(balance=20.0)) as sandbox:
        yield sandbox


@pytest.mark.integration  # a sandbox and the CLI
def test_the_balance_and_the_counts_follow_the_tasks(still: Sandbox, tmp_path: Path) -> None:
    cli = cli_in(tmp_path, still.base_url)
    before = cli("account", "--json")
    assert before.code == 0, before.stderr
    with RunningHub(KEY, base_url=still.base_url) as rh:
        rh.submit("a gull", IMAGE_URL, duration="8")  # 6.5 CNY in the sandbox
    after = cli("account", "--json")
    assert Decimal(after.json()["money"]) == Decimal(before.json()["money"]) - Decimal("6.5")
    assert after.json()["currency"] == "CNY"
    assert after.json()["running"] + after.json()["queued"] == (
        before.json()["running"] + before.json()["queued"] + 1
    )
    assert after.json()["concurrency_limit"] == 50
    shown = cli("account")
    assert shown.code == 0, shown.stderr
    assert "balance:" in shown.stdout
    assert "limit 50 at once" in shown.stdout
    assert KEY not in shown.stdout + shown.stderr + after.stdout + after.stderr


def answering(body: object, status: int = 200) -> RunningHub:
    def reply(request: httpx.Request) -> httpx.Response:
        echoed = {"echo": request.content.decode(), **body} if isinstance(body, dict) else body
        return httpx.Response(status, json=echoed)

    return RunningHub(KEY, base_url="https://api.test", transport=httpx.MockTransport(reply))


def test_the_key_in_the_body_never_reaches_an_error() -> None:
    with answering({"code": 500, "msg": "boom"}, status=500) as rh, pytest.raises(ServerError) as e:
        rh.account()
    assert KEY not in f"{e.value} {e.value!r} {e.value.body_excerpt}"


@pytest.mark.parametrize(
    "data", [{"remainMoney": "lots"}, {"remainMoney": "NaN"}, {"remainCoins": True}, None]
)
def test_odd_amounts_are_clear_errors(data: object) -> None:
    with (
        answering({"code": 0, "msg": "ok", "data": data}) as rh,
        pytest.raises(UnexpectedResponseError) as e,
    ):
        rh.account()
    assert KEY not in json.dumps(str(e.value))
