"""Many vendor pages: `make import-spec` adds one page, the generic rules normalize it, and the
merged spec and generated client gain a typed endpoint while the seed's stay as they were.

The second page is a test fixture in the vendor's Apifox format (pages/text-to-video.md, from
the parameters in runninghub-api.md), imported into a temporary copy of openapi/, never into
openapi/upstream/.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from scripts import deviations
from scripts.build_spec import SpecError, build
from scripts.generate import OVERLAY, PAGES, SPEC, build_all, regenerate
from scripts.import_page import main as import_main
from scripts.normalize import RULES
from tests.support.api import request_schema_of
from tests.support.constants import ROOT
from tests.support.pages import (
    PAGE,
    SEED_FILE,
    build_with_page,
    contract_limits,
    copy_inputs,
    page_variant,
)  # fmt: skip

pytestmark = pytest.mark.integration  # runs make, the generator, redocly (Node)

FIXTURE = PAGE
T2V_PATH = "/openapi/v2/rhart-video-s-official/text-to-video"
SEED_PATH = "/openapi/v2/rhart-video-s-official/image-to-video-realistic"


def block_of(page: Path) -> bytes:
    """The page's yaml block, cut independently of scripts/import_page.py."""
    text = page.read_text(encoding="utf-8")
    return text.split("```yaml\n", 1)[1].split("```", 1)[0].encode("utf-8")


def published_key() -> str:
    """The vendor's published example key, read from the seed's upstream file."""
    for line in (PAGES / SEED_FILE).read_text(encoding="utf-8").splitlines():
        if "example: Bearer " in line:
            return line.split("Bearer ", 1)[1].strip()
    raise AssertionError("the seed page no longer carries the published example key")


def fixture_key() -> str:
    """The example key the fixture page publishes (a made-up one: the vendor's own key is
    written only under openapi/upstream/)."""
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        if "example: Bearer " in line:
            return line.split("Bearer ", 1)[1].strip()
    raise AssertionError("the fixture page no longer carries an example key")


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file of folder (hidden ones too): its digest and modification time."""
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A copy of the repository's spec inputs: upstream/, overlay.yaml, overlays/."""
    return copy_inputs(tmp_path)


def make_import(page: Path, upstream: Path) -> subprocess.CompletedProcess[str]:
    """`make import-spec` itself, pointed at a copy's upstream folder (-o: never reinstall)."""
    argv = ["make", "-s", "-o", ".venv/.synced", "import-spec", f"PAGE={page}"]
    argv.append(f"UPSTREAM={upstream}")
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)


# ---------------------------------------------------------------- make import-spec


def test_import_adds_one_file_named_from_the_path_and_again_is_a_no_op(inputs: Path) -> None:
    upstream = inputs / "upstream"
    before = snapshot(upstream)
    run = make_import(FIXTURE, upstream)
    assert run.returncode == 0, run.stderr
    assert "Added" in run.stdout
    assert "text-to-video.yaml" in run.stdout
    after = snapshot(upstream)
    assert sorted(after) == sorted([*before, "text-to-video.yaml"])  # no temporary file left
    assert (upstream / "text-to-video.yaml").read_bytes() == block_of(FIXTURE)  # byte for byte
    assert {name: after[name] for name in before} == before  # the seed's file untouched
    again = make_import(FIXTURE, upstream)
    assert again.returncode == 0, again.stderr
    assert "nothing to do" in again.stdout
    assert snapshot(upstream) == after  # not even rewritten


def test_a_page_name_with_make_and_shell_characters_reaches_the_script_as_written(
    inputs: Path, tmp_path: Path
) -> None:
    """`$` is neither make's nor the shell's, a backtick or $( ) runs nothing, quotes and
    spaces stay in the name."""
    marker = f"page-name-ran-{os.getpid()}"  # what the name would create if it ran as shell
    name = f't$PATH $$x `touch {marker}` $(touch {marker}) it\'s "q".md'
    page = tmp_path / "pages" / name
    page.parent.mkdir()
    upstream = inputs / "upstream"
    missing = make_import(page, upstream)
    assert missing.returncode != 0
    assert f"make import-spec refused {page}" in missing.stdout + missing.stderr  # the script's
    shutil.copy(FIXTURE, page)
    run = make_import(page, upstream)
    assert run.returncode == 0, run.stderr
    assert (upstream / "text-to-video.yaml").read_bytes() == block_of(FIXTURE)
    assert not (ROOT / marker).exists()
    assert not any(path.name == marker for path in tmp_path.rglob("*"))


