"""The sync client is generated from the async one (scripts/unasync.py): drift fails the check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts import unasync
from tests.support.constants import ROOT

PACKAGE = Path("wrapper/runninghub_video")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the two clients, where they can be edited."""
    for name in ("_async_client.py", "_sync_client.py"):
        (tmp_path / PACKAGE).mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / PACKAGE / name, tmp_path / PACKAGE / name)
    return tmp_path


def check(root: Path) -> int:
    return unasync.main(["--check", "--root", str(root)])


def test_the_committed_sync_client_is_what_the_transform_gives():
    assert unasync.main(["--check"]) == 0


def test_a_hand_edit_of_the_sync_client_fails_the_check(tree, capsys):
    sync = tree / PACKAGE / "_sync_client.py"
    sync.write_text(sync.read_text().replace("def get(", "def get_task(", 1))
    assert check(tree) == 1
    assert "_sync_client.py is not generated from _async_client.py" in capsys.readouterr().err


def test_an_async_change_that_was_not_regenerated_fails_the_check(tree, capsys):
    source = tree / PACKAGE / "_async_client.py"
    source.write_text(source.read_text() + "\n\nASYNC_ONLY = 1\n")
    assert check(tree) == 1
    assert "found" in capsys.readouterr().err
    assert unasync.main(["--root", str(tree)]) == 0  # regenerating mends it
    assert check(tree) == 0


def test_the_generated_client_has_no_async_left():
    text = (ROOT / PACKAGE / "_sync_client.py").read_text()
    for token in ("async ", "await ", "asyncio", "Async", "aiter_", "aclose", "Awaitable"):
        assert token not in text, token
