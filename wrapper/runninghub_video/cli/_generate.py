"""`generate` and `submit`: check, upload, submit, journal; then (generate) wait and download.

Everything that can be refused is checked before the upload and the submit (the input,
--output, the journal), so a refused run costs nothing.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ._exit_codes import OK
from ._output import print_json, print_line, print_result, result_json
from ._parsing import Command, add_json
from ._run_options import add_output_options, add_wait_options

if TYPE_CHECKING:
    from typing import TypeAlias

    from .._params import ImageInput, ImageValue
    from .._sync_client import RunningHub
    from .._task import Task
    from ._context import Context

    Submitted: TypeAlias = Callable[[Task], None]
    """Called by the library's submit with the task before it returns (on_submitted)."""


def build(parser: argparse.ArgumentParser) -> None:
    """The options of generate and submit (the allowed values come from the generated code)."""
    from .. import _params as params

    parser.add_argument(
        "--image",
        required=True,
        metavar="PATH_OR_URL",
        help="a local JPG/PNG (at most 10 MB, uploaded first) or an http(s) URL",
    )
    parser.add_argument("--prompt", required=True, metavar="TEXT", help="what should happen")
    parser.add_argument(
        "--resolution", choices=params.RESOLUTIONS, default=params.DEFAULT_RESOLUTION,
        help="default: %(default)s" + _cheapest(params.DEFAULT_RESOLUTION, params.RESOLUTIONS),
    )  # fmt: skip
    parser.add_argument(
        "--aspect-ratio", choices=params.ASPECT_RATIOS, default=params.DEFAULT_ASPECT_RATIO,
        help="default: %(default)s",
    )  # fmt: skip
    parser.add_argument(
        "--duration", choices=params.DURATIONS, default=params.DEFAULT_DURATION,
        help="seconds of video; default: %(default)s"
        + _cheapest(params.DEFAULT_DURATION, params.DURATIONS),
    )  # fmt: skip
    add_run_options(parser)


def _cheapest(default: str, choices: tuple[str, ...]) -> str:
    """ " (the cheapest)" when default is the first value (a spec default may be dearer)."""
    return " (the cheapest)" if choices and default == choices[0] else ""


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The run options of generate and of every endpoint command: --output, --overwrite,
    --timeout, --poll-interval, --no-wait, --json."""
    add_output_options(
        parser,
        "where the video goes: a file, or a folder (existing, or written with a trailing /, "
        "then created) that gets <task id>.mp4; default ./<task id>.mp4",
    )
    add_wait_options(parser)
    parser.add_argument(
        "--no-wait", action="store_true", help="only submit: print the task id and return"
    )
    add_json(parser)


def handle(ctx: Context) -> int:
    """generate / submit: check, upload, submit, journal; then wait and download."""
    from .. import _endpoints as endpoints
    from .. import _params as params

    args = ctx.args
    checked = params.check_submit(
        prompt=args.prompt,
        image=args.image,
        resolution=args.resolution,
        aspect_ratio=args.aspect_ratio,
        duration=args.duration,
    )
    values = {
        "resolution": checked.resolution,
        "aspect_ratio": checked.aspect_ratio,
        "duration": checked.duration,
    }

    def submit(rh: RunningHub, urls: dict[str, str | list[str]], submitted: Submitted) -> Task:
        image = urls["image"]
        assert isinstance(image, str)  # one image
        return rh.submit(checked.prompt, image, **values, on_submitted=submitted)

    return run_task(ctx, endpoints.seed().path, {"image": checked.image}, values, submit)


def run_task(
    ctx: Context,
    endpoint: str,
    images: Mapping[str, ImageValue],
    values: Mapping[str, object],
    submit: Callable[[RunningHub, dict[str, str | list[str]], Submitted], Task],
) -> int:
    """The run of generate, submit and every endpoint command, on checked input: check
    --output and the journal, upload the local `images` (field -> URL or local image, or a
    list of them), submit(rh, field -> URL or URLs, on_submitted), journal; then (unless
    --no-wait) wait and download. submit passes on_submitted to the library's submit;
    endpoint (the API path) is journaled with the task."""
    from .._params import local_images

    args = ctx.args
    run = ctx.run
    run.endpoint = endpoint
    only_submit = args.command == "submit" or args.no_wait
    protected = tuple(image.path for value in images.values() for image in local_images(value))
    run.check_output(None, protected, will_download=not only_submit)  # before anything is paid
    run.ensure_journal_writable()  # before anything is paid for
    with ctx.client() as rh:
        urls: dict[str, str | list[str]] = {}
        journal_params: dict[str, object] = {}
        for name, value in images.items():
            if isinstance(value, list):
                pairs = [_image_url(ctx, rh, image) for image in value]
                urls[name] = [url for url, _ in pairs]
                journal_params[name] = [shown for _, shown in pairs]
            else:
                urls[name], journal_params[name] = _image_url(ctx, rh, value)
        journal_params.update(values)

        def submitted(task: Task) -> None:  # before submit returns: no window loses the id
            run.submitted(
                task, base_url=rh.base_url, params=journal_params, output=args.output,
                will_download=not only_submit,
            )  # fmt: skip

        try:
            task = submit(rh, urls, submitted)
        except (Exception, KeyboardInterrupt) as error:  # journal a task the error names
            run.failed_submit(error, rh.base_url, journal_params)
            raise
        shown = run.announce_submitted(task, args.output)
        if only_submit:
            if args.json:
                print_json(result_json(task_id=task.id, task=task))
            else:
                print_line(task.id)
                ctx.display.note(f"wait for it with: {run.command('wait', task.id, shown)}")
            return OK.code
        if not task.succeeded:
            task = run.wait(rh, task.id, known=task.status)
        saved = run.download(rh, task, args.output, protected)
    print_result(task, saved, json_output=args.json)
    return OK.code


def _image_url(ctx: Context, rh: RunningHub, image: ImageInput) -> tuple[str, str]:
    """An image's URL (a local one uploaded first) and what the journal keeps of it: the URL
    without its credentials (signed URLs carry some), or the local file's absolute path."""
    from .._download import safe_url

    if isinstance(image, str):
        return image, safe_url(image)
    ctx.display.note(f"uploading {image.path.name}")
    return rh.upload(image.path), str(image.path.resolve())


GENERATE = Command(
    name="generate",
    summary="submit a task, wait for it, download the video",
    description="Submit an image-to-video task, wait for it and download the MP4 "
    "(default ./<task id>.mp4). With --no-wait it only submits.",
    build=build,
    handle=handle,
)
SUBMIT = Command(
    name="submit",
    summary="submit a task and print its id",
    description="Submit an image-to-video task, print its id and return (resume with `wait`).",
    build=build,
    handle=handle,
)
