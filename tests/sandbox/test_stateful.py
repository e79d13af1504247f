"""schemathesis stateful run against the sandbox: submit -> query via the spec's OpenAPI link.

schemathesis fixes each operation's base URL when the state machine is built (at import), so
the sandbox gets its port up front and an autouse fixture runs it around the test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from runninghub_video.sandbox import Limits, Sandbox

from scripts._processes import free_port
from tests.support.constants import KEY, SPEC
from tests.support.sandboxes import running_sandbox

# The rendering sandbox. One worker runs this whole file (make test: --dist loadfile): its last
# test reads the sandbox the others used.
pytestmark = pytest.mark.integration

PORT = free_port()

# An explicit config (not an auto-discovered schemathesis.toml, which is for `make contract`).
# ignored_auth is off by design: it probes with "Bearer SCHEMATHESIS-INVALID-VALUE" and expects
# 401, but the sandbox accepts every key except INVALID_API_KEY (it cannot know real keys).
# test_api.py covers auth instead: no/malformed header -> 401, INVALID_API_KEY -> 401.
CONFIG = schemathesis.Config.from_dict({"checks": {"ignored_auth": {"enabled": False}}})
schema = schemathesis.openapi.from_path(SPEC, config=CONFIG)
schema.config.update(
    base_url=f"http://127.0.0.1:{PORT}", headers={"Authorization": f"Bearer {KEY}"}
)


@pytest.fixture(scope="module", autouse=True)
def stateful_sandbox() -> Iterator[Sandbox]:
    """A sandbox of its own (renders started by random submits die with it) on PORT.

    Its answers must not depend on how fast renders run: hypothesis replays a case and fails
    ("FlakyStrategyDefinition") when a submit that created a task before is refused on replay.
    With the default cap of 8 queued renders, a loaded machine answered 429 to some submits.
    """
    with running_sandbox(port=PORT, limits=Limits(max_queued_renders=100_000)) as sb:
        yield sb


APIWorkflow = schema.as_state_machine()
TestAPIWorkflow = APIWorkflow.TestCase
TestAPIWorkflow.settings = settings(
    max_examples=25,
    stateful_step_count=6,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def test_the_workflow_reached_the_sandbox(stateful_sandbox: Sandbox) -> None:
    """Runs after TestAPIWorkflow (file order): the state machine really submitted and queried."""
    stats = stateful_sandbox.stats
    assert stats.submits > 0
    assert stats.queries > 0
    assert stats.submits_refused_busy == 0  # no answer depended on render timing
