"""The contract table (runninghub_client/_contract.json) as the library reads it: a missing,
unreadable, incomplete or stale table is one clear error saying how to make it, and what the
build needs before the table exists never reads it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from runninghub_video import ConfigurationError
from runninghub_video import _endpoints as endpoints

from tests.support.constants import ROOT

CLIENT = ROOT / "generated" / "runninghub_client"
PROBE = """
import sys
from runninghub_video import ConfigurationError
from runninghub_video.cli._builtin import BUILT_IN  # what `make spec` needs: no table read
assert {"generate", "submit", "status", "tasks"} <= BUILT_IN
try:
    from runninghub_video import RunningHub  # its seed defaults come from the table

    RunningHub("k", base_url="http://127.0.0.1:9").get("1")
except ConfigurationError as error:
    print(error)
    sys.exit(3)
"""


def run_with_table(tmp_path: Path, table: str | None) -> subprocess.CompletedProcess[str]:
    """PROBE with a copy of the generated client whose table is `table` (None: no file)."""
    shutil.copytree(CLIENT, tmp_path / "runninghub_client")
    target = tmp_path / "runninghub_client" / "_contract.json"
    if table is None:
        target.unlink()
    else:
        target.write_text(table, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


@pytest.mark.integration  # a fresh interpreter on a copy of the client
@pytest.mark.parametrize(
    ("table", "why"),
    [
        (None, "FileNotFoundError"),
        ('{"endpoints": [', "JSONDecodeError"),
        ("{}", "no endpoints"),
        ('{"endpoints": [], "statuses": {"all": ["SUCCESS"], "final": ["SUCCESS"]}}', "no seed"),
    ],
)
def test_a_missing_or_broken_table_is_one_clear_error(
    tmp_path: Path, table: str | None, why: str
) -> None:
    run = run_with_table(tmp_path, table)
    assert run.returncode == 3, run.stderr
    assert "contract table" in run.stdout
    assert why in run.stdout
    assert "make generate" in run.stdout


@pytest.mark.integration
def test_a_table_without_final_statuses_is_refused_not_polled_forever(tmp_path: Path) -> None:
    table = json.loads((CLIENT / "_contract.json").read_text(encoding="utf-8"))
    del table["statuses"]["final"]
    run = run_with_table(tmp_path, json.dumps(table))
    assert run.returncode == 3, run.stderr
    assert "no statuses" in run.stdout


def test_a_table_that_does_not_match_the_generated_model_is_refused(
    table: dict[str, Any],
) -> None:
    seed_row = table["endpoints"][0]
    seed_row["fields"].append({**seed_row["fields"][0], "name": "colour", "json_name": "colour"})
    with pytest.raises(ConfigurationError, match="does not match the generated"):
        endpoints.load(endpoints.seed())
