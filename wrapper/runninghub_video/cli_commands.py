"""The CLI's commands: one function each, sharing a Context that remembers, for the error
handler, the task id once a task exists and the command that resumes it.

A submitted task's id is printed the moment the submit answers, then journaled, before
anything else happens (waiting, downloading), so a failure, a deadline, a full disk, Ctrl-C,
SIGTERM or SIGHUP never loses a paid task. --output is checked before the submit. The
client (httpx) is imported here only when a command runs.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cli_output import Display, print_json, print_line, result_json, usage_json

if TYPE_CHECKING:
    from ._journal import Journal
    from ._sync_client import RunningHub
    from ._task import Task

PROG = "runninghub-video"
SANDBOX_INSTALL = "pip install 'runninghub-video[sandbox]'"

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_TASK_FAILED = 4
EXIT_DEADLINE = 5
EXIT_INTERRUPTED = 130


def interrupted(code: int) -> bool:
    """True for the exit code of a signal (128 + its number: 130 Ctrl-C, 143 SIGTERM)."""
    return code > 128


class CliError(Exception):
    """A failure the CLI explains itself (exit code 1): no journal, no sandbox installed."""


class Context:
    """One command's state: options, display, journal, and what the error handler needs
    (the task id once a task exists, the last task seen, the command that resumes it)."""

    def __init__(self, args: argparse.Namespace, display: Display) -> None:
        self.args = args
        self.display = display
        self.task_id: str | None = None
        self.task: Task | None = None
        self.output: str | None = None
        self.resume: str | None = None
        self.phase = ""
        """What the command is doing: upload, submit, wait, download (for the advice)."""
        self.journal_in_use = False
        self.unjournaled: Callable[[], None] | None = None
        """Journals the submitted task while it is not journaled yet (an interrupt path
        runs it: SIGTERM right after the submit answered must not lose the task)."""
        self.base_url: str | None = None
        self._journal: Journal | None = None

    @property
    def journal(self) -> Journal:
        """The task journal (opened on first use)."""
        if self._journal is None:
            from ._journal import Journal

            self._journal = Journal()
        return self._journal

    def journal_event(self, event: str, task_id: str | None, **fields: Any) -> None:
        """Append to the journal; one that cannot be written is a warning, not a stop."""
        try:
            self.journal.append(event, task_id, **fields)
            self.journal_in_use = True
        except OSError as exc:
            self.display.warning(f"could not write the task journal {self.journal.path}: {exc}")

    def journal_unjournaled(self) -> None:
        """Journal the submitted task if that has not happened yet (at most once)."""
        from .cli_signals import deferred

        with deferred():
            pending, self.unjournaled = self.unjournaled, None
            if pending is not None:
                pending()

    def client(self) -> RunningHub:
        """The API client, configured from the options and the environment."""
        from ._errors import ConfigurationError
        from ._policy import Policy
        from ._settings import ENV_API_KEY
        from ._sync_client import RunningHub

        if not (self.args.api_key or os.environ.get(ENV_API_KEY, "")).strip():
            raise ConfigurationError(
                f"no API key: set {ENV_API_KEY} (or pass --api-key, which other users can see "
                "in ps); keys belong to one site, runninghub.cn or runninghub.ai"
            )
        interval = getattr(self.args, "poll_interval", None)
        policy = Policy() if interval is None else Policy(poll_interval=interval)
        rh = RunningHub(self.args.api_key, base_url=self.args.base_url, policy=policy)
        self.base_url = rh.base_url
        return rh

    def command(self, name: str, task_id: str, output: str | None) -> str:
        """A command line that picks the task up again (never with the API key)."""
        parts = [PROG]
        if self.args.base_url:
            parts += ["--base-url", self.args.base_url]
        parts += [name, task_id]
        if output:
            parts += ["--output", output]
            if getattr(self.args, "overwrite", False):  # the user's choice holds on resume
                parts.append("--overwrite")
        return shlex.join(parts)

    def track(self, task_id: str, output: str | None) -> None:
        """From now on a task exists: errors name it and say how to resume."""
        self.task_id = task_id
        self.output = output
        self.resume = self.command("wait", task_id, output)


def target(task_id: str, output: str | None) -> tuple[str, Path]:
    """(path as the user gave it, path to write) of a task's video: a file, or <id>.mp4 in a
    folder (an existing one, or one written with a trailing '/'), or ./<id>.mp4."""
    from ._output_paths import resolve_target

    path = resolve_target(task_id, output)
    if not output:
        return path.name, path
    shown = output if path == Path(output).expanduser() else os.path.join(output, path.name)
    return shown, path


def check_output(ctx: Context, task_id: str | None, protected: tuple[Path, ...] = ()) -> None:
    """Before anything is paid for or fetched: --output can be written under the rules of
    output_paths (InvalidInputError, exit 2, otherwise). Without a task id yet, only an
    --output naming a file is checked; the final check comes before the download."""
    from ._output_paths import check_target, check_writable, means_folder, prepare_folder
    from ._params import TASK_ID_MAX

    output = getattr(ctx.args, "output", None)
    overwrite = bool(getattr(ctx.args, "overwrite", False))
    prepare_folder(output)
    if task_id is None and (not output or means_folder(output) or Path(output).is_dir()):
        only_submit = ctx.args.command == "submit" or getattr(ctx.args, "no_wait", False)
        if output or not only_submit:  # the folder must take <the longest task id>.mp4
            check_writable(target("0" * TASK_ID_MAX, output)[1])
        return
    path = target(task_id or "", output)[1]
    check_target(
        path,
        overwrite=overwrite,
        protected=protected,
        protected_folders=(ctx.journal.folder,),  # the paid tasks' records
    )
    check_writable(path)


def _wait_for(
    ctx: Context,
    rh: RunningHub,
    task_id: str,
    known: str | None = None,
    first: dict[str, Any] | None = None,
) -> Task:
    """Poll with live progress; journal every status change. `first`: the fields of a
    "waiting" event, journaled once the API has confirmed the task exists."""
    seen: list[str] = [known] if known else []

    def on_update(task: Task) -> None:
        ctx.task = task
        show(task)
        if first is not None and not seen:
            ctx.journal_event("waiting", task_id, status=task.status, **first)
            seen.append(task.status)
        elif not seen or seen[-1] != task.status:
            seen.append(task.status)
            ctx.journal_event("status", task_id, status=task.status)

    ctx.phase = "wait"
    with ctx.display.polling(task_id, known) as show:
        return rh.wait(task_id, timeout=ctx.args.timeout, on_update=on_update)


def _download(
    ctx: Context, rh: RunningHub, task: Task, output: str | None, protected: tuple[Path, ...] = ()
) -> str:
    """Download with a progress bar; journal where the video went; return the shown path."""
    from ._errors import InvalidInputError

    shown, path = target(task.id, output)
    ctx.phase = "download"
    ctx.output = shown
    overwrite = bool(getattr(ctx.args, "overwrite", False))
    try:
        check_output(ctx, task.id, protected)
    except InvalidInputError as exc:  # a task exists: exit 1 (exit 2 means nothing was paid)
        raise CliError(str(exc)) from None
    with ctx.display.downloading(task.id, shown) as on_progress:
        rh.download(task, path, on_progress=on_progress, overwrite=overwrite)
    ctx.journal_event("downloaded", task.id, status=task.status, output=os.path.abspath(path))
    return shown


def _finish(ctx: Context, task: Task, shown: str | None) -> int:
    """Print the outcome on stdout: the JSON object, the video's path, or its URL."""
    if ctx.args.json:
        print_json(result_json(task_id=task.id, task=task, output=shown))
    else:
        print_line(shown if shown is not None else task.video_url or task.status)
    return EXIT_OK


