"""`upload`: upload a local JPG/PNG and print its URL, to use as --image (it lives a day)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ._exit_codes import OK
from ._output import print_json, print_line
from ._parsing import Command, add_json

if TYPE_CHECKING:
    from ._context import Context


def build(parser: argparse.ArgumentParser) -> None:
    """FILE [--json]."""
    parser.add_argument("file", metavar="FILE", help="a JPG or PNG of at most 10 MB")
    add_json(parser)


def handle(ctx: Context) -> int:
    """The file is checked first (a missing one says so, even without a key); then upload."""
    from .._params import check_local_image

    image = check_local_image(ctx.args.file)
    with ctx.client() as rh:
        url = rh.upload(image.path)
    if ctx.options.json:
        print_json({"url": url})
    else:
        print_line(url)
    return OK.code


COMMAND = Command(
    name="upload",
    summary="upload an image and print its URL",
    description="Upload a local JPG/PNG and print the URL to use as --image (it lives about "
    "a day).",
    build=build,
    handle=handle,
)
