"""A second vendor page, built the way a maintainer adds one, in a temporary folder: the fixture
page (tests/contract/pages/text-to-video.md, in the vendor's format; never under
openapi/upstream/) imported beside copies of the repository's pages and overlays, then the spec
merged and the client generated (scripts/generate.regenerate), with no other edit."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from scripts.generate import OVERLAY, PAGES, regenerate
from scripts.import_page import main as import_page
from tests.support.constants import ROOT

PAGE = ROOT / "tests" / "contract" / "pages" / "text-to-video.md"


SEED_FILE = "image-to-video-realistic.yaml"
"""The seed page's file in openapi/upstream/, and its page overlay's in openapi/overlays/."""


def contract_limits(package: Path) -> dict[str, dict[str, object]]:
    """The limits in a generated client's contract table (package: its runninghub_client
    folder), by endpoint path, then request field JSON name (fields without limits left out)."""
    table = json.loads((package / "_contract.json").read_text(encoding="utf-8"))
    return {
        endpoint["path"]: {f["json_name"]: f["limits"] for f in endpoint["fields"] if f["limits"]}
        for endpoint in table["endpoints"]
    }


def copy_inputs(folder: Path) -> Path:
    """The seed's spec inputs alone, copied to folder (upstream/ with the seed page, the shared
    overlay.yaml, overlays/ with the seed's): the repository before any other page, whatever a
    maintainer has imported since (the tests that add a page then stay true); returns folder."""
    (folder / "upstream").mkdir(parents=True)
    shutil.copy(PAGES / SEED_FILE, folder / "upstream" / SEED_FILE)
    shutil.copy(OVERLAY, folder / "overlay.yaml")
    (folder / "overlays").mkdir()
    seed_overlay = OVERLAY.parent / "overlays" / SEED_FILE
    if seed_overlay.exists():
        shutil.copy(seed_overlay, folder / "overlays" / SEED_FILE)
    return folder


def page_variant(folder: Path, *edits: tuple[str, str], name: str = "variant.md") -> Path:
    """The fixture page with each (old, new) text replaced once, written to folder/name."""
    text = PAGE.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    page = folder / name
    page.write_text(text, encoding="utf-8")
    return page


def build_with_page(folder: Path, page: Path = PAGE, *more: Path) -> Path:
    """Import `page` (then `more` pages, in order) into a copy of openapi/ in folder, merge and
    generate; return the folder holding runninghub.yaml and runninghub_client/ (put it first
    on PYTHONPATH)."""
    inputs = copy_inputs(folder / "openapi")
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


def cli_without_a_request(out: Path, folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI with the client generated in `out` (cwd and home: folder) against a base
    URL that is a listening socket; assert that no connection came (a check before any
    request), and return the finished process."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.setblocking(False)
        done = subprocess.run(
            [sys.executable, "-m", "runninghub_video.cli", *argv],
            capture_output=True, text=True, cwd=folder, check=False,
            env={"PYTHONPATH": python_path(out), "PATH": "/usr/bin:/bin",
                 "HOME": str(folder), "RUNNINGHUB_VIDEO_HOME": str(folder),
                 "RUNNINGHUB_API_KEY": "k" * 32,
                 "RUNNINGHUB_BASE_URL": f"http://127.0.0.1:{server.getsockname()[1]}"},
        )  # fmt: skip
        try:
            server.accept()
        except BlockingIOError:
            return done  # no connection was made
    raise AssertionError(f"the CLI connected before refusing: {done.stderr}")
