"""Where the CLI writes, and what it shows: checked before anything is paid for.

Refusals happen before the submit (zero requests reach the server), so a refused run costs
nothing. Server strings reach the terminal escaped, and paths are never read as Rich markup.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.reliability.conftest import IMAGE_URL
from tests.reliability.fault_server import FaultServer, Reply, json_reply, task_body
from tests.support.api import QUERY, SUBMIT, UPLOAD
from tests.support.cli import CLI, Cli
from tests.support.constants import SAMPLE_PNG
from tests.support.tmpfs import mounted_tmpfs

TASK = "2013508786110730241"
FILE = "/files/result.mp4"
VIDEO = b"\0\0\0\x18ftypmp42" + b"\0" * 2000


@pytest.fixture
def api(faults: FaultServer) -> FaultServer:
    """A server on which a task succeeds at once with a small video."""
    faults.route(SUBMIT, json_reply(task_body("SUCCESS", TASK, result_url=faults.base_url + FILE)))
    faults.route(QUERY, json_reply(task_body("SUCCESS", TASK, result_url=faults.base_url + FILE)))
    faults.route(UPLOAD, json_reply({"code": 0, "msg": "", "data": {
        "download_url": faults.base_url + "/files/up.png"}}))  # fmt: skip
    faults.route(FILE, Reply(200, VIDEO, "video/mp4"))
    return faults


def gen(*args: str, image: str = IMAGE_URL) -> list[str]:
    return ["generate", "--image", image, "--prompt", "a comet", *args]


def refused(result: object, api: FaultServer) -> None:
    code, stderr = result.code, result.stderr  # type: ignore[attr-defined]
    assert code == 2, stderr
    assert stderr.startswith("error: invalid output:"), stderr
    assert api.count(SUBMIT) == 0
    assert api.count(FILE) == 0


@pytest.mark.parametrize("overwrite", [[], ["--overwrite"]], ids=["plain", "overwrite"])
def test_output_onto_the_input_image_is_refused(
    cli_at: Callable[[str], Cli], api: FaultServer, overwrite: list[str]
) -> None:
    cli = cli_at(api.base_url)
    image = cli.cwd / "photo.png"
    shutil.copy(SAMPLE_PNG, image)
    refused(cli(*gen("--output", "photo.png", *overwrite, image=str(image))), api)
    assert image.read_bytes() == SAMPLE_PNG.read_bytes()


@pytest.mark.parametrize("overwrite", [[], ["--overwrite"]], ids=["plain", "overwrite"])
def test_nothing_is_written_through_a_symlink(
    cli_at: Callable[[str], Cli], api: FaultServer, overwrite: list[str], tmp_path: Path
) -> None:
    cli = cli_at(api.base_url)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (cli.cwd / "v.mp4").symlink_to(victim)
    refused(cli(*gen("--output", "v.mp4", *overwrite)), api)
    assert (cli.cwd / "v.mp4").is_symlink()
    assert victim.read_text() == "precious"


def test_a_device_is_never_an_output(cli_at: Callable[[str], Cli], api: FaultServer) -> None:
    cli = cli_at(api.base_url)
    refused(cli(*gen("--output", "/dev/null", "--overwrite")), api)
    assert Path("/dev/null").is_char_device()


@pytest.mark.parametrize("command", ["generate", "download", "wait"])
def test_the_task_journal_and_its_folder_are_never_an_output(
    cli_at: Callable[[str], Cli], api: FaultServer, command: str
) -> None:
    """Even with --overwrite: the journal holds the ids of paid tasks (promises 1 and 3)."""
    cli = cli_at(api.base_url)
    assert cli(*gen("--no-wait")).code == 0  # a journal with a paid task in it
    (cli.home / "notes.txt").write_text("mine")
    before = cli.journal.read_bytes()
    sent = api.count(SUBMIT)
    for name in ("tasks.jsonl", "notes.txt"):
        output = ["--output", str(cli.home / name), "--overwrite"]
        args = gen(*output) if command == "generate" else [command, TASK, *output]
        result = cli(*args)
        assert result.code == 2, result.stderr
        assert result.stderr.startswith("error: invalid output:"), result.stderr
        assert "task journal" in result.stderr
    assert api.count(SUBMIT) == sent
    assert api.count(QUERY) == 0
    assert api.count(FILE) == 0
    assert cli.journal.read_bytes() == before
    assert (cli.home / "notes.txt").read_text() == "mine"


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    """A read-only tmpfs (EROFS), unmounted afterwards."""
    with mounted_tmpfs(tmp_path / "ro", "ro,size=64k") as mount:
        yield mount


@pytest.mark.parametrize(
    "where",
    ["read-only", "read-only-new-folder", "read-only-folder", "proc", "name-too-long"],
)
def test_an_output_that_cannot_be_created_costs_nothing(
    cli_at: Callable[[str], Cli], api: FaultServer, where: str, read_only: Path
) -> None:
    """Checked before the upload and the submit: nothing is paid for a video that could not
    be saved (the download's `.part` name must fit as well as the final one)."""
    cli = cli_at(api.base_url)
    output = {
        "read-only": str(read_only / "v.mp4"),
        "read-only-new-folder": str(read_only / "new" / "v.mp4"),
        "read-only-folder": str(read_only),
        "proc": "/proc/x.mp4",
        "name-too-long": "v" * 240 + ".mp4",  # fits NAME_MAX; `.v…mp4.<hex>.part` does not
    }[where]
    image = cli.cwd / "photo.png"
    shutil.copy(SAMPLE_PNG, image)
    refused(cli(*gen("--output", output, image=str(image))), api)
    assert api.count(UPLOAD) == 0
    assert cli.journal_lines() == []
    refused(cli("download", TASK, "--output", output, "--overwrite"), api)
    assert api.count(QUERY) == 0
    assert list(cli.cwd.iterdir()) == [image]


def test_a_read_only_working_folder_is_refused_for_the_default_name(
    cli_at: Callable[[str], Cli], api: FaultServer, read_only: Path
) -> None:
    cli = cli_at(api.base_url)
    cli.cwd = read_only
    refused(cli(*gen()), api)
    assert cli("submit", "--image", IMAGE_URL, "--prompt", "x").code == 0  # no file wanted


def test_an_existing_file_is_replaced_only_with_overwrite(
    cli_at: Callable[[str], Cli], api: FaultServer
) -> None:
    cli = cli_at(api.base_url)
    (cli.cwd / "v.mp4").write_bytes(b"mine")
    refused(cli(*gen("--output", "v.mp4")), api)
    assert (cli.cwd / "v.mp4").read_bytes() == b"mine"
    refused(cli("download", TASK, "--output", "v.mp4"), api)
    assert api.count(QUERY) == 0
    result = cli(*gen("--output", "v.mp4", "--overwrite"))
    assert result.code == 0, result.stderr
    assert (cli.cwd / "v.mp4").read_bytes() == VIDEO


def test_the_default_name_is_not_overwritten_either(
    cli_at: Callable[[str], Cli], api: FaultServer
) -> None:
    cli = cli_at(api.base_url)
    (cli.cwd / f"{TASK}.mp4").write_bytes(b"mine")
    result = cli(*gen())  # the name is known only after the submit: refused before the download
    assert result.code == 1, result.stderr  # not 2: a task exists, something was paid
    assert f"task {TASK} submitted" in result.stderr
    assert f"download it again with: runninghub-video download {TASK}" in result.stderr
    assert (cli.cwd / f"{TASK}.mp4").read_bytes() == b"mine"
    assert api.count(FILE) == 0
    assert TASK in cli.journaled_ids()


def test_a_trailing_slash_is_a_folder_created_if_needed(
    cli_at: Callable[[str], Cli], api: FaultServer
) -> None:
    cli = cli_at(api.base_url)
    result = cli(*gen("--output", "new/dir/"))
    assert result.code == 0, result.stderr
    assert (cli.cwd / "new" / "dir" / f"{TASK}.mp4").read_bytes() == VIDEO
    assert result.stdout.strip() == f"new/dir/{TASK}.mp4"


def test_rich_markup_in_a_path_is_shown_not_parsed(
    cli_at: Callable[[str], Cli], api: FaultServer
) -> None:
    cli = cli_at(api.base_url)
    code, stderr = cli.on_a_terminal(*gen("--output", "clip[/]x.mp4", "--poll-interval",
                                                "0.01"))  # fmt: skip
    assert code == 0, stderr
    assert "MarkupError" not in stderr
    assert (cli.cwd / "clip[" / "]x.mp4").read_bytes() == VIDEO


HOSTILE = "\x1b]0;owned\x07\x1b[2J\u202egnp.exe\x9b31m"


def test_server_text_reaches_the_terminal_escaped(
    cli_at: Callable[[str], Cli], faults: FaultServer
) -> None:
    faults.route(QUERY, json_reply(task_body("FAILED", TASK, errorCode="1015",
                                             errorMessage=HOSTILE)))  # fmt: skip
    cli = cli_at(faults.base_url)
    for args in (["status", TASK], ["wait", TASK], ["status", TASK, "--json"]):
        result = cli(*args)
        shown = result.stdout + result.stderr
        assert result.code in (0, 4), result.stderr
        for raw in ("\x1b", "\x07", "\u202e", "\x9b"):
            assert raw not in shown, (args, shown)
        if "--json" not in args:
            assert "\\x1b]0;owned" in shown


def test_an_unsafe_task_id_from_the_server_is_shown_escaped_and_written_nowhere(
    cli_at: Callable[[str], Cli], faults: FaultServer, tmp_path: Path
) -> None:
    faults.route(SUBMIT, json_reply(task_body("SUCCESS", "../../\x1b[31mx",
                                              result_url=faults.base_url + FILE)))  # fmt: skip
    faults.route(FILE, Reply(200, VIDEO, "video/mp4"))
    cli = cli_at(faults.base_url)
    result = cli(*gen())
    assert result.code == 1, result.stderr
    assert "\x1b" not in result.stderr
    assert "../../\\x1b[31mx" in result.stderr
    assert "a paid task may exist" in result.stderr
    assert [line["event"] for line in cli.journal_lines()] == ["unconfirmed"]
    assert faults.count(FILE) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "work"]
    assert list(cli.cwd.iterdir()) == []


