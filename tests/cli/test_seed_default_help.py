"""The seed's defaults now follow the spec's `default` (wrapper/runninghub_video/_params.py); the
help and the docs (docs/cli.md) still call them "the cheapest". A vendor page that publishes
`default: 1080p` makes the CLI's default the dearer call: the help must not call it the cheapest."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.generate import OVERLAY, PAGES, build_all
from tests.support.pages import python_path

pytestmark = pytest.mark.integration  # the generator, the CLI in a subprocess


def test_a_spec_default_that_is_not_the_cheapest_is_not_called_the_cheapest(
    tmp_path: Path,
) -> None:
    upstream = tmp_path / "upstream"
    shutil.copytree(PAGES, upstream)
    shutil.copy(OVERLAY, tmp_path / "overlay.yaml")
    shutil.copytree(OVERLAY.parent / "overlays", tmp_path / "overlays")
    page = upstream / "image-to-video-realistic.yaml"
    text = page.read_text(encoding="utf-8")
    published = "                  title: 分辨率\n"
    assert published in text
    page.write_text(text.replace(published, published + "                  default: 1080p\n"))
    (tmp_path / "built").mkdir()
    out = build_all(tmp_path / "built", upstream, tmp_path / "overlay.yaml")
    env = {"PYTHONPATH": python_path(out), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    shown = subprocess.run(
        [sys.executable, "-m", "runninghub_video.cli", "generate", "--help"],
        capture_output=True, text=True, cwd=tmp_path, env=env, check=True,
    )  # fmt: skip
    help_text = " ".join(shown.stdout.split())
    assert "default: 1080p" in help_text  # the spec's default is taken (the team's choice)
    assert "default: 1080p (the cheapest)" not in help_text
