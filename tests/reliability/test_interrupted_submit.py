"""Promise 1 in submit(): once the submit's answer named the task, whatever stops submit()
before it returns (Ctrl-C or an error raised by a logging filter or handler, as on a blocked
stderr) leaves with an exception that names the paid task; the CLI journals that id, not an
"unconfirmed" submit."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest
from runninghub_video import AsyncRunningHub, RunningHub, Task

from tests.reliability.conftest import FAST, IMAGE_URL
from tests.reliability.fault_server import FaultServer, json_reply, task_body
from tests.support.api import SUBMIT
from tests.support.cli import Cli
from tests.support.constants import KEY

TASK = "2013508786110730241"
NOTE = f"task {TASK} was submitted and goes on; resume with wait('{TASK}')"


class Raising(logging.Filter):
    """Raises `make()` for each record whose message starts with one of `prefixes`."""

    def __init__(self, make: Callable[[], BaseException], *prefixes: str) -> None:
        super().__init__()
        self.make = make
        self.prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith(self.prefixes):
            raise self.make()
        return True


@pytest.fixture
def answered(faults: FaultServer) -> FaultServer:
    """The submit answers a QUEUED task."""
    faults.route(SUBMIT, json_reply(task_body("QUEUED", TASK)))
    return faults


@pytest.fixture
def raising_log() -> Iterator[Callable[..., None]]:
    """Install a Raising filter on the library's logger (INFO enabled); removed afterwards."""
    library = logging.getLogger("runninghub_video")
    installed: list[logging.Filter] = []
    level = library.level

    def install(make: Callable[[], BaseException], *prefixes: str) -> None:
        library.setLevel(logging.INFO)
        installed.append(raising := Raising(make, *prefixes))
        library.addFilter(raising)

    yield install
    for raising in installed:
        library.removeFilter(raising)
    library.setLevel(level)


def sync_submit(base_url: str) -> BaseException:
    with RunningHub(KEY, base_url=base_url, policy=FAST) as hub:
        try:
            hub.submit("a cat", IMAGE_URL)
        except BaseException as exc:  # the test looks at what came out
            return exc
    raise AssertionError("submit() returned")


def async_submit(base_url: str) -> BaseException:
    async def go() -> BaseException:
        async with AsyncRunningHub(KEY, base_url=base_url, policy=FAST) as hub:
            try:
                await hub.submit("a cat", IMAGE_URL)
            except BaseException as exc:  # the test looks at what came out
                return exc
        raise AssertionError("submit() returned")

    return asyncio.run(go())


SUBMITS = {"sync": sync_submit, "async": async_submit}


@pytest.mark.parametrize("client", list(SUBMITS))
@pytest.mark.parametrize(
    "raised",
    [KeyboardInterrupt, lambda: RuntimeError("handler broke")],
    ids=["KeyboardInterrupt", "RuntimeError"],
)
def test_an_error_while_submit_logs_the_task_names_it(
    answered: FaultServer,
    raising_log: Callable[..., None],
    client: str,
    raised: Callable[[], BaseException],
) -> None:
    raising_log(raised, "submitted task")
    error = SUBMITS[client](answered.base_url)
    assert type(error) is type(raised())
    assert getattr(error, "task_id", None) == TASK
    assert NOTE in getattr(error, "__notes__", [])


@pytest.mark.parametrize("client", list(SUBMITS))
def test_a_second_interrupt_while_the_warning_is_logged_names_the_task_too(
    answered: FaultServer, raising_log: Callable[..., None], client: str
) -> None:
    # Ctrl-C on the "submitted task" line, Ctrl-C again on the warning that names the task.
    raising_log(KeyboardInterrupt, "submitted task", f"task {TASK} was submitted")
    error = SUBMITS[client](answered.base_url)
    assert isinstance(error, KeyboardInterrupt)
    assert getattr(error, "task_id", None) == TASK
    assert isinstance(error.__context__, KeyboardInterrupt)  # the first one, named too
    assert getattr(error.__context__, "task_id", None) == TASK


CLI_SCRIPT = """
import logging, sys
from runninghub_video.cli._main import main

class Interrupt(logging.Filter):
    def filter(self, record):
        if record.getMessage().startswith("submitted task"):
            raise KeyboardInterrupt  # Ctrl-C while the line is written (a blocked stderr)
        return True

logging.getLogger("runninghub_video").addFilter(Interrupt())
main(sys.argv[1:])
"""


@pytest.mark.parametrize("client", ["sync", "async"])
def test_on_submitted_sees_the_task_before_submit_returns_and_its_error_names_it(
    answered: FaultServer, client: str
) -> None:
    seen: list[str] = []

    def on_submitted(task: Task) -> None:
        seen.append(task.id)
        raise KeyboardInterrupt  # Ctrl-C while the caller records the task

    async def go_async() -> None:
        async with AsyncRunningHub(KEY, base_url=answered.base_url, policy=FAST) as hub:
            await hub.submit("a cat", IMAGE_URL, on_submitted=on_submitted)

    def go_sync() -> None:
        with RunningHub(KEY, base_url=answered.base_url, policy=FAST) as hub:
            hub.submit("a cat", IMAGE_URL, on_submitted=on_submitted)

    with pytest.raises(KeyboardInterrupt) as raised:
        go_sync() if client == "sync" else asyncio.run(go_async())
    assert seen == [TASK]
    assert getattr(raised.value, "task_id", None) == TASK


# Also run by tests/cli/test_endpoint_commands.py (an endpoint command).
RETURN_SCRIPT = """
import sys
from runninghub_video import RunningHub
from runninghub_video.cli._main import main

# The paid call's inner step too: generate() runs the submit, then the wait, in the library.
for name in ("submit", "submit_request", "submit_to", "_submit_checked"):
    real = getattr(RunningHub, name)

    def interrupted(self, *args, _real=real, **kwargs):
        _real(self, *args, **kwargs)
        raise KeyboardInterrupt  # Ctrl-C right after the submit returned, before the next line

    setattr(RunningHub, name, interrupted)
main(sys.argv[1:])
"""


@pytest.mark.integration  # a CLI subprocess
@pytest.mark.parametrize(
    ("script", "command"),
    [(CLI_SCRIPT, "submit"), (RETURN_SCRIPT, "submit"), (RETURN_SCRIPT, "generate")],
    ids=["while-logging", "after-return-submit", "after-return-generate"],
)
def test_the_cli_journals_a_task_interrupted_once_its_submit_answered(
    answered: FaultServer, cli_at: Callable[[str], Cli], script: str, command: str
) -> None:
    cli = cli_at(answered.base_url)
    done = subprocess.run(
        [sys.executable, "-c", script, "--verbose", command, "--image", IMAGE_URL,
         "--prompt", "a cat"],
        cwd=cli.cwd, env=cli.env(), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 130, done.stderr
    assert [request.path for request in answered.requests] == [SUBMIT]
    events = cli.journal_lines()
    assert [(line["event"], line["task_id"]) for line in events][:1] == [("submitted", TASK)]
    assert not any(line["event"] == "unconfirmed" for line in events)
    assert (events[-1]["event"], events[-1]["task_id"]) == ("interrupted", TASK)
    assert f"task {TASK} goes on; resume it with: runninghub-video wait {TASK}" in done.stderr
    assert KEY not in done.stdout + done.stderr
