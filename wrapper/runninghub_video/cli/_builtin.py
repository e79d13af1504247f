"""The commands that are not an endpoint's, by name, known without reading the contract table:
the build (scripts/build_spec.py, before the table exists) refuses a page named like one of
them, which would replace the command or be unreachable."""

from __future__ import annotations

from . import (
    _account,
    _batch,
    _cancel,
    _doctor,
    _download,
    _sandbox,
    _status,
    _tasks,
    _upload,
    _wait,
)
from ._endpoint_commands import SEED_COMMANDS

#: The commands listed after the endpoints' in the help.
LAST = (_status.COMMAND, _wait.COMMAND, _download.COMMAND, _cancel.COMMAND, _account.COMMAND,
        _doctor.COMMAND, _batch.COMMAND, _upload.COMMAND, _tasks.COMMAND,
        _sandbox.COMMAND)  # fmt: skip
BUILT_IN: frozenset[str] = frozenset((*SEED_COMMANDS, *(command.name for command in LAST)))
