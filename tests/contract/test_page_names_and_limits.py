"""Pages beside the seed keep their own published limits, the wrapper checks those limits
before any request, and names do not depend on the order pages were imported (review of
issue 13: F2b, F3, F5). The pages are test fixtures in the vendor's format
(tests/contract/pages/): rhart-video-s-text-to-video.md (prompt minLength 5; its path's last
segment is text-to-video.md's) and reference-to-video.md (seed: integer, minimum 0)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.build_spec import SpecError, build
from scripts.import_page import main as import_main
from scripts.normalize import SEED_PATH, page_names
from tests.support.api import request_schema_of
from tests.support.constants import ROOT
from tests.support.pages import (
    PAGE,
    build_with_page,
    cli_without_a_request,
    contract_limits,
    copy_inputs,
    page_variant,
    python_path,
)

pytestmark = pytest.mark.integration  # the generator

PAGES = ROOT / "tests" / "contract" / "pages"
LOW_PRICE = PAGES / "rhart-video-s-text-to-video.md"
REFERENCE = PAGES / "reference-to-video.md"
OFFICIAL_T2V = "/openapi/v2/rhart-video-s-official/text-to-video"
LOW_PRICE_T2V = "/openapi/v2/rhart-video-s/text-to-video"
REFERENCE_PATH = "/openapi/v2/rhart-video-s-official/reference-to-video"


def run(out: Path, code: str) -> str:
    """Run Python code with the client generated in `out` first on the path; its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, cwd=ROOT, check=False,
        env={"PYTHONPATH": python_path(out), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def request_schema(out: Path, path: str) -> dict[str, Any]:
    spec = yaml.safe_load((out / "runninghub.yaml").read_text(encoding="utf-8"))
    return request_schema_of(spec, path)


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """text-to-video.md then the low-price page, imported and built."""
    return build_with_page(tmp_path_factory.mktemp("t2v-both"), PAGE, LOW_PRICE)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_with_page(tmp_path_factory.mktemp("ref2v"), REFERENCE)


# ---------------------------------------------------------------- F2b: a page's own limit stays


def test_a_page_keeps_its_own_prompt_limit_and_others_get_the_default(both: Path) -> None:
    assert request_schema(both, LOW_PRICE_T2V)["properties"]["prompt"]["minLength"] == 5
    assert request_schema(both, OFFICIAL_T2V)["properties"]["prompt"]["minLength"] == 1
    assert request_schema(both, SEED_PATH)["properties"]["prompt"]["minLength"] == 1


# ---------------------------------------------------------------- F3: limits checked locally


def test_the_limits_file_is_read_from_the_spec(both: Path, reference: Path) -> None:
    limits = contract_limits(both / "runninghub_client")
    assert limits[LOW_PRICE_T2V]["prompt"] == {"minLength": 5}
    assert limits[SEED_PATH]["prompt"] == {"minLength": 1}
    limits = contract_limits(reference / "runninghub_client")
    assert limits[REFERENCE_PATH]["seed"] == {"minimum": 0, "maximum": 2147483647}


CHECK = """
    from runninghub_video import _endpoints as e, _params as p, InvalidInputError
    endpoint = e.load(e.find({name!r}))
    try:
        p.check_fields(endpoint, {fields!r})
        print("accepted")
    except InvalidInputError as error:
        print(error)
"""


@pytest.mark.parametrize(
    ("prompt", "verdict"),
    [
        ("hi", "invalid prompt: 'hi'; expected at least 5 characters (the spec's minLength)"),
        ("hello", "accepted"),
    ],
)
def test_a_prompt_shorter_than_its_page_allows_is_refused_before_any_request(
    both: Path, prompt: str, verdict: str
) -> None:
    fields = {"prompt": prompt, "duration": "10"}
    endpoint = run(both, "from runninghub_video import _endpoints as e\n"
                   f"print(e.find('{LOW_PRICE_T2V}').name)")  # fmt: skip
    assert run(both, CHECK.format(name=endpoint, fields=fields)) == verdict


@pytest.mark.parametrize(
    ("seed", "verdict"),
    [
        (-5, "invalid seed: -5; expected a number at least 0 (the spec's minimum)"),
        (2**31, f"invalid seed: {2**31}; expected a number at most {2**31 - 1} (the spec's "
                "maximum)"),
        (0, "accepted"),
        (2147483647, "accepted"),
    ],
)  # fmt: skip
def test_a_number_out_of_its_range_is_refused_before_any_request(
    reference: Path, seed: int, verdict: str
) -> None:
    fields = {"prompt": "x", "image_urls": ["https://h/a.png"], "seed": seed}
    assert run(reference, CHECK.format(name="reference-to-video", fields=fields)) == verdict


# ---------------------------------------------------------------- F5: names, whatever the order


NAMES = """
    import importlib
    from runninghub_video import _endpoints as e
    for info in sorted(e.infos(), key=lambda info: info.path):
        print(info.path, info.name, info.module, info.request_model)
    import runninghub_client.models as models
    print(sorted(name for name in dir(models) if name.endswith(("Request", "Duration", "Size"))))
"""


def test_names_do_not_depend_on_the_order_of_import(tmp_path: Path, both: Path) -> None:
    reversed_order = build_with_page(tmp_path, LOW_PRICE, PAGE)
    names = run(both, NAMES)
    assert run(reversed_order, NAMES) == names
    lines = names.splitlines()
    # Both pages sharing `text-to-video` get the segment before it; the seed keeps its name.
    assert (
        f"{OFFICIAL_T2V} rhart-video-s-official-text-to-video rhart_video_s_official_text_to_video "
        "RhartVideoSOfficialTextToVideoRequest"
    ) in lines
    assert (
        f"{LOW_PRICE_T2V} rhart-video-s-text-to-video rhart_video_s_text_to_video "
        "RhartVideoSTextToVideoRequest"
    ) in lines
    assert (
        f"{SEED_PATH} image-to-video-realistic image_to_video_realistic "
        "ImageToVideoRealisticRequest"
    ) in lines
    assert "'TextToVideoRequest'" not in names
    # The operation ids, hence the spec, are the same too (only its header lists files).
    first, second = (yaml.safe_load((out / "runninghub.yaml").read_text("utf-8"))
                     for out in (both, reversed_order))  # fmt: skip
    assert first == second


def test_the_files_keep_their_first_come_names(tmp_path: Path) -> None:
    """An imported file is never renamed: the first page of a last segment takes it."""
    build_with_page(tmp_path, LOW_PRICE, PAGE)
    upstream = tmp_path / "openapi" / "upstream"
    assert LOW_PRICE_T2V in (upstream / "text-to-video.yaml").read_text(encoding="utf-8")
    assert OFFICIAL_T2V in (upstream / "rhart-video-s-official-text-to-video.yaml").read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("paths", "names"),
    [
        (["/v/a/t2v"], ["t2v"]),
        (["/v/a/t2v", "/v/b/t2v", "/v/c/i2v"], ["a-t2v", "b-t2v", "i2v"]),
        (["/v/b/t2v", "/v/a/t2v"], ["b-t2v", "a-t2v"]),
        # The seed keeps its published name; only the sibling gets the segment before it.
        ([SEED_PATH, "/v/x/image-to-video-realistic"],
         ["image-to-video-realistic", "x-image-to-video-realistic"]),
    ],
)  # fmt: skip
def test_page_names_qualify_every_page_sharing_a_last_segment(
    paths: list[str], names: list[str]
) -> None:
    assert page_names(paths) == names


