"""`python -m runninghub_video.sandbox`: run the sandbox in the foreground."""

from __future__ import annotations

import argparse
import logging

from runninghub_video.sandbox import INVALID_API_KEY, MARKERS, serve


def main(argv: list[str] | None = None) -> None:
    """Parse options and serve until Ctrl-C."""
    markers = "\n".join(f"  {marker}\n      {meaning}" for marker, meaning in MARKERS.items())
    parser = argparse.ArgumentParser(
        prog="python -m runninghub_video.sandbox",
        description="A stateful local RunningHub image-to-video API with real MP4 results.",
        epilog=f"API key {INVALID_API_KEY!r} is refused (401).\nPrompt markers:\n{markers}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4011)
    parser.add_argument("--speed", type=float, default=1.0, help="divides every task duration")
    parser.add_argument("--data-dir", default=None, help="default: a temporary folder")
    parser.add_argument("--public-url", default=None, help="prefix of result/upload URLs")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    serve(args.host, args.port, args.speed, args.data_dir, args.public_url)


if __name__ == "__main__":
    main()
