"""Fixtures for the CLI tests: the CLI as a subprocess against the session's fast sandbox, or
against a sandbox at real speed. The CLI runner lives in tests/support/cli.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from runninghub_video.sandbox import Sandbox

from tests.support.cli import CLI, FAST_POLL, Cli, Result, cli_in, is_mp4
from tests.support.constants import KEY as SENTINEL_KEY  # the name older CLI tests import
from tests.support.constants import ROOT, SAMPLE_PNG
from tests.support.sandboxes import running_sandbox

# Defined in tests/support; still importable from here, where the CLI tests have found them.
__all__ = ["CLI", "FAST_POLL", "ROOT", "SAMPLE_PNG", "SENTINEL_KEY", "Cli", "Result", "is_mp4"]


@pytest.fixture(scope="session")
def slow_sandbox() -> Iterator[Sandbox]:
    """A sandbox at real speed (about 5 s a task): for deadlines and Ctrl-C."""
    with running_sandbox(speed=1) as sb:
        yield sb


@pytest.fixture
def cli(sandbox: Sandbox, tmp_path: Path) -> Cli:
    """The CLI pointed at the fast sandbox, with its own journal folder and working folder."""
    return cli_in(tmp_path, sandbox.base_url)


@pytest.fixture
def slow_cli(slow_sandbox: Sandbox, tmp_path: Path) -> Cli:
    """The CLI pointed at the slow sandbox."""
    return cli_in(tmp_path, slow_sandbox.base_url)