# ---------------------------------------------------------------- F8: names the shared types have


@pytest.mark.parametrize(
    ("edits", "name", "clash"),
    [
        ([("/text-to-video:", "/query-task:")], "query-task", "'QueryTask' (its operationId"),
        ([("/text-to-video:", "/upload-media:")], "upload-media", "'UploadMedia' (its operationId"),
        ([("/text-to-video:", "/task:"), ("                size:\n", "                status:\n")],
         "task", "'TaskStatus' (the enum class of its field status), which is already the "
         "shared schema TaskStatus"),
    ],
    ids=["query-task", "upload-media", "task-status"],
)  # fmt: skip
def test_a_page_whose_names_are_shared_types_is_refused_naming_both(
    tmp_path: Path, edits: list[tuple[str, str]], name: str, clash: str
) -> None:
    copy_inputs(tmp_path)
    assert import_main([str(page_variant(tmp_path, *edits)), str(tmp_path / "upstream")]) == 0
    with pytest.raises(SpecError) as refused:
        build(tmp_path / "upstream", tmp_path / "overlay.yaml")
    message = str(refused.value.code)
    assert f"{name}.yaml: the page {name!r} makes the name {clash}" in message, message


def test_the_cli_refuses_a_number_out_of_range_before_any_request(
    reference: Path, tmp_path: Path
) -> None:
    """Exit 2 naming the field, the value and the limit, and no connection made."""
    done = cli_without_a_request(
        reference, tmp_path, "reference-to-video", "--prompt", "x",
        "--image-urls", "https://h/a.png", "--seed", "-5", "--no-wait",
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "invalid seed: -5; expected a number at least 0 (the spec's minimum)" in done.stderr
