"""Starting and stopping the sandbox: Sandbox objects and `python -m runninghub_video.sandbox`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
import pytest
from runninghub_video.sandbox import Sandbox

from scripts._processes import default_sigint_for_children, free_port, wait_for_port
from tests.support.api import QUERY
from tests.support.constants import ROOT

pytestmark = pytest.mark.integration  # the rendering sandbox, in process and in a subprocess


def test_temporary_data_dir_is_removed_on_stop():
    sb = Sandbox(speed=100).start()
    try:
        folder = sb.data_dir
        assert folder.is_dir()
        assert httpx.get(sb.base_url + "/").json()["invalidApiKey"] == "sandbox-invalid-key"
    finally:
        sb.stop()
    assert not folder.exists()
    with pytest.raises(RuntimeError, match="not running"):
        _ = sb.base_url
    sb.stop()  # stopping twice is harmless


def test_given_data_dir_is_kept_and_renders_are_reused(tmp_path):
    with Sandbox(speed=100, data_dir=tmp_path) as sb:
        port = int(sb.base_url.rsplit(":", 1)[1])
        assert port > 0
        with pytest.raises(RuntimeError, match="already running"):
            sb.start()
    assert (tmp_path / "uploads").is_dir()
    assert (tmp_path / "renders").is_dir()


def test_port_in_use_fails_start():
    with Sandbox() as first:
        port = int(first.base_url.rsplit(":", 1)[1])
        with pytest.raises(RuntimeError, match="did not start"):
            Sandbox(port=port).start()


def test_speed_must_be_positive():
    with pytest.raises(ValueError, match="speed"):
        Sandbox(speed=0)


def test_module_entry_point_serves_until_ctrl_c():
    port = free_port()
    argv = [sys.executable, "-m", "runninghub_video.sandbox", "--port", str(port), "--speed", "50"]
    with default_sigint_for_children():
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_port(port, proc)
        response = httpx.post(
            f"http://127.0.0.1:{port}{QUERY}",
            json={"taskId": "1"},
            headers={"Authorization": "Bearer k"},
        )
        assert response.status_code == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
        output = proc.stdout.read().decode() if proc.stdout else ""
        assert f"http://127.0.0.1:{port}" in output
        assert "Traceback" not in output
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


def test_help_lists_the_markers():
    result = subprocess.run(
        [sys.executable, "-m", "runninghub_video.sandbox", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "[sandbox:fail=CODE]" in result.stdout
    assert "[sandbox:instant]" in result.stdout
