"""The generated client used directly: typed, error bodies kept apart, uploads byte-exact.

Against the real sandbox over real sockets; the typing checks run mypy --strict on user code.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from runninghub_client import AuthenticatedClient
from runninghub_client.api.video import upload_media
from runninghub_client.models import UploadedMedia, UploadMediaRequest, UploadResult
from runninghub_client.types import File
from runninghub_video.sandbox import Sandbox

from tests.support.constants import KEY, ROOT, SAMPLE_PNG

pytestmark = pytest.mark.integration  # mypy in a subprocess, the rendering sandbox

EXAMPLE = ROOT / "examples" / "typed_client.py"
MYPY = Path(sys.executable).with_name("mypy")

POLL_LOOP = """
from runninghub_client import AuthenticatedClient
from runninghub_client.api.video import query_task
from runninghub_client.models import QueryTaskRequest, TaskResult

FINAL = ("SUCCESS", "FAILED", "CANCEL")


def poll(client: AuthenticatedClient) -> str:
    result = query_task.sync(client=client, body=QueryTaskRequest(task_id="1"))
    while result is not None{guard} and result.status not in FINAL:
        task_id = result.task_id if isinstance(result.task_id, str) else "1"  # optional [KIT]
        result = query_task.sync(client=client, body=QueryTaskRequest(task_id=task_id))
    return "done"
"""


def mypy_strict(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "user_code.py"
    path.write_text(source, encoding="utf-8")
    env = {**os.environ, "MYPYPATH": str(ROOT / "generated")}
    argv = [str(MYPY), "--strict", "--no-incremental", "--python-version", "3.11", str(path)]
    return subprocess.run(
        argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_error_body_does_not_type_check_as_a_task(tmp_path: Path) -> None:
    """With only a None guard, reading .status or .task_id of `TaskResult | ErrorResponse`
    fails mypy."""
    unguarded = mypy_strict(tmp_path, POLL_LOOP.replace("{guard}", ""))
    assert unguarded.returncode == 1, unguarded.stdout
    union = 'Item "ErrorResponse" of "ErrorResponse | TaskResult" has no attribute'
    assert f'{union} "status"' in unguarded.stdout
    assert f'{union} "task_id"' in unguarded.stdout
    guarded = mypy_strict(
        tmp_path, POLL_LOOP.replace("{guard}", " and isinstance(result, TaskResult)")
    )
    assert guarded.returncode == 0, guarded.stdout


SEED_FACE = """
from runninghub_video import RunningHub


def make(rh: RunningHub) -> str:
    return rh.submit("a lake", "https://cdn.test/a.png", {arguments}).id
"""


def test_the_seed_face_is_typed_by_the_generated_literals(tmp_path: Path) -> None:
    """submit()'s resolution, aspect_ratio and duration are the generated Literals: a value
    the spec does not allow fails mypy --strict (it is refused at run time too)."""
    wrong = mypy_strict(tmp_path, SEED_FACE.format(arguments='resolution="480p"'))
    assert wrong.returncode == 1, wrong.stdout
    assert 'Argument "resolution" to "submit" of "RunningHub" has incompatible type' in wrong.stdout
    right = mypy_strict(tmp_path, SEED_FACE.format(arguments='resolution="1080p", duration="8"'))
    assert right.returncode == 0, right.stdout


def test_typed_client_example_gets_a_video_from_the_sandbox(sandbox: Sandbox) -> None:
    """examples/typed_client.py: upload -> submit -> poll -> result URL, against the sandbox."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNNINGHUB_")}
    env.update(RUNNINGHUB_BASE_URL=sandbox.base_url, RUNNINGHUB_API_KEY=KEY, POLL_SECONDS="0.05")
    run = subprocess.run(
        [sys.executable, str(EXAMPLE), str(SAMPLE_PNG), "a calm lake at dawn"],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    url = run.stdout.strip()
    video = httpx.get(url, timeout=30)
    assert video.status_code == 200
    assert video.headers["content-type"] == "video/mp4"


def test_upload_with_boundary_like_bytes_round_trips(sandbox: Sandbox) -> None:
    """A file containing "\\r\\n--+++" (the generator's old fixed boundary) arrives whole.

    Each request also gets its own boundary from httpx, never a fixed one.
    """
    payload = (
        b"\x89PNG\r\n\x1a\n" + b"head\r\n--+++\r\nmiddle\r\n--+++--\r\ntail" + bytes(range(256))
    )
    boundaries: list[str] = []

    def record(request: httpx.Request) -> None:
        boundaries.append(request.headers["Content-Type"])

    hooks = {"request": [record]}
    with AuthenticatedClient(
        base_url=sandbox.base_url, token=KEY, httpx_args={"event_hooks": hooks}
    ) as client:
        for _ in range(2):
            media = File(payload=io.BytesIO(payload), file_name="x.png", mime_type="image/png")
            result = upload_media.sync(client=client, body=UploadMediaRequest(file=media))
            assert isinstance(result, UploadResult), result
            assert isinstance(result.data, UploadedMedia), result
            assert httpx.get(result.data.download_url, timeout=30).content == payload
    assert all(b.startswith("multipart/form-data; boundary=") for b in boundaries), boundaries
    assert len(set(boundaries)) == 2, boundaries
    assert not any(b.endswith("boundary=+++") for b in boundaries)