def test_an_updated_page_replaces_only_its_own_file(inputs: Path, tmp_path: Path) -> None:
    upstream = inputs / "upstream"
    assert import_main([str(FIXTURE), str(upstream)]) == 0
    before = snapshot(upstream)
    added = "                    - 1280x720\n                    - 1920x1080\n"
    page = page_variant(tmp_path, ("                    - 1280x720\n", added))
    assert import_main([str(page), str(upstream)]) == 0
    after = snapshot(upstream)
    assert (upstream / "text-to-video.yaml").read_bytes() == block_of(page)
    assert sorted(after) == sorted(before)
    assert after[SEED_FILE] == before[SEED_FILE]


def test_a_path_already_imported_under_another_name_is_refused(inputs: Path) -> None:
    upstream = inputs / "upstream"
    assert import_main([str(FIXTURE), str(upstream)]) == 0
    (upstream / "text-to-video.yaml").rename(upstream / "t2v.yaml")
    before = snapshot(upstream)
    run = make_import(FIXTURE, upstream)
    assert run.returncode != 0
    assert "already imported as t2v.yaml" in run.stderr
    assert "nothing written" in run.stderr
    assert snapshot(upstream) == before


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("```yaml\n", "```json\n", "no ```yaml blocks"),
        ("## OpenAPI Specification\n", "```yaml\nopenapi: 3.0.1\n```\n", "2 ```yaml blocks"),
        ("paths:\n", "paths:\n  /openapi/v2/other:\n    get: {}\n", "exactly one operation"),
        ("  /openapi/v2/rhart-video-s-official/text-to-video:\n", "  /openapi/v2/{id}:\n",
         "cannot name a page"),
        ("paths:\n", "paths: [\n", "not valid YAML"),
    ],
    ids=["no-yaml-block", "two-yaml-blocks", "two-operations", "unnameable-path", "bad-yaml"],
)  # fmt: skip
def test_a_page_that_cannot_be_imported_is_refused_and_nothing_is_written(
    inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, says: str
) -> None:
    upstream = inputs / "upstream"
    before = snapshot(upstream)
    assert import_main([str(page_variant(tmp_path, (old, new))), str(upstream)]) == 1
    assert says in capsys.readouterr().err
    assert snapshot(upstream) == before


def test_a_page_that_is_not_utf8_is_refused(inputs: Path, tmp_path: Path) -> None:
    upstream = inputs / "upstream"
    before = snapshot(upstream)
    page = tmp_path / "latin1.md"
    page.write_bytes(FIXTURE.read_bytes().replace("文生视频".encode(), b"\xe9t\xe9"))
    assert import_main([str(page), str(upstream)]) == 1
    assert snapshot(upstream) == before


def test_a_second_page_ending_like_the_seed_takes_the_segment_before_it(
    inputs: Path, tmp_path: Path
) -> None:
    upstream = inputs / "upstream"
    before = snapshot(upstream)
    page = page_variant(tmp_path, (T2V_PATH, "/openapi/v2/rhart-video-s/image-to-video-realistic"))
    assert import_main([str(page), str(upstream)]) == 0
    after = snapshot(upstream)
    assert sorted(after) == sorted([*before, "rhart-video-s-image-to-video-realistic.yaml"])
    assert after[SEED_FILE] == before[SEED_FILE]


