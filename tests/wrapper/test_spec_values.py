"""Promise 4, the spec is the one source: no allowed value of the spec is written in the
wrapper, the CLI or the sandbox (defaults included); they read them from the generated code,
so a regenerated spec that drops or adds a value needs no hand edit."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import attrs
import pytest
import runninghub_client.models as models
from runninghub_video import AsyncRunningHub, RunningHub
from runninghub_video import _endpoints as endpoints
from runninghub_video import _params as params
from runninghub_video.cli._endpoint_commands import build

from tests.support.constants import ROOT

WRAPPER = ROOT / "wrapper" / "runninghub_video"
SOURCES = sorted(path for path in WRAPPER.rglob("*.py") if "__pycache__" not in path.parts)


def spec_values() -> set[str]:
    """Every string value a request field of a task endpoint allows (the choices a user
    makes; response enums such as the task statuses are behaviour and may be named)."""
    return {
        value
        for info in endpoints.infos()
        for field in endpoints.load(info).fields
        for value in field.choices or ()
        if isinstance(value, str)
    }


def code_strings(source: str) -> set[str]:
    """The string constants of source, docstrings left out (they may show examples)."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in docstrings
    }  # fmt: skip


def test_the_generated_models_have_enum_values() -> None:
    assert {"720p", "16:9"} <= spec_values()  # the scan below would find nothing otherwise


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(WRAPPER)))
def test_no_spec_value_is_written_in_the_code(path: Path) -> None:
    written = code_strings(path.read_text(encoding="utf-8")) & spec_values()
    assert not written, f"{path.name} writes spec values {sorted(written)}: read them instead"


def test_the_seed_defaults_are_the_spec_default_or_its_first_value() -> None:
    fields = attrs.fields(models.ImageToVideoRealisticRequest)
    assert fields.aspect_ratio.default == params.DEFAULT_ASPECT_RATIO  # the spec's default
    seed = endpoints.load(endpoints.seed())
    assert (seed.field("resolution").choices or ())[0] == params.DEFAULT_RESOLUTION  # the cheapest
    assert (seed.field("duration").choices or ())[0] == params.DEFAULT_DURATION


@pytest.mark.parametrize("client", [RunningHub, AsyncRunningHub])
@pytest.mark.parametrize("method", ["submit", "run"])
def test_the_library_and_the_cli_use_those_defaults(client: type, method: str) -> None:
    defaults = inspect.signature(getattr(client, method)).parameters
    assert defaults["resolution"].default == params.DEFAULT_RESOLUTION
    assert defaults["aspect_ratio"].default == params.DEFAULT_ASPECT_RATIO
    assert defaults["duration"].default == params.DEFAULT_DURATION
    import argparse

    parser = argparse.ArgumentParser()
    build(endpoints.seed(), parser)
    given = parser.parse_args(["--image", "x.png", "--prompt", "p"])
    assert (given.resolution, given.aspect_ratio, given.duration) == (
        params.DEFAULT_RESOLUTION, params.DEFAULT_ASPECT_RATIO, params.DEFAULT_DURATION,
    )  # fmt: skip
