"""200 tasks at once with AsyncRunningHub against the sandbox with faults switched on: the
sandbox's markers (429 at submit, 503 at query, FAILED, CANCEL) and, in front of it, the
fault server as a proxy that breaks one query in three of every task (HTML 502, reset, 429).
Every task must end in its own final state; none lost; one paid submit per task.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from runninghub_video import (
    AsyncRunningHub,
    ContentRejectedError,
    RunningHubError,
    Task,
    TaskFailedError,
)
from runninghub_video.sandbox import Sandbox

from tests.reliability.conftest import FAST, IMAGE_URL
from tests.reliability.fault_server import (
    Action,
    FaultServer,
    Request,
    Reset,
    html_reply,
    json_reply,
)
from tests.reliability.figures import record
from tests.support.api import QUERY, SUBMIT, UPLOAD
from tests.support.cli import is_mp4
from tests.support.constants import KEY
from tests.support.sandboxes import running_sandbox

TASKS = 200


@dataclass(frozen=True)
class Kind:
    """One kind of task: its prompt marker, the outcome it must reach, its refused submits."""

    marker: str
    status: str  # SUCCESS, FAILED or CANCEL
    error_code: str | None = None
    refused_submits: int = 0


KINDS = [
    Kind("", "SUCCESS"),
    Kind("[sandbox:query5xx=2]", "SUCCESS"),
    Kind("[sandbox:fail=1505]", "FAILED", "1505"),
    Kind("[sandbox:fail=1015]", "FAILED", "1015"),
    Kind("[sandbox:cancel]", "CANCEL"),
    Kind("[sandbox:submit429=1]", "SUCCESS", refused_submits=1),
    Kind("[sandbox:submit429=2][sandbox:query5xx=1]", "SUCCESS", refused_submits=2),
    Kind("[sandbox:instant]", "SUCCESS"),
]


class ChaosProxy:
    """Forwards to the sandbox, but breaks the 2nd, 5th, 8th... query of every task."""

    FAULTS: tuple[Action, ...] = (
        html_reply(502),
        Reset(),
        json_reply({"errorCode": "1003"}, 429, {"Retry-After": "0"}),
    )

    def __init__(self, server: FaultServer, upstream: str) -> None:
        self.server = server
        self.upstream = upstream
        self.queries: Counter[str] = Counter()
        self.injected = 0
        server.route(QUERY, self.query)
        server.route(SUBMIT, self.forward)
        server.route(UPLOAD, self.forward)

    async def forward(self, request: Request) -> Action:
        return await self.server.forward(request, self.upstream)

    async def query(self, request: Request) -> Action:
        task_id = str(request.json().get("taskId"))
        number = self.queries[task_id]
        self.queries[task_id] += 1
        if number % 3 == 1:
            self.injected += 1
            return self.FAULTS[self.injected % len(self.FAULTS)]
        return await self.forward(request)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """Tasks of about 0.5 s (speed 10): long enough to be polled several times each."""
    with running_sandbox(speed=10) as sb:
        yield sb


def test_200_tasks_under_faults_all_end_right(sandbox: Sandbox, tmp_path: Path) -> None:
    before = sandbox.stats
    tag = f"{time.monotonic():.6f}"  # the 429 marker counts per prompt: fresh prompts
    kinds = [KINDS[i % len(KINDS)] for i in range(TASKS)]
    # 200 requests at once on a small machine (and a first render for the instant tasks) can
    # take seconds to answer, and a SYN dropped from a full accept queue is resent after 1 s:
    # timeouts of 1 s would turn slowness into faults this test does not count on.
    policy = replace(FAST, wait_timeout=60.0, request_timeout=30.0, connect_timeout=10.0)

    with FaultServer() as server:
        proxy = ChaosProxy(server, sandbox.base_url)

        async def one(rh: AsyncRunningHub, i: int) -> Task | RunningHubError:
            prompt = f"task {i} of {tag} {kinds[i].marker}"
            try:
                return await rh.run(prompt, IMAGE_URL)
            except RunningHubError as error:
                return error

        async def main() -> tuple[list[Task | RunningHubError], list[Path]]:
            async with AsyncRunningHub(KEY, base_url=server.base_url, policy=policy) as rh:
                outcomes = await asyncio.gather(*(one(rh, i) for i in range(TASKS)))
                done = [o for o in outcomes if isinstance(o, Task)][:10]
                paths = await asyncio.gather(
                    *(rh.download(task, tmp_path / f"{task.id}.mp4") for task in done)
                )
            return outcomes, paths

        start = time.monotonic()
        outcomes, paths = asyncio.run(main())
        elapsed = time.monotonic() - start

    after = sandbox.stats
    ids: list[str] = []
    wrong: list[str] = []
    for i, (kind, outcome) in enumerate(zip(kinds, outcomes, strict=True)):
        if kind.status == "SUCCESS":
            ok = isinstance(outcome, Task) and outcome.succeeded and outcome.video_url is not None
        else:
            ok = (
                isinstance(outcome, TaskFailedError)
                and outcome.status == kind.status
                and outcome.error_code == kind.error_code
                and isinstance(outcome, ContentRejectedError) == (kind.error_code == "1505")
            )
        if not ok:
            wrong.append(f"task {i} {kind.marker or 'plain'}: {outcome!r}")
        task_id = outcome.id if isinstance(outcome, Task) else outcome.task_id
        if task_id:
            ids.append(task_id)
    assert not wrong, "\n".join(wrong[:10])
    assert len(set(ids)) == TASKS  # every task ended under its own id: none lost

    refused = sum(kind.refused_submits for kind in kinds)
    assert after.submits - before.submits == TASKS  # one paid task per run()
    assert after.submit_attempts - before.submit_attempts == TASKS + refused
    assert proxy.injected > 0
    assert all(is_mp4(path) for path in paths)
    assert after.file_requests - before.file_requests == len(paths)
    assert after.file_requests_with_authorization == 0

    record("concurrency: tasks waited on at once", TASKS)
    record("concurrency: outcomes", dict(Counter(k.status for k in kinds)))
    record("concurrency: submit requests (accepted + 429-refused)", f"{TASKS} + {refused}")
    record("concurrency: queries (proxy)", sum(proxy.queries.values()))
    record("concurrency: faults injected by the proxy", proxy.injected)
    record(
        "concurrency: 503s from sandbox markers",
        sum(int(k.marker.split("query5xx=")[1][0]) for k in kinds if "query5xx" in k.marker),
    )
    record("concurrency: wall time (s)", round(elapsed, 1))
