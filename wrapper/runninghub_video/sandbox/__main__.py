"""`python -m runninghub_video.sandbox`: run the sandbox in the foreground."""

from __future__ import annotations

import argparse
import dataclasses
import logging

from runninghub_video.sandbox import INVALID_API_KEY, MARKERS, serve
from runninghub_video.sandbox._limits import Limits
from runninghub_video.sandbox._options import add_server_arguments, server_kwargs


def parse_limits(items: list[str]) -> dict[str, float]:
    """NAME=VALUE items as Limits field values (ValueError naming a bad one)."""
    names = {field.name: field.type for field in dataclasses.fields(Limits)}
    values: dict[str, float] = {}
    for item in items:
        name, _, text = item.partition("=")
        if name not in names:
            raise ValueError(f"--limit {item!r}: unknown limit; known: {', '.join(names)}")
        try:
            values[name] = int(text) if names[name] in ("int", int) else float(text)
        except ValueError:
            raise ValueError(f"--limit {item!r}: not a number") from None
    Limits(**values)  # type: ignore[arg-type]  # validates every value
    return values


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
    parser.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set any field of runninghub_video.sandbox.Limits (repeatable), e.g. header_timeout=2",
    )
    args = parser.parse_args(argv)
    try:
        overrides = parse_limits(args.limit)
    except ValueError as exc:
        parser.error(str(exc))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        kwargs = server_kwargs(args)
        kwargs["limits"] = dataclasses.replace(kwargs["limits"], **overrides)
        serve(data_dir=args.data_dir, public_url=args.public_url, **kwargs)
    except ValueError as exc:  # e.g. a --host that is not loopback, without --allow-remote
        parser.error(str(exc))


if __name__ == "__main__":
    main()
