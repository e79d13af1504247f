"""A second vendor page, built the way a maintainer adds one, in a temporary folder: the fixture
page (tests/contract/pages/text-to-video.md, in the vendor's format; never under
openapi/upstream/) imported beside copies of the repository's pages and overlays, then the spec
merged and the client generated (scripts/generate.regenerate), with no other edit."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from scripts.generate import OVERLAY, PAGES, regenerate
from scripts.import_page import main as import_page
from tests.support.constants import ROOT

PAGE = ROOT / "tests" / "contract" / "pages" / "text-to-video.md"


def build_with_page(folder: Path, page: Path = PAGE, *more: Path) -> Path:
    """Import `page` (then `more` pages, in order) into a copy of openapi/ in folder, merge and
    generate; return the folder holding runninghub.yaml and runninghub_client/ (put it first
    on PYTHONPATH)."""
    inputs = folder / "openapi"
    shutil.copytree(PAGES, inputs / "upstream")
    shutil.copy(OVERLAY, inputs / "overlay.yaml")
    shutil.copytree(OVERLAY.parent / "overlays", inputs / "overlays")
    for each in (page, *more):
        assert import_page([str(each), str(inputs / "upstream")]) == 0
    out = folder / "out"
    regenerate(
        out / "runninghub.yaml",
        out / "runninghub_client",
        upstream=inputs / "upstream",
        overlay=inputs / "overlay.yaml",
    )
    return out


def python_path(out: Path) -> str:
    """PYTHONPATH for a subprocess that must see the client generated in `out` first."""
    return os.pathsep.join([str(out), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)


def copy_repository(dest: Path) -> None:
    """Copy the working tree's files (tracked and new, not ignored) to dest; share the venv and
    the Node tools (node_modules), so that make runs there without installing anything."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / name.decode()
        if source.is_file():
            target = dest / name.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (dest / ".venv").symlink_to(ROOT / ".venv")
    if (ROOT / "node_modules").exists():
        (dest / "node_modules").symlink_to(ROOT / "node_modules")
