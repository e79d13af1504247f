"""One command per task endpoint of the spec, made from the generated code: the seed's is
`generate` (with `submit`, which only submits), every other one is named by its page
(`text-to-video`). Nothing here names an endpoint, a field or a value (runninghub_video.
_endpoints finds them; the seed's face, `--image` and its defaults, is _params.face()).

The options are the request model's fields (enums as choices of the Literal's type, required
fields required, defaults shown; an image field takes a local file, uploaded first; an array
takes one or more values; a field named like a Python keyword keeps its JSON name: --type)
and the run options. Everything that can be refused is checked before the upload and the
submit (the input, --output, the journal), so a refused run costs nothing.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
from typing import TYPE_CHECKING, Any

from ._destination import target
from ._exit_codes import OK
from ._output import print_json, print_line, print_result, result_json
from ._parsing import Command, add_json
from ._run_options import add_output_options, add_wait_options

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from .._endpoints import EndpointInfo, Field
    from .._journal import TaskRecord
    from .._params import CheckedRequest
    from .._sync_client import RunningHub
    from .._task import Task
    from ._context import Context


#: The seed endpoint's commands (see seed_commands), by name: fixed, whatever the table says.
SEED_COMMANDS = ("generate", "submit", "price")


@functools.cache
def reserved() -> frozenset[str]:
    """The names every endpoint command has already: its run options and the global ones (as
    argparse dests: `no_wait` for --no-wait), `help` and `command`. A field of such a name
    gets --field-NAME instead. Read from the options themselves, so a new one is covered."""
    from ._parsing import add_global_options

    probe = argparse.ArgumentParser(add_help=False)
    add_run_options(probe)
    add_global_options(probe, suppress=False)
    return frozenset({*vars(probe.parse_args([])), "help", "command"})


def _name(field: Field, names: Mapping[str, str]) -> str:
    """The field's name for its option: the face's (`image`), else the Python name without
    the generator's trailing _ for a Python keyword (type_ -> type, from_ -> from)."""
    return names.get(field.name) or field.name.rstrip("_") or field.name


def _dest(field: Field) -> str:
    return f"field_{field.name}" if field.name.rstrip("_") in reserved() else field.name


def _option(field: Field, names: Mapping[str, str]) -> str:
    name = _name(field, names)
    return "--" + (f"field-{name}" if name in reserved() else name).replace("_", "-")


def _metavar(field: Field, names: Mapping[str, str]) -> str:
    if field.takes_image:
        return "PATH_OR_URL"
    return "URL" if field.takes_url else _name(field, names).upper()


def _described(field: Field) -> str:
    """The field's description, its English (JSON) name beside a title without one: the
    vendor's Chinese title "比例. Output aspect ratio" reads "比例 (aspectRatio). Output..."."""
    title, dot, rest = field.description.rstrip(". ").partition(". ")
    if not title:
        return field.json_name
    if any("a" <= char.lower() <= "z" for char in title):
        return field.description.rstrip(". ")
    return f"{title} ({field.json_name}){dot}{rest}"


def _help(field: Field, default: object) -> str:
    what = _described(field).replace("%", "%%")  # argparse formats it
    if field.takes_image:
        what += "; a local JPG/PNG (at most 10 MB, uploaded first) or an http(s) URL"
    if field.array:
        what += "; a list: one or more values, after one option or by repeating it"
        if default is not None:
            what += f"; default: {default}".replace("%", "%%")
    elif default is not None:
        what += "; default: %(default)s"
        if field.default is None and field.choices and default == field.choices[0]:
            what += " (the cheapest)"  # a face default the spec does not give
    return what


def build(info: EndpointInfo, parser: argparse.ArgumentParser) -> None:
    """The endpoint's fields as options, then the run options. Values are converted to the
    field's type (an integer enum takes --duration 8 as 8); an array field takes one or more
    values (--image-urls a.png b.png, or --image-urls a.png --image-urls b.png)."""
    from .._endpoints import load
    from .._params import face

    names, defaults = face(info)
    for field in load(info).fields:
        default = defaults.get(field.name, field.default)
        kwargs: dict[str, Any] = {"dest": _dest(field), "help": _help(field, default)}
        if field.kind is bool and not field.array:
            kwargs["action"] = argparse.BooleanOptionalAction
        else:
            if field.choices is not None:
                kwargs["choices"] = field.choices
            else:
                kwargs["metavar"] = _metavar(field, names)
            if field.kind in (int, float):
                kwargs["type"] = field.kind
            elif field.kind is bool:  # a list of booleans
                kwargs["type"] = _boolean
        if field.array:
            kwargs.update(action="extend", nargs="+")
        elif default is not None:
            kwargs["default"] = default
        kwargs["required"] = field.required and default is None
        parser.add_argument(_option(field, names), **kwargs)
    add_run_options(parser)