def cmd_generate(ctx: Context) -> int:
    """generate / submit: check, upload, submit, journal; then wait and download."""
    from . import _params as params
    from ._download import safe_url
    from ._errors import RunningHubError

    args = ctx.args
    only_submit = args.command == "submit" or args.no_wait
    checked = params.check_submit(
        prompt=args.prompt,
        image=args.image,
        resolution=args.resolution,
        aspect_ratio=args.aspect_ratio,
        duration=args.duration,
    )
    protected = () if isinstance(checked.image, str) else (checked.image.path,)
    check_output(ctx, None, protected)  # before anything is paid for
    try:
        ctx.journal.ensure_writable()  # before anything is paid for
    except OSError as exc:
        raise CliError(f"cannot write the task journal {ctx.journal.path}: {exc}") from exc
    with ctx.client() as rh:
        if isinstance(checked.image, str):
            image_url = checked.image
            shown_image = safe_url(image_url)  # signed URLs carry credentials in the query
        else:
            ctx.phase = "upload"
            ctx.display.note(f"uploading {checked.image.path.name}")
            image_url = rh.upload(checked.image.path)
            shown_image = str(checked.image.path.resolve())
        journal_params = {
            "image": shown_image,
            "resolution": checked.resolution,
            "aspect_ratio": checked.aspect_ratio,
            "duration": checked.duration,
        }
        ctx.phase = "submit"
        try:
            task = rh.submit(
                checked.prompt,
                image_url,
                resolution=checked.resolution,
                aspect_ratio=checked.aspect_ratio,
                duration=checked.duration,
            )
        except (RunningHubError, KeyboardInterrupt) as error:
            _journal_failed_submit(ctx, error, journal_params)
            raise
        # From here the task is paid for: it is tracked (so that an interrupt journals it,
        # cli._report) before its id is shown, and a display that cannot write (a closed or
        # full stderr) stops neither the journal write nor the command.
        ctx.task = task
        shown, path = target(task.id, args.output)
        wants_file = bool(args.output) or not only_submit
        ctx.track(task.id, shown if wants_file else None)
        ctx.unjournaled = lambda: _journal_submitted(
            ctx, task, rh.base_url, checked.prompt, journal_params,
            os.path.abspath(path) if wants_file else None,
        )  # fmt: skip
        ctx.display.hint(f"task {task.id} submitted ({task.status})")
        ctx.journal_unjournaled()
        if only_submit:
            if args.json:
                print_json(result_json(task_id=task.id, task=task))
            else:
                print_line(task.id)
                ctx.display.note(f"wait for it with: {ctx.command('wait', task.id, shown)}")
            return EXIT_OK
        if not task.succeeded:
            task = _wait_for(ctx, rh, task.id, known=task.status)
        ctx.task = task
        return _finish(ctx, task, _download(ctx, rh, task, args.output, protected))


