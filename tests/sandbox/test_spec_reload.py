"""A running sandbox serves a regenerated spec at its next request (issue 20), and until then a
path the loaded spec lacks answers 404 saying so, which the library quotes instead of blaming
the base URL."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from ruamel.yaml import YAML
from runninghub_video import ConfigurationError, RunningHub

from tests.sandbox.conftest import AUTH, submit_body
from tests.support.api import SUBMIT
from tests.support.constants import ROOT
from tests.support.sandboxes import running_sandbox
from tests.wrapper.fakes import KEY
from tests.wrapper.test_price import SEED, fields

pytestmark = pytest.mark.integration  # a sandbox per test

NEW_PATH = "/openapi/v2/example/image-to-video-copy"


def write_spec(path: Path, spec: object) -> None:
    """Write spec to path the way `make spec` does: a new file put in place at once."""
    part = path.with_suffix(".part")
    with part.open("w", encoding="utf-8") as out:
        YAML(typ="safe", pure=True).dump(spec, out)
    os.replace(part, path)


@pytest.fixture
def spec_file(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    spec = YAML(typ="safe", pure=True).load((ROOT / "openapi" / "runninghub.yaml").read_text())
    path = tmp_path / "runninghub.yaml"
    write_spec(path, spec)
    return path, spec


def test_a_path_the_loaded_spec_lacks_is_404_saying_so(spec_file, tmp_path) -> None:
    path, _ = spec_file
    with running_sandbox(spec_path=path, data_dir=tmp_path / "data") as sandbox:
        answer = httpx.post(f"{sandbox.base_url}{NEW_PATH}", headers=AUTH, json={})
        assert answer.status_code == 404
        assert answer.json()["errorCode"] == "1001"
        assert "not a path of the spec this sandbox loaded" in answer.json()["errorMessage"]


def test_the_library_quotes_the_404_instead_of_blaming_the_base_url(spec_file, tmp_path) -> None:
    path, spec = spec_file
    older = copy.deepcopy(spec)  # a sandbox on a spec from before price preview
    del older["paths"]["/openapi/v2/price-preview" + SUBMIT.removeprefix("/openapi/v2")]
    write_spec(path, older)
    with (
        running_sandbox(spec_path=path, data_dir=tmp_path / "data") as sandbox,
        RunningHub(KEY, base_url=sandbox.base_url) as rh,
        pytest.raises(ConfigurationError) as raised,
    ):
        rh.price(SEED, **fields())
    assert "not a path of the spec this sandbox loaded" in str(raised.value)
    assert "base URL" not in str(raised.value)


def test_a_running_sandbox_serves_the_regenerated_spec(spec_file, tmp_path) -> None:
    path, spec = spec_file
    with running_sandbox(spec_path=path, data_dir=tmp_path / "data") as sandbox:
        client = httpx.Client(base_url=sandbox.base_url, headers=AUTH)
        assert client.post(NEW_PATH, json=submit_body()).status_code == 404
        grown = copy.deepcopy(spec)
        grown["paths"][NEW_PATH] = copy.deepcopy(spec["paths"][SUBMIT])
        grown["paths"][NEW_PATH]["post"]["operationId"] = "imageToVideoCopy"
        write_spec(path, grown)
        created = client.post(NEW_PATH, json=submit_body())
        assert created.status_code == 200, created.text
        assert created.json()["taskId"]
        path.write_text("paths: [half written", encoding="utf-8")  # a spec that does not load
        assert client.post(NEW_PATH, json=submit_body()).status_code == 200  # the last one holds
        write_spec(path, spec)  # the vendor removed it again
        assert client.post(NEW_PATH, json=submit_body()).status_code == 404
        assert client.post(SUBMIT, json=submit_body()).status_code == 200
        client.close()
