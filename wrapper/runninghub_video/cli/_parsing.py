"""What every command's parser is made of: the Command record, the parser class, and the
options several commands share (global options, --json, TASK_ID, seconds)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

from ._errors import UsageError

if TYPE_CHECKING:
    from ._context import Context


class Command(NamedTuple):
    """One command: its name, its help, the function adding its options, its handler."""

    name: str
    summary: str
    """The one line `runninghub-video --help` shows."""
    description: str
    build: Callable[[argparse.ArgumentParser], None]
    handle: Callable[[Context], int]
    api_options: bool = True
    """Whether --base-url, --api-key and --verbose are offered after the command name
    (the sandbox calls no API: its own parser has --verbose)."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises UsageError instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        """Turn argparse's complaint into one `error:` line (and JSON with --json)."""
        raise UsageError(f"{self.prog}: {message}", self.prog)


def positive_float(text: str) -> float:
    """argparse type: a number of seconds greater than zero, at most the policy's MAX_SECONDS."""
    from .._policy import MAX_SECONDS

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(
            f"must be a number of seconds above 0, at most {MAX_SECONDS:.0f}: {text!r}"
        )
    return value


def add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """--base-url, --allow-insecure-http, --api-key, --verbose: on the main parser, and
    (suppressed defaults) after the command name too, so both `runninghub-video --verbose
    wait X` and `... wait X --verbose` work."""
    default: Any = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("global options")
    group.add_argument(
        "--base-url",
        metavar="URL",
        default=default,
        help="API base URL (default: $RUNNINGHUB_BASE_URL, else https://www.runninghub.cn)",
    )
    group.add_argument(
        "--allow-insecure-http",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="accept a plain http:// base URL beyond this machine (the key travels unencrypted)",
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


def add_json(parser: argparse.ArgumentParser) -> None:
    """--json: for every command that prints a result."""
    parser.add_argument(
        "--json",
        action="store_true",
        help="print exactly one JSON object on stdout (also on failure) and no progress",
    )


def add_task_id(parser: argparse.ArgumentParser) -> None:
    """The TASK_ID argument of status, wait and download."""
    parser.add_argument("task_id", metavar="TASK_ID", help="a task id (see `tasks`)")
