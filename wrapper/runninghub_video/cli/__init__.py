"""`runninghub-video`: the command line, one module per command.

Each command's module holds its options and its handler: `_endpoint_commands` (generate,
submit and a command per task endpoint, all made from the generated code), `_status`, `_wait`,
`_download`, `_upload`, `_tasks`, `_sandbox` (whose options are the sandbox's own parser).
Shared pieces: `_commands` (the list and the parser made of it),
`_parsing` and `_run_options` (options several commands take), `_exit_codes` (the one table
of exit codes, read by the help text and the error mapping), `_task_run` (a task's journal
writes, wait and download steps, resume advice), `_destination` (where the video goes),
`_context`, `_output` (progress on stderr, results and JSON on stdout), `_signals`
(SIGTERM and SIGHUP take the Ctrl-C path), `_logging`, `_main` (run and main).

Startup is kept fast: only argparse is imported up front; the client (httpx), rich and the
sandbox (aiohttp) are imported by the commands that use them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runninghub_video.cli._main import main, run

__all__ = ["main", "run"]


def __getattr__(name: str) -> Any:
    """main and run, imported when first used: importing a command module (scripts/build_spec.py
    reads cli/_builtin.py before the contract table exists) does not build the commands."""
    if name in __all__:
        from runninghub_video.cli import _main

        return getattr(_main, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
