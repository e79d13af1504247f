"""run() and main(): parse, run the command, and report any error once, with its exit code
(from the one table in _exit_codes) and, when a task exists, the advice that resumes it."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from .._redaction import redact
from ._commands import COMMANDS, build_parser, command_in
from ._context import Context
from ._errors import CliError, UsageError
from ._exit_codes import ERROR, exit_code_for
from ._logging import setup_logging
from ._options import Options
from ._output import Display, print_json, result_json
from ._signals import signals_as_interrupts
from ._task_run import interruption


def _message(error: BaseException) -> str:
    """The error's one line (the library's WaitTimeoutError speaks Python; say it for people)."""
    from .._errors import RunningHubError, WaitTimeoutError

    if isinstance(error, KeyboardInterrupt):
        return interruption(error)
    if isinstance(error, UsageError):
        return f"{error} (see '{error.prog} --help')"
    if isinstance(error, WaitTimeoutError):
        last = error.last_status or "unknown"
        return f"task {error.task_id} did not finish before the deadline (last status {last})"
    text = str(error) or type(error).__name__
    if not isinstance(error, RunningHubError | OSError | CliError):  # a bug, here or below
        text = f"unexpected {type(error).__name__}: {text} (--verbose shows the traceback)"
    return text


def _report(ctx: Context | None, error: BaseException, code: int, json_output: bool) -> None:
    """The `error:` line, the resume advice and, with --json, the JSON object."""
    run = ctx.run if ctx is not None else None
    if run is not None:  # a task submitted but not journaled yet (e.g. SIGTERM right after)
        run.journal_pending()
    display = ctx.display if ctx is not None else Display.choose(json_output=json_output)
    verbose = ctx is not None and ctx.run.options.verbose
    if verbose and not isinstance(error, UsageError | KeyboardInterrupt):
        display.raw("".join(traceback.format_exception(error)))
    message = _message(error)
    display.error(message)
    resume = run.failed(error, code, message) if run is not None else None
    if json_output:
        print_json(
            result_json(
                task_id=(run.task_id if run is not None else None)
                or getattr(error, "task_id", None),
                task=run.task if run is not None else None,
                output=None,
                error=error,
                message=message,
                status=run.error_status(error) if run is not None else None,
                resume=resume,
            )
        )


_SECRET_FLAG_WORDS = ("key", "token", "secret", "auth", "passw", "bearer")


def _looks_secret(option: str) -> bool:
    """An option that may carry a key, however mistyped: --api_key, --apikey, -api-key, --token."""
    name = option.lstrip("-").lower()
    return option.startswith("-") and any(word in name for word in _SECRET_FLAG_WORDS)


def _redact_key_in(argv: Sequence[str]) -> None:
    """Know the key before parsing, so not even a usage error can echo it: the value of
    --api-key, and of any option that looks like a mistyped key flag (issue 18)."""
    redact.add(os.environ.get("RUNNINGHUB_API_KEY"))
    for index, arg in enumerate(argv):
        option, equals, value = arg.partition("=")
        if not _looks_secret(option):
            continue
        if equals:
            redact.add(value)
        elif index + 1 < len(argv):
            redact.add(argv[index + 1])


def run(argv: Sequence[str] | None = None) -> int:
    """Parse argv, run the command, return the exit code (never raises, except SystemExit
    for --help). SIGTERM and SIGHUP take the Ctrl-C path (_signals)."""
    with signals_as_interrupts():
        return _run(argv)


def _run(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    json_output = "--json" in argv
    _redact_key_in(argv)
    ctx: Context | None = None
    try:
        args = build_parser(command_in(argv)).parse_args(argv)
        redact.add(args.api_key)
        json_output = Options.of(args).json
        display = Display.choose(json_output=json_output)
        setup_logging(args, display)
        ctx = Context.create(args, display)
        return COMMANDS[args.command].handle(ctx)
    except BrokenPipeError:  # e.g. `runninghub-video tasks | head -1`: not an error to report
        if ctx is not None:
            ctx.run.journal_pending()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ERROR.code
    except (Exception, KeyboardInterrupt) as error:
        code = exit_code_for(error) if ctx is None else ctx.run.verdict(error, exit_code_for(error))
        try:
            _report(ctx, error, code, json_output)
        except KeyboardInterrupt as again:
            code = exit_code_for(again)
        return code


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console-script entry point: exit with the command's exit code."""
    sys.exit(run(argv))
