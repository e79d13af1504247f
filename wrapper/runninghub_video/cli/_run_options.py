"""Options of the commands that wait for a task or download its video (generate, submit,
wait, download): --timeout, --poll-interval, --output, --overwrite."""

from __future__ import annotations

import argparse

from ._parsing import positive_float


def add_wait_options(parser: argparse.ArgumentParser) -> None:
    """--timeout and --poll-interval."""
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


def add_output_options(parser: argparse.ArgumentParser, output_help: str) -> None:
    """--output (what it means differs per command) and --overwrite."""
    parser.add_argument("--output", metavar="FILE", help=output_help)
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing file at --output (never a symlink, a device or the input image)",
    )
