"""The repository's import layering: scripts/ and benchmarks/ never import tests/ (what they share
with the tests lives in scripts/_processes.py or in the library)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.constants import ROOT

TOOLING = sorted(
    path.relative_to(ROOT)
    for folder in ("scripts", "benchmarks")
    for path in (ROOT / folder).rglob("*.py")
)


def imported_modules(source: str) -> set[str]:
    """Every module an import statement of source names (nested imports included)."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def test_the_tooling_folders_are_found() -> None:
    assert Path("scripts/demo.py") in TOOLING
    assert Path("benchmarks/common.py") in TOOLING


@pytest.mark.parametrize("path", TOOLING, ids=str)
def test_scripts_and_benchmarks_do_not_import_tests(path: Path) -> None:
    names = imported_modules((ROOT / path).read_text(encoding="utf-8"))
    assert sorted(n for n in names if n == "tests" or n.startswith("tests.")) == []


@pytest.mark.parametrize(
    "source",
    [
        "import tests.support.api",
        "from tests.support import processes",
        "from tests import support",
        "def f():\n    from tests.contract.run_cli import CONFIG\n",
    ],
)
def test_the_check_sees_every_form_of_import(source: str) -> None:
    assert any(n == "tests" or n.startswith("tests.") for n in imported_modules(source))
