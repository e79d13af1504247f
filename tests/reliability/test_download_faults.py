"""Downloads under faults, over real sockets: a file appears under its final name only when
complete; otherwise a typed DownloadError, no partial file, no temporary file left behind.
The result host never sees the API key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from runninghub_video import DownloadError, Task
from runninghub_video.sandbox import Sandbox
from runninghub_video.types import OutputFile

from tests.reliability.conftest import FAST, IMAGE_URL, call, modes
from tests.reliability.fault_server import (
    Action,
    FaultServer,
    Reply,
    Short,
    Trickle,
    json_reply,
    task_body,
)
from tests.support.api import QUERY
from tests.support.cli import Cli

CliAt = Callable[[str], Cli]
TASK = "2013508786110730241"
VIDEO = os.urandom(256 * 1024)
FILE = "/files/result.mp4"
SHORT_READS = replace(FAST, request_timeout=0.4)
POLL = ["--poll-interval", "0.05"]

BROKEN: dict[str, tuple[Action, str]] = {
    "content-length-lie": (Short(VIDEO[:100_000], announced=len(VIDEO)), "failed"),
    "reset-mid-stream": (Short(VIDEO[:100_000], announced=len(VIDEO), reset=True), "failed"),
    "expired-403": (
        Reply(403, b"<Error><Code>AccessDenied</Code></Error>", "application/xml"),
        "HTTP 403 .*expire",
    ),
    "html-access-denied-200": (
        Reply(200, b"<html><body>Access denied</body></html>", "text/html; charset=utf-8"),
        "answered text/html, not a video",
    ),
    "plain-text-200": (Reply(200, b"Forbidden", "text/plain"), "answered text/plain"),
    "empty-200": (Reply(200, b"", "video/mp4"), "empty body"),
    "trickle-then-silence": (
        Trickle(VIDEO, chunk=8192, gap=0.01, stall_after=64 * 1024, stall=3.0),
        "failed \\(ReadTimeout\\b",
    ),
}


def done(url: str) -> Task:
    return Task(id=TASK, status="SUCCESS", results=(OutputFile(url=url, output_type="mp4"),))


def no_authorization(faults: FaultServer) -> None:
    files = faults.on(FILE)
    assert files
    assert all("authorization" not in r.headers for r in files)


@modes
@pytest.mark.parametrize("fault", list(BROKEN))
def test_broken_download_leaves_nothing(
    mode: str, fault: str, faults: FaultServer, tmp_path: Path
) -> None:
    action, why = BROKEN[fault]
    faults.route(FILE, action)
    dest = tmp_path / "video.mp4"
    with pytest.raises(DownloadError, match=why) as caught:
        call(
            mode,
            faults.base_url,
            "download",
            done(faults.base_url + FILE + "?sign=s3cr3t"),
            dest,
            policy=SHORT_READS,
        )
    assert caught.value.task_id == TASK
    assert "s3cr3t" not in str(caught.value)  # signed query strings stay out of messages
    assert list(tmp_path.iterdir()) == []  # no final file, no .part
    no_authorization(faults)


@pytest.mark.parametrize("fault", ["reset-mid-stream", "content-length-lie"])
def test_broken_download_keeps_the_previous_file(
    fault: str, faults: FaultServer, tmp_path: Path
) -> None:
    faults.route(FILE, BROKEN[fault][0])
    dest = tmp_path / "video.mp4"
    dest.write_bytes(b"the previous video")
    with pytest.raises(DownloadError):
        call("sync", faults.base_url, "download", done(faults.base_url + FILE), dest,
             overwrite=True)  # fmt: skip
    assert dest.read_bytes() == b"the previous video"
    assert sorted(tmp_path.iterdir()) == [dest]


@modes
def test_slow_but_steady_download_completes(mode: str, faults: FaultServer, tmp_path: Path) -> None:
    """The read timeout bounds each read, not the whole download: a slow link still works."""
    faults.route(FILE, Trickle(VIDEO[: 64 * 1024], chunk=4096, gap=0.03))  # about 0.5 s in all
    path = call(
        mode,
        faults.base_url,
        "download",
        done(faults.base_url + FILE),
        tmp_path / "v.mp4",
        policy=SHORT_READS,
    )
    assert path.read_bytes() == VIDEO[: 64 * 1024]
    assert sorted(tmp_path.iterdir()) == [path]


@modes
def test_download_by_task_id_queries_first(mode: str, faults: FaultServer, tmp_path: Path) -> None:
    faults.route(QUERY, json_reply(task_body("SUCCESS", TASK, result_url=faults.base_url + FILE)))
    faults.route(FILE, Reply(200, VIDEO, "video/mp4"))
    path = call(mode, faults.base_url, "download", TASK, tmp_path)
    assert path == tmp_path / f"{TASK}.mp4"
    assert path.read_bytes() == VIDEO
    assert "authorization" in faults.on(QUERY)[0].headers  # the API gets the key...
    no_authorization(faults)  # ...the result host does not


@modes
def test_sandbox_expired_link(mode: str, sandbox: Sandbox, tmp_path: Path) -> None:
    task = call(mode, sandbox.base_url, "run", "a bridge [sandbox:expire]", IMAGE_URL)
    with pytest.raises(DownloadError, match="HTTP 403") as caught:
        call(mode, sandbox.base_url, "download", task, tmp_path / "b.mp4")
    assert caught.value.status_code == 403
    assert list(tmp_path.iterdir()) == []
    assert sandbox.stats.file_requests_with_authorization == 0


# ---------------------------------------------------------------- through the CLI


CLI_FAULTS = ["reset-mid-stream", "expired-403", "content-length-lie"]


@pytest.mark.parametrize("fault", [*CLI_FAULTS, "html-access-denied-200", "empty-200"])
def test_cli_broken_download_exits_1_and_says_how_to_retry(
    fault: str, cli_at: CliAt, faults: FaultServer
) -> None:
    faults.route(QUERY, json_reply(task_body("SUCCESS", TASK, result_url=faults.base_url + FILE)))
    faults.route(FILE, BROKEN[fault][0])
    cli = cli_at(faults.base_url)
    result = cli("wait", TASK, "--output", "v.mp4", "--poll-interval", "0.05")
    assert result.code == 1, result.stderr
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert re.search(BROKEN[fault][1], errors[0]), errors[0]
    retry = f"task {TASK} succeeded; download it again with: runninghub-video download {TASK}"
    assert f"{retry} --output v.mp4" in result.stderr
    assert list(cli.cwd.iterdir()) == []  # no video, no .part
    assert cli.journal_lines()[-1]["event"] == "error"
    no_authorization(faults)
    # The printed command works once the link does.
    faults.replace(FILE, Reply(200, VIDEO, "video/mp4"))
    again = cli("download", TASK, "--output", "v.mp4")
    assert again.code == 0, again.stderr
    assert (cli.cwd / "v.mp4").read_bytes() == VIDEO


@pytest.mark.parametrize("json_output", [[], ["--json"]], ids=["text", "json"])
def test_cli_resume_commands_keep_overwrite(
    cli_at: CliAt, faults: FaultServer, json_output: list[str]
) -> None:
    """The printed command that retries a download replaces the file, as the user asked."""
    faults.route(QUERY, json_reply(task_body("SUCCESS", TASK, result_url=faults.base_url + FILE)))
    faults.route(FILE, BROKEN["reset-mid-stream"][0])
    cli = cli_at(faults.base_url)
    (cli.cwd / "v.mp4").write_bytes(b"old")
    result = cli("wait", TASK, "--output", "v.mp4", "--overwrite", *POLL, *json_output)
    assert result.code == 1, result.stderr
    resume = f"runninghub-video download {TASK} --output v.mp4 --overwrite"
    assert f"download it again with: {resume}" in result.stderr
    if json_output:
        assert result.json()["resume"] == resume
    faults.replace(FILE, Reply(200, VIDEO, "video/mp4"))
    again = cli(*resume.split()[1:])
    assert again.code == 0, again.stderr
    assert (cli.cwd / "v.mp4").read_bytes() == VIDEO
