"""Price preview (issue 20): rh.price() checks the fields as a submit would, uploads a local
image (free), and reads the price the API would charge, sending no submit; the sandbox prices
as it renders (through Prism's validating proxy too); 0 is free only when the API says so."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from runninghub_video import AsyncRunningHub, InvalidInputError, Price, RunningHub
from runninghub_video._params import SEED_DEFAULTS
from runninghub_video.sandbox import Sandbox

from tests.support.constants import SAMPLE_PNG
from tests.wrapper.fakes import KEY, answering

SEED = "image-to-video-realistic"


def fields(**changed: object) -> dict[str, object]:
    return {**SEED_DEFAULTS, "prompt": "a gull", "image_url": "https://cdn.test/cat.png", **changed}


@pytest.mark.parametrize(("duration", "amount"), [("4", "3.2"), ("8", "6.5")])
def test_the_sandbox_prices_a_call_and_nothing_is_submitted(
    sandbox: Sandbox, duration: str, amount: str
) -> None:
    before = sandbox.stats.submit_attempts
    with RunningHub(KEY, base_url=sandbox.base_url) as rh:
        price = rh.price(SEED, **fields(duration=duration))
    assert price == Price(amount=Decimal(amount), currency="CNY", free=False, text=f"{amount} CNY")
    assert sandbox.stats.submit_attempts == before


def test_a_local_image_is_uploaded_then_priced_async(sandbox: Sandbox) -> None:
    async def go() -> Price:
        async with AsyncRunningHub(KEY, base_url=sandbox.base_url) as rh:
            return await rh.price(SEED, **fields(image_url=str(SAMPLE_PNG)))

    uploads = sandbox.stats.upload_attempts
    assert asyncio.run(go()).amount == Decimal("3.2")
    assert sandbox.stats.upload_attempts == uploads + 1


def test_bad_fields_are_refused_before_any_request(sandbox: Sandbox) -> None:
    before = (sandbox.stats.submit_attempts, sandbox.stats.upload_attempts)
    with RunningHub(KEY, base_url=sandbox.base_url) as rh, pytest.raises(InvalidInputError):
        rh.price(SEED, **fields(duration="5"))
    assert (sandbox.stats.submit_attempts, sandbox.stats.upload_attempts) == before


def test_the_sandbox_price_passes_prisms_validating_proxy(prism_proxy_url: str) -> None:
    with RunningHub(KEY, base_url=prism_proxy_url) as rh:
        assert rh.price(SEED, **fields()).amount == Decimal("3.2")


def test_prism_answers_a_typed_price(prism_url: str) -> None:
    with RunningHub(KEY, base_url=prism_url) as rh:
        assert isinstance(rh.price(SEED, **fields()).amount, Decimal)


@pytest.mark.parametrize(
    ("body", "free", "amount"),
    [
        ({"estimatedPrice": 0, "currency": "CNY"}, False, "0"),  # 0 seen for a paid call
        ({"estimatedPrice": 0, "isFreeThisCall": True}, True, "0"),
        ({"estimatedPrice": "3.20", "currency": "CNY"}, False, "3.20"),
    ],
)
def test_only_the_api_says_a_call_is_free(body: object, free: bool, amount: str) -> None:
    with answering(body) as rh:
        price = rh.price(SEED, **fields())
    assert (price.free, price.amount) == (free, Decimal(amount))


@pytest.mark.parametrize(
    "body", [{"currency": "CNY"}, {"estimatedPrice": "-1"}, {"estimatedPrice": "lots"}]
)
def test_an_answer_without_a_price_is_a_clear_error(body: object) -> None:
    from runninghub_video import UnexpectedResponseError

    with answering(body) as rh, pytest.raises(UnexpectedResponseError):
        rh.price(SEED, **fields())