# ---------------------------------------------------------------- one merged spec, one client


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The fixture page imported into a copy of the inputs, then the spec and client built."""
    out = build_with_page(tmp_path_factory.mktemp("pages"), FIXTURE)
    return (out / "runninghub.yaml").read_text(encoding="utf-8"), out / "runninghub_client"


def generated_texts(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*.py"))
        if "__pycache__" not in p.parts
    }


def test_the_published_key_reaches_neither_the_spec_nor_the_code(merged: tuple[str, Path]) -> None:
    text, generated = merged
    for key in (published_key(), fixture_key()):  # the seed's key and the fixture page's
        assert key not in text
        assert not [name for name, code in generated_texts(generated).items() if key in code]


def test_the_new_page_is_an_ascii_typed_operation(merged: tuple[str, Path]) -> None:
    spec: dict[str, Any] = yaml.safe_load(merged[0])
    operation = spec["paths"][T2V_PATH]["post"]
    assert operation["operationId"] == "textToVideo"
    assert operation["tags"] == ["video"]
    assert "parameters" not in operation
    assert "security" not in operation
    assert spec["security"] == [{"bearerAuth": []}]
    assert operation["summary"] == "全能视频S-官方-文生视频"  # the vendor's title stays
    body = operation["requestBody"]
    assert body["required"] is True
    schema = request_schema_of(spec, T2V_PATH)
    assert schema["title"] == "TextToVideoRequest"
    size = schema["properties"]["size"]
    assert (size["title"], size["description"], size["enum"]) == (
        "Size", "尺寸", ["720x1280", "1280x720"],
    )  # fmt: skip
    assert schema["properties"]["duration"]["enum"] == ["4", "8", "12"]
    answer = operation["responses"]["200"]
    assert answer["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TaskResult"
    }
    assert answer["links"]["QueryTask"]["operationId"] == "queryTask"
    assert {"401", "422", "429", "500"} <= set(operation["responses"])


def test_the_generated_client_gains_typed_names_without_stutter(merged: tuple[str, Path]) -> None:
    code = generated_texts(merged[1])
    request = code["models/text_to_video_request.py"]
    assert "class TextToVideoRequest:" in request
    assert "size: TextToVideoSize" in request
    assert "duration: TextToVideoDuration" in request
    size, duration = code["models/text_to_video_size.py"], code["models/text_to_video_duration.py"]
    assert 'TextToVideoSize = Literal["1280x720", "720x1280"]' in size
    assert 'TextToVideoDuration = Literal["12", "4", "8"]' in duration
    assert "def sync(" in code["api/video/text_to_video.py"]
    assert "body: TextToVideoRequest" in code["api/video/text_to_video.py"]
    assert not [name for name in code if "text_to_video_text_to_video" in name]
    assert not [name for name in code if "request_size" in name or "request_duration" in name]


@pytest.fixture(scope="module")
def seed_alone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The client generated from the seed's inputs alone (the repository before any page)."""
    inputs = copy_inputs(tmp_path_factory.mktemp("seed-alone"))
    out = inputs / "out"
    regenerate(out / "runninghub.yaml", out / "runninghub_client", upstream=inputs / "upstream",
               overlay=inputs / "overlay.yaml")  # fmt: skip
    return out / "runninghub_client"


def test_the_seed_client_is_unchanged_by_a_second_page(
    merged: tuple[str, Path], seed_alone: Path
) -> None:
    """Every file generated for the seed alone is the same byte for byte; the two lists (the
    models and the task endpoints) only gain."""
    fresh, committed = generated_texts(merged[1]), generated_texts(seed_alone)
    changed = [name for name in committed if fresh.get(name) != committed[name]]
    assert changed == ["api/video/__init__.py", "models/__init__.py"]
    for name in changed:
        assert set(committed[name].splitlines()) < set(fresh[name].splitlines())


