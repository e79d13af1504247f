"""`sandbox`: run the local fake RunningHub until Ctrl-C. Its options are the sandbox's own
parser (runninghub_video.sandbox._options), shared with `python -m runninghub_video.sandbox`."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ._errors import PROG, CliError
from ._exit_codes import OK, USAGE
from ._parsing import Command

if TYPE_CHECKING:
    from ._context import Context

SANDBOX_INSTALL = "pip install 'runninghub-video[sandbox]'"


def build(parser: argparse.ArgumentParser) -> None:
    """The sandbox's own options, description and epilog (CliError: it is not installed)."""
    try:
        from ..sandbox._options import configure_parser
    except ImportError as exc:  # its options are unknown: say how to install it, before
        # argparse would say "unrecognized arguments: --port"
        raise CliError(f"the sandbox is not installed ({exc}): {SANDBOX_INSTALL}") from None
    configure_parser(parser)


def insecure_hint(base_url: str) -> list[str]:
    """For a sandbox beyond loopback: clients refuse its plain http:// without the opt-in."""
    from urllib.parse import urlsplit

    from .._settings import is_loopback

    if is_loopback(urlsplit(base_url).hostname or ""):
        return []
    return ["  (not loopback: clients need --allow-insecure-http, or allow_insecure_http=True)"]


def handle(ctx: Context) -> int:
    """Serve until Ctrl-C, after a banner on stdout saying how to point a client at it."""
    args = ctx.args
    try:
        from ..sandbox import INVALID_API_KEY, MARKERS, serve
        from ..sandbox._options import serve_kwargs
    except ImportError as exc:
        raise CliError(f"the sandbox is not installed ({exc}): {SANDBOX_INSTALL}") from exc

    def announce(base_url: str) -> None:
        lines = [
            f"RunningHub sandbox on {base_url} (speed x{args.speed:g}; Ctrl-C stops it)",
            "point the client at it:",
            f"  export RUNNINGHUB_BASE_URL={base_url} RUNNINGHUB_API_KEY=sandbox-key",
            *insecure_hint(base_url),
            f"any API key works except {INVALID_API_KEY!r} (refused with HTTP 401)",
            "prompt markers:",
            *(f"  {marker}  {meaning}" for marker, meaning in MARKERS.items()),
        ]
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()

    try:
        serve(announce=announce, **serve_kwargs(args))
    except ValueError as exc:  # a --host that is not loopback, without --allow-remote
        sys.stderr.write(f"{PROG} sandbox: {exc}\n")
        return USAGE.code
    return OK.code


COMMAND = Command(
    name="sandbox",
    summary="run a local fake RunningHub for trying things out",
    description="Run a stateful local RunningHub (real MP4 results, failures on demand) "
    "until Ctrl-C.",
    build=build,
    handle=handle,
    api_options=False,
)
