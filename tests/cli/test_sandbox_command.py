"""`runninghub-video sandbox`: serves, prints the base URL, env vars and markers, stops cleanly."""

from __future__ import annotations

import re
import signal

import pytest
from runninghub_video.sandbox import MARKERS

from scripts._processes import free_port
from tests.cli.conftest import SAMPLE_PNG, Cli, is_mp4

pytestmark = pytest.mark.integration  # the sandbox command in a subprocess


def test_sandbox_command_serves_a_working_api(tmp_path):
    port = free_port()
    starter = Cli("http://unused", tmp_path / "home", tmp_path)
    proc = starter.start("sandbox", "--port", str(port), "--speed", "50")
    try:
        assert proc.stdout is not None
        banner = [proc.stdout.readline() for _ in range(5 + len(MARKERS))]
        text = "".join(banner)
        base_url = f"http://127.0.0.1:{port}"
        assert base_url in banner[0]
        assert f"RUNNINGHUB_BASE_URL={base_url} RUNNINGHUB_API_KEY=sandbox-key" in text
        for marker in MARKERS:
            assert marker in text
        cli = Cli(base_url, tmp_path / "home", tmp_path, key="sandbox-key")
        result = cli("generate", "--image", str(SAMPLE_PNG), "--prompt", "a gull",
                     "--poll-interval", "0.05", "--output", "gull.mp4")  # fmt: skip
        assert result.code == 0, result.stderr
        assert is_mp4(tmp_path / "gull.mp4")
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0


def test_sandbox_command_port_in_use_exits_1(sandbox, tmp_path):
    port = re.sub(r".*:", "", sandbox.base_url)
    cli = Cli("http://unused", tmp_path / "home", tmp_path)
    result = cli("sandbox", "--port", port, timeout=30)
    assert result.code == 1
    assert "error:" in result.stderr
    assert "Traceback" not in result.stderr
