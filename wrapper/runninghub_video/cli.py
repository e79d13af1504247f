"""`runninghub-video`: the command line. argparse, one function per command, exit codes.

Startup is kept fast: only argparse is imported up front; the client (httpx), rich and the
sandbox (aiohttp) are imported by the commands that use them, and only the chosen command's
options are built (so `runninghub-video --help` loads none of them).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import textwrap
import traceback
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from ._redaction import redact
from .cli_commands import (
    EXIT_AUTH,
    EXIT_DEADLINE,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TASK_FAILED,
    EXIT_USAGE,
    HANDLERS,
    PROG,
    SANDBOX_INSTALL,
    CliError,
    Context,
    interrupted,
    resume_advice,
)
from .cli_output import Display, print_json, result_json
from .cli_signals import Terminated, signal_name, signal_number, signals_as_interrupts

EXIT_CODES = f"""\
exit codes:
  {EXIT_OK:<4} success
  {EXIT_ERROR:<4} any other error (network, server, rate limit, download, journal)
  {EXIT_USAGE:<4} bad usage or input: nothing was sent, nothing was paid
  {EXIT_AUTH:<4} the API key was refused
  {EXIT_TASK_FAILED:<4} the task failed, was rejected by moderation or cancelled, or the API
       refused the request
  {EXIT_DEADLINE:<4} the wait deadline (--timeout) passed; the task goes on and the command
       that resumes it is printed
  {EXIT_INTERRUPTED:<4} interrupted (Ctrl-C); a submitted task goes on and the command that
       resumes it is printed (SIGTERM: 143, SIGHUP: 129, handled the same way)"""

ENVIRONMENT = """\
environment:
  RUNNINGHUB_API_KEY     the API key (safer than --api-key, which other users can see in ps)
  RUNNINGHUB_BASE_URL    the API base URL (default https://www.runninghub.cn; keys are per site,
                         https://www.runninghub.ai is the international one)
  RUNNINGHUB_VIDEO_HOME  the folder of the task journal tasks.jsonl (default: the user data
                         folder, e.g. ~/.local/share/runninghub-video)"""

DESCRIPTION = """\
Turn an image and a prompt into a video with RunningHub's image-to-video API.
Every submitted task id is written to a local journal first (see `tasks`), so a
failed, timed-out or interrupted command never loses a paid task: resume it with
`wait TASK_ID --output FILE`."""


# ---------------------------------------------------------------- argparse


class UsageError(Exception):
    """A command line argparse refused (exit code 2); `prog` is the (sub)command's name."""

    def __init__(self, message: str, prog: str = PROG) -> None:
        super().__init__(message)
        self.prog = prog


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises UsageError instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        """Turn argparse's complaint into one `error:` line (and JSON with --json)."""
        raise UsageError(f"{self.prog}: {message}", self.prog)


def positive_float(text: str) -> float:
    """argparse type: a number of seconds greater than zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return value


def _add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """--base-url, --api-key, --verbose: on the main parser, and (suppressed defaults) after
    the command name too, so both `runninghub-video --verbose wait X` and `... wait X
    --verbose` work."""
    default: Any = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("global options")
    group.add_argument(
        "--base-url",
        metavar="URL",
        default=default,
        help="API base URL (default: $RUNNINGHUB_BASE_URL, else https://www.runninghub.cn)",
    )
    group.add_argument(
        "--api-key",
        metavar="KEY",
        default=default,
        help="API key (default: $RUNNINGHUB_API_KEY; prefer the environment variable)",
    )
    group.add_argument(
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="debug logging and tracebacks on stderr (the API key is never shown)",
    )


def _add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json",
        action="store_true",
        help="print exactly one JSON object on stdout (also on failure) and no progress",
    )


def _add_wait_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout",
        type=positive_float,
        metavar="SECONDS",
        help="stop waiting after this long (default 1800); the task goes on (exit code 5)",
    )
    parser.add_argument(
        "--poll-interval",
        type=positive_float,
        metavar="SECONDS",
        help="seconds between status queries (default 5, as RunningHub asks)",
    )


def _add_submit_options(parser: argparse.ArgumentParser) -> None:
    from . import _params as params  # the allowed values come from the generated code

    parser.add_argument(
        "--image",
        required=True,
        metavar="PATH_OR_URL",
        help="a local JPG/PNG (at most 10 MB, uploaded first) or an http(s) URL",
    )
    parser.add_argument("--prompt", required=True, metavar="TEXT", help="what should happen")
    parser.add_argument(
        "--resolution", choices=params.RESOLUTIONS, default=params.RESOLUTIONS[0],
        help="default: %(default)s (the cheapest)",
    )  # fmt: skip
    parser.add_argument(
        "--aspect-ratio", choices=params.ASPECT_RATIOS, default=_default_ratio(params),
        help="default: %(default)s",
    )  # fmt: skip
    parser.add_argument(
        "--duration", choices=params.DURATIONS, default=params.DURATIONS[0],
        help="seconds of video; default: %(default)s (the cheapest)",
    )  # fmt: skip
    parser.add_argument(
        "--output",
        metavar="FILE",
        help="where the video goes: a file, or a folder (existing, or written with a "
        "trailing /, then created) that gets <task id>.mp4; default ./<task id>.mp4",
    )
    _add_overwrite(parser)
    _add_wait_options(parser)
    parser.add_argument(
        "--no-wait", action="store_true", help="only submit: print the task id and return"
    )
    _add_json(parser)


def _default_ratio(params: Any) -> str:
    """16:9 when the spec offers it (the wrapper's default), else the first ratio."""
    ratios: tuple[str, ...] = params.ASPECT_RATIOS
    return "16:9" if "16:9" in ratios else ratios[0]


def _add_overwrite(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing file at --output (never a symlink, a device or the input image)",
    )


def _add_task_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("task_id", metavar="TASK_ID", help="a task id (see `tasks`)")


def _build_generate(parser: argparse.ArgumentParser) -> None:
    _add_submit_options(parser)


def _build_status(parser: argparse.ArgumentParser) -> None:
    _add_task_id(parser)
    _add_json(parser)


def _build_wait(parser: argparse.ArgumentParser) -> None:
    _add_task_id(parser)
    _add_wait_options(parser)
    parser.add_argument(
        "--output", metavar="FILE", help="download the video here once the task succeeded"
    )
    _add_overwrite(parser)
    _add_json(parser)


def _build_download(parser: argparse.ArgumentParser) -> None:
    _add_task_id(parser)
    parser.add_argument(
        "--output", metavar="FILE", help="a folder or a file (default ./<task id>.mp4)"
    )
    _add_overwrite(parser)
    _add_json(parser)


def _build_upload(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a JPG or PNG of at most 10 MB")


def _build_tasks(parser: argparse.ArgumentParser) -> None:
    _add_json(parser)


def _build_sandbox(parser: argparse.ArgumentParser) -> None:
    try:
        from .sandbox import INVALID_API_KEY, MARKERS
        from .sandbox._options import add_server_arguments
    except ImportError as exc:
        parser.epilog = f"The sandbox is not installed ({exc}): {SANDBOX_INSTALL}"
        return
    add_server_arguments(parser)
    markers = "\n".join(
        f"  {marker}\n"
        + textwrap.fill(meaning, 79, initial_indent=" " * 6, subsequent_indent=" " * 6)
        for marker, meaning in MARKERS.items()
    )
    parser.epilog = (
        f"Any API key works except {INVALID_API_KEY!r}, which is refused (HTTP 401).\n"
        "Ctrl-C stops the sandbox (exit code 0).\n\n"
        f"prompt markers (put them in --prompt to make things go wrong on purpose):\n{markers}"
    )


# name -> (one-line help, description, option builder)
COMMANDS: dict[str, tuple[str, str, Callable[[argparse.ArgumentParser], None]]] = {
    "generate": (
        "submit a task, wait for it, download the video",
        "Submit an image-to-video task, wait for it and download the MP4 "
        "(default ./<task id>.mp4). With --no-wait it only submits.",
        _build_generate,
    ),
    "submit": (
        "submit a task and print its id",
        "Submit an image-to-video task, print its id and return (resume with `wait`).",
        _build_generate,
    ),
    "status": (
        "query a task once",
        "Query a task once and show its status, results or error (exit 0 whatever the status).",
        _build_status,
    ),
    "wait": (
        "wait for a task (and download it with --output)",
        "Poll a task until it ends; with --output, download the video once it succeeded.",
        _build_wait,
    ),
    "download": (
        "download the video of a finished task",
        "Download the video of a task that succeeded.",
        _build_download,
    ),
    "upload": (
        "upload an image and print its URL",
        "Upload a local JPG/PNG and print the URL to use as --image (it lives about a day).",
        _build_upload,
    ),
    "tasks": (
        "list the local journal of submitted tasks, newest first",
        "List the tasks this machine submitted or looked at (the local journal), newest first.",
        _build_tasks,
    ),
    "sandbox": (
        "run a local fake RunningHub for trying things out",
        "Run a stateful local RunningHub (real MP4 results, failures on demand) until Ctrl-C.",
        _build_sandbox,
    ),
}


def build_parser(command: str | None = None) -> Parser:
    """The parser; only `command`'s options are built ("" builds none, None builds all)."""
    parser = Parser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=f"{EXIT_CODES}\n\n{ENVIRONMENT}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    _add_global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (short, description, build) in COMMANDS.items():
        child = sub.add_parser(
            name,
            help=short,
            description=textwrap.fill(description, 79),
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False,
        )
        if command is None or command == name:
            build(child)
            _add_global_options(child, suppress=True)
            if not child.epilog:
                child.epilog = EXIT_CODES
    return parser


def _command_in(argv: Sequence[str]) -> str:
    """The command name in argv ("" if there is none or it is unknown)."""
    takes_value = {"--base-url", "--api-key"}
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token in takes_value:
            skip = True
        elif not token.startswith("-"):
            return token if token in COMMANDS else ""
    return ""


# ---------------------------------------------------------------- errors and exit codes


def exit_code_for(error: BaseException) -> int:
    """The documented exit code of an error."""
    if isinstance(error, KeyboardInterrupt):
        return 128 + signal_number(error)
    if isinstance(error, UsageError):
        return EXIT_USAGE
    from . import _errors as errors

    if isinstance(error, errors.InvalidInputError | errors.ConfigurationError):
        return EXIT_USAGE
    if isinstance(error, errors.AuthenticationError):
        return EXIT_AUTH
    if isinstance(error, errors.TaskFailedError | errors.InvalidRequestError):
        return EXIT_TASK_FAILED
    if isinstance(error, errors.WaitTimeoutError):
        return EXIT_DEADLINE
    return EXIT_ERROR


def _error_status(ctx: Context, error: BaseException) -> str | None:
    """The task status to report with an error."""
    from ._errors import TaskFailedError, WaitTimeoutError

    if isinstance(error, WaitTimeoutError) and error.last_status:
        return error.last_status
    if isinstance(error, TaskFailedError):
        return error.status
    return ctx.task.status if ctx.task is not None else None


def _message(error: BaseException) -> str:
    """The error's one line (the library's WaitTimeoutError speaks Python; say it for people)."""
    from ._errors import RunningHubError, WaitTimeoutError

    if isinstance(error, WaitTimeoutError):
        last = error.last_status or "unknown"
        return f"task {error.task_id} did not finish before the deadline (last status {last})"
    text = str(error) or type(error).__name__
    if not isinstance(error, RunningHubError | OSError | CliError):  # a bug, here or below
        text = f"unexpected {type(error).__name__}: {text} (--verbose shows the traceback)"
    return text


def _report(ctx: Context | None, error: BaseException, code: int, json_output: bool) -> None:
    """The `error:` line, the resume advice and, with --json, the JSON object."""
    if ctx is not None:  # a task submitted but not journaled yet (e.g. SIGTERM right after)
        ctx.journal_unjournaled()
    display = ctx.display if ctx is not None else Display.choose(json_output=json_output)
    verbose = bool(ctx is not None and getattr(ctx.args, "verbose", False))
    if verbose and not isinstance(error, UsageError | KeyboardInterrupt):
        display.raw("".join(traceback.format_exception(error)))
    if isinstance(error, Terminated):
        message = f"interrupted ({signal_name(error)})"
    elif isinstance(error, KeyboardInterrupt):
        message = "interrupted"
    elif isinstance(error, UsageError):
        message = f"{error} (see '{error.prog} --help')"
    else:
        message = _message(error)
    task_id = ctx.task_id if ctx is not None else None
    task_id = task_id or getattr(error, "task_id", None)
    display.error(message)
    resume = None
    if ctx is not None and task_id:
        resume = resume_advice(ctx, task_id, code)
    if ctx is not None and task_id and ctx.journal_in_use:
        ctx.journal_event(
            "interrupted" if interrupted(code) else "error",
            task_id,
            status=_error_status(ctx, error),
            error=message,
        )
    if json_output:
        print_json(
            result_json(
                task_id=task_id,
                task=ctx.task if ctx is not None else None,
                output=None,
                error=error,
                message=message,
                status=_error_status(ctx, error) if ctx is not None else None,
                resume=resume,
            )
        )


# ---------------------------------------------------------------- logging and main


class _StderrHandler(logging.Handler):
    """Writes log lines, redacted, to the current sys.stderr (which rich's live display
    redirects above its progress line, so log lines never garble it)."""

    def emit(self, record: logging.LogRecord) -> None:
        """Format, redact, write."""
        stream = sys.stderr
        if stream is None:  # stderr closed (2>&-)
            return
        try:
            stream.write(redact(self.format(record)) + "\n")
            stream.flush()
        except (OSError, ValueError):  # a full or closed stderr never stops the command
            pass
        except Exception:
            self.handleError(record)


class _LevelPrefixFormatter(logging.Formatter):
    """`warning: message`, like the CLI's own `error:` lines."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one short line."""
        return f"{record.levelname.lower()}: {record.getMessage()}"


def _setup_logging(args: argparse.Namespace, display: Display) -> None:
    """Library logs on stderr: DEBUG with --verbose, warnings otherwise (none with --json)."""
    verbose = getattr(args, "verbose", False)
    handler = _StderrHandler()
    if verbose:
        level = logging.DEBUG
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    else:
        sandbox = getattr(args, "command", "") == "sandbox"
        quiet = display.mode == "json"
        level = logging.INFO if sandbox else logging.ERROR if quiet else logging.WARNING
        handler.setFormatter(_LevelPrefixFormatter())
    logger = logging.getLogger("runninghub_video")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


def _redact_key_in(argv: Sequence[str]) -> None:
    """Know the key before parsing, so not even a usage error can echo it."""
    redact.add(os.environ.get("RUNNINGHUB_API_KEY"))
    for index, arg in enumerate(argv):
        if arg == "--api-key" and index + 1 < len(argv):
            redact.add(argv[index + 1])
        elif arg.startswith("--api-key="):
            redact.add(arg.partition("=")[2])


def run(argv: Sequence[str] | None = None) -> int:
    """Parse argv, run the command, return the exit code (never raises, except SystemExit
    for --help). SIGTERM and SIGHUP take the Ctrl-C path (cli_signals)."""
    with signals_as_interrupts():
        return _run(argv)


def _run(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    json_output = "--json" in argv
    _redact_key_in(argv)
    ctx: Context | None = None
    try:
        args = build_parser(_command_in(argv)).parse_args(argv)
        redact.add(args.api_key)
        json_output = bool(getattr(args, "json", False))
        display = Display.choose(json_output=json_output)
        _setup_logging(args, display)
        ctx = Context(args, display)
        return HANDLERS[args.command](ctx)
    except BrokenPipeError:  # e.g. `runninghub-video tasks | head -1`: not an error to report
        if ctx is not None:
            ctx.journal_unjournaled()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except (Exception, KeyboardInterrupt) as error:
        code = exit_code_for(error)
        try:
            _report(ctx, error, code, json_output)
        except KeyboardInterrupt as again:
            code = exit_code_for(again)
        return code


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console-script entry point: exit with the command's exit code."""
    sys.exit(run(argv))


if __name__ == "__main__":
    main()
