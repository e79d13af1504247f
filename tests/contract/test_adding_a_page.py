"""Issue 13's proof, as a maintainer does it: in a copy of the repository, `make import-spec
PAGE=<a second page>` then `make spec generate`, with no other edit. The page is a test fixture
in the vendor's format (tests/contract/pages/), never shipped under openapi/upstream/."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from runninghub_video.sandbox import Sandbox

from scripts._processes import prism_proxy
from tests.support.constants import KEY, ROOT
from tests.support.pages import PAGE, copy_repository
from tests.support.sandboxes import running_sandbox
from tests.wrapper.test_endpoints import USER_FILE, mypy

pytestmark = pytest.mark.integration  # make, the generator, Prism, the sandbox, subprocesses

SEED = Path("openapi/upstream/image-to-video-realistic.yaml")
MAKE = ["make", "-o", ".venv/.synced"]  # the copy shares this checkout's venv: never reinstall


def make(copy: Path, *targets: str) -> None:
    done = subprocess.run([*MAKE, *targets], cwd=copy, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository with the fixture page imported and everything regenerated."""
    folder: Path = tmp_path_factory.mktemp("adding-a-page")
    copy_repository(folder)
    make(folder, "import-spec", f"PAGE={PAGE}")
    make(folder, "spec", "generate")
    return folder


def env_for(copy: Path, **extra: str) -> dict[str, str]:
    """A subprocess environment that sees the copy's wrapper and generated client first."""
    paths = [str(copy / "wrapper"), str(copy / "generated")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), **extra}


def published_key() -> str:
    found = re.search(r"Bearer ([0-9a-f]{16,})", PAGE.read_text(encoding="utf-8"))
    assert found, "the fixture page no longer carries a published example key"
    return found.group(1)


def test_the_seed_page_is_left_byte_for_byte(copy: Path) -> None:
    assert (copy / SEED).read_bytes() == (ROOT / SEED).read_bytes()
    assert (copy / "openapi" / "upstream" / "text-to-video.yaml").is_file()


def test_the_published_key_is_in_neither_the_spec_nor_the_generated_code(copy: Path) -> None:
    key = published_key()
    assert key in (copy / "openapi" / "upstream" / "text-to-video.yaml").read_text()
    assert key not in (copy / "openapi" / "runninghub.yaml").read_text(encoding="utf-8")
    for path in (copy / "generated").rglob("*.py"):
        assert key not in path.read_text(encoding="utf-8"), path


def test_the_new_command_lists_its_choices(copy: Path) -> None:
    argv = [sys.executable, "-m", "runninghub_video", "text-to-video", "--help"]
    shown = subprocess.run(argv, capture_output=True, text=True, check=False, env=env_for(copy))
    assert shown.returncode == 0, shown.stderr
    assert "720x1280" in shown.stdout
    assert "1280x720" in shown.stdout


def test_a_video_comes_back_through_the_validating_proxy(copy: Path, tmp_path: Path) -> None:
    """The copy's CLI, through `prism proxy --errors` of the copy's spec (any violation is an
    HTTP error there), to a sandbox serving that spec."""
    spec = copy / "openapi" / "runninghub.yaml"
    out = tmp_path / "t2v.mp4"
    sandbox: Sandbox
    with running_sandbox(spec_path=spec) as sandbox, prism_proxy(sandbox.base_url, spec) as url:
        argv = [
            sys.executable, "-m", "runninghub_video", "text-to-video",
            "--prompt", "a lighthouse at night", "--size", "1280x720", "--duration", "4",
            "--output", str(out), "--poll-interval", "0.1",
        ]  # fmt: skip
        environment = env_for(
            copy,
            RUNNINGHUB_BASE_URL=url,
            RUNNINGHUB_API_KEY=KEY,
            RUNNINGHUB_VIDEO_HOME=str(tmp_path / "home"),
        )
        done = subprocess.run(argv, capture_output=True, text=True, check=False, env=environment)
        assert done.returncode == 0, done.stdout + done.stderr
        assert sandbox.stats.submits == 1
    assert out.read_bytes()[4:8] == b"ftyp"


def test_a_library_call_with_the_new_model_type_checks(copy: Path, tmp_path: Path) -> None:
    checked = mypy(tmp_path, USER_FILE.format(size='"1280x720"'), copy / "generated")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    refused = mypy(tmp_path, USER_FILE.format(size='"999x999"'), copy / "generated")
    assert refused.returncode == 1, refused.stdout
