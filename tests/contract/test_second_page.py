"""A second vendor page, imported and regenerated in a temporary copy with no other edit, is
served by the sandbox and covered by the contract tests: a text-to-video task comes back as a
video of the requested length and size through `prism proxy --errors` of the merged spec with no
violation, and schemathesis passes over every operation of that spec (each endpoint's
submit -> query link included), against a Prism mock and against the sandbox.

The page is the test fixture tests/contract/pages/text-to-video.md (never under
openapi/upstream/); nothing in this file names a field the sandbox needs to know.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from runninghub_video.sandbox._contract import Contract, Operation, load_contract
from runninghub_video.sandbox._video import card_colour

from scripts._processes import prism_mock, prism_proxy
from tests.contract.run_cli import command
from tests.contract.test_pages import T2V_PATH
from tests.sandbox.conftest import ffmpeg, mean_colour, probe
from tests.support.api import FINAL, conforming, request_body
from tests.support.constants import KEY, ROOT
from tests.support.pages import build_with_page
from tests.support.sandboxes import running_sandbox

pytestmark = pytest.mark.integration  # the generator, Prism (Node), the rendering sandbox

AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def merged_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The merged spec of a temporary copy of openapi/ with the fixture page imported."""
    spec = build_with_page(tmp_path_factory.mktemp("second-page")) / "runninghub.yaml"
    return spec


@pytest.fixture(scope="module")
def contract(merged_spec: Path) -> Contract:
    """The merged spec as the sandbox reads it."""
    return load_contract(merged_spec)


def text_to_video(contract: Contract) -> Operation:
    """The imported page's operation."""
    (operation,) = [op for op in contract.of_kind("task") if op.path == T2V_PATH]
    return operation


def poll(client: httpx.Client, query: str, task_id: str, timeout: float = 120) -> dict[str, Any]:
    """Query until the task is final, every answer a conforming 200 (the deadline only bounds a
    hang: the loop ends on the task's final status)."""
    deadline = time.monotonic() + timeout
    while True:
        body = conforming(client.post(query, json={"taskId": task_id}), 200)
        if body["status"] in FINAL:
            return body
        assert time.monotonic() < deadline, f"task {task_id} not final after {timeout} s"
        time.sleep(0.05)


def test_the_spec_has_both_task_endpoints_each_with_the_query_link(
    merged_spec: Path, contract: Contract
) -> None:
    tasks = contract.of_kind("task")
    assert len(tasks) == 2
    assert text_to_video(contract).operation_id == "textToVideo"
    assert "image" not in " ".join((text_to_video(contract).json_schema or {})["properties"])
    spec = yaml.safe_load(merged_spec.read_text(encoding="utf-8"))
    query = contract.one("query").operation_id
    for operation in tasks:  # the shared overlay's wildcard actions reached the new page too
        links = spec["paths"][operation.path]["post"]["responses"]["200"]["links"]
        assert links["QueryTask"]["operationId"] == query, operation.path
        assert links["QueryTask"]["requestBody"] == {"taskId": "$response.body#/taskId"}


