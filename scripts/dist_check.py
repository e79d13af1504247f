"""`make dist-check`: build the wheel and use it as a user would, from outside the repository.

Builds the wheel, checks it carries both packages and their `py.typed` markers, then installs
it into fresh virtual environments (without and with the `[sandbox]` extra, at the versions
pinned in requirements.lock) and, from a temporary folder, imports it, runs the CLI's help,
type-checks a small user file with mypy --strict against the installed package, and (with the
extra) runs the sandbox and one `generate` against it.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a file: the repo root

from scripts._processes import free_port  # noqa: E402 (after the path it needs)

SAMPLE = ROOT / "examples" / "sample.png"
MARKERS = ("runninghub_video/py.typed", "runninghub_client/py.typed")

USER_FILE = '''\
"""A user's script: only type-checked, never run."""
from runninghub_video import RunningHub, RunningHubError, Task


def make(prompt: str) -> str | None:
    try:
        with RunningHub(api_key="k") as rh:
            task: Task = rh.run(prompt=prompt, image="cat.png")
            return task.video_url
    except RunningHubError as error:
        return str(error)
'''


def run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run argv, echo it, fail the check with its output if it fails; return its stdout."""
    print("$", " ".join(argv), flush=True)
    done = subprocess.run(
        argv, cwd=cwd, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    if done.returncode != 0:
        sys.exit(f"dist-check: exit {done.returncode} from {argv}:\n{done.stdout}")
    return done.stdout


def build_wheel(out: Path) -> Path:
    """Build the wheel with the dev environment's hatchling; check what it carries."""
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(out), str(ROOT)], cwd=ROOT)  # fmt: skip
    (wheel,) = out.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in MARKERS if name not in names]
    if missing:
        sys.exit(f"dist-check: {wheel.name} lacks {missing}")
    print(f"{wheel.name}: {len(names)} files, both py.typed markers present")
    return wheel


def pins(folder: Path) -> Path:
    """requirements.lock without hashes, as constraints: the user's install gets our versions."""
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    pinned = [line.split(" ")[0] for line in lines if re.match(r"^[A-Za-z0-9].*==", line)]
    path = folder / "constraints.txt"
    path.write_text("\n".join(pinned) + "\n")
    return path


def venv_with(wheel: Path, extra: str, folder: Path, constraints: Path) -> Path:
    """A fresh virtual environment with the wheel (and extra) installed; its bin folder."""
    run([sys.executable, "-m", "venv", str(folder)], cwd=folder.parent)
    bin_dir = folder / "bin"
    run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", "-c", str(constraints), f"{wheel}{extra}"],
        cwd=folder.parent)  # fmt: skip
    return bin_dir


@contextmanager
def sandbox(bin_dir: Path, cwd: Path) -> Iterator[str]:
    """The installed `runninghub-video sandbox` on a free port, until the block ends."""
    port = free_port()
    proc = subprocess.Popen(
        [str(bin_dir / "runninghub-video"), "sandbox", "--port", str(port), "--speed", "20"],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        for _ in range(600):
            if proc.poll() is not None:
                sys.exit(f"dist-check: the sandbox exited {proc.returncode}:\n{proc.stdout}")
            try:
                socket.create_connection(("127.0.0.1", port), 0.1).close()
                break
            except OSError:
                proc_wait(proc, 0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(30)


def proc_wait(proc: subprocess.Popen[str], seconds: float) -> None:
    """Wait up to `seconds` for proc to exit (it is not expected to)."""
    with suppress(subprocess.TimeoutExpired):
        proc.wait(seconds)


def check(bin_dir: Path, work: Path, with_sandbox: bool) -> None:
    """What a user does first, from a folder outside the repository."""
    python = str(bin_dir / "python")
    run([python, "-c", "import runninghub_video, runninghub_client; "
         "from runninghub_video import RunningHub, AsyncRunningHub, Task"], cwd=work)  # fmt: skip
    run([str(bin_dir / "runninghub-video"), "--help"], cwd=work)
    run([python, "-m", "runninghub_video", "--help"], cwd=work)
    (work / "user.py").write_text(USER_FILE)
    mypy = str(Path(sys.executable).with_name("mypy"))
    run([mypy, "--strict", "--no-incremental", "--python-executable", python, "user.py"], cwd=work)
    if not with_sandbox:
        out = subprocess.run([str(bin_dir / "runninghub-video"), "sandbox"], cwd=work, text=True,
                             capture_output=True)  # fmt: skip
        if out.returncode == 0 or "[sandbox]" not in out.stderr + out.stdout:
            sys.exit(f"dist-check: `sandbox` without the extra did not say how to install it:\n"
                     f"{out.stdout}{out.stderr}")  # fmt: skip
        return
    shutil.copy(SAMPLE, work / "cat.png")
    with sandbox(bin_dir, work) as base_url:
        env = {**os.environ, "RUNNINGHUB_BASE_URL": base_url, "RUNNINGHUB_API_KEY": "k",
               "RUNNINGHUB_VIDEO_HOME": str(work / "home")}  # fmt: skip
        run([str(bin_dir / "runninghub-video"), "generate", "--image", "cat.png",
             "--prompt", "a cat turns its head", "--output", "cat.mp4",
             "--poll-interval", "0.2"], cwd=work, env=env)  # fmt: skip
    head = (work / "cat.mp4").read_bytes()[:12]
    if head[4:8] != b"ftyp":
        sys.exit(f"dist-check: cat.mp4 is not an MP4 (starts {head!r})")
    print(f"cat.mp4: {(work / 'cat.mp4').stat().st_size} bytes, an MP4")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="rh-dist-") as tmp:
        folder = Path(tmp)
        wheel = build_wheel(folder / "dist")
        constraints = pins(folder)
        for extra, name in (("", "plain"), ("[sandbox]", "sandbox")):
            work = folder / f"user-{name}"
            work.mkdir()
            bin_dir = venv_with(wheel, extra, folder / f"venv-{name}", constraints)
            check(bin_dir, work, with_sandbox=bool(extra))
            print(f"dist-check: the wheel {extra or '(no extra)'} works outside the repository")
    return 0


if __name__ == "__main__":
    sys.exit(main())
