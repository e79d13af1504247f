"""The CLI's pieces in-process: journal folding, exit-code mapping, parsing, redaction, output."""

from __future__ import annotations

import argparse
import io
import json
import os
from pathlib import Path

import pytest
from runninghub_video import _endpoints as endpoints
from runninghub_video import _errors as errors
from runninghub_video._journal import ENV_HOME, PROMPT_CHARS, Journal, journal_dir
from runninghub_video._redaction import Redactor
from runninghub_video._task import Task
from runninghub_video.cli import _commands as cli
from runninghub_video.cli._destination import target
from runninghub_video.cli._errors import UsageError
from runninghub_video.cli._exit_codes import exit_code_for
from runninghub_video.cli._main import run
from runninghub_video.cli._output import Display, result_json
from runninghub_video.cli._task_run import TaskRun

from tests.support.cli import modules_loaded_by_help

# ------------------------------------------------------------------ journal


def test_journal_folds_per_task_newest_first(tmp_path):
    journal = Journal(tmp_path)
    journal.submitted(
        "1", base_url="u", prompt="p1", params={"a": 1}, output="/o1", status="QUEUED"
    )
    journal.submitted("2", base_url="u", prompt="p2", params={}, output=None, status="QUEUED")
    journal.append("status", "1", status="SUCCESS")
    journal.append("downloaded", "1", output="/elsewhere.mp4")
    journal.append("unconfirmed", None, prompt="p3", status="UNKNOWN", error="timeout")
    records = journal.read()
    assert [r.task_id for r in records] == [None, "2", "1"]
    first = records[2]
    assert (first.status, first.output, first.prompt) == ("SUCCESS", "/elsewhere.mp4", "p1")
    assert first.params == {"a": 1}
    assert first.event == "downloaded"
    assert journal.find("2") is not None
    assert journal.find("3") is None
    assert records[0].as_json()["error"] == "timeout"


def test_journal_skips_torn_lines_and_truncates_prompts(tmp_path):
    journal = Journal(tmp_path)
    journal.append("submitted", "1", prompt="x" * 1000)
    with journal.path.open("a") as handle:
        handle.write('{"half a line\n[1, 2]\n\n')
    journal.append("status", "1", status="RUNNING")
    (record,) = journal.read()
    assert record.status == "RUNNING"
    assert record.prompt is not None
    assert len(record.prompt) == PROMPT_CHARS
    assert all(json.loads(line) for line in journal.path.read_text().splitlines()[-1:])


def test_journal_location(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_HOME, str(tmp_path / "jhome"))
    assert journal_dir() == tmp_path / "jhome"
    assert Journal().path == tmp_path / "jhome" / "tasks.jsonl"
    monkeypatch.delenv(ENV_HOME)
    assert journal_dir().name == "runninghub-video"


def test_journal_read_of_a_missing_file_is_empty(tmp_path):
    assert Journal(tmp_path / "nothing").read() == []


def test_journal_file_is_private(tmp_path):
    Journal(tmp_path).append("status", "1", status="QUEUED")
    assert (tmp_path / "tasks.jsonl").stat().st_mode & 0o077 == 0


# ------------------------------------------------------------------ exit codes


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (errors.InvalidInputError("duration", 5, "4, 8 or 12"), 2),
        (errors.ConfigurationError("no key"), 2),
        (UsageError("bad"), 2),
        (errors.AuthenticationError("refused"), 3),
        (errors.TaskFailedError("failed"), 4),
        (errors.ContentRejectedError("rejected"), 4),
        (errors.InvalidRequestError("refused"), 4),
        (errors.WaitTimeoutError("late", task_id="1", last_status="RUNNING"), 5),
        (KeyboardInterrupt(), 130),
        (errors.RateLimitError("slow down"), 1),
        (errors.ServerError("down"), 1),
        (errors.APIConnectionError("unreachable"), 1),
        (errors.DownloadError("403"), 1),
        (errors.UnexpectedResponseError("odd"), 1),
        (OSError("disk full"), 1),
    ],
)
def test_exit_codes(error, code):
    assert exit_code_for(error) == code


def test_exit_code_table_is_in_the_help():
    text = cli.build_parser("").format_help()
    for code in ("0", "1", "2", "3", "4", "5", "130"):
        assert f"\n  {code} " in text


# ------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["generate", "--image", "a"], "generate"),
        (["--base-url", "http://x", "--api-key", "wait", "wait", "1"], "wait"),
        (["--verbose", "tasks"], "tasks"),
        (["--help"], ""),
        (["nonsense"], ""),
        ([], ""),
    ],
)
def test_command_is_found_before_parsing(argv, command):
    assert cli.command_in(argv) == command


