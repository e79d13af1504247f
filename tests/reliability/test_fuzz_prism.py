"""run(), sync and async, against Prism in dynamic mode (`prism mock -d`): every answer is a
random spec-valid body (random statuses, ids, results, errorCodes, upload codes), and in half
the rounds a random documented error status (`Prefer: code=NNN`). The only acceptable
outcomes are a Task or a RunningHubError.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from runninghub_video import (
    AsyncRunningHub,
    InvalidInputError,
    Policy,
    RunningHub,
    RunningHubError,
    Task,
)

from scripts._processes import prism_mock
from tests.reliability.figures import record
from tests.support.constants import KEY, SAMPLE_PNG

pytestmark = pytest.mark.integration  # Prism (Node) in dynamic mode

ROUNDS = 40  # per client kind
CODES = ["400", "401", "422", "429", "500", "502", "503", "504"]
POLICY = Policy(
    poll_interval=0.01,
    wait_timeout=1.0,
    backoff_initial=0.01,
    backoff_max=0.02,
    max_retry_after=0.02,
    request_timeout=10.0,
)


@pytest.fixture(scope="module")
def dynamic_prism() -> Iterator[str]:
    with prism_mock("-d") as url:
        yield url


def prefer(rng: random.Random) -> dict[str, str]:
    """Half the time, ask Prism for a random documented error status (still a dynamic body)."""
    return {"Prefer": f"code={rng.choice(CODES)}"} if rng.random() < 0.5 else {}


class Chaos(httpx.HTTPTransport):
    def __init__(self, seed: int) -> None:
        super().__init__()
        self.rng = random.Random(seed)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.headers.update(prefer(self.rng))
        return super().handle_request(request)


class AsyncChaos(httpx.AsyncHTTPTransport):
    def __init__(self, seed: int) -> None:
        super().__init__()
        self.rng = random.Random(seed)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.headers.update(prefer(self.rng))
        return await super().handle_async_request(request)


def kind(outcome: Task | BaseException) -> str:
    if isinstance(outcome, Task):
        return f"Task {outcome.status}"
    assert isinstance(outcome, RunningHubError), f"{type(outcome).__name__}: {outcome}"
    # Our input was valid: blaming it ("nothing was sent, nothing was paid") would be a lie.
    assert not isinstance(outcome, InvalidInputError), outcome
    return type(outcome).__name__


def test_sync_run_against_dynamic_prism(dynamic_prism: str) -> None:
    outcomes: Counter[str] = Counter()
    for round_ in range(ROUNDS):
        chaos = round_ % 2 == 1
        transport = Chaos(round_) if chaos else None
        image = SAMPLE_PNG if round_ % 4 < 2 else "https://cdn.test/cat.png"
        with RunningHub(KEY, base_url=dynamic_prism, policy=POLICY, transport=transport) as rh:
            try:
                outcome: Task | BaseException = rh.run("a cat turns its head", image)
            except Exception as error:
                outcome = error
        outcomes[kind(outcome)] += 1
    record("prism -d: sync run() outcomes", dict(sorted(outcomes.items())))


def test_async_run_against_dynamic_prism(dynamic_prism: str) -> None:
    async def one(round_: int) -> str:
        transport = AsyncChaos(round_) if round_ % 2 == 1 else None
        image = SAMPLE_PNG if round_ % 4 < 2 else "https://cdn.test/cat.png"
        async with AsyncRunningHub(
            KEY, base_url=dynamic_prism, policy=POLICY, transport=transport
        ) as rh:
            try:
                outcome: Task | BaseException = await rh.run("a cat turns its head", image)
            except Exception as error:
                outcome = error
        return kind(outcome)

    async def main() -> list[str]:
        return await asyncio.gather(*(one(r) for r in range(ROUNDS)))

    outcomes = Counter(asyncio.run(main()))
    record("prism -d: async run() outcomes", dict(sorted(outcomes.items())))
