"""Pages are checked before they become code (issue 18, item 10): the build refuses, naming
the page and the field, a page whose command would replace or hide a built-in command, a field
the generated model cannot carry under its name, and an enum value with a control character.
Each page is the fixture page (tests/contract/pages/text-to-video.md) with one edit, imported
into a copy of openapi/ and merged by scripts/build_spec.build (no generation)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import attrs
import pytest
import yaml
from runninghub_video.cli._commands import BUILT_IN, COMMANDS

from scripts.build_spec import MODEL_NAMES, SpecError, build
from scripts.import_page import main as import_main
from tests.support.api import request_schema_of
from tests.support.pages import build_with_page, cli_without_a_request, copy_inputs, page_variant

pytestmark = pytest.mark.integration  # a build per test (and the generator, for the CLI)

T2V = "/text-to-video:"
SIZE = "                size:\n"
T2V_PATH = "/openapi/v2/rhart-video-s-official/text-to-video"
PROMPT = "                prompt:\n                  type: string\n"
HOSTILE = r"^([A-Za-z0-9]+\s?)*$"


def built(tmp_path: Path, *edits: tuple[str, str]) -> str:
    """The merged spec of the repository's pages and the fixture page with edits."""
    copy_inputs(tmp_path)
    assert import_main([str(page_variant(tmp_path, *edits)), str(tmp_path / "upstream")]) == 0
    return build(tmp_path / "upstream", tmp_path / "overlay.yaml")


def refused(tmp_path: Path, *edits: tuple[str, str]) -> str:
    with pytest.raises(SpecError) as error:
        built(tmp_path, *edits)
    return str(error.value.code)


@pytest.mark.parametrize("command", sorted(BUILT_IN))
def test_a_page_named_like_a_built_in_command_is_refused(tmp_path: Path, command: str) -> None:
    message = refused(tmp_path, (T2V, f"/{command}:"))
    assert f"the page {command!r} would make the command {command!r}" in message, message
    assert "built-in command" in message


def test_the_built_in_commands_are_the_cli_commands_no_endpoint_makes() -> None:
    from runninghub_video._endpoints import infos

    assert set(COMMANDS) - {info.name for info in infos()} == BUILT_IN
    assert {"generate", "submit", "status", "tasks"} <= BUILT_IN


@pytest.mark.parametrize(
    ("field", "python"),
    [("additionalProperties", "additional_properties"), ("field_dict", "field_dict"),
     ("to_dict", "to_dict"), ("fromDict", "from_dict"), ("d", "d"), ("cls", "cls")],
)  # fmt: skip
def test_a_field_named_like_the_models_own_names_is_refused(
    tmp_path: Path, field: str, python: str
) -> None:
    message = refused(tmp_path, (SIZE, f"                {field}:\n"))
    page = "text-to-video.yaml: the page 'text-to-video'"
    assert f"{page} has fields the generated client cannot" in message, message
    assert f"the field {field!r} would be the generated model's attribute {python!r}" in message


def test_a_field_named_like_a_json_schema_keyword_is_refused(tmp_path: Path) -> None:
    """`$ref` as a property name stopped the build with a bare TypeError."""
    message = refused(tmp_path, (SIZE, "                $ref:\n"))
    assert "the field '$ref' is named like a JSON Schema keyword" in message, message


def test_two_fields_of_one_python_name_are_refused(tmp_path: Path) -> None:
    message = refused(tmp_path, ("                prompt:\n", "                image_url:\n"),
                      (SIZE, "                imageUrl:\n"))  # fmt: skip
    assert "the fields 'image_url' and 'imageUrl' both make 'image_url'" in message, message


def test_a_field_named_like_an_enum_check_is_refused(tmp_path: Path) -> None:
    field = "checkTextToVideoSize"  # check_text_to_video_size, the check of the size enum
    message = refused(tmp_path, ("                prompt:\n", f"                {field}:\n"))
    assert f"has a field {field!r} whose Python name is the check function" in message, message


def test_fields_named_like_other_keywords_build(tmp_path: Path) -> None:
    """Keywords the generator renames or keeps (type -> type_, properties, items) are fine."""
    text = built(tmp_path, ("                prompt:\n", "                type:\n"),
                 (SIZE, "                properties:\n"))  # fmt: skip
    spec = yaml.safe_load(text)
    assert {"type", "properties"} <= set(request_schema_of(spec, T2V_PATH)["properties"])


@pytest.mark.parametrize("value", ["720x1280\\n--rm", "720x1280\\t", "720x1280\\x1b[2J"])
def test_an_enum_value_with_a_control_character_is_refused(tmp_path: Path, value: str) -> None:
    """A newline in a choice made `--help` die with an AssertionError in argparse."""
    message = refused(tmp_path, ("- 720x1280\n", f'- "{value}"\n'))
    assert "upstream/text-to-video.yaml:" in message, message
    assert "holds a control character" in message


def test_model_names_cover_what_the_generated_models_use() -> None:
    """MODEL_NAMES holds every name a generated model has besides its fields, and every
    lower-case module name and local its to_dict/from_dict use (so a field of that name would
    shadow it); a generator upgrade that adds one fails here."""
    import runninghub_client.models as models

    used: set[str] = set()
    for info in pkgutil.iter_modules(models.__path__):
        module = importlib.import_module(f"{models.__name__}.{info.name}")
        for cls in vars(module).values():
            if not (inspect.isclass(cls) and attrs.has(cls) and cls.__module__ == module.__name__):
                continue
            fields = {field.name for field in attrs.fields(cls)}
            used |= {name for name in vars(cls) if not name.startswith("_")} - fields
            for method in ("to_dict", "from_dict"):
                code = getattr(cls, method).__code__
                globals_ = {n for n in code.co_names if n in vars(module) and n.islower()}
                used |= {n for n in globals_ if not n.startswith("check_")}
                used |= {n for n in code.co_varnames if n.islower() and "_type_" not in n}
                used -= fields | {"self", "data"} | {info.name}
    used = {name for name in used if not name.startswith(("_", "componentsschemas_"))}
    assert used <= MODEL_NAMES | {"additional_properties"}, used - MODEL_NAMES


# ---------------------------------------------------------------- item 11: bounded patterns


def test_a_pattern_re2_cannot_read_is_refused(tmp_path: Path) -> None:
    """The client and the sandbox match patterns with RE2 (linear time); a lookahead would go
    unchecked, so the build names it."""
    message = refused(tmp_path, (PROMPT, PROMPT + "                  pattern: '^(?!x).*$'\n"))
    assert "patterns RE2 cannot read" in message, message
    assert "'^(?!x).*$'" in message


@pytest.mark.timeout(120)
def test_the_cli_refuses_a_backtracking_prompt_at_once_before_any_request(tmp_path: Path) -> None:
    """The issue's case: with Python's re the pre-submit check ran for over 60 s."""
    page = page_variant(tmp_path, (PROMPT, PROMPT + f"                  pattern: '{HOSTILE}'\n"))
    out = build_with_page(tmp_path / "built", page)
    done = cli_without_a_request(
        out, tmp_path, "text-to-video", "--prompt", "a" * 30 + "!",
        "--size", "720x1280", "--duration", "4", "--no-wait",
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert f"expected text matching {HOSTILE!r} (the spec's pattern)" in done.stderr