def test_choices_come_from_the_generated_code():
    parser = cli.build_parser()
    args = parser.parse_args(["generate", "--image", "i.png", "--prompt", "p"])
    seed = endpoints.load(endpoints.seed())
    durations = seed.field("duration").choices or ()
    assert (args.resolution, args.duration) == (
        (seed.field("resolution").choices or ())[0],
        durations[0],
    )
    assert args.aspect_ratio == "16:9"
    for duration in durations:
        parser.parse_args(["submit", "--image", "i", "--prompt", "p", "--duration", duration])
    with pytest.raises(UsageError, match="invalid choice"):
        parser.parse_args(["submit", "--image", "i", "--prompt", "p", "--resolution", "8k"])


def test_global_options_work_before_and_after_the_command():
    parser = cli.build_parser()
    before = parser.parse_args(["--verbose", "--base-url", "http://a", "status", "1"])
    after = parser.parse_args(["status", "1", "--verbose", "--base-url", "http://a"])
    neither = parser.parse_args(["status", "1"])
    assert (
        (before.verbose, before.base_url) == (after.verbose, after.base_url) == (True, "http://a")
    )
    assert (neither.verbose, neither.base_url, neither.api_key) == (False, None, None)


@pytest.mark.parametrize("value", ["0", "-2", "soon", "nan", "inf"])
def test_seconds_must_be_positive(value):
    with pytest.raises(UsageError, match="--timeout"):
        cli.build_parser().parse_args(["wait", "1", "--timeout", value])


# ------------------------------------------------------------------ output


def test_redactor_hides_secrets_longest_first():
    redact = Redactor()
    redact.add("sk-abc")
    redact.add("sk-abcdef")
    redact.add("ab")  # too short to redact safely
    redact.add(None)
    assert redact("key sk-abcdef and sk-abc, about ab") == (
        "key [redacted] and [redacted], about ab"
    )


def test_redactor_removes_the_start_of_a_key_cut_at_the_end_of_a_text():
    redact = Redactor()
    redact.add("sk-SECRETKEY-0123456789")
    assert redact("invalid apiKey sk-SECRETKEY-012") == "invalid apiKey [redacted]"
    assert redact("invalid apiKey sk-SECRETKEY-012...") == "invalid apiKey [redacted]..."
    assert redact("invalid apiKey sk-SECRE\u2026") == "invalid apiKey [redacted]\u2026"
    assert redact("short sk-SECR") == "short sk-SECR"  # 7 characters: could be anything
    assert redact("sk-SECRETKEY-012 in the middle") == "sk-SECRETKEY-012 in the middle"


def test_plain_display_shows_each_status_once():
    stream = io.StringIO()
    display = Display("plain", stream)
    with display.polling("7", "QUEUED") as update:
        for status in ("QUEUED", "RUNNING", "RUNNING", "SUCCESS"):
            update(Task(id="7", status=status))
    lines = stream.getvalue().splitlines()
    assert [line.split(" (")[0] for line in lines] == ["task 7: RUNNING", "task 7: SUCCESS"]


def test_json_display_is_silent_except_errors():
    stream = io.StringIO()
    display = Display("json", stream)
    display.note("progress")
    with display.polling("7") as update:
        update(Task(id="7", status="RUNNING"))
    with display.downloading("7", "7.mp4") as progress:
        progress(10, 10)
    display.error("boom")
    assert stream.getvalue() == "error: boom\n"


def test_display_chooses_plain_when_not_a_terminal():
    assert Display.choose(json_output=False, stream=io.StringIO()).mode == "plain"
    assert Display.choose(json_output=True, stream=io.StringIO()).mode == "json"


def test_result_json_shape():
    data = result_json(task_id=None, error=errors.ContentRejectedError("no", error_code="1505"))
    assert data == {
        "task_id": None,
        "status": None,
        "results": [],
        "output": None,
        "error": {"type": "ContentRejectedError", "message": "no", "code": "1505"},
        "usage": None,
        "resume": None,
    }


def test_target_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert target("9", None) == ("9.mp4", Path("9.mp4"))
    (tmp_path / "dir").mkdir()
    shown, path = target("9", "dir")
    assert shown == os.path.join("dir", "9.mp4")
    assert path.name == "9.mp4"
    assert target("9", "x.mp4")[0] == "x.mp4"


# ------------------------------------------------------------------ startup


@pytest.mark.integration  # the CLI in a subprocess
def test_help_loads_no_heavy_module():
    """`runninghub-video --help` is benchmarked against `import httpx`: it must not load it."""
    heavy = ("httpx", "rich", "aiohttp", "runninghub_client", "platformdirs", "tenacity")
    text, loaded = modules_loaded_by_help(heavy)
    assert "exit codes:" in text
    assert loaded == []


# ------------------------------------------------------------------ a submit without an answer


