"""The API key never shows: every CLI command and error path, and the library's errors and
DEBUG logs, run with a sentinel key that is then hunted for in stdout, stderr, log records,
exception messages, reprs and tracebacks, the journal and every file written. The result host
never receives an Authorization header.
"""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import traceback
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from runninghub_video import RunningHubError, Task
from runninghub_video.sandbox import Sandbox
from runninghub_video.types import OutputFile

from scripts._processes import free_port, wait_for_port
from tests.reliability.conftest import FAST, IMAGE_URL, call, modes
from tests.reliability.fault_server import (
    FaultServer,
    Hold,
    Reply,
    Reset,
    Short,
    html_reply,
    json_reply,
    task_body,
)
from tests.support.api import QUERY, SUBMIT
from tests.support.cli import CLI, Cli, Result
from tests.support.constants import KEY, SAMPLE_PNG

TASK = "2013508786110730241"
FILE = "/files/result.mp4"
IMAGE = str(SAMPLE_PNG)
POLL = ["--poll-interval", "0.05"]


def texts_of(error: BaseException) -> list[str]:
    """Everything an error could show: message, repr, attributes, the whole traceback chain."""
    out = [str(error), repr(error), repr(vars(error))]
    out.append("".join(traceback.format_exception(error)))
    cause = error.__cause__ or error.__context__
    while cause is not None:
        out += [str(cause), repr(cause)]
        cause = cause.__cause__ or cause.__context__
    return out


def files_under(folder: Path) -> Iterator[Path]:
    return (path for path in folder.rglob("*") if path.is_file())


def assert_no_key_in_files(folder: Path) -> int:
    """No file under folder contains the key; returns how many files were scanned."""
    scanned = 0
    for path in files_under(folder):
        assert KEY.encode() not in path.read_bytes(), path
        scanned += 1
    return scanned


