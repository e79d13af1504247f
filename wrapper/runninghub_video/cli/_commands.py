"""The commands and the parser made of them. Each command's options and handler are in its
own module; only the chosen command's options are built (so `runninghub-video --help`
loads none of them, nor the client, rich or the sandbox). Besides these, a command per task
endpoint of the spec (_endpoint_commands), listed from the generated client without importing it."""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Sequence

from . import _endpoint_commands
from ._builtin import BUILT_IN, LAST
from ._errors import PROG
from ._exit_codes import help_text
from ._parsing import Command, Parser, add_global_options

__all__ = ["BUILT_IN", "COMMANDS", "build_parser", "command_in"]

COMMANDS: dict[str, Command] = {
    command.name: command
    for command in (*_endpoint_commands.seed_commands(), *_endpoint_commands.commands(), *LAST)
}

ENVIRONMENT = """\
environment:
  RUNNINGHUB_API_KEY     the API key (safer than --api-key, which other users can see in ps)
  RUNNINGHUB_BASE_URL    the API base URL (default https://www.runninghub.cn; keys are per site,
                         https://www.runninghub.ai is the international one)
  RUNNINGHUB_VIDEO_HOME  the folder of the task journal tasks.jsonl (default: the user data
                         folder, e.g. ~/.local/share/runninghub-video)"""

DESCRIPTION = """\
Turn an image and a prompt into a video with RunningHub's image-to-video API.
Every submitted task id is written to a local journal first (see `tasks`), so a
failed, timed-out or interrupted command never loses a paid task: resume it with
`wait TASK_ID --output FILE`."""


def build_parser(command: str | None = None) -> Parser:
    """The parser; only `command`'s options are built ("" builds none, None builds all)."""
    exit_codes = help_text()
    parser = Parser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=f"{exit_codes}\n\n{ENVIRONMENT}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    add_global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, spec in COMMANDS.items():
        child = sub.add_parser(
            name,
            help=spec.summary,
            description=textwrap.fill(spec.description, 79),
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False,
        )
        if command is None or command == name:
            spec.build(child)
            if spec.api_options:
                add_global_options(child, suppress=True)
            if not child.epilog:
                child.epilog = exit_codes
    return parser


def command_in(argv: Sequence[str]) -> str:
    """The command name in argv ("" if there is none or it is unknown)."""
    takes_value = {"--base-url", "--api-key"}
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token in takes_value:
            skip = True
        elif not token.startswith("-"):
            return token if token in COMMANDS else ""
    return ""
