"""The CLI's name and its own two errors (the library's are in runninghub_video._errors)."""

from __future__ import annotations

PROG = "runninghub-video"


class UsageError(Exception):
    """A command line argparse refused (exit code 2); `prog` is the (sub)command's name."""

    def __init__(self, message: str, prog: str = PROG) -> None:
        super().__init__(message)
        self.prog = prog


class CliError(Exception):
    """A failure the CLI explains itself (exit code 1): no journal, no sandbox installed."""
