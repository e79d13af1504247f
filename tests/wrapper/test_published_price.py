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
from tests.reliability.fault_server import FaultServer, Request, json_reply
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
        spec["currency"], spec["field"], {str(k): str(v) for k, v in spec["prices"].items()}
    )
    assert set(spec["prices"]) == set(DURATIONS)  # a price for every duration the spec allows


@pytest.mark.parametrize(
    ("found", "refusal"),
    [
        ({"currency": "CNY", "field": "length", "prices": {"4": "3.2"}}, "needs currency"),
        ({"currency": "CNY", "field": "duration", "prices": {"5": "3.2"}}, "not a value"),
        ({"currency": "CNY", "field": "duration", "prices": {"4": "free"}}, "positive amount"),
        ({"currency": "CNY", "field": "duration", "prices": {"4": "-1"}}, "positive amount"),
        ({"currency": "CNY", "field": "duration", "prices": {}}, "needs currency"),
        ({"field": "duration", "prices": {"4": "3.2"}}, "needs currency"),
    ],
)
def test_a_published_price_the_endpoint_cannot_have_fails_the_build(
    found: dict[str, Any], refusal: str
) -> None:
    fields = [{"json_name": "duration", "choices": list(DURATIONS)}]
    with pytest.raises(contract_table.TableError, match=refusal):
        contract_table.published_price({"x-published-price": found}, fields)
    assert contract_table.published_price({}, fields) is None


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
        server.replace(PRICE, json_reply({"errorCode": "1001", "errorMessage": "no price"}))
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
    found = _published_estimate([CheckedRequest(unlisted, values, {})], "errorCode 1001")
    assert (found.total, found.published) == (None, False)
    assert "publishes no price" in found.note
    listed_one = CheckedRequest(endpoint, values, {})
    assert _published_estimate([listed_one], "e").total == Decimal(listed()["prices"]["4"])


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
