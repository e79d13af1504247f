"""G7 for a request body `$ref`'d to a component (Apifox's shared models): the page must build
exactly as its inline twin does, and the build's own checks (name clashes, references) must
see the body behind the `$ref`, naming the page, as they do for an inline body."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.build_spec import SpecError, build
from scripts.generate import OVERLAY, PAGES, GenerationError, build_all
from scripts.import_page import main as import_main
from tests.support.pages import PAGE, copy_inputs

pytestmark = pytest.mark.integration  # the generator

T2V_PATH = "/openapi/v2/rhart-video-s-official/text-to-video"
Edit = Callable[[dict[str, Any]], None]


def page_inputs(folder: Path, page_text: str, edit: Edit | None = None) -> Path:
    """A copy of openapi/ in folder with page_text (a vendor page) imported, its yaml then
    changed by edit; returns the copy's upstream folder."""
    copy_inputs(folder)
    source = folder / "page.md"
    source.write_text(page_text, encoding="utf-8")
    before = set((folder / "upstream").iterdir())
    assert import_main([str(source), str(folder / "upstream")]) == 0
    (imported,) = set((folder / "upstream").iterdir()) - before
    if edit is not None:
        doc = yaml.safe_load(imported.read_text(encoding="utf-8"))
        edit(doc)
        imported.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
    return folder / "upstream"


def as_component(name: str) -> Edit:
    """Move the page's inline request schema to components.schemas[name], `$ref`'d."""

    def edit(doc: dict[str, Any]) -> None:
        (item,) = doc["paths"].values()
        body = item["post"]["requestBody"]["content"]["application/json"]
        doc.setdefault("components", {}).setdefault("schemas", {})[name] = body["schema"]
        body["schema"] = {"$ref": f"#/components/schemas/{name}"}

    return edit


def generated(out: Path) -> dict[str, str]:
    client = out / "runninghub_client"
    return {
        str(path.relative_to(client)): path.read_text(encoding="utf-8")
        for path in sorted(client.rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def test_a_ref_body_page_generates_the_same_code_as_its_inline_twin(tmp_path: Path) -> None:
    # The shared overlay adds webhookUrl to `...schema.properties` of every page: a `$ref`
    # body has no `properties` there, so its model silently lost the field.
    text = PAGE.read_text(encoding="utf-8")
    outs = []
    for name, edit in (("inline", None), ("ref", as_component("文生视频请求"))):
        upstream = page_inputs(tmp_path / name, text, edit)
        (tmp_path / name / "built").mkdir()
        outs.append(generated(build_all(tmp_path / name / "built", upstream, upstream.parent
                                        / "overlay.yaml")))  # fmt: skip
    inline, ref = outs
    model = "models/text_to_video_request.py"
    assert "webhook_url" in inline[model]
    assert ref[model] == inline[model]
    assert ref["api/video/__init__.py"] == inline["api/video/__init__.py"]


def test_a_ref_body_page_whose_enum_class_is_a_shared_type_is_refused_naming_both(
    tmp_path: Path,
) -> None:
    # As tests/contract/test_page_names_and_limits.py's task-status case, with a `$ref` body:
    # check_name_clashes skipped the body, and the generator failed naming no page.
    text = PAGE.read_text(encoding="utf-8").replace("/text-to-video:", "/task:", 1)
    text = text.replace("                size:\n", "                status:\n", 1)
    upstream = page_inputs(tmp_path, text, as_component("请求参数"))
    with pytest.raises(SpecError) as refused:
        build(upstream, tmp_path / "overlay.yaml")
    message = str(refused.value.code)
    assert "task.yaml: the page 'task' makes the name 'TaskStatus'" in message, message


def test_a_request_body_ref_to_no_component_of_the_page_is_refused_naming_the_page(
    tmp_path: Path,
) -> None:
    # A dangling `$ref` passed the merge; openapi-python-client then dropped the endpoint with
    # "Could not find reference in parsed models or enums", naming no page.
    def dangling(doc: dict[str, Any]) -> None:
        (item,) = doc["paths"].values()
        body = item["post"]["requestBody"]["content"]["application/json"]
        body["schema"] = {"$ref": "#/components/schemas/NoSuchSchema"}

    upstream = page_inputs(tmp_path, PAGE.read_text(encoding="utf-8"), dangling)
    with pytest.raises(SpecError) as refused:
        build(upstream, tmp_path / "overlay.yaml")
    message = str(refused.value.code)
    assert "text-to-video.yaml" in message, message
    assert "NoSuchSchema" in message, message


def test_the_seed_page_with_a_ref_body_generates_the_committed_client(tmp_path: Path) -> None:
    # The shared overlay's webhookUrl action matched nothing and the build stopped. The page
    # overlay is tried as committed and retargeted to the component (either fix may need it).
    upstream = tmp_path / "upstream"
    shutil.copytree(PAGES, upstream)
    shutil.copy(OVERLAY, tmp_path / "overlay.yaml")
    shutil.copytree(OVERLAY.parent / "overlays", tmp_path / "overlays")
    page = upstream / "image-to-video-realistic.yaml"
    doc = yaml.safe_load(page.read_text(encoding="utf-8"))
    (path,) = doc["paths"]
    as_component("图生视频请求")(doc)
    page.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
    overlay = tmp_path / "overlays" / "image-to-video-realistic.yaml"
    inline = f"$.paths['{path}'].post.requestBody.content['application/json'].schema"
    committed_overlay = overlay.read_text(encoding="utf-8")
    assert inline in committed_overlay
    committed = generated(PAGES.parent.parent / "generated")
    failures: list[str] = []
    for target in (inline, "$.components.schemas.ImageToVideoRealisticRequest"):
        overlay.write_text(committed_overlay.replace(inline, target), encoding="utf-8")
        built = tmp_path / f"built-{len(failures)}"
        built.mkdir()
        try:
            out = build_all(built, upstream, tmp_path / "overlay.yaml")
        except GenerationError as error:
            failures.append(str(error))
            continue
        assert generated(out) == committed
        return
    pytest.fail("\n".join(failures))