def test_the_shared_task_result_appears_once(merged: tuple[str, Path]) -> None:
    text, generated = merged
    spec: dict[str, Any] = yaml.safe_load(text)
    schemas = spec["components"]["schemas"]
    tasks = [n for n, s in schemas.items() if {"taskId", "status"} <= set(s.get("properties", {}))]
    assert tasks == ["TaskResult"]
    for path in (SEED_PATH, T2V_PATH):
        answer = spec["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]
        assert answer["schema"] == {"$ref": "#/components/schemas/TaskResult"}
    code = generated_texts(generated)
    assert [name for name, body in code.items() if "class TaskResult:" in body] == [
        "models/task_result.py"
    ]
    assert "from ...models.task_result import TaskResult" in code["api/video/text_to_video.py"]


def test_the_merged_spec_is_valid_openapi(merged: tuple[str, Path], tmp_path: Path) -> None:
    """openapi-spec-validator, and redocly recommended-strict as `make lint` runs it."""
    validate(yaml.safe_load(merged[0]))
    spec = tmp_path / "runninghub.yaml"
    spec.write_text(merged[0], encoding="utf-8")
    redocly = [str(ROOT / "node_modules" / ".bin" / "redocly"), "lint", "--config",
               "openapi/redocly.yaml", "--format", "stylish", str(spec)]  # fmt: skip
    env = {**os.environ, "REDOCLY_TELEMETRY": "off", "NO_UPDATE_NOTIFIER": "1"}
    run = subprocess.run(redocly, cwd=ROOT, capture_output=True, text=True, check=False, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert " error " not in run.stdout, run.stdout
    assert merged[0].startswith(
        "# GENERATED by `make spec` from openapi/upstream/image-to-video-realistic.yaml\n"
        "# and openapi/upstream/text-to-video.yaml\n"
    )


# ---------------------------------------------------------------- what the build refuses


def two_pages(inputs: Path, old: str = "", new: str = "") -> Path:
    """inputs/upstream with the fixture page imported, edited (old -> new) in place."""
    upstream = inputs / "upstream"
    assert import_main([str(FIXTURE), str(upstream)]) == 0
    page = upstream / "text-to-video.yaml"
    text = page.read_text(encoding="utf-8")
    assert old in text
    page.write_text(text.replace(old, new, 1), encoding="utf-8")
    return upstream


def test_a_task_field_the_shared_task_result_lacks_stops_the_build(inputs: Path) -> None:
    progress = "        progress:\n          type: integer\n        clientId:\n"
    upstream = two_pages(inputs, "        clientId:\n", progress)
    with pytest.raises(SpecError, match=r"text-to-video\.yaml: its task schema .* has progress"):
        build(upstream, inputs / "overlay.yaml")


def test_a_bearer_token_left_in_a_page_stops_the_build(inputs: Path) -> None:
    key = published_key()
    upstream = two_pages(inputs, "            examples: {}\n",
                         f"            examples:\n              A:\n                value:\n"
                         f"                  note: Bearer {key}\n")  # fmt: skip
    with pytest.raises(SpecError, match=r"bearer token is written at .*examples\.A\.value\.note"):
        build(upstream, inputs / "overlay.yaml")


OTHER_KEY = "f00dfeed0123456789abcdef42c0ffee"  # a key no Authorization parameter of a page gives
PROMPT_TITLE = "                  title: 提示词\n"


def with_prompt_description(inputs: Path, text: str) -> Path:
    """inputs/upstream with the fixture page imported, its prompt described by text."""
    quoted = "'" + text.replace("'", "''") + "'"
    described = f"{PROMPT_TITLE}                  description: {quoted}\n"
    return two_pages(inputs, PROMPT_TITLE, described)


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        (f"authorization: bearer {OTHER_KEY}", "bearer token"),
        (f"BEARER {OTHER_KEY}", "bearer token"),
        (f"Bearer%20{OTHER_KEY}", "bearer token"),
        (f'-H "Authorization:Bearer:{OTHER_KEY}"', "bearer token"),
        (f"Bearer \u200b{OTHER_KEY}", "bearer token"),
        (f"Bearer\u200b{OTHER_KEY}", "bearer token"),
        (f"Bearer\u3000{OTHER_KEY}", "bearer token"),
        (f"Bearer\t{OTHER_KEY}", "bearer token"),
        (f"curl '...?apiKey={OTHER_KEY}'", "credential"),
        (f"api_key={OTHER_KEY}", "credential"),
        (f"pass token={OTHER_KEY}", "credential"),
        (f'{{"apiKey": "{OTHER_KEY}"}}', "credential"),
        (f"Authorization: Token {OTHER_KEY}", "credential"),
        (f"key {fixture_key()}", "published key"),
        (f"key {fixture_key().upper()}", "published key"),
    ],
)
def test_a_credential_in_any_spelling_stops_the_build(
    inputs: Path, text: str, refusal: str
) -> None:
    upstream = with_prompt_description(inputs, text)
    where = r"text-to-video\.yaml: .*" + refusal + r".* is written at .*prompt\.description"
    with pytest.raises(SpecError, match=where):
        build(upstream, inputs / "overlay.yaml")


def test_the_authorization_example_of_the_page_itself_is_refused_elsewhere(inputs: Path) -> None:
    """Whatever key the page's own Authorization parameter publishes, not one known here."""
    upstream = with_prompt_description(inputs, "see ABCDEF0123456789ABCDEF")
    page = upstream / "text-to-video.yaml"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace(fixture_key(), "abcdef0123456789abcdef"), encoding="utf-8")
    with pytest.raises(SpecError, match=r"published key\) is written at .*prompt\.description"):
        build(upstream, inputs / "overlay.yaml")


@pytest.mark.parametrize(
    "text",
    [
        "Send your API key as Authorization: Bearer <your key>",
        "Token counts are billed per second of video",
        "The access token comes from the console",
    ],
)
def test_prose_about_credentials_is_no_credential(inputs: Path, text: str) -> None:
    spec = build(with_prompt_description(inputs, text), inputs / "overlay.yaml")
    assert text in str(yaml.safe_load(spec))


def test_two_files_with_one_path_stop_the_build(inputs: Path) -> None:
    upstream = two_pages(inputs)
    copy = upstream / "rhart-video-s-official-text-to-video.yaml"
    shutil.copy(upstream / "text-to-video.yaml", copy)
    with pytest.raises(SpecError, match="already the path of another page"):
        build(upstream, inputs / "overlay.yaml")