@pytest.mark.parametrize(("duration", "size"), [("8", "720x1280"), ("4", "1280x720")])
def test_a_text_to_video_task_comes_back_through_prism_proxy(
    merged_spec: Path, contract: Contract, tmp_path: Path, duration: str, size: str
) -> None:
    operation, query = text_to_video(contract), contract.one("query").path
    body = request_body(operation, "a lighthouse at dusk", duration=duration, size=size)
    assert set(body) == {"prompt", "size", "duration"}
    with (
        running_sandbox(spec_path=merged_spec, data_dir=tmp_path / "data") as sandbox,
        prism_proxy(sandbox.base_url, spec=merged_spec) as proxy_url,
        httpx.Client(base_url=proxy_url, headers=AUTH, timeout=120) as client,
    ):
        submitted = conforming(client.post(T2V_PATH, json=body), 200)
        assert submitted["status"] == "CREATE"  # the kit's first status
        final = poll(client, query, submitted["taskId"])
        assert final["status"] == "SUCCESS", final
        answer = httpx.get(final["results"][0]["url"], timeout=60)  # result host: no spec
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "video/mp4"
        assert sandbox.stats.submits == 1
        assert sandbox.stats.answers_5xx == 0
    video = tmp_path / "t2v.mp4"
    video.write_bytes(answer.content)
    info = probe(video)
    assert abs(info["duration"] - int(duration)) < 0.5, info
    assert f"{info['width']}x{info['height']}" == size, info
    tags = subprocess.run(
        [ffmpeg(), "-hide_banner", "-i", str(video)], capture_output=True, text=True, check=False
    ).stderr
    title = rf"title\s*: runninghub-video sandbox: {T2V_PATH}, {duration}s {size}"
    assert re.search(title, tags), tags
    expected = bytes.fromhex(card_colour(T2V_PATH)[2:])  # no image: the endpoint's title card
    assert all(abs(a - b) <= 12 for a, b in zip(mean_colour(video, seek=1), expected, strict=True))


def test_a_text_to_video_body_the_page_does_not_allow_is_refused(
    merged_spec: Path, contract: Contract, tmp_path: Path
) -> None:
    """Validation comes from the new page's schema: its own durations, no image field needed."""
    operation = text_to_video(contract)
    with (
        running_sandbox(spec_path=merged_spec, data_dir=tmp_path / "data") as sandbox,
        httpx.Client(base_url=sandbox.base_url, headers=AUTH, timeout=60) as client,
    ):
        refused = client.post(T2V_PATH, json=request_body(operation, duration="16"))
        assert refused.status_code == 422
        assert "duration must be one of '4', '8', '12'" in refused.json()["errorMessage"]
        missing = client.post(T2V_PATH, json={"prompt": "no size"})
        assert missing.status_code == 422
        assert "size is required (one of '720x1280', '1280x720')" in missing.json()["errorMessage"]
        assert sandbox.stats.submits == 0


def schemathesis_run(spec: Path, url: str, *extra: str) -> str:
    """The contract run's schemathesis CLI (tests/contract/run_cli.py) over spec at url; its
    output, asserted to pass."""
    argv = command(url, "--no-color", *extra, spec=spec)
    run = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return run.stdout


def test_schemathesis_over_every_operation_against_prism(
    merged_spec: Path, contract: Contract
) -> None:
    with prism_mock(spec=merged_spec) as url:
        out = schemathesis_run(merged_spec, url, "--max-examples", "25", "--seed", "21")
    assert f"Operations:       {len(contract.operations)} selected" in out, out[-4000:]
    assert re.search(r"✅\s+Stateful \(in ", out), out[-4000:]
    links = re.search(r"Links:\s+(\d+) covered / (\d+) selected", out)
    assert links, out[-4000:]
    assert int(links.group(1)) == int(links.group(2)) >= len(contract.of_kind("task")), out


def test_schemathesis_stateful_against_the_sandbox(
    merged_spec: Path, contract: Contract, tmp_path: Path
) -> None:
    """Each endpoint's submit -> query link, played against the sandbox serving the merged spec
    (positive data: the sandbox's own tests cover refusals). A fixed seed and 25 scenarios:
    10 unseeded ones once covered 1 of the 2 links (a fresh clone with the page imported)."""
    with running_sandbox(spec_path=merged_spec, data_dir=tmp_path / "data") as sandbox:
        out = schemathesis_run(
            merged_spec, sandbox.base_url, "--phases", "stateful", "--mode", "positive",
            "--max-examples", "25", "--seed", "1", "--exclude-checks", "ignored_auth",
        )  # fmt: skip
        assert sandbox.stats.submits > 0
        assert sandbox.stats.queries > 0
        assert sandbox.stats.answers_5xx == 0
    links = re.search(r"Links:\s+(\d+) covered / (\d+) selected", out)
    assert links, out[-4000:]
    assert int(links.group(1)) == int(links.group(2)) >= len(contract.of_kind("task")), out
