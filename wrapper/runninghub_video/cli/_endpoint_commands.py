"""One command per task endpoint of the spec (`text-to-video`), made from the generated code:
nothing here names an endpoint, a field or a value (runninghub_video._endpoints finds them).

The options are the request model's fields (enums as choices of the Literal's type, required
fields required, defaults shown; an image field takes a local file, uploaded first; an array
takes one or more values; a field named like a Python keyword keeps its JSON name: --type)
and the run options of `generate`; the run is generate's (_generate.run_task: journal, resume,
exit codes). The seed endpoint has `generate` and no second command.
"""

from __future__ import annotations

import argparse
import functools
from typing import TYPE_CHECKING

from ._parsing import Command

if TYPE_CHECKING:
    from .._endpoints import EndpointInfo, Field
    from .._sync_client import RunningHub
    from .._task import Task
    from ._context import Context
    from ._generate import Submitted


#: Options every endpoint command has already (generate's run options, the global ones), and
#: the attributes the run reads from them: a field of such a name gets --field-NAME instead.
RESERVED = frozenset({"help", "output", "overwrite", "timeout", "poll_interval", "no_wait",
                      "json", "base_url", "api_key", "verbose", "command"})  # fmt: skip


def _name(field: Field) -> str:
    """The field's name for its option: the Python name without the generator's trailing _
    for a Python keyword (type_ -> type, from_ -> from: the JSON name)."""
    return field.name.rstrip("_") or field.name


def _dest(field: Field) -> str:
    return f"field_{field.name}" if _name(field) in RESERVED else field.name


def _option(field: Field) -> str:
    name = _name(field)
    return "--" + (f"field-{name}" if name in RESERVED else name).replace("_", "-")


def _help(field: Field) -> str:
    what = (field.description or field.json_name).replace("%", "%%")  # argparse formats it
    if field.takes_image:
        what += "; a local JPG/PNG (at most 10 MB, uploaded first) or an http(s) URL"
    if field.array:
        what += "; a list: one or more values, after one option or by repeating it"
        if field.default is not None:
            what += f"; default: {field.default}".replace("%", "%%")
    elif field.default is not None:
        what += "; default: %(default)s"
    return what


def _metavar(field: Field) -> str:
    return "PATH_OR_URL" if field.takes_image else _name(field).upper()


def build(info: EndpointInfo, parser: argparse.ArgumentParser) -> None:
    """The endpoint's fields as options, then generate's run options. Values are converted
    to the field's type (an integer enum takes --duration 8 as 8); an array field takes one
    or more values (--image-urls a.png b.png, or --image-urls a.png --image-urls b.png)."""
    from .._endpoints import load
    from ._generate import add_run_options

    for field in load(info).fields:
        kwargs: dict[str, object] = {"dest": _dest(field), "help": _help(field)}
        if field.kind is bool and not field.array:
            kwargs["action"] = argparse.BooleanOptionalAction
        else:
            if field.choices is not None:
                kwargs["choices"] = field.choices
            else:
                kwargs["metavar"] = _metavar(field)
            if field.kind in (int, float):
                kwargs["type"] = field.kind
            elif field.kind is bool:  # a list of booleans
                kwargs["type"] = _boolean
        if field.array:
            kwargs.update(action="extend", nargs="+")
        elif field.default is not None:
            kwargs["default"] = field.default
        kwargs["required"] = field.required and field.default is None
        parser.add_argument(_option(field), **kwargs)  # type: ignore[arg-type]
    add_run_options(parser)


def _boolean(text: str) -> bool:
    """true/false (also yes/no, 1/0) for an element of a list of booleans."""
    value = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
    try:
        return value[text.strip().lower()]
    except KeyError:
        raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}") from None


def handle(ctx: Context) -> int:
    """Check the fields, then generate's run: upload, submit, journal, wait, download."""
    from .. import _endpoints as endpoints
    from .. import _params as params
    from ._generate import run_task

    endpoint = endpoints.load(endpoints.find(ctx.args.command))
    given = {field.name: getattr(ctx.args, _dest(field), None) for field in endpoint.fields}
    checked = params.check_fields(endpoint, given)
    shown = {name: value for name, value in checked.values.items() if name != "prompt"}

    def submit(rh: RunningHub, urls: dict[str, str | list[str]], submitted: Submitted) -> Task:
        return rh.submit_request(checked.request(urls), on_submitted=submitted)

    return run_task(ctx, endpoint.info.path, checked.images, shown, submit)


def commands() -> list[Command]:
    """A command for every task endpoint but the seed's (that one is `generate`)."""
    from .._endpoints import SEED, infos

    return [
        Command(
            name=info.name,
            summary=f"{info.summary or info.name}: submit, wait, download the video",
            description=f"{info.summary} (POST {info.path}). {info.description}".strip()
            + " Submit a task, wait for it and download the result (default ./<task id>.mp4)."
            " With --no-wait it only submits.",
            build=functools.partial(build, info),
            handle=handle,
        )
        for info in infos()
        if info.module != SEED
    ]