def test_a_page_overlay_applies_to_its_page_and_an_orphan_one_stops_the_build(
    inputs: Path,
) -> None:
    upstream = two_pages(inputs)
    overlay = inputs / "overlays" / "text-to-video.yaml"
    overlay.write_text(
        "overlay: 1.0.0\ninfo: {title: t, version: 1.0.0}\nactions:\n"
        f"  - target: $.paths['{T2V_PATH}'].post.requestBody.content['application/json']"
        ".schema.properties.size\n    description: test\n"
        "    update: {description: 尺寸. Width x height in pixels.}\n",
        encoding="utf-8",
    )
    spec = yaml.safe_load(build(upstream, inputs / "overlay.yaml"))
    schema = request_schema_of(spec, T2V_PATH)
    assert schema["properties"]["size"]["description"] == "尺寸. Width x height in pixels."
    (upstream / "text-to-video.yaml").unlink()
    with pytest.raises(SpecError, match=r"overlays of no page .*: text-to-video"):
        build(upstream, inputs / "overlay.yaml")


def test_the_committed_spec_is_the_committed_pages_built(inputs: Path) -> None:
    """The merged spec is what the committed pages build (no textual change), and its seed
    operation is the seed page's built alone (another page imported changes nothing there)."""
    committed = SPEC.read_text(encoding="utf-8")
    assert build(PAGES, OVERLAY) == committed
    alone = yaml.safe_load(build(inputs / "upstream", inputs / "overlay.yaml"))
    assert alone["paths"][SEED_PATH] == yaml.safe_load(committed)["paths"][SEED_PATH]


def test_the_deviation_tables_cover_every_rule_and_every_overlay_action() -> None:
    table = deviations.table()
    actions = len(yaml.safe_load(OVERLAY.read_text(encoding="utf-8"))["actions"])
    pages = sorted((OVERLAY.parent / "overlays").glob("*.yaml"))
    page_actions = sum(len(yaml.safe_load(p.read_text(encoding="utf-8"))["actions"]) for p in pages)
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == len(RULES) + actions + page_actions + 2 + len(pages)  # + heading rows
    assert all(f"| G{n} |" in table for n in range(1, len(RULES) + 1))


def test_a_request_body_given_as_a_chinese_named_component_gets_the_page_s_names(
    inputs: Path, tmp_path: Path
) -> None:
    # Apifox exports a shared request model as a component named in Chinese, `$ref`'d with
    # percent-encoding: it is renamed <Page>Request, so the classes are the inline page's.
    upstream = two_pages(inputs)
    page = upstream / "text-to-video.yaml"
    doc = yaml.safe_load(page.read_text(encoding="utf-8"))
    body = doc["paths"][T2V_PATH]["post"]["requestBody"]["content"]["application/json"]
    doc["components"]["schemas"]["文生视频请求"] = body["schema"]
    encoded = "%E6%96%87%E7%94%9F%E8%A7%86%E9%A2%91%E8%AF%B7%E6%B1%82"  # 文生视频请求
    body["schema"] = {"$ref": f"#/components/schemas/{encoded}"}
    page.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (tmp_path / "built").mkdir()
    out = build_all(tmp_path / "built", upstream, inputs / "overlay.yaml")
    spec = yaml.safe_load((out / "runninghub.yaml").read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    assert "文生视频请求" not in schemas
    assert not [name for name in schemas if not name.isascii()]
    operation = spec["paths"][T2V_PATH]["post"]
    assert operation["requestBody"]["required"] is True
    body = request_schema_of(spec, T2V_PATH)
    assert body["title"] == "TextToVideoRequest"  # inlined, as its inline twin
    assert "webhookUrl" in body["properties"]  # the shared overlay's action found it
    assert schemas["TextToVideoRequest"] is body  # made a component by the price-preview rule
    code = generated_texts(out / "runninghub_client")
    assert "class TextToVideoRequest:" in code["models/text_to_video_request.py"]
    assert "size: TextToVideoSize" in code["models/text_to_video_request.py"]
    assert (
        'TextToVideoSize = Literal["1280x720", "720x1280"]' in code["models/text_to_video_size.py"]
    )
    assert "body: TextToVideoRequest" in code["api/video/text_to_video.py"]
    limits = contract_limits(out / "runninghub_client")
    assert limits[T2V_PATH]["prompt"] == {"minLength": 1}  # prompt-min-length