def test_secrets_in_the_image_url_stay_out_of_the_journal(
    cli_at: Callable[[str], Cli], api: FaultServer
) -> None:
    cli = cli_at(api.base_url)
    image = "https://alice:hunter22@cdn.test/cat.png?X-Amz-Signature=deadbeef42"
    result = cli("submit", "--image", image, "--prompt", "a comet")
    assert result.code == 0, result.stderr
    journal = cli.journal.read_text()
    for secret in ("hunter22", "alice", "deadbeef42"):
        assert secret not in journal
        assert secret not in result.stderr
    assert oct(cli.journal.stat().st_mode & 0o777) == oct(0o600)
    assert oct(cli.journal.parent.stat().st_mode & 0o777) == oct(0o700)


def test_wrong_answers_are_named(cli_at: Callable[[str], Cli], faults: FaultServer) -> None:
    cli = cli_at(faults.base_url)
    no_key = cli("status", TASK, RUNNINGHUB_API_KEY="")
    assert no_key.code == 2
    assert "--api-key" in no_key.stderr
    assert "RUNNINGHUB_API_KEY" in no_key.stderr
    assert "api_key=" not in no_key.stderr
    wrong = cli("status", TASK, "--base-url", faults.base_url + "/v1")
    assert wrong.code == 2, wrong.stderr
    assert f"{faults.base_url}/v1/openapi/v2/query answered HTTP 404" in wrong.stderr
    assert "--base-url" in wrong.stderr
    faults.route(QUERY, json_reply(task_body("FAILED", TASK, errorCode="1004")))
    for args in (["status", TASK], ["wait", TASK]):
        unknown = cli(*args)
        assert unknown.code == 4, unknown.stderr
        assert f"task {TASK} not found" in unknown.stderr
    assert cli.journal_lines() == []


@pytest.mark.integration  # a fresh Python process
def test_the_library_is_silent_without_logging_configured(tmp_path: Path) -> None:
    script = (
        "import logging, runninghub_video\n"
        "logging.getLogger('runninghub_video').warning('a library warning')\n"
    )
    done = subprocess.run([CLI[0], "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stderr == ""
