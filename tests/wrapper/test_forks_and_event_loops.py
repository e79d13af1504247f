"""A client inherited by a forked child, or used on a second event loop, opens connections of its
own before its next request; the parent's are left alone (issue 18, items 6 and 7). Real
sockets: the echo server, whose answers name the task asked about and which records the
connection each request came on."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from runninghub_video import AsyncRunningHub, RunningHub

from tests.support.constants import KEY
from tests.support.echo_server import QUERY, SUBMIT, Echo, echo_server, video_of

IMAGE = "https://example.com/a.png"


def in_child(work: Callable[[], Any]) -> Any:
    """work() run in a forked child (never back into pytest there); its result, sent back over a
    pipe as JSON. The parent blocks until the child is done: the two never run at once."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            try:
                outcome = {"result": work()}
            except BaseException as exc:
                outcome = {"error": f"{type(exc).__name__}: {exc}"}
            with os.fdopen(write, "w") as pipe:
                json.dump(outcome, pipe)
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        text = pipe.read()
    os.waitpid(pid, 0)
    outcome = json.loads(text or '{"error": "the child died"}')
    assert "error" not in outcome, outcome["error"]
    return outcome["result"]


def assert_own_connections(server: Echo) -> None:
    """The child (task C1) used connections of its own; the parent's next requests (P2) went
    over its first connections (P1): the child neither used nor closed them."""
    api, files = server.ports(QUERY, "P1"), server.ports("/files/P1.mp4", "P1")
    assert len(api) == len(files) == 1
    assert server.ports(QUERY, "C1").isdisjoint(api | files), "the child used the parent's socket"
    assert server.ports("/files/C1.mp4", "C1").isdisjoint(api | files)
    assert server.ports(QUERY, "P2") == api
    assert server.ports("/files/P2.mp4", "P2") == files


@pytest.mark.integration  # os.fork
def test_a_forked_child_of_the_sync_client_opens_its_own_connections(tmp_path: Path) -> None:
    def use(rh: RunningHub, task_id: str) -> list[str]:
        task = rh.get(task_id)
        return [task.id, rh.download(task, tmp_path / f"{task_id}.mp4").read_text()]

    with echo_server() as server, RunningHub(KEY, base_url=server.base_url) as rh:
        assert use(rh, "P1") == ["P1", video_of("P1").decode()]
        assert in_child(lambda: use(rh, "C1")) == ["C1", video_of("C1").decode()]
        assert use(rh, "P2") == ["P2", video_of("P2").decode()]
    assert_own_connections(server)


@pytest.mark.integration  # os.fork
def test_a_forked_child_of_the_async_client_opens_its_own_connections(tmp_path: Path) -> None:
    async def use(task_id: str) -> list[str]:
        task = await rh.get(task_id)
        return [task.id, (await rh.download(task, tmp_path / f"{task_id}.mp4")).read_text()]

    loop = asyncio.new_event_loop()  # the parent's one loop, not running when it forks
    try:
        with echo_server() as server:
            rh = AsyncRunningHub(KEY, base_url=server.base_url)
            assert loop.run_until_complete(use("P1")) == ["P1", video_of("P1").decode()]
            assert in_child(lambda: asyncio.run(use("C1"))) == ["C1", video_of("C1").decode()]
            assert loop.run_until_complete(use("P2")) == ["P2", video_of("P2").decode()]
            loop.run_until_complete(rh.close())
    finally:
        loop.close()
    assert_own_connections(server)


def test_a_second_asyncio_run_gets_fresh_connections_and_its_own_task(tmp_path: Path) -> None:
    """The second run's submit is sent once and its answer read (it raised a bare RuntimeError,
    'Event loop is closed', after sending: the paid task's id was lost)."""
    with echo_server() as server:
        rh = AsyncRunningHub(KEY, base_url=server.base_url)

        async def use(name: str) -> list[str]:
            task = await rh.submit("a lake", IMAGE)
            done = await rh.get(task.id)
            return [task.id, (await rh.download(done, tmp_path / name)).read_text()]

        async def last() -> list[str]:
            async with rh:
                return await use("second.mp4")

        assert asyncio.run(use("first.mp4")) == ["T1", video_of("T1").decode()]
        assert asyncio.run(last()) == ["T2", video_of("T2").decode()]
    assert [r.path for r in server.requests].count(SUBMIT) == 2
    first = {r.port for r in server.requests if r.task_id == "T1"}
    second = {r.port for r in server.requests if r.task_id == "T2"}
    assert first.isdisjoint(second)
