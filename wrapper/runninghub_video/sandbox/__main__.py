"""`python -m runninghub_video.sandbox`: run the sandbox in the foreground."""

from __future__ import annotations

import argparse
import logging

from runninghub_video.sandbox import INVALID_API_KEY, MARKERS, serve
from runninghub_video.sandbox.options import add_server_arguments, server_kwargs


def main(argv: list[str] | None = None) -> None:
    """Parse options and serve until Ctrl-C."""
    markers = "\n".join(f"  {marker}\n      {meaning}" for marker, meaning in MARKERS.items())
    parser = argparse.ArgumentParser(
        prog="python -m runninghub_video.sandbox",
        description="A stateful local RunningHub image-to-video API with real MP4 results.",
        epilog=f"API key {INVALID_API_KEY!r} is refused (401).\nPrompt markers:\n{markers}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_server_arguments(parser)
    parser.add_argument("--data-dir", default=None, help="default: a temporary folder")
    parser.add_argument("--public-url", default=None, help="prefix of result/upload URLs")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        serve(data_dir=args.data_dir, public_url=args.public_url, **server_kwargs(args))
    except ValueError as exc:  # e.g. a --host that is not loopback, without --allow-remote
        parser.error(str(exc))


if __name__ == "__main__":
    main()
