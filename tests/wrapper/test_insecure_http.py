"""A plain http:// base URL beyond loopback is refused before any request, unless the caller opts
in (issue 18, item 8): the key would travel in clear, readable by any proxy or network on the
way. Real sockets: the echo server stands for a proxy on the way (HTTP_PROXY), and records
every request and its Authorization header, so that a refusal is proven to have sent nothing."""

from __future__ import annotations

import argparse
import asyncio
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from runninghub_video import AsyncRunningHub, ConfigurationError, RunningHub
from runninghub_video._journal import ENV_HOME
from runninghub_video._settings import ENV_API_KEY, ENV_BASE_URL, Settings
from runninghub_video.cli._main import run
from runninghub_video.cli._output import Display
from runninghub_video.cli._task_run import TaskRun

from tests.support.constants import KEY
from tests.support.echo_server import QUERY, Echo, echo_server

REMOTE = "http://runninghub.example"
"""Never resolved: the proxy is asked for it."""
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Echo]:
    """The echo server as the environment's http proxy, the only one."""
    for name in (*PROXY_VARIABLES, *(v.lower() for v in PROXY_VARIABLES)):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv(ENV_BASE_URL, raising=False)
    with echo_server() as server:
        monkeypatch.setenv("HTTP_PROXY", server.base_url)
        yield server


def query(mode: str, **options: Any) -> str:
    """One query (task P1) through a client made with `options`; the task id answered."""
    if mode == "sync":
        with RunningHub(KEY, **options) as rh:
            return rh.get("P1").id

    async def go() -> str:
        async with AsyncRunningHub(KEY, **options) as rh:
            return (await rh.get("P1")).id

    return asyncio.run(go())


modes = pytest.mark.parametrize("mode", ["sync", "async"])


@modes
@pytest.mark.parametrize("source", ["argument", "environment"])
def test_plain_http_beyond_loopback_is_refused_before_any_request(
    mode: str, source: str, proxy: Echo, monkeypatch: pytest.MonkeyPatch
) -> None:
    options: dict[str, Any] = {"base_url": REMOTE}
    if source == "environment":
        monkeypatch.setenv(ENV_BASE_URL, REMOTE + ":8080/")
        options = {}
    with pytest.raises(ConfigurationError) as caught:
        query(mode, **options)
    message = str(caught.value)
    for said in (
        "runninghub.example",
        "unencrypted",
        "allow_insecure_http=True",
        "--allow-insecure-http",
    ):
        assert said in message
    assert proxy.requests == [], "the key went out in clear"


@modes
def test_opting_in_sends_it_and_the_proxy_reads_the_key(mode: str, proxy: Echo) -> None:
    """Why the refusal: with the opt-in, the proxy on the way sees the key as sent."""
    assert query(mode, base_url=REMOTE, allow_insecure_http=True) == "P1"
    (request,) = proxy.requests
    assert (request.host, request.path) == ("runninghub.example", QUERY)
    assert request.authorization == f"Bearer {KEY}"


@modes
def test_loopback_needs_no_opt_in(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PROXY_VARIABLES, *(v.lower() for v in PROXY_VARIABLES)):
        monkeypatch.delenv(name, raising=False)
    with echo_server() as server:
        assert query(mode, base_url=server.base_url) == "P1"
        port = server.base_url.rsplit(":", 1)[1]
        assert query(mode, base_url=f"http://localhost:{port}") == "P1"
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1", "http://127.8.9.10:4011", "http://[::1]:4011", "http://LocalHost:1",
     "https://10.0.0.1", "https://runninghub.example"],
)  # fmt: skip
def test_loopback_and_https_are_accepted(url: str) -> None:
    assert Settings.resolve(KEY, url, None).base_url == url


@pytest.mark.parametrize(
    "url",
    ["http://10.0.0.1", "http://0.0.0.0:4011", "http://[::ffff:10.0.0.1]", "http://localhost.evil",
     "http://127.0.0.1.nip.io", "http://user:pw@runninghub.example"],
)  # fmt: skip
def test_other_plain_http_hosts_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="allow_insecure_http") as caught:
        Settings.resolve(KEY, url, None)
    assert "pw" not in str(caught.value)
    if "@" in url:  # user info is refused in any case (aiohttp refuses it beside the key)
        with pytest.raises(ConfigurationError, match="user name or password") as caught:
            Settings.resolve(KEY, url, None, allow_insecure_http=True)
        assert "pw" not in str(caught.value)
        return
    assert Settings.resolve(KEY, url, None, allow_insecure_http=True).base_url == url


def test_the_cli_refuses_it_and_says_how_to_opt_in(
    proxy: Echo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv(ENV_API_KEY, KEY)
    monkeypatch.setenv(ENV_HOME, str(tmp_path))
    assert run(["--base-url", REMOTE, "status", "P1"]) == 2
    printed = capsys.readouterr()
    assert "--allow-insecure-http" in printed.err
    assert proxy.requests == []
    for argv in (["--allow-insecure-http", "--base-url", REMOTE, "status", "P1"],
                 ["status", "P1", "--base-url", REMOTE, "--allow-insecure-http"]):  # fmt: skip
        assert run(argv) == 0
        assert "P1 SUCCESS" in capsys.readouterr().out
    assert [r.authorization for r in proxy.requests] == [f"Bearer {KEY}"] * 2


@pytest.mark.parametrize("allowed", [True, False])
def test_the_resume_command_keeps_the_opt_in(allowed: bool) -> None:
    """The printed `wait` command that picks a task up again is not refused in its turn."""
    args = argparse.Namespace(base_url=REMOTE, allow_insecure_http=allowed)
    line = TaskRun(args, Display("plain", io.StringIO())).command("wait", "T1", None)
    opt_in = " --allow-insecure-http" if allowed else ""
    assert line.endswith(f"--base-url {REMOTE}{opt_in} wait T1")
