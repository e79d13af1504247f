"""`runninghub-video doctor` (issue 20): against the sandbox it reports every check, submits
and uploads nothing, and its --save fixtures hold no key and replay through the library's own
readers; an answer that differs from the spec is reported with what differs."""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path

import pytest
from runninghub_video import TaskNotFoundError
from runninghub_video._account import read_account, read_price, read_queue
from runninghub_video._responses import RawAnswer, read_query
from runninghub_video._spec import locate_spec, read_spec
from runninghub_video.cli._doctor import Answer, _conformance

from tests.support.cli import cli_in
from tests.support.constants import KEY
from tests.support.sandboxes import running_sandbox

CHECKS = ("proxy", "site and key", "clock", "balance", "price of image-to-video-realistic",
          "query of a made-up task")  # fmt: skip
READERS = {
    "getQueueStatus": read_queue,
    "getAccountStatus": read_account,
    "imageToVideoRealisticPrice": read_price,
}


@pytest.mark.integration  # the CLI in a process, a sandbox of its own
def test_doctor_reports_every_check_and_spends_nothing(tmp_path: Path) -> None:
    saved = tmp_path / "fixtures"
    with running_sandbox() as sandbox:
        result = cli_in(tmp_path, sandbox.base_url)("doctor", "--save", str(saved), "--json")
        stats = sandbox.stats
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    verdicts = {check["name"]: check["verdict"] for check in report["checks"]}
    assert set(CHECKS) <= set(verdicts)
    assert all(verdict == "ok" for verdict in verdicts.values()), report
    assert sum(name.startswith("spec: ") for name in verdicts) == 4  # every answer checked
    assert (stats.submit_attempts, stats.uploads) == (0, 0)
    files = sorted(path.name for path in saved.iterdir())
    assert files == sorted([*(f"{name}.json" for name in READERS), "queryTask.json"])
    for path in saved.iterdir():
        assert KEY not in path.read_text(encoding="utf-8")


@pytest.mark.integration  # the CLI in a process, a sandbox of its own
def test_the_saved_fixtures_replay_through_the_librarys_readers(tmp_path: Path) -> None:
    saved = tmp_path / "fixtures"
    with running_sandbox() as sandbox:
        assert cli_in(tmp_path, sandbox.base_url)("doctor", "--save", str(saved)).code == 0
    for name, read in READERS.items():
        read(replayed(saved / f"{name}.json"))  # raises on an answer it cannot read
    with pytest.raises(TaskNotFoundError):
        read_query(replayed(saved / "queryTask.json"), task_id="1999999999999999999")


def replayed(path: Path) -> RawAnswer:
    fixture = json.loads(path.read_text(encoding="utf-8"))
    body = json.dumps(fixture["body"]).encode()
    return RawAnswer(fixture["status"], {"content-type": fixture["contentType"]}, body)


@pytest.mark.integration  # the CLI in a process
def test_save_never_writes_into_a_folder_that_holds_files(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep")
    result = cli_in(tmp_path, "http://127.0.0.1:9")("doctor", "--save", str(folder))
    assert result.code == 2
    assert "not a new or empty folder" in result.stderr
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def check_of(body: object, status: int = 200) -> tuple[str, str]:
    spec = read_spec(locate_spec())
    raw = RawAnswer(status, {}, json.dumps(body).encode())
    found = _conformance(spec, Answer("GET", "/openapi/v2/queue/status", raw), "")
    return found.verdict, found.detail


def test_an_answer_that_breaks_the_spec_is_reported_with_what_differs() -> None:
    verdict, detail = check_of({"concurrentLimit": [50], "runningCount": 0})
    assert verdict == "fail"
    assert "concurrentLimit" in detail


def test_a_field_the_spec_does_not_declare_is_a_warning() -> None:
    verdict, detail = check_of({"concurrentLimit": 5, "newField": 1})
    assert (verdict, detail) == ("warn", "fields the spec does not declare: newField")


def test_an_undocumented_status_is_reported() -> None:
    verdict, detail = check_of({}, status=418)
    assert verdict == "fail"
    assert "HTTP 418" in detail


@pytest.mark.integration  # the CLI in a process, a server over a socket
def test_a_server_echoing_the_key_leaks_it_neither_in_the_report_nor_the_fixtures(
    tmp_path: Path,
) -> None:
    class Echo(http.server.BaseHTTPRequestHandler):
        def answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            said = {"auth": self.headers.get("Authorization"), "body": self.rfile.read(length)}
            body = json.dumps({"concurrentLimit": 5, "apiKeyType": str(said)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    saved = tmp_path / "fixtures"
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        result = cli_in(tmp_path, url)("doctor", "--save", str(saved), "--json")
    finally:
        server.shutdown()
        server.server_close()
    assert result.code == 1, result.stderr  # its answers are not the spec's
    assert KEY not in result.stdout + result.stderr
    assert saved.is_dir(), result.stdout + result.stderr
    for path in saved.iterdir():
        assert KEY not in path.read_text(encoding="utf-8")


@pytest.mark.integration  # the CLI in a process, a sandbox of its own
def test_a_refused_key_exits_3_and_its_answer_is_still_saved(tmp_path: Path) -> None:
    from runninghub_video.sandbox import INVALID_API_KEY

    saved = tmp_path / "fixtures"
    with running_sandbox() as sandbox:
        run = cli_in(tmp_path, sandbox.base_url)
        result = run("doctor", "--save", str(saved), RUNNINGHUB_API_KEY=INVALID_API_KEY)
    assert result.code == 3, result.stderr
    assert "proxy:" in result.stdout
    assert [path.name for path in saved.iterdir()] == ["getQueueStatus.json"]
    assert json.loads((saved / "getQueueStatus.json").read_text())["status"] == 401
