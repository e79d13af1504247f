"""The sandbox matches a spec `pattern` in linear time (issue 18, item 11): one request with a
backtracking prompt held its event loop, and every other client, for over 60 s. The sandbox
serves a copy of the merged spec with a pattern on the seed's prompt."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import yaml
from runninghub_video.sandbox import Sandbox

from tests.sandbox.conftest import AUTH, submit_body
from tests.support.api import SUBMIT, request_schema_of
from tests.support.constants import ROOT
from tests.support.sandboxes import running_sandbox

pytestmark = pytest.mark.integration  # the rendering sandbox (ffmpeg)

HOSTILE = r"^([A-Za-z0-9]+\s?)*$"


@pytest.fixture(scope="module")
def patterned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    spec = yaml.safe_load((ROOT / "openapi" / "runninghub.yaml").read_text(encoding="utf-8"))
    request_schema_of(spec, SUBMIT)["properties"]["prompt"]["pattern"] = HOSTILE
    path = tmp_path_factory.mktemp("patterned") / "runninghub.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with running_sandbox(spec_path=path) as sandbox:
        yield sandbox


@pytest.mark.timeout(60)
def test_a_backtracking_prompt_is_refused_and_the_next_client_answered(
    patterned: Sandbox,
) -> None:
    with httpx.Client(base_url=patterned.base_url, headers=AUTH, timeout=50) as client:
        refused = client.post(SUBMIT, json=submit_body("a" * 30 + "!"))
        assert refused.status_code == 422, refused.text
        assert f"prompt: must match the pattern {HOSTILE!r}" in refused.json()["errorMessage"]
        accepted = client.post(SUBMIT, json=submit_body("a calm lake at dawn"))
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["taskId"]