def run_all(cli: Cli, runs: list[list[str]], timeout: float = 60) -> list[Result]:
    """Run several CLI commands at once, each with --verbose; their results in order."""
    procs = [
        subprocess.Popen(
            [*CLI, *args, "--verbose"],
            cwd=cli.cwd,
            env=cli.env(),
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for args in runs
    ]
    results = []
    for proc in procs:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        results.append(Result(proc.returncode, stdout, stderr))
    return results


# ---------------------------------------------------------------- the CLI


@pytest.fixture
def scripted_faults() -> Iterator[dict[str, FaultServer]]:
    """One fault server per CLI error path, so that the runs can go at once."""
    servers = {
        "submit-html-500": FaultServer().route(SUBMIT, html_reply(500)),
        "submit-reset": FaultServer().route(SUBMIT, Reset()),
        "submit-401": FaultServer().route(SUBMIT, html_reply(401, "<html>401</html>")),
        "query-garbage": FaultServer().route(QUERY, Reply(200, b"\xff[" * 30, "text/html")),
        "query-429": FaultServer().route(
            QUERY, json_reply({"errorCode": "1003"}, 429, {"Retry-After": "0"})
        ),
        "download-reset": FaultServer(),
        "submit-stall": FaultServer().route(SUBMIT, Hold()),
        "never-done": FaultServer()
        .route(SUBMIT, json_reply(task_body("QUEUED", TASK)))
        .route(QUERY, json_reply(task_body("RUNNING", TASK))),
    }
    for server in servers.values():
        server.__enter__()
    reset = servers["download-reset"]
    reset.route(QUERY, json_reply(task_body("SUCCESS", TASK, result_url=reset.base_url + FILE)))
    reset.route(FILE, Short(b"\0" * 5000, announced=90_000, reset=True))
    try:
        yield servers
    finally:
        for server in servers.values():
            server.__exit__(None, None, None)


def test_cli_never_shows_or_writes_the_key(
    cli_at: Callable[[str], Cli],
    sandbox: Sandbox,
    scripted_faults: dict[str, FaultServer],
    tmp_path: Path,
) -> None:
    cli = cli_at(sandbox.base_url)
    before = sandbox.stats

    def at(name: str, *args: str) -> list[str]:
        return ["--base-url", scripted_faults[name].base_url, *args]

    def gen(prompt: str, *args: str, image: str = IMAGE_URL) -> list[str]:
        return ["generate", "--image", image, "--prompt", prompt, *POLL, *args]

    def sub(*args: str) -> list[str]:
        return ["submit", "--image", IMAGE_URL, "--prompt", "x", *args]

    # Ctrl-C while a submit hangs (started first: it runs alongside the rest).
    stalled = cli.start(*at("submit-stall", *gen("x", "--verbose")))
    batch: dict[str, tuple[list[str], int]] = {
        "generate": (gen("a fern", "--output", "a.mp4", image=IMAGE), 0),
        "no-wait": (gen("a fern", "--no-wait", image=IMAGE), 0),
        "upload": (["upload", IMAGE], 0),
        "failed-1505": (gen("a [sandbox:fail=1505]", "--json"), 4),
        "refused-422": (gen("a [sandbox:typo]"), 4),
        "expired-403": (gen("a [sandbox:expire]", "--output", "e.mp4"), 1),
        "deadline": (at("never-done", *gen("a slow one", "--timeout", "0.3")), 5),
        "key-flag": (["--api-key", KEY, "status", "1"], 4),  # task not found
        "key-echoed": (["status", "1", KEY], 2),
        "bad-base-url": (["--base-url", "ftp://x", "status", "1"], 2),
        "unreachable": (["--base-url", f"http://127.0.0.1:{free_port()}", "status", "1"], 1),
        "submit-html-500": (at("submit-html-500", *sub()), 1),
        "submit-reset": (at("submit-reset", *sub("--json")), 1),
        "submit-401": (at("submit-401", *gen("x")), 3),
        "query-garbage": (at("query-garbage", "status", TASK), 1),
        "query-429": (at("query-429", "wait", TASK, *POLL), 1),
        "download-reset": (at("download-reset", "download", TASK, "--output", "r.mp4"), 1),
    }
    results = dict(zip(batch, run_all(cli, [args for args, _ in batch.values()]), strict=True))
    submitted = results["no-wait"].stdout.strip()
    second: dict[str, tuple[list[str], int]] = {
        "status": (["status", submitted], 0),
        "wait": (["wait", submitted, "--output", "w.mp4", *POLL], 0),
        "download": (["download", submitted, "--output", "d.mp4", "--json"], 0),
        "tasks": (["tasks"], 0),
        "tasks-json": (["tasks", "--json"], 0),
    }
    results.update(zip(second, run_all(cli, [args for args, _ in second.values()]), strict=True))
    # The submit is held until the process ends (an event, not a timed stall that could
    # end before the signal arrives on a loaded machine).
    hold = scripted_faults["submit-stall"].on_hold(SUBMIT)
    assert hold.arrived.wait(timeout=120), "the stalled submit never arrived"
    stalled.send_signal(signal.SIGINT)
    out, err = stalled.communicate(timeout=15)
    results["ctrl-c"] = Result(stalled.returncode, out, err)

    expected = {name: code for name, (_, code) in {**batch, **second}.items()}
    expected["ctrl-c"] = 130
    assert {n: r.code for n, r in results.items()} == expected, {
        n: r.stderr[-300:] for n, r in results.items() if r.code != expected[n]
    }
    for name, result in results.items():
        assert KEY not in result.stdout, name
        assert KEY not in result.stderr, name
    assert " INFO runninghub_video: " in results["generate"].stderr  # --verbose logged...
    assert "Traceback" in results["submit-html-500"].stderr  # ...and printed tracebacks
    assert "[redacted]" in results["key-echoed"].stderr
    assert (cli.cwd / "a.mp4").exists()
    assert (cli.cwd / "w.mp4").exists()
    scanned = assert_no_key_in_files(tmp_path)  # journal, videos, anything else
    assert scanned >= 4
    assert len(cli.journaled_ids()) >= 5  # the journal was written to, and scanned
    assert sandbox.stats.file_requests - before.file_requests >= 4
    assert sandbox.stats.file_requests_with_authorization == 0
    assert scripted_faults["download-reset"].on(FILE)
    assert all("authorization" not in r.headers for r in scripted_faults["download-reset"].on(FILE))


def test_a_key_echoed_near_the_excerpt_limit_never_shows_in_part(
    cli_at: Callable[[str], Cli], faults: FaultServer, tmp_path: Path
) -> None:
    """A server that echoes the key just where error excerpts are cut (200 characters):
    no start of the key shows, in the error line, --json, the traceback or the journal."""
    echo = "y" * 165 + f" invalid apiKey {KEY} please check"
    faults.route(SUBMIT, Reply(500, echo.encode(), "text/plain"))
    cli = cli_at(faults.base_url)
    results = run_all(cli, [["submit", "--image", IMAGE_URL, "--prompt", "x", "--json"]])
    result = results[0]
    assert result.code == 1, result.stderr
    assert "invalid apiKey [redacted]" in result.json()["error"]["message"]
    assert "Traceback" in result.stderr
    fragment = KEY[:8]
    assert fragment not in result.stdout
    assert fragment not in result.stderr
    assert cli.journal_lines(), "the unconfirmed submit was journaled"
    for path in files_under(tmp_path):
        assert fragment.encode() not in path.read_bytes(), path


@pytest.mark.integration  # the sandbox command in a subprocess
def test_sandbox_command_never_logs_the_key(tmp_path: Path) -> None:
    """`runninghub-video sandbox --verbose` serving a client that sends the key."""
    port = free_port()
    cli = Cli("http://unused", tmp_path / "home", tmp_path, key=KEY)
    proc = cli.start("sandbox", "--port", str(port), "--speed", "50", "--verbose")
    try:
        wait_for_port(port, proc)  # type: ignore[arg-type]
        url = f"http://127.0.0.1:{port}"
        task = call("sync", url, "run", "a kite", IMAGE_URL)
        call("sync", url, "download", task, tmp_path / "k.mp4")
        with pytest.raises(RunningHubError):
            call("sync", url, "run", "a kite [sandbox:fail=1505]", IMAGE_URL)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr
    assert "task" in stderr  # it did log the requests
    assert KEY not in stdout + stderr
    assert_no_key_in_files(tmp_path)


# ---------------------------------------------------------------- the library


LIBRARY_FAULTS: dict[str, tuple[str, Any]] = {
    "submit-html-500": (SUBMIT, html_reply(500)),
    "submit-reset": (SUBMIT, Reset()),
    "submit-timeout": (SUBMIT, Hold()),
    "submit-401": (SUBMIT, json_reply({"errorMessage": "API Key 不存在"}, 401)),
    "submit-1505": (SUBMIT, json_reply({"taskId": "", "status": "", "errorCode": "1505"})),
    "query-garbage": (QUERY, Reply(200, b"<html>", "text/html")),
    "query-503": (QUERY, html_reply(503)),
    "query-failed": (QUERY, json_reply(task_body("FAILED", TASK, errorCode="1015"))),
}


@modes
def test_library_errors_and_debug_logs_never_hold_the_key(
    mode: str, sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: ours, httpx, httpcore, the sandbox
    seen: list[str] = []
    before = sandbox.stats
    task = call(mode, sandbox.base_url, "run", "a fox", SAMPLE_PNG)  # upload, submit, wait
    call(mode, sandbox.base_url, "download", task, tmp_path / "fox.mp4")
    seen.append(repr(task))
    errors: list[RunningHubError] = []
    for path, action in LIBRARY_FAULTS.values():
        with FaultServer() as server:
            server.route(SUBMIT, json_reply(task_body("QUEUED", TASK)))
            server.replace(path, action)
            policy = replace(FAST, request_timeout=0.3) if isinstance(action, Hold) else FAST
            with pytest.raises(RunningHubError) as caught:
                call(mode, server.base_url, "run", "a fox", IMAGE_URL, policy=policy)
            errors.append(caught.value)
    with pytest.raises(RunningHubError) as caught:
        call(mode, f"http://127.0.0.1:{free_port()}", "get", TASK)
    errors.append(caught.value)
    with FaultServer() as server:
        server.route(FILE, Short(b"\0" * 100, announced=1000, reset=True))
        output = OutputFile(url=server.base_url + FILE, output_type="mp4")
        with pytest.raises(RunningHubError) as caught:
            call(mode, server.base_url, "download", Task(TASK, "SUCCESS", (output,)), tmp_path)
        errors.append(caught.value)
        assert all("authorization" not in r.headers for r in server.on(FILE))
    assert len({type(e) for e in errors}) >= 6  # a real variety of error paths
    for error in errors:
        seen += texts_of(error)
    records = caplog.records
    assert any(r.levelno == logging.DEBUG for r in records)
    for record in records:
        seen.append(record.getMessage())
        if record.exc_info:
            seen.append("".join(traceback.format_exception(*record.exc_info)))
    offenders = [text for text in seen if KEY in text]
    assert not offenders, offenders[:3]
    assert sandbox.stats.file_requests > before.file_requests
    assert sandbox.stats.file_requests_with_authorization == 0
    assert_no_key_in_files(tmp_path)


def echoing_task(key: str) -> dict[str, Any]:
    """A task answer that echoes the key into every data field a Task and its raw model keep
    (the key JSON-escaped in one of them, which a byte search alone would miss)."""
    escaped = "".join(f"\\u{ord(ch):04x}" for ch in key)
    return task_body(
        "SUCCESS",
        TASK,
        errorCode="",
        errorMessage=f"echo {key}",
        results=[
            {"url": f"https://cdn.test/x.mp4?k={key}", "outputType": "mp4"},
            {"text": f"your key is {key}", "outputType": "txt"},
        ],
        failedReason={"exception_message": f"auth {key}", "traceback": [f"line {key}"]},
        usage={"consumeMoney": "0.1"},
        promptTips=escaped,
        **{f"extra_{key}": key},
    )


@modes
def test_a_key_echoed_in_a_task_answer_stays_out_of_every_data_surface(
    mode: str, faults: FaultServer
) -> None:
    body = json.dumps(echoing_task(KEY)).replace("\\\\u", "\\u").encode()
    assert KEY.encode() in body
    faults.route(QUERY, Reply(200, body, "application/json"))
    task: Task = call(mode, faults.base_url, "get", TASK)
    assert task.status == "SUCCESS"
    surfaces = [
        json.dumps(task.to_dict()),
        repr(task),
        repr(task.raw),
        str(task.raw.to_dict() if task.raw is not None else None),
        repr(task.failed_reason),
        str(task.failed_reason.to_dict() if task.failed_reason else None),
        repr(task.results),
    ]
    for surface in surfaces:
        assert KEY not in surface, surface
    assert task.results[1].text == "your key is [redacted]"


@modes
def test_a_key_echoed_only_behind_json_escapes_is_scrubbed_too(
    mode: str, faults: FaultServer
) -> None:
    escaped = "".join(f"\\u{ord(ch):04x}" for ch in KEY)
    body = json.dumps(task_body("RUNNING", TASK, errorMessage="KEY")).replace(
        '"KEY"', f'"{escaped}"'
    )
    assert KEY not in body
    faults.route(QUERY, Reply(200, body.encode(), "application/json"))
    task: Task = call(mode, faults.base_url, "get", TASK)
    assert task.error_message == "[redacted]"
    assert KEY not in repr(task.raw)
