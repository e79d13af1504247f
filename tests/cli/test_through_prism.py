"""Whole CLI lifecycles through a validating Prism proxy (`prism proxy --errors`) in front of the
sandbox: any request or answer that breaks openapi/runninghub.yaml becomes an HTTP error there,
which the CLI would report with a non-zero exit code.

Images go as URLs: Prism re-encodes multipart bodies, so no real upload survives the proxy
(see tests/sandbox/test_conformance.py). Result files are fetched from the sandbox directly.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from runninghub_video.sandbox import INVALID_API_KEY, Sandbox

from tests.cli.conftest import FAST_POLL, Cli, is_mp4

IMAGE_URL = "https://example.com/picture.png"


@pytest.fixture
def proxied(prism_proxy_url: str, tmp_path: Path) -> Cli:
    """The CLI pointed at the Prism proxy in front of the session's fast sandbox."""
    return Cli(prism_proxy_url, tmp_path / "home", tmp_path)


def test_lifecycle_through_prism(proxied: Cli, sandbox: Sandbox):
    before = sandbox.stats
    submitted = proxied("submit", "--image", IMAGE_URL, "--prompt", "a lighthouse", "--json")
    assert submitted.code == 0, submitted.stderr
    task_id = submitted.json()["task_id"]
    status = proxied("status", task_id, "--json")
    assert status.code == 0, status.stderr
    waited = proxied("wait", task_id, "--output", "light.mp4", "--json", *FAST_POLL)
    assert waited.code == 0, waited.stderr
    assert waited.json()["status"] == "SUCCESS"
    assert is_mp4(proxied.cwd / "light.mp4")
    generated = proxied("generate", "--image", IMAGE_URL, "--prompt", "a pier", *FAST_POLL)
    assert generated.code == 0, generated.stderr
    assert sandbox.stats.submits == before.submits + 2


def test_failures_through_prism(proxied: Cli):
    failed = proxied("generate", "--image", IMAGE_URL, "--prompt", "[sandbox:fail=1505]",
                     "--json", *FAST_POLL)  # fmt: skip
    assert failed.code == 4, failed.stderr
    assert failed.json()["error"]["code"] == "1505"
    refused = proxied("status", "1", "--api-key", INVALID_API_KEY)
    assert refused.code == 3, refused.stderr
    unknown = proxied("status", "404404", "--json")
    assert unknown.code == 4, unknown.stderr  # errorCode 1004: task not found, not a FAILED task
    assert unknown.json()["error"]["code"] == "1004"
    assert unknown.json()["error"]["type"] == "TaskNotFoundError"
    assert "task 404404 not found" in unknown.stderr
    assert "404404" not in proxied.journaled_ids()