def _boolean(text: str) -> bool:
    """true/false (also yes/no, 1/0) for an element of a list of booleans."""
    value = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
    try:
        return value[text.strip().lower()]
    except KeyError:
        raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}") from None


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The run options of every endpoint command: --output, --overwrite, --timeout,
    --poll-interval, --no-wait, --json."""
    add_output_options(
        parser,
        "where the video goes: a file, or a folder (existing, or written with a trailing /, "
        "then created) that gets <task id>.mp4; default ./<task id>.mp4",
    )
    add_wait_options(parser)
    parser.add_argument(
        "--no-wait", action="store_true", help="only submit: print the task id and return"
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="check everything, print the price and the fields, submit nothing (free)",
    )
    parser.add_argument(
        "--new",
        action="store_true",
        help="submit a new task even when an identical command's task is unfinished (by "
        "default that task is resumed instead of paying again)",
    )
    add_json(parser)


def handle(info: EndpointInfo, ctx: Context) -> int:
    """Check the fields (once) and the journal, then one library call: generate() (upload,
    submit, wait, download; it checks --output first), or submit_to() for `submit` and
    --no-wait. The task is journaled and shown from its callbacks the moment it is known."""
    from .._download import check_destination
    from .._endpoints import load
    from .._params import check_fields, face

    args, options, run = ctx.args, ctx.options, ctx.run
    endpoint = load(info)
    names, _ = face(info)
    given = {field.name: getattr(args, _dest(field), None) for field in endpoint.fields}
    checked = check_fields(endpoint, given, names=names)
    journal_params = {
        names.get(name, name): _journaled(endpoint.field(name), value)
        for name, value in (*checked.images.items(), *checked.values.items())
        if name != "prompt"
    }
    run.endpoint = info.path
    if options.dry_run or options.command == "price":
        prompt = {"prompt": checked.values["prompt"]} if "prompt" in checked.values else {}
        return _priced(ctx, info, checked, {**prompt, **journal_params})
    only_submit = options.command == "submit" or options.no_wait
    run.downloads = not only_submit
    if options.output or not only_submit:  # before the intent: a refused --output costs nothing
        protected = checked.local_paths  # (with --no-wait: kept for `wait --output`)
        check_destination(None, options.output, overwrite=options.overwrite,
                          protected=protected, will_download=not only_submit)  # fmt: skip
    run.ensure_journal_writable()  # before anything is paid for
    with ctx.client() as rh, run.following():
        run.request = fingerprint(rh.base_url, info.path, checked, options.output)
        earlier = None if options.new else run.unfinished(run.request, not only_submit)
        if earlier is not None:
            return _resume(ctx, rh, earlier, only_submit)

        def sending() -> None:  # after the uploads: a kill during one costs nothing
            run.submitting(rh.base_url, journal_params)

        def uploaded(path: Path, url: str) -> None:
            del url  # the journal keeps the local file, not the (short-lived) upload URL
            ctx.display.note(f"uploaded {path.name}")

        def submitted(task: Task) -> None:  # before submit returns: no window loses the id
            run.submitted(
                task, base_url=rh.base_url, params=journal_params, output=options.output,
                will_download=not only_submit,
            )  # fmt: skip

        try:
            if only_submit:
                task = rh.submit_to(checked, on_uploaded=uploaded, on_sending=sending,
                                    on_submitted=submitted)  # fmt: skip
            else:
                video = rh.generate(
                    checked, output=options.output, overwrite=options.overwrite,
                    timeout=options.timeout, on_uploaded=uploaded, on_sending=sending,
                    on_submitted=submitted,
                    on_update=run.on_update, on_progress=run.on_progress,
                )  # fmt: skip
        except (Exception, KeyboardInterrupt) as error:  # journal a task the error names
            run.failed_submit(error, rh.base_url, journal_params)
            raise
    if not only_submit:
        print_result(video.task, run.downloaded(video), json_output=options.json)
    elif options.json:
        print_json(result_json(task_id=task.id, task=task))
    else:
        print_line(task.id)
        shown = target(task.id, options.output)[0]
        ctx.display.note(f"wait for it with: {run.command('wait', task.id, shown)}")
    return OK.code


def fingerprint(base_url: str, path: str, checked: CheckedRequest, output: str | None) -> str:
    """What makes two commands the same work: the site, the endpoint, every field (a local
    image by its content too) and where the video goes. A digest: the journal keeps it, not
    the prompt in full."""
    from .._params import LocalImage

    def plain(value: object) -> object:
        if isinstance(value, list):
            return [plain(item) for item in value]
        if isinstance(value, LocalImage):
            path = value.path.resolve()
            return {"file": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
        return value

    fields = {
        name: plain(value) for name, value in (*checked.images.items(), *checked.values.items())
    }
    folder = output is None or output.endswith(("/", os.sep)) or os.path.isdir(output)
    where = {"folder" if folder else "file": os.path.abspath(output or ".")}  # as it resolves
    text = json.dumps(
        [base_url, path, fields, where], sort_keys=True, ensure_ascii=False, default=str
    )
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _resume(ctx: Context, rh: RunningHub, earlier: TaskRecord, only_submit: bool) -> int:
    """An identical command's unfinished task, resumed instead of paid for again: `submit`
    prints its id; the others wait for it and download its video, as `wait --output`."""
    from ._errors import UsageError

    options, run = ctx.options, ctx.run
    if earlier.task_id is None:  # a submit that may have created a task, unanswered
        raise UsageError(
            f"an identical command's submit ({earlier.time}) may have created a paid task, but no "
            "task id came back: check your RunningHub task list, then run again with --new "
            "to submit anyway"
        )
    task_id = earlier.task_id
    ctx.display.hint(
        f"task {task_id} of an identical command ({earlier.time}, {earlier.status}) is "
        "unfinished: resuming it instead of paying again (--new submits a new task)"
    )
    if only_submit:
        if options.json:
            print_json(result_json(task_id=task_id))
        else:
            print_line(task_id)
        return OK.code
    from ._wait import download_when_done

    output = earlier.output or str(target(task_id, options.output)[1])
    run.track(task_id, output)
    run.downloads = True
    video = download_when_done(ctx, rh, task_id, output)
    print_result(video.task, run.downloaded(video), json_output=options.json)
    return OK.code


def _priced(
    ctx: Context, info: EndpointInfo, checked: CheckedRequest, fields: dict[str, object]
) -> int:
    """--dry-run and `price`: the checked request priced (free), nothing submitted."""
    from .._download import check_destination

    options = ctx.options
    if options.command != "price":  # the destination is checked as the real run would
        check_destination(None, options.output, overwrite=options.overwrite,
                          protected=checked.local_paths)  # fmt: skip
    with ctx.client() as rh:
        price = rh.price(checked)
    shown = {"amount": str(price.amount), "currency": price.currency, "free": price.free}
    if options.json:
        print_json({"endpoint": info.path, "price": shown, "fields": fields, "submitted": False})
        return OK.code
    free = " (free)" if price.free else ""
    print_line(f"price: {price.amount} {price.currency or ''}{free}".rstrip())
    ctx.display.note(f"would submit to {info.path}: " + json.dumps(fields, ensure_ascii=False))
    ctx.display.note("nothing was submitted")
    return OK.code


def _journaled(field: Field, value: object) -> object:
    """What the journal keeps of a field's value (or of each of a list): a URL without its
    credentials (signed URLs carry some), a local image as its absolute path; anything else
    as given."""
    from .._params import LocalImage
    from .._redaction import safe_url

    if isinstance(value, list):
        return [_journaled(field, item) for item in value]
    if isinstance(value, LocalImage):
        return str(value.path.resolve())
    if (field.takes_url or field.takes_image) and isinstance(value, str):
        return safe_url(value)
    return value


def _command(info: EndpointInfo, name: str, summary: str, description: str) -> Command:
    return Command(
        name=name,
        summary=summary,
        description=description,
        build=functools.partial(build, info),
        handle=functools.partial(handle, info),
    )


def seed_commands() -> tuple[Command, Command, Command]:
    """The seed endpoint's commands: `generate` (submit, wait, download), `submit` and
    `price`."""
    from .._endpoints import seed

    info = seed()
    generate, submit, price = SEED_COMMANDS
    return (
        _command(
            info, generate, "submit a task, wait for it, download the video",
            f"{info.summary} (POST {info.path}). Submit an image-to-video task, wait for it and "
            "download the MP4 (default ./<task id>.mp4). With --no-wait it only submits.",
        ),
        _command(
            info, submit, "submit a task and print its id",
            f"{info.summary} (POST {info.path}). Submit an image-to-video task, print its id "
            "and return (resume with `wait`).",
        ),
        _command(
            info, price, "print what generate would cost (free)",
            f"{info.summary} (POST {info.path}). Check the options as generate does and print "
            "the price the API gives for them; nothing is submitted.",
        ),
    )  # fmt: skip


def commands() -> list[Command]:
    """A command for every task endpoint but the seed's (that one is `generate`)."""
    from .._endpoints import SEED, infos

    return [
        _command(
            info,
            info.name,
            f"{info.summary or info.name}: submit, wait, download the video",
            f"{info.summary} (POST {info.path}). {info.description}".strip()
            + " Submit a task, wait for it and download the result (default ./<task id>.mp4)."
            " With --no-wait it only submits.",
        )
        for info in infos()
        if info.module != SEED
    ]