def _journal_submitted(
    ctx: Context,
    task: Task,
    base_url: str,
    prompt: str,
    params: dict[str, Any],
    output: str | None,
) -> None:
    """Journal a submitted task; a failed write (a full disk) is a warning naming the task."""
    try:
        ctx.journal.submitted(
            task.id, base_url=base_url, prompt=prompt, params=params, output=output,
            status=task.status,
        )  # fmt: skip
        ctx.journal_in_use = True
    except OSError as exc:
        ctx.display.warning(
            f"task {task.id} exists and is paid for, but the task journal "
            f"{ctx.journal.path} could not be written ({exc}): keep this id; resume with: "
            f"{ctx.command('wait', task.id, ctx.output)}"
        )


def _journal_failed_submit(ctx: Context, error: BaseException, params: dict[str, Any]) -> None:
    """A submit that failed: journal the task if one exists or may exist, and say so."""
    task_id = getattr(error, "task_id", None)
    fields: dict[str, Any] = {"base_url": ctx.base_url, "prompt": ctx.args.prompt}
    fields["params"] = params
    if task_id:  # e.g. a submit answered FAILED at once
        ctx.track(task_id, None)
        status = getattr(error, "status", None)
        ctx.journal_event("submitted", task_id, status=status, error=str(error), **fields)
        return
    if isinstance(error, KeyboardInterrupt) or getattr(error, "task_may_exist", False):
        why = str(error)
        if isinstance(error, KeyboardInterrupt):
            from .cli_signals import Terminated, signal_name

            why = (
                f"interrupted ({signal_name(error)})"
                if isinstance(error, Terminated)
                else "interrupted"
            )
        ctx.journal_event("unconfirmed", None, status="UNKNOWN", error=why, **fields)
        ctx.display.warning(
            "the submit may have reached RunningHub although no task id came back, so a paid "
            "task may exist: check your RunningHub task list before submitting again"
        )


def cmd_status(ctx: Context) -> int:
    """status: one query; exit 0 whatever the task's status."""
    args = ctx.args
    ctx.task_id = args.task_id
    with ctx.client() as rh:
        task = rh.get(args.task_id)
    ctx.task = task
    if ctx.journal.find(task.id) is not None:  # update known tasks; don't add strangers
        ctx.journal_event("status", task.id, status=task.status)
    if args.json:
        print_json(result_json(task_id=task.id, task=task))
        return EXIT_OK
    print_line(f"{task.id} {task.status}")
    for result in task.results:
        print_line(f"  result: {result.url} ({result.output_type})")
    if task.error_code or task.error_message:
        from ._responses import describe

        print_line(f"  error: {describe(task.error_code, task.error_message)}")
    usage = {key: value for key, value in (usage_json(task) or {}).items() if value is not None}
    if usage:
        print_line("  usage: " + ", ".join(f"{key}={value}" for key, value in usage.items()))
    return EXIT_OK


