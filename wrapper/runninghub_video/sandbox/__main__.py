"""`python -m runninghub_video.sandbox`: run the sandbox in the foreground (the same options
as `runninghub-video sandbox`: one parser, in _options)."""

from __future__ import annotations

import argparse
import logging

from runninghub_video.sandbox import serve
from runninghub_video.sandbox._options import configure_parser, serve_kwargs

PROG = "python -m runninghub_video.sandbox"


def build_parser() -> argparse.ArgumentParser:
    """The sandbox's parser under this entry point's name."""
    return configure_parser(argparse.ArgumentParser(prog=PROG))


def main(argv: list[str] | None = None) -> None:
    """Parse options and serve until Ctrl-C."""
    parser = build_parser()
    args = parser.parse_args(argv)
    verbose = getattr(args, "verbose", False)
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    try:
        serve(**serve_kwargs(args))
    except ValueError as exc:  # e.g. a --host that is not loopback, without --allow-remote
        parser.error(str(exc))


if __name__ == "__main__":
    main()
