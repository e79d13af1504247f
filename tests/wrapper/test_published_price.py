"""The vendor's published prices (the overlay's x-published-price [OFF pricing]): carried by
the contract table, checked when it is built, played by the sandbox, and what a batch's
estimate falls back to, labelled, when the price preview cannot price (issue 21)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from runninghub_video import RunningHub
from runninghub_video._endpoints import PublishedPrice, load, seed
from runninghub_video._params import SEED_DEFAULTS, CheckedRequest
from runninghub_video.batch import Batch
from runninghub_video.sandbox import Sandbox

from scripts import contract_table
from tests.reliability.fault_server import FaultServer, Request, html_reply, json_reply
from tests.support.api import CONTRACT
from tests.support.cli import cli_in
from tests.support.constants import ROOT
from tests.wrapper.fakes import KEY

PRICE = CONTRACT.one("price").path
DURATIONS = ("4", "8", "12")


def listed() -> dict[str, Any]:
    """The merged spec's x-published-price of the seed's submit."""
    spec = yaml.safe_load((ROOT / "openapi" / "runninghub.yaml").read_text(encoding="utf-8"))
    found: dict[str, Any] = spec["paths"][seed().path]["post"]["x-published-price"]
    return found


def test_the_contract_table_carries_the_specs_published_prices() -> None:
    spec = listed()
    assert seed().published_price == PublishedPrice(
        spec["site"], spec["currency"], spec["field"], dict(spec["prices"])
    )
    assert set(spec["prices"]) == set(DURATIONS)  # a price for every duration the spec allows


GOOD: dict[str, Any] = {"site": "https://www.runninghub.cn", "currency": "CNY",
                        "field": "duration", "prices": {"4": "3.2"}}  # fmt: skip


@pytest.mark.parametrize(
    ("changed", "refusal"),
    [
        ({"field": "length"}, "needs site"),
        ({"field": "prompt"}, "needs site"),  # free text: no price per value
        ({"prices": {"5": "3.2"}}, "not a value"),
        ({"prices": {"4": "free"}}, "positive amount"),
        ({"prices": {"4": "-1"}}, "positive amount"),
        ({"prices": {"4": "0"}}, "positive amount"),
        ({"prices": {"4": "3_2"}}, "positive amount"),  # Decimal and float read 32
        ({"prices": {"4": " 3.2 "}}, "positive amount"),
        ({"prices": {"4": "1E+2"}}, "positive amount"),
        ({"prices": {"4": 0.30000000000000004}}, "positive amount"),  # a float, not text
        ({"prices": {}}, "needs site"),
        ({"currency": "usd "}, "needs site"),
        ({"currency": ""}, "needs site"),
        ({"site": "http://www.runninghub.cn"}, "needs site"),
        ({"site": None}, "needs site"),
    ],
)
def test_a_published_price_the_endpoint_cannot_have_fails_the_build(
    changed: dict[str, Any], refusal: str
) -> None:
    fields: list[dict[str, Any]] = [{"json_name": "duration", "choices": list(DURATIONS)},
              {"json_name": "prompt", "choices": None}]  # fmt: skip
    with pytest.raises(contract_table.TableError, match=refusal):
        contract_table.published_price({"x-published-price": {**GOOD, **changed}}, fields)
    assert contract_table.published_price({}, fields) is None
    assert contract_table.published_price({"x-published-price": GOOD}, fields) == GOOD


@pytest.mark.parametrize("duration", DURATIONS)
def test_the_sandbox_charges_the_published_price(sandbox: Sandbox, duration: str) -> None:
    image = "https://cdn.test/cat.png"
    fields = {**SEED_DEFAULTS, "prompt": "a gull", "image_url": image, "duration": duration}
    with RunningHub(KEY, base_url=sandbox.base_url) as rh:
        price = rh.price("image-to-video-realistic", **fields)
        task = rh.run("a gull [sandbox:instant]", image, duration=duration)  # type: ignore[arg-type]
    assert price.amount == Decimal(listed()["prices"][duration])
    assert task.usage is not None
    assert task.usage.consume_money == price.amount  # consumeMoney of the finished task


@pytest.fixture
def no_price_preview(sandbox: Sandbox) -> Iterator[FaultServer]:
    """The sandbox behind a proxy whose price preview answers an error, as an API that cannot
    price this endpoint would; every other call reaches the sandbox."""
    with FaultServer() as server:

        async def forward(request: Request) -> Any:
            return await server.forward(request, sandbox.base_url)

        for operation in CONTRACT.operations:
            server.route(operation.path, forward)
        # What a path the API does not have answers (the sandbox's 404, errorCode 1001).
        server.replace(PRICE, json_reply({"errorCode": "1001", "errorMessage": "no price"}, 404))
        yield server


def rows(durations: tuple[str, ...] = DURATIONS) -> list[dict[str, object]]:
    return [{"image_url": f"https://cdn.test/{n}.png", "prompt": f"shot {n}", "duration": d}
            for n, d in enumerate(durations)]  # fmt: skip


def test_a_batch_the_api_cannot_price_is_estimated_from_the_published_prices(
    no_price_preview: FaultServer, tmp_path: Path
) -> None:
    batch = Batch(rows(), api_key=KEY, base_url=no_price_preview.base_url, folder=tmp_path)
    estimate = batch.estimate()
    prices = listed()["prices"]
    assert estimate.total == sum(Decimal(prices[d]) for d in DURATIONS)
    assert (estimate.currency, estimate.rows, estimate.published) == ("CNY", 3, True)
    assert "published prices" in estimate.note
    assert "1001" in estimate.note
    assert no_price_preview.count(PRICE) >= 1
    assert no_price_preview.count(CONTRACT.one("task").path) == 0  # nothing submitted


def test_without_a_published_price_the_estimate_stays_unknown() -> None:
    from runninghub_video._batch import _published_estimate

    endpoint = load(seed())
    unlisted = endpoint._replace(info=endpoint.info._replace(published_price=None))
    values: dict[str, object] = {"prompt": "p", "duration": "4"}
    cn = "https://www.runninghub.cn"
    found = _published_estimate([CheckedRequest(unlisted, values, {})], "errorCode 1001", cn)
    assert (found.total, found.published) == (None, False)
    assert "publishes no price" in found.note
    listed_one = CheckedRequest(endpoint, values, {})
    assert _published_estimate([listed_one], "e", cn).total == Decimal(listed()["prices"]["4"])
    local = _published_estimate([listed_one], "e", "http://127.0.0.1:8000")  # a sandbox, a mock
    assert local.total == Decimal(listed()["prices"]["4"])
    other = _published_estimate([listed_one], "e", "https://www.runninghub.ai")  # USD, its own
    assert (other.total, other.published) == (None, False)
    assert "another site" in other.note


@pytest.mark.integration  # the CLI in processes
def test_the_cli_shows_the_label_and_max_cost_holds_against_the_fallback(
    no_price_preview: FaultServer, tmp_path: Path
) -> None:
    cli = cli_in(tmp_path, no_price_preview.base_url)
    table = cli.cwd / "rows.jsonl"
    table.write_text("".join(json.dumps(row) + "\n" for row in rows()), encoding="utf-8")
    total = sum(Decimal(listed()["prices"][d]) for d in DURATIONS)
    dry = cli("batch", str(table), "--out", "out", "--dry-run")
    assert dry.code == 0, dry.stderr
    assert f"estimate: {total} CNY for 3 rows (from the vendor's published prices" in dry.stdout
    refused = cli("batch", str(table), "--out", "out", "--max-cost", str(total - 1), "--yes")
    assert refused.code == 2, refused.stderr
    assert "above --max-cost" in refused.stderr
    events = [
        json.loads(line)
        for line in cli(
            "batch", str(table), "--out", "out", "--dry-run", "--json"
        ).stdout.splitlines()
    ]
    assert events[0]["published"] is True
    assert events[0]["total"] == str(total)
    assert no_price_preview.count(CONTRACT.one("task").path) == 0  # nothing was ever sent


def proxied(sandbox: Sandbox, price_answer: Any) -> FaultServer:
    """A fault server forwarding to the sandbox, its price preview answering price_answer."""
    server = FaultServer()

    async def forward(request: Request) -> Any:
        return await server.forward(request, sandbox.base_url)

    for operation in CONTRACT.operations:
        server.route(operation.path, forward)
    server.replace(PRICE, price_answer)
    return server


def test_a_request_the_api_refuses_is_not_priced_from_the_list(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    refused = json_reply({"errorCode": "1005", "errorMessage": "bad parameter"}, 422)
    with proxied(sandbox, refused) as server:
        estimate = Batch(rows(), api_key=KEY, base_url=server.base_url, folder=tmp_path).estimate()
    assert (estimate.total, estimate.published) == (None, False)  # --max-cost refuses it
    assert "1005" in estimate.note


def test_prices_the_api_gave_are_kept_and_only_the_rest_is_from_the_list(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    answers = [json_reply({"errorCode": "", "estimatedPrice": 15.0, "currency": "CNY"}),
               html_reply(500)]  # fmt: skip
    with proxied(sandbox, answers[0]) as server:
        server.route(PRICE, answers[1])  # the first row priced at 15, then the API fails
        estimate = Batch(rows(("12", "4")), api_key=KEY, base_url=server.base_url,
                         folder=tmp_path).estimate()  # fmt: skip
    assert estimate.total == Decimal(15) + Decimal(listed()["prices"]["4"])
    assert estimate.published


def test_the_estimate_counts_every_row_the_run_would_pay_and_no_other(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    from runninghub_video._batch import STATE_FILE, _Store

    bad: list[dict[str, object]] = [
        *rows(("4",)),
        {"image_url": "https://cdn.test/b.png", "prompt": "b", "duration": "5"},
    ]
    first = Batch(bad, api_key=KEY, base_url=sandbox.base_url, folder=tmp_path)
    assert first.run(skip_invalid=True).totals["invalid"] == 1
    fixed = [bad[0], {**bad[1], "duration": "12"}]  # the invalid row, fixed: the run pays it
    estimate = Batch(fixed, api_key=KEY, base_url=sandbox.base_url, folder=tmp_path).estimate()
    assert (estimate.rows, estimate.total) == (1, Decimal(listed()["prices"]["12"]))
    held = [{"image_url": "https://cdn.test/c.png", "prompt": "c", "duration": "8"}]
    folder = tmp_path / "held"
    plan = Batch(held, api_key=KEY, base_url=sandbox.base_url, folder=folder)
    assert plan.estimate().rows == 1
    (planned,) = plan.report().rows
    store = _Store(folder / STATE_FILE)
    store.add(
        planned.key, 0, Path(str(planned.output)), "submitting"
    )  # a run died with this submit out
    store.close()
    again = Batch(held, api_key=KEY, base_url=sandbox.base_url, folder=folder).estimate()
    assert again.rows == 0  # held as unconfirmed by the run: nothing to pay for