def cmd_wait(ctx: Context) -> int:
    """wait: poll until the end; download with --output."""
    from ._params import check_task_id

    args = ctx.args
    check_task_id(args.task_id)
    if args.output:
        check_output(ctx, args.task_id)
    ctx.track(args.task_id, args.output)
    with ctx.client() as rh:
        output = os.path.abspath(target(args.task_id, args.output)[1]) if args.output else None
        first = {"base_url": rh.base_url, "output": output}
        task = _wait_for(ctx, rh, args.task_id, first=first)
        ctx.task = task
        shown = _download(ctx, rh, task, args.output) if args.output else None
    return _finish(ctx, task, shown)


def cmd_download(ctx: Context) -> int:
    """download: query the task, then stream its video to disk."""
    from ._params import check_task_id

    args = ctx.args
    check_task_id(args.task_id)
    check_output(ctx, args.task_id)
    ctx.track(args.task_id, target(args.task_id, args.output)[0])
    with ctx.client() as rh:
        task = rh.get(args.task_id)
        ctx.task = task
        shown = _download(ctx, rh, task, args.output)
    return _finish(ctx, task, shown)


def cmd_upload(ctx: Context) -> int:
    """upload: print the URL of the uploaded image."""
    with ctx.client() as rh:
        print_line(rh.upload(ctx.args.file))
    return EXIT_OK


def cmd_tasks(ctx: Context) -> int:
    """tasks: the journal, folded per task, newest first."""
    journal = ctx.journal
    records = journal.read()
    if ctx.args.json:
        print_json({"journal": str(journal.path), "tasks": [r.as_json() for r in records]})
        return EXIT_OK
    if not records:
        ctx.display.note(f"no tasks yet (journal: {journal.path})")
        return EXIT_OK
    rows = [("SUBMITTED (UTC)", "TASK ID", "STATUS", "OUTPUT", "PROMPT")]
    for record in records:
        rows.append(
            (
                record.time.replace("T", " ").removesuffix("+00:00"),
                record.task_id or "(unconfirmed)",
                record.status or "?",
                record.output or "-",
                " ".join((record.prompt or "").split())[:50],
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)]
        print_line("  ".join([*cells, row[4]]).rstrip())
    ctx.display.note(f"journal: {journal.path}")
    return EXIT_OK


def cmd_sandbox(ctx: Context) -> int:
    """sandbox: serve the local fake RunningHub until Ctrl-C."""
    args = ctx.args
    try:
        from .sandbox import INVALID_API_KEY, MARKERS, serve
        from .sandbox._options import server_kwargs
    except ImportError as exc:
        raise CliError(f"the sandbox is not installed ({exc}): {SANDBOX_INSTALL}") from exc

    def announce(base_url: str) -> None:
        lines = [
            f"RunningHub sandbox on {base_url} (speed x{args.speed:g}; Ctrl-C stops it)",
            "point the client at it:",
            f"  export RUNNINGHUB_BASE_URL={base_url} RUNNINGHUB_API_KEY=sandbox-key",
            f"any API key works except {INVALID_API_KEY!r} (refused with HTTP 401)",
            "prompt markers:",
            *(f"  {marker}  {meaning}" for marker, meaning in MARKERS.items()),
        ]
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()

    try:
        serve(announce=announce, **server_kwargs(args))
    except ValueError as exc:  # a --host that is not loopback, without --allow-remote
        sys.stderr.write(f"runninghub-video sandbox: {exc}\n")
        return EXIT_USAGE
    return EXIT_OK


HANDLERS: dict[str, Callable[[Context], int]] = {
    "generate": cmd_generate,
    "submit": cmd_generate,
    "status": cmd_status,
    "wait": cmd_wait,
    "download": cmd_download,
    "upload": cmd_upload,
    "tasks": cmd_tasks,
    "sandbox": cmd_sandbox,
}


def resume_advice(ctx: Context, task_id: str, code: int) -> str | None:
    """After a failure: print how to pick the task up again, if that helps; return it."""
    task = ctx.task
    if ctx.phase == "download" and task is not None and task.succeeded:
        if code == EXIT_ERROR or interrupted(code):
            resume = ctx.command("download", task_id, ctx.output)
            ctx.display.hint(f"task {task_id} succeeded; download it again with: {resume}")
            return resume
        return None
    not_final = task is None or not task.is_final
    stopped = code == EXIT_ERROR and not_final and ctx.phase in ("wait", "download")
    if code == EXIT_DEADLINE or interrupted(code) or stopped:
        resume = ctx.resume or ctx.command("wait", task_id, None)
        ctx.display.hint(f"task {task_id} goes on; resume it with: {resume}")
        return resume
    return None
