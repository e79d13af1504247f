"""The library's log records on the CLI's stderr, redacted, as `warning: ...` lines (debug
lines with timestamps under --verbose)."""

from __future__ import annotations

import argparse
import logging
import sys

from .._redaction import redact
from ._options import Options
from ._output import Display


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


def setup_logging(args: argparse.Namespace, display: Display) -> None:
    """Library logs on stderr: DEBUG with --verbose, warnings otherwise (none with --json;
    the sandbox's requests at INFO)."""
    options = Options.of(args)
    verbose = options.verbose
    handler = _StderrHandler()
    if verbose:
        level = logging.DEBUG
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    else:
        sandbox = options.command == "sandbox"
        quiet = display.mode == "json"
        level = logging.INFO if sandbox else logging.ERROR if quiet else logging.WARNING
        handler.setFormatter(_LevelPrefixFormatter())
    logger = logging.getLogger("runninghub_video")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
