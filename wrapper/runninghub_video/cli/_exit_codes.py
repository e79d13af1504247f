"""The CLI's exit codes: one table, from which the help text and the mapping from errors
to codes are both made (docs/cli.md, "Errors and exit codes", documents the same table).

A row names the error classes that end a command with its code; an error takes the code of
its nearest named class (its own, else its closest base class), so TaskNotFoundError, an
InvalidRequestError, exits like one. Classes are named, not imported, so that `--help`
loads no library module.
"""

from __future__ import annotations

import textwrap
from typing import NamedTuple

from ._signals import signal_number

ERROR_MODULES = ("runninghub_video._errors", "runninghub_video.cli._errors", "builtins")
"""Where the classes a row names live (a class elsewhere with the same name is not meant)."""


class ExitCode(NamedTuple):
    """One exit code: its number, what it means (help text), the errors that end with it."""

    code: int
    description: str
    errors: tuple[str, ...] = ()


OK = ExitCode(0, "success")
ERROR = ExitCode(
    1,
    "any other error (network, server, rate limit, download, journal)",
    ("RunningHubError", "CliError", "OSError", "Exception"),
)
USAGE = ExitCode(
    2,
    "bad usage or input: nothing was sent, nothing was paid",
    ("UsageError", "InvalidInputError", "ConfigurationError"),
)
AUTH = ExitCode(3, "the API key was refused", ("AuthenticationError",))
TASK_FAILED = ExitCode(
    4,
    "the task failed, was rejected by moderation or cancelled, or the API refused the request",
    ("TaskFailedError", "InvalidRequestError"),
)
DEADLINE = ExitCode(
    5,
    "the wait deadline (--timeout) passed; the task goes on and the command that resumes it "
    "is printed",
    ("WaitTimeoutError",),
)
UNCONFIRMED = ExitCode(
    6,
    "some batch rows are unconfirmed: their submit may have created a paid task with no id "
    "back (`batch status DIR` lists them); check your RunningHub task list, then `batch "
    "resolve DIR KEY --task-id ID` if it did, `--resubmit` if it did not",
)
INTERRUPTED = ExitCode(
    130,
    "interrupted (Ctrl-C); a submitted task goes on and the command that resumes it is "
    "printed (SIGTERM: 143, SIGHUP: 129, handled the same way)",
    ("KeyboardInterrupt",),
)
"""128 + the signal's number: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP."""

TABLE = (OK, ERROR, USAGE, AUTH, TASK_FAILED, DEADLINE, UNCONFIRMED, INTERRUPTED)


def help_text() -> str:
    """The `exit codes:` section of the help."""
    lines = ["exit codes:"]
    for row in TABLE:
        lines += textwrap.wrap(
            row.description, 79, initial_indent=f"  {row.code:<4} ", subsequent_indent=" " * 7
        )
    return "\n".join(lines)


def row_for(error_type: type[BaseException]) -> ExitCode:
    """The row of the nearest class in error_type's ancestry that the table names."""
    for cls in error_type.__mro__:
        if cls.__module__ in ERROR_MODULES:
            for row in TABLE:
                if cls.__name__ in row.errors:
                    return row
    return ERROR  # not reached for an Exception or a KeyboardInterrupt: the table names both


def exit_code_for(error: BaseException) -> int:
    """The documented exit code of an error (an interrupt: 128 + its signal's number)."""
    row = row_for(type(error))
    return 128 + signal_number(error) if row is INTERRUPTED else row.code


def interrupted(code: int) -> bool:
    """True for the exit code of a signal (128 + its number: 130 Ctrl-C, 143 SIGTERM)."""
    return code > 128