def test_submit_that_may_have_created_a_task_is_journaled_and_flagged(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_HOME, str(tmp_path))
    stream = io.StringIO()
    args = argparse.Namespace(prompt="a paid maybe", base_url=None)
    run = TaskRun(args, Display("plain", stream))
    error = errors.APITimeoutError("no answer to the submit", task_may_exist=True)
    run.failed_submit(error, None, {"duration": "4"})
    assert "a paid task may exist" in stream.getvalue()
    (record,) = Journal(tmp_path).read()
    assert (record.task_id, record.status, record.prompt) == (None, "UNKNOWN", "a paid maybe")
    assert record.event == "unconfirmed"


def test_submit_refused_outright_is_not_journaled(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_HOME, str(tmp_path))
    stream = io.StringIO()
    run = TaskRun(argparse.Namespace(prompt="p", base_url=None), Display("plain", stream))
    run.failed_submit(errors.InvalidRequestError("bad"), None, {})
    assert stream.getvalue() == ""
    assert Journal(tmp_path).read() == []


# ------------------------------------------------------------------ endpoint commands


def test_an_endpoint_field_named_like_a_run_option_gets_a_field_prefix(monkeypatch):
    from runninghub_video import _endpoints
    from runninghub_video.cli import _endpoint_commands

    info = _endpoints.infos()[0]
    fields = (
        _endpoints.Field("prompt", "prompt", "what", True, None, str, None),
        _endpoints.Field("timeout", "timeout", "seconds", False, 5, int, None),
        _endpoints.Field("size", "size", "", False, "1x1", str, ("1x1", "2x2")),
    )
    endpoint = _endpoints.Endpoint(info, object, argparse, fields)
    monkeypatch.setattr(_endpoints, "load", lambda _: endpoint)
    parser = argparse.ArgumentParser()
    _endpoint_commands.build(info, parser)
    args = parser.parse_args(["--prompt", "p", "--field-timeout", "3", "--timeout", "9"])
    assert (args.prompt, args.field_timeout, args.timeout, args.size) == ("p", 3, 9.0, "1x1")
    assert "default: 1x1" in parser.format_help()
    with pytest.raises(SystemExit):
        parser.parse_args(["--timeout", "9"])  # --prompt is required


@pytest.mark.parametrize(
    "flag",
    [["--api_key", "sk-mistyped-0001"], ["--apikey=sk-mistyped-0001"],
     ["--token", "sk-mistyped-0001"], ["-api-key", "sk-mistyped-0001"],
     ["--API-KEY", "sk-mistyped-0001"]],
    ids=["underscore", "equals", "token", "one-dash", "upper"],
)  # fmt: skip
def test_a_mistyped_key_flag_never_echoes_the_key(
    flag: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """argparse's error printed the value after an unknown option: the key, in CI logs."""

    monkeypatch.delenv("RUNNINGHUB_API_KEY", raising=False)
    assert run([*flag, "status", "123"]) == 2
    printed = capsys.readouterr()
    assert "error:" in printed.err
    assert "sk-mistyped-0001" not in printed.err + printed.out


def test_the_sandbox_banner_says_how_to_reach_a_remote_sandbox() -> None:
    from runninghub_video.cli._sandbox import insecure_hint

    assert insecure_hint("http://127.0.0.1:4011") == []
    (hint,) = insecure_hint("http://192.0.2.7:4011")
    assert "--allow-insecure-http" in hint


@pytest.mark.parametrize(
    ("description", "shown"),
    [
        ("比例. Output aspect ratio.", "比例 (aspectRatio). Output aspect ratio"),
        ("尺寸", "尺寸 (aspectRatio)"),  # a vendor page's bare Chinese title
        ("Optional. The vendor POSTs here.", "Optional. The vendor POSTs here"),
        ("", "aspectRatio"),
    ],
)
def test_an_option_help_names_the_field_beside_its_chinese_title(
    description: str, shown: str
) -> None:
    from runninghub_video import _endpoints
    from runninghub_video.cli._endpoint_commands import _described

    field = _endpoints.Field("aspect_ratio", "aspectRatio", description, False, None, str, None)
    assert _described(field) == shown


def test_options_are_read_typed_from_any_command_s_arguments():
    """A command defines only some options: the others, and those left unset, default."""
    from runninghub_video.cli._options import Options

    options = Options.of(argparse.Namespace(command="wait", json=True, timeout=None, task_id="1"))
    assert options == Options(command="wait", json=True)
    assert (options.overwrite, options.timeout, options.output) == (False, None, None)


@pytest.mark.parametrize(("task_id", "output"), [("-h", "-h.mp4"), ("-h", None), ("123", "a.mp4")])
def test_a_resume_command_parses_back_to_its_task_whatever_the_id(task_id, output):
    import shlex

    from runninghub_video.cli._commands import build_parser

    run = TaskRun(argparse.Namespace(prompt="p", base_url=None), Display("plain", io.StringIO()))
    argv = shlex.split(run.command("wait", task_id, output))[1:]  # without the program name
    args = build_parser("wait").parse_args(argv)
    assert (args.command, args.task_id, args.output) == ("wait", task_id, output)
