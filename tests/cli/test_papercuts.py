"""The first-time user's papercuts: --json on every command that prints a result (upload
too), a `sandbox --help` with only sandbox options, the same options for both sandbox entry
points, and a missing image that says "not found" before any request."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from runninghub_video import AsyncRunningHub, InvalidInputError, RunningHub
from runninghub_video.cli._commands import COMMANDS, build_parser
from runninghub_video.cli._endpoint_commands import commands as endpoint_commands
from runninghub_video.cli._task_run import shell_quoted
from runninghub_video.sandbox import Sandbox, Stats
from runninghub_video.sandbox.__main__ import build_parser as sandbox_parser

from tests.cli.conftest import ROOT, SAMPLE_PNG, Cli

JSON_FIELDS = {"task_id", "status", "results", "output", "error", "usage", "resume"}
NOT_FOR_THE_SANDBOX = {
    "--json", "--timeout", "--poll-interval", "--output", "--overwrite", "--api-key",
    "--base-url", "--image", "--prompt",
}  # fmt: skip


def requests(stats: Stats) -> tuple[int, int, int, int]:
    """Every request a client can send: submits, queries, uploads, file downloads."""
    return (stats.submit_attempts, stats.queries, stats.upload_attempts, stats.file_requests)


def subparser(command: str) -> argparse.ArgumentParser:
    """The parser of one `runninghub-video` command."""
    (sub,) = (a for a in build_parser(command)._actions if a.dest == "command")
    assert isinstance(sub, argparse._SubParsersAction)
    parser: argparse.ArgumentParser = sub.choices[command]
    return parser


def options(parser: argparse.ArgumentParser) -> set[str]:
    """The option strings a parser accepts, --help aside."""
    return {o for action in parser._actions for o in action.option_strings} - {"-h", "--help"}


def options_in_help(text: str) -> set[str]:
    """The options a --help text lists (one per line, indented; the epilog may name others)."""
    return set(re.findall(r"^ +(?:-\w, )?(--[a-z][a-z-]*)", text, re.M)) - {"--help"}


# ------------------------------------------------------------------ --json


@pytest.mark.parametrize("command", [name for name in COMMANDS if name != "sandbox"])
def test_every_command_that_prints_a_result_takes_json(command):
    assert "--json" in options(subparser(command))


def test_the_docs_synopsis_lists_json_where_it_applies():
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    synopsis = page[page.index("runninghub-video generate --image") :]
    synopsis = synopsis[: synopsis.index("```")]
    entries = re.split(r"\n(?=runninghub-video )", synopsis)
    per_endpoint = {command.name for command in endpoint_commands()}  # one generic entry
    for name in COMMANDS.keys() - per_endpoint:
        (entry,) = (e for e in entries if e.startswith(f"runninghub-video {name} "))
        takes = "--json" in options(subparser(name))
        listed = "--json" in entry or "same options as generate" in entry
        assert listed == takes, entry


def test_upload_json_prints_one_object_with_the_url(cli: Cli, sandbox: Sandbox):
    before = sandbox.stats.uploads
    result = cli("upload", str(SAMPLE_PNG), "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert data == {"url": data["url"]}
    assert data["url"].startswith(sandbox.base_url + "/files/uploads/")
    assert sandbox.stats.uploads == before + 1
    assert result.stderr == ""


def test_upload_json_error_is_the_usual_error_object(cli: Cli):
    result = cli("upload", "missing.png", "--json")
    assert result.code == 2
    data = result.json()
    assert set(data) == JSON_FIELDS
    assert data["error"]["type"] == "InvalidInputError"
    assert "not found" in data["error"]["message"]
    assert data["task_id"] is None


# ------------------------------------------------------------------ entry points


@pytest.mark.integration  # starts a subprocess or the sandbox
def test_every_entry_point_runs_the_same_command_line():
    """The console script (pyproject: runninghub_video.cli:main), `python -m runninghub_video`
    and `python -m runninghub_video.cli`."""
    script = Path(sys.executable).with_name("runninghub-video")
    entry_points = [
        [str(script)],
        [sys.executable, "-m", "runninghub_video"],
        [sys.executable, "-m", "runninghub_video.cli"],
    ]
    helps = [
        subprocess.run(
            [*argv, "upload", "--help"], capture_output=True, text=True, check=True, timeout=60
        ).stdout
        for argv in entry_points
    ]
    assert helps[0].startswith("usage: runninghub-video upload")
    assert "--json" in helps[0]
    assert helps[1:] == helps[:1] * 2


# ------------------------------------------------------------------ the sandbox's options


@pytest.mark.integration  # starts a subprocess
def test_sandbox_help_offers_only_sandbox_options(tmp_path: Path):
    result = Cli("http://unused", tmp_path / "home", tmp_path)("sandbox", "--help")
    assert result.code == 0, result.stderr
    offered = options_in_help(result.stdout)
    assert offered == options(sandbox_parser())
    assert not offered & NOT_FOR_THE_SANDBOX
    assert "exit codes:" not in result.stdout


@pytest.mark.integration  # starts a subprocess or the sandbox
def test_both_sandbox_entry_points_have_the_same_options():
    cli = {a.dest: a.option_strings for a in subparser("sandbox")._actions}
    module = {a.dest: a.option_strings for a in sandbox_parser()._actions}
    assert cli == module
    assert {"--port", "--speed", "--limit", "--data-dir", "--verbose"} <= options(sandbox_parser())
    help_text = subprocess.run(
        [sys.executable, "-m", "runninghub_video.sandbox", "--help"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    assert options_in_help(help_text) == options(sandbox_parser())


@pytest.mark.integration  # starts a subprocess
def test_sandbox_command_takes_the_module_only_options_now(tmp_path: Path):
    """--limit used to exist only for `python -m runninghub_video.sandbox`."""
    cli = Cli("http://unused", tmp_path / "home", tmp_path)
    result = cli("sandbox", "--limit", "ttl=0")
    assert result.code == 2
    assert "ttl must be" in result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------ a missing image


@pytest.mark.parametrize("command", [["upload"], ["generate", "--prompt", "x", "--image"]])
def test_cli_missing_image_says_not_found_and_sends_nothing(
    cli: Cli, sandbox: Sandbox, command: list[str]
):
    before = requests(sandbox.stats)
    result = cli(*command, "missing.png")
    assert result.code == 2, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: invalid image: 'missing.png'")
    assert f"not found: {cli.cwd / 'missing.png'}" in line
    assert requests(sandbox.stats) == before
    assert not cli.journal_lines()


@pytest.mark.integration  # starts a subprocess or the sandbox
def test_library_missing_image_is_an_invalid_input_before_any_request(tmp_path: Path):
    missing = tmp_path / "missing.png"
    with Sandbox(port=0, speed=50) as sb, RunningHub("sandbox-key", base_url=sb.base_url) as rh:
        with pytest.raises(InvalidInputError, match="not found"):
            rh.upload(missing)
        with pytest.raises(InvalidInputError, match="not found"):
            rh.submit("a gull", missing)
        with pytest.raises(InvalidInputError, match="not found"):
            rh.run(prompt="a gull", image=str(missing))
        with pytest.raises(InvalidInputError, match="a folder"):
            rh.upload(tmp_path)
        assert requests(sb.stats) == (0, 0, 0, 0)


@pytest.mark.integration  # starts a subprocess or the sandbox
def test_async_library_missing_image_is_an_invalid_input_before_any_request(tmp_path: Path):
    missing = str(tmp_path / "missing.png")

    async def go(base_url: str) -> None:
        async with AsyncRunningHub("sandbox-key", base_url=base_url) as rh:
            with pytest.raises(InvalidInputError, match="not found"):
                await rh.upload(missing)
            with pytest.raises(InvalidInputError, match="not found"):
                await rh.submit("a gull", missing)

    with Sandbox(port=0, speed=50) as sb:
        asyncio.run(go(sb.base_url))
        assert requests(sb.stats) == (0, 0, 0, 0)


@pytest.mark.integration  # bash in a subprocess
@pytest.mark.parametrize(
    "part",
    ["vid\neo.mp4", "it's", "a\\b\tc", "plain", "vidé o.mp4", "vid\udce9o.mp4", "\x1b[31m"],
    ids=["newline", "quote", "backslash-tab", "plain", "non-ascii", "latin-1-byte", "escape"],
)
def test_a_printed_command_is_one_line_that_bash_reads_back(part: str) -> None:
    """An --output with a newline broke the printed resume command (issue 18, item 17)."""

    quoted = shell_quoted(part)
    assert quoted.isprintable()
    argv = ["bash", "-c", f"printf %s {quoted}"]
    out = subprocess.run(argv, capture_output=True, check=True).stdout
    assert out == os.fsencode(part)


# ------------------------------------------------------------------ errors name what they were for


def test_download_json_onto_an_existing_file_reports_the_task_id(cli: Cli, sandbox: Sandbox):
    (cli.cwd / "123.mp4").write_bytes(b"mine")
    before = requests(sandbox.stats)
    result = cli("download", "123", "--json")
    assert result.code == 2, result.stderr
    assert result.json()["task_id"] == "123"  # the id it was given, not null
    assert "does not exist yet" in result.json()["error"]["message"]
    assert (cli.cwd / "123.mp4").read_bytes() == b"mine"
    assert requests(sandbox.stats) == before


@pytest.mark.integration  # the CLI in a subprocess
def test_a_connection_error_names_the_url_it_could_not_reach(tmp_path: Path):
    from scripts._processes import free_port

    url = f"http://127.0.0.1:{free_port()}"
    result = Cli(url, tmp_path / "home", tmp_path)("status", "123")
    assert result.code == 1, result.stderr
    assert f"could not reach RunningHub at {url}/openapi/v2/query (ConnectError" in result.stderr


def test_sandbox_options_without_the_extra_print_the_install_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    from runninghub_video.cli._main import run

    monkeypatch.setitem(sys.modules, "runninghub_video.sandbox._options", None)  # not installed
    monkeypatch.setitem(sys.modules, "runninghub_video.sandbox", None)
    assert run(["sandbox", "--port", "4011", "--speed", "2"]) == 1
    error = capsys.readouterr().err
    assert "the sandbox is not installed" in error
    assert "pip install 'runninghub-video[sandbox]'" in error
    assert "unrecognized arguments" not in error


@pytest.mark.parametrize("command", ["wait", "download"])
def test_a_task_video_never_replaces_its_journaled_input_image(
    cli: Cli, sandbox: Sandbox, command: str
) -> None:
    image = cli.cwd / "photo.png"
    image.write_bytes(SAMPLE_PNG.read_bytes())
    submitted = cli("submit", "--image", "photo.png", "--prompt", "a heron", "--json")
    assert submitted.code == 0, submitted.stderr
    task_id = submitted.json()["task_id"]
    before = requests(sandbox.stats)
    result = cli(command, task_id, "--output", "photo.png", "--overwrite")
    assert result.code == 2, result.stderr
    assert "other than the input image" in result.stderr
    assert image.read_bytes() == SAMPLE_PNG.read_bytes()
    assert requests(sandbox.stats) == before  # refused before the first query
