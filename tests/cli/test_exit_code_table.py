"""The exit codes come from one table: the help text lists every row, every library error
maps to a code through it, and the docs (docs/cli.md) document the same codes."""

from __future__ import annotations

import builtins
import importlib
import re

import pytest
from runninghub_video import _errors as errors
from runninghub_video.cli import _errors as cli_errors
from runninghub_video.cli._commands import COMMANDS, build_parser
from runninghub_video.cli._exit_codes import (
    ERROR_MODULES,
    INTERRUPTED,
    TABLE,
    exit_code_for,
    help_text,
    row_for,
)
from runninghub_video.cli._signals import Terminated

from tests.cli.conftest import ROOT
from tests.cli.test_papercuts import subparser


def subclasses(cls: type[BaseException]) -> list[type[BaseException]]:
    """cls and every class derived from it, recursively."""
    found = [cls]
    for sub in cls.__subclasses__():
        found += subclasses(sub)
    return found


def normalized(text: str) -> str:
    """Whitespace folded (argparse and textwrap break lines where they like)."""
    return " ".join(text.split())


def test_the_table_has_one_row_per_code():
    codes = [row.code for row in TABLE]
    assert len(set(codes)) == len(codes)
    assert codes[0] == 0


@pytest.mark.parametrize("command", ["", *(name for name in COMMANDS if name != "sandbox")])
def test_help_lists_every_row(command):
    parser = subparser(command) if command else build_parser("")
    text = normalized(parser.format_help())
    assert normalized(help_text()) in text
    for row in TABLE:
        assert normalized(f"{row.code} {row.description}") in text


def test_every_named_error_class_exists():
    """A typo in the table would silently map an error to the catch-all row."""
    modules = {name: importlib.import_module(name) for name in ERROR_MODULES if name != "builtins"}
    modules["builtins"] = builtins
    for row in TABLE:
        for name in row.errors:
            homes = [module for module in modules.values() if hasattr(module, name)]
            assert homes, f"{name} (exit code {row.code}) is no class of {ERROR_MODULES}"
            assert all(isinstance(getattr(home, name), type) for home in homes)


@pytest.mark.parametrize("cls", subclasses(errors.RunningHubError), ids=lambda c: c.__name__)
def test_every_library_error_maps_through_the_table(cls):
    """Through a class the library defines (RunningHubError at the latest), not through the
    catch-all `Exception`; and exit_code_for gives that row's code."""
    row = row_for(cls)
    assert row in TABLE
    lineage = cls.__mro__[: cls.__mro__.index(errors.RunningHubError) + 1]
    named = [c for c in lineage if any(c.__name__ in r.errors for r in TABLE)]
    assert named, f"{cls.__name__} reaches the table only through a builtin class"
    assert row_for(named[0]) is row
    assert exit_code_for(cls.__new__(cls)) == row.code


def test_cli_errors_and_interrupts_map_through_the_table():
    assert row_for(cli_errors.UsageError).code == 2
    assert row_for(cli_errors.CliError).code == 1
    assert row_for(KeyboardInterrupt) is INTERRUPTED
    assert exit_code_for(KeyboardInterrupt()) == 130
    assert exit_code_for(Terminated(15)) == 143
    assert exit_code_for(Terminated(1)) == 129
    assert exit_code_for(RuntimeError("a bug")) == 1


def test_the_docs_document_every_code():
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    section = page[page.index("| Exit code | Meaning |") :]
    rows = section[: section.index("<!-- cli:end -->")]
    documented = {int(code) for cell in re.findall(r"^\| ([\d, ]+) \|", rows, re.M)
                  for code in cell.split(",")}  # fmt: skip
    assert {row.code for row in TABLE} <= documented
