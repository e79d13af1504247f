"""Merge the vendor's pages into one spec: openapi/upstream/*.yaml -> openapi/runninghub.yaml.

Each page is normalized by the generic rules of scripts/normalize.py (ASCII names from its
path, the shared TaskResult, no published key), the pages are merged, then the overlays are
applied with oas-patch (a maintained Overlay 1.0 implementation): openapi/overlay.yaml (facts
shared by every page, wildcard targets) and openapi/overlays/<page>.yaml (facts of one page).
This script adds what oas-patch lacks:
- YAML read with 1.2 semantics (ruamel.yaml), as the generator and Prism read it: PyYAML's 1.1
  would turn an unquoted `1:1` into the integer 61 (a sexagesimal number);
- a check that every enum value has its schema's type, failing with the value and its line;
- a check that every action's target matches something (an action that matches nothing is
  silently skipped by the library, which would hide a renamed upstream path);
- checks that two pages do not share a path or a name, that each page's task schema fits the
  shared TaskResult, that every name the generator turns into code is ASCII, that no page
  makes a built-in command or a field the generated model cannot carry, that no enum value
  holds a control character, and that RE2 reads every `pattern`;
- output that PyYAML (schemathesis, YAML 1.1) and ruamel.yaml (1.2) read identically, checked
  after writing the text, and UTF-8 so the vendor's Chinese text stays readable;
- an atomic write: the output file is replaced only once the merged spec is complete.

    python scripts/build_spec.py UPSTREAM OVERLAY OUTPUT   # UPSTREAM: a folder of pages, or one
"""

from __future__ import annotations

import os
import sys
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml
from jsonpath_ng.ext import parse
from oas_patch.overlay import apply_overlay
from oas_patch.validator import validate as validate_overlay
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a file: the repo root

from scripts.normalize import (
    TASK_SCHEMA,
    Page,
    PageError,
    name_candidates,
    normalize,
    page_names,
    the_operation,
)

HEADER_END = "# and openapi/overlay.yaml. Do not edit: change the overlay and run `make spec`.\n"

#: The Python types a JSON Schema `type` allows (bool is not an integer or a number here).
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


class SpecError(SystemExit):
    """A spec that the tools would read differently, or an overlay that does not apply."""


def _refuse_anchors(text: str, where: Path) -> None:
    """Raise SpecError at the first anchor or alias: the vendor's pages use none, and aliases
    nested in aliases (a "billion laughs") would expand to gigabytes in the merge."""
    for event in YAML(typ="rt", pure=True).parse(text):
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            line = event.start_mark.line + 1
            raise SpecError(
                f"{where}:{line}: YAML anchors and aliases (&{event.anchor}, *{event.anchor}) "
                "are not accepted in a spec page; write the value out"
            )


def parse_yaml12(text: str, where: Path) -> Any:
    """Read YAML 1.2 text (round-trip mode, so nodes remember their lines); invalid YAML,
    anchors and aliases are a SpecError naming `where` and the line."""
    try:
        _refuse_anchors(text, where)
        return YAML(typ="rt", pure=True).load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        what = " ".join(part for part in (error.context, error.problem) if part)
        raise SpecError(f"{where}{line}: not valid YAML: {what}") from None
    except YAMLError as error:
        raise SpecError(f"{where}: not valid YAML: {error}") from None


def load_yaml12(path: Path) -> Any:
    """parse_yaml12 of a UTF-8 file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SpecError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    return parse_yaml12(text, path)


def plain(node: Any) -> Any:
    """ruamel's commented containers as plain dicts and lists (what oas-patch expects)."""
    if isinstance(node, dict):
        return {str(key): plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain(value) for value in node]
    for scalar in (bool, int, float, str):  # ruamel's scalar subclasses (bool before int)
        if isinstance(node, scalar):
            return scalar(node)
    return node


def _type_ok(value: object, schema_type: str) -> bool:
    if value is None:
        return True  # `nullable: true` enums may list null; the validator checks that.
    if isinstance(value, bool) and schema_type in ("integer", "number"):
        return False
    return isinstance(value, _TYPES.get(schema_type, (object,)))


def _enum_problems(node: Any, where: str) -> Iterator[str]:
    """Every enum value whose type differs from its schema's type, with its line."""
    if isinstance(node, CommentedMap):
        enum, schema_type = node.get("enum"), node.get("type")
        if isinstance(enum, CommentedSeq):
            for index, value in enumerate(enum):
                line = enum.lc.item(index)[0] + 1
                if isinstance(schema_type, str) and not _type_ok(value, schema_type):
                    yield (
                        f"{where}:{line}: enum value {value!r} is read as {type(value).__name__}, "
                        f"but its schema's type is {schema_type}; quote it in the YAML ('{value}')"
                    )
                elif isinstance(value, str) and _controls(value):
                    yield (
                        f"{where}:{line}: enum value {value!r} holds a control character "
                        f"({_controls(value)}): it would be a CLI choice and a Literal; "
                        "remove it with an overlay action in openapi/overlays/"
                    )
        for value in node.values():
            yield from _enum_problems(value, where)
    elif isinstance(node, CommentedSeq):
        for value in node:
            yield from _enum_problems(value, where)


def _controls(text: str) -> str:
    """The control and line-separator characters in text, as escapes ("" if none)."""
    found = [char for char in text if unicodedata.category(char) in ("Cc", "Zl", "Zp")]
    return ", ".join(ascii(char)[1:-1] for char in dict.fromkeys(found))


def check_enums(document: Any, where: str) -> None:
    """Raise SpecError naming each enum value whose type is not its schema's type."""
    problems = list(_enum_problems(document, where))
    if problems:
        raise SpecError("\n".join(problems))


def _first_difference(a: Any, b: Any, path: str = "$") -> str | None:
    """Where two loaded documents differ (values and their types), or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)!r} vs {list(b)!r}"
        for key in a:
            found = _first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} vs {len(b)} items"
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _first_difference(x, y, f"{path}[{index}]")
            if found:
                return found
        return None
    if type(a) is not type(b) or a != b:
        return f"{path}: {a!r} ({type(a).__name__}) vs {b!r} ({type(b).__name__})"
    return None


def check_read_alike(text: str) -> None:
    """Raise SpecError unless YAML 1.1 (PyYAML) and 1.2 (ruamel) readers see the same document."""
    as_11 = yaml.safe_load(text)
    as_12 = plain(YAML(typ="safe", pure=True).load(text))
    where = _first_difference(as_11, as_12)
    if where:
        raise SpecError(f"the merged spec reads differently in YAML 1.1 and 1.2 at {where}")


def page_files(upstream: Path | Sequence[Path]) -> list[Path]:
    """The pages to merge: every *.yaml of a folder (by name), one file, or the files given."""
    if isinstance(upstream, Path):
        return sorted(upstream.glob("*.yaml")) if upstream.is_dir() else [upstream]
    return list(upstream)


def _unshared(node: Any) -> Any:
    """node with fresh containers: oas-patch puts one update object at every match of a
    wildcard target, which the YAML writer would turn into anchors and aliases."""
    if isinstance(node, dict):
        return {key: _unshared(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_unshared(value) for value in node]
    return node


def apply_overlay_file(spec: dict[str, Any], overlay_path: Path) -> dict[str, Any]:
    """Apply one Overlay 1.0 file's actions in order; SpecError for an invalid overlay or an
    action that matches nothing."""
    overlay_doc = load_yaml12(overlay_path)
    check_enums(overlay_doc, str(overlay_path))
    overlay = plain(overlay_doc)
    verdict = validate_overlay(overlay, "sh")
    if verdict != "Validation successful":
        raise SpecError(f"{overlay_path} is not a valid Overlay 1.0 document:\n{verdict}")
    for number, action in enumerate(overlay["actions"], start=1):
        # Checked one action at a time, on the document as the earlier actions left it.
        if not parse(action["target"]).find(spec):
            raise SpecError(
                f"{overlay_path.name}: overlay action {number} matches nothing: {action['target']}"
            )
        apply_overlay(spec, {"actions": [action]})
        spec = _unshared(spec)
    return spec


def _load_pages(files: Sequence[Path]) -> list[Page]:
    """Every page read and normalized, each named by page_names (from all the pages' paths,
    so that no name depends on the order of the files)."""
    docs: list[dict[str, Any]] = []
    paths: list[str] = []
    for file in files:
        source = load_yaml12(file)
        check_enums(source, str(file))
        docs.append(plain(source))
        try:
            path = the_operation(docs[-1])[0]
            name_candidates(path)  # a PageError here names the file
        except PageError as error:
            raise SpecError(f"{file}: {error}") from None
        if path in paths:
            other = files[paths.index(path)]
            raise SpecError(f"{file}: {path} is already the path of another page ({other})")
        paths.append(path)
    names = page_names(paths)
    pages = []
    for file, doc, name in zip(files, docs, names, strict=True):
        check_field_names(doc, file, name)
        try:
            pages.append(normalize(doc, file, name))
        except PageError as error:
            raise SpecError(f"{file}: {error}") from None
    return pages


#: Python names a generated model already has or uses inside to_dict/from_dict (the
#: generator's model template, openapi/templates): a field of such a name vanishes (a property
#: `additionalProperties`) or breaks the model (`to_dict`, `field_dict`, `d`, `cls`). The
#: enum checks (check_<enum class>) are refused in check_name_clashes, which knows the classes.
#: tests/contract/test_page_checks.py checks the list against the generated seed model.
MODEL_NAMES = frozenset({"additional_properties", "additional_keys", "to_dict", "from_dict",
                         "to_multipart", "field_dict", "d", "src_dict", "cls", "cast"})  # fmt: skip


def _sub_schemas(schema: dict[str, Any], where: str) -> Iterator[tuple[Any, str]]:
    for key in ("items", "additionalProperties", "not"):
        yield schema.get(key), f"{where}.{key}"
    for key in ("allOf", "anyOf", "oneOf"):
        for index, each in enumerate(schema.get(key) or ()):
            yield each, f"{where}.{key}[{index}]"


def _field_problems(schema: Any, where: str) -> Iterator[str]:
    """Each property of schema (and of the schemas inside it) whose name the generated model
    cannot carry: a JSON Schema keyword ($ref...), a control character, a name of the model's
    own (MODEL_NAMES), or the Python name of another property."""
    from openapi_python_client.strings import PythonIdentifier

    if not isinstance(schema, dict):
        return
    properties = schema.get("properties")
    taken: dict[str, str] = {}
    for name, value in (properties if isinstance(properties, dict) else {}).items():
        name = str(name)
        python = PythonIdentifier(name, prefix="field_")
        if name.startswith("$"):
            yield f"{where}: the field {name!r} is named like a JSON Schema keyword"
        elif _controls(name):
            yield f"{where}: the field {name!r} holds a control character ({_controls(name)})"
        elif python in MODEL_NAMES:
            yield (
                f"{where}: the field {name!r} would be the generated model's attribute "
                f"{python!r}, a name the model uses already ({', '.join(sorted(MODEL_NAMES))})"
            )
        elif python in taken:
            yield f"{where}: the fields {taken[python]!r} and {name!r} both make {python!r}"
        taken.setdefault(python, name)
        yield from _field_problems(value, f"{where}.properties.{name}")
    for sub, sub_where in _sub_schemas(schema, where):
        yield from _field_problems(sub, sub_where)


def check_field_names(doc: dict[str, Any], file: Path, name: str) -> None:
    """Raise SpecError naming the page and every field whose name would vanish from, or
    break, the generated model: in its request and answer bodies and its components."""
    roots: list[tuple[Any, str]] = [
        (schema, f"$.components.schemas.{key}")
        for key, schema in ((doc.get("components") or {}).get("schemas") or {}).items()
    ]
    for path, item in (doc.get("paths") or {}).items():
        for method, operation in item.items() if isinstance(item, dict) else ():
            if not isinstance(operation, dict):
                continue
            bodies = [("requestBody", operation.get("requestBody"))] + [
                (f"responses.{code}", answer)
                for code, answer in (operation.get("responses") or {}).items()
            ]
            for what, body in bodies:
                content = body.get("content") if isinstance(body, dict) else None
                for media, entry in (content or {}).items():
                    if isinstance(entry, dict):
                        where = f"$.paths.{path}.{method}.{what}.content.{media}.schema"
                        roots.append((entry.get("schema"), where))
    problems = [problem for schema, where in roots for problem in _field_problems(schema, where)]
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems)
        raise SpecError(
            f"{file}: the page {name!r} has fields the generated client cannot carry under "
            f"their names (the generator would drop them or make a broken model):\n{listed}"
        )


def check_command_names(pages: Sequence[Page]) -> None:
    """Raise SpecError when a page's name is a built-in command of the CLI: its command
    would replace that one (generate, submit) or never be reached (status, tasks)."""
    from runninghub_video.cli._builtin import BUILT_IN

    for page in pages:
        if page.name in BUILT_IN:
            raise SpecError(
                f"{page.file}: the page {page.name!r} would make the command {page.name!r}, "
                f"which is a built-in command ({', '.join(sorted(BUILT_IN))}); the page name is "
                "its path's last segment: a page at this path cannot be added as it is"
            )


def merge(pages: Sequence[Page]) -> dict[str, Any]:
    """One document: the first page, plus every other page's paths and components (a path
    twice, or a component of one name defined differently, is a SpecError). info, servers and
    security come from the first page; openapi/overlay.yaml sets them."""
    first = pages[0]
    spec = first.doc
    names: dict[str, Path] = {first.name: first.file}
    for page in pages[1:]:
        if page.name in names:
            raise SpecError(f"{page.file} and {names[page.name]} both make the page {page.name!r}")
        names[page.name] = page.file
        if page.doc.get("openapi") != spec.get("openapi"):
            raise SpecError(f"{page.file}: openapi {page.doc.get('openapi')!r}, not "
                            f"{spec.get('openapi')!r} as {first.file.name}")  # fmt: skip
        for path, item in page.doc["paths"].items():
            if path in spec["paths"]:
                raise SpecError(f"{page.file}: {path} is already the path of another page")
            spec["paths"][path] = item
        for section, entries in (page.doc.get("components") or {}).items():
            merged = spec.setdefault("components", {}).setdefault(section, {})
            for key, value in (entries or {}).items():
                if key in merged and merged[key] != value:
                    raise SpecError(f"{page.file}: components.{section}.{key} differs from "
                                    f"the one of another page")  # fmt: skip
                merged.setdefault(key, value)
    return spec


def check_task_schemas(spec: dict[str, Any], pages: Sequence[Page]) -> None:
    """Raise SpecError if a page's task schema has a field or status the shared one lacks."""
    schemas = spec.get("components", {}).get("schemas", {})
    shared = schemas.get(TASK_SCHEMA, {})
    fields = set(shared.get("properties", {}))
    status = shared.get("properties", {}).get("status", {})
    if "$ref" in status:
        status = schemas.get(status["$ref"].rsplit("/", 1)[-1], {})
    statuses = set(status.get("enum", []))
    for page in pages:
        for name, schema in page.task_schemas.items():
            extra = sorted(set(schema.get("properties", {})) - fields)
            values = schema.get("properties", {}).get("status", {}).get("enum", [])
            extra += [f"status {value}" for value in values if value not in statuses]
            if extra:
                raise SpecError(
                    f"{page.file}: its task schema {name!r} has {', '.join(extra)}, which "
                    f"{TASK_SCHEMA} lacks: add them to {TASK_SCHEMA} in openapi/overlay.yaml"
                )


def _page_class_names(operation: dict[str, Any]) -> dict[tuple[str, str], str]:
    """The code names a page's operation makes, ("operation" or "class", name), each with
    what it is: its function (the operationId), its request model (the title) and its enums'
    classes (<Operation><Field>, scripts/generate.py: generator_config; and the generator's
    own <Model><Field>)."""
    from openapi_python_client.strings import pascal_case

    made: dict[tuple[str, str], str] = {}
    operation_id = operation.get("operationId")
    if isinstance(operation_id, str):
        made["operation", pascal_case(operation_id)] = f"its operationId {operation_id}"
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = body.get("schema") if isinstance(body, dict) else None
    if not isinstance(schema, dict) or "$ref" in schema or "title" not in schema:
        return made
    title = str(schema["title"])
    made["class", pascal_case(title)] = "its request model"
    for name, prop in (schema.get("properties") or {}).items():
        if isinstance(prop, dict) and "enum" in prop:
            field = pascal_case(str(prop.get("title") or name))
            for made_name in (f"{pascal_case(operation_id or '')}{field}", f"{title}{field}"):
                made.setdefault(("class", made_name), f"the enum class of its field {name}")
    return made


def _check_enum_checks(
    page: Page, operation: dict[str, Any], made: dict[tuple[str, str], str]
) -> None:
    """Raise SpecError when a request field's Python name is the check function of one of the
    page's enum classes (check_<class>, beside the model): from_dict would call the field."""
    from openapi_python_client.strings import PythonIdentifier, snake_case

    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = body.get("schema") if isinstance(body, dict) else None
    checks = {f"check_{snake_case(name)}" for kind, name in made if kind == "class"}
    for name in (schema.get("properties") or {}) if isinstance(schema, dict) else ():
        if PythonIdentifier(str(name), prefix="field_") in checks:
            raise SpecError(
                f"{page.file}: the page {page.name!r} has a field {name!r} whose Python name is "
                "the check function of one of its enum classes: the generated model cannot "
                "carry it under this name"
            )


def check_name_clashes(spec: dict[str, Any], pages: Sequence[Page]) -> None:
    """Raise SpecError, naming the page and the name, when a page's operation, request model
    or enum class would take a name the shared schemas (TaskResult, TaskStatus,
    QueryTaskRequest...), another operation or another page already have: the generator
    would stop with a message naming no page, or merge the two."""
    from openapi_python_client.strings import pascal_case

    owners: dict[tuple[str, str], str] = {}
    for key, schema in (spec.get("components", {}).get("schemas") or {}).items():
        owners["class", pascal_case(key)] = f"the shared schema {key}"
        if isinstance(schema, dict) and isinstance(schema.get("title"), str):
            owners.setdefault(("class", pascal_case(schema["title"])), f"the shared schema {key}")
    page_paths = {page.path for page in pages}
    for path, item in spec.get("paths", {}).items():
        for operation in item.values() if path not in page_paths else ():
            if isinstance(operation, dict) and isinstance(operation.get("operationId"), str):
                owners["operation", pascal_case(operation["operationId"])] = (
                    f"the operation {operation['operationId']} ({path})"
                )
    for page in pages:
        operation = spec["paths"][page.path][page.method]
        made = _page_class_names(operation)
        _check_enum_checks(page, operation, made)
        for key, what in made.items():
            if key in owners:
                raise SpecError(
                    f"{page.file}: the page {page.name!r} makes the name {key[1]!r} ({what}), "
                    f"which is already {owners[key]}: give the page another operationId and "
                    f"request title in openapi/overlays/{page.name}.yaml"
                )
        owners.update({key: f"a name of the page {page.name!r}" for key in made})


def _objects(
    node: Any, where: str = "$", *, extensions: bool = True
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object of the spec with its JSON path, examples left out (and `x-` extensions,
    unless `extensions`): what the name and pattern checks read."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            if key in ("example", "examples") or (not extensions and str(key).startswith("x-")):
                continue
            yield from _objects(value, f"{where}.{key}", extensions=extensions)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _objects(value, f"{where}[{index}]", extensions=extensions)


def check_ascii_names(spec: dict[str, Any]) -> None:
    """Raise SpecError naming each operationId, tag, component name or schema title that is
    not ASCII: the generator makes code names of them."""
    found: list[str] = []
    for section, entries in (spec.get("components") or {}).items():
        found += [f"components.{section}.{key}" for key in entries or {} if not key.isascii()]

    for where, node in _objects(spec):
        for key in ("operationId", "title"):
            value = node.get(key)
            if isinstance(value, str) and not value.isascii() and where != "$.info":
                found.append(f"{where}.{key}: {value}")
        for tag in node.get("tags", []) if "operationId" in node else []:
            if isinstance(tag, str) and not tag.isascii():
                found.append(f"{where}.tags: {tag}")
    if found:
        listed = "\n".join(found)
        raise SpecError(
            "names the generator turns into code are not ASCII (add a rule to "
            f"scripts/normalize.py or an overlay action):\n{listed}"
        )


def check_patterns(spec: dict[str, Any]) -> None:
    """Raise SpecError naming each `pattern` RE2 cannot read (a lookaround, a backreference):
    the client and the sandbox match patterns with RE2, in linear time (runninghub_video.
    _patterns), so a pattern they cannot check would be sent unchecked and served unchecked."""
    from runninghub_video._patterns import unreadable

    found: list[str] = []
    for where, node in _objects(spec, extensions=False):
        pattern = node.get("pattern")
        if isinstance(pattern, str) and (reason := unreadable(pattern)) is not None:
            found.append(f"{where}.pattern: {pattern!r} ({reason})")
    if found:
        listed = "\n".join(found)
        raise SpecError(
            "patterns RE2 cannot read, which the client could not check before sending (remove "
            f"or rewrite each with an overlay action, citing the vendor's page):\n{listed}"
        )


def header(files: Sequence[Path]) -> str:
    """The merged spec's first lines: what it was built from."""
    lines = [f"# GENERATED by `make spec` from openapi/upstream/{files[0].name}\n"]
    lines += [f"# and openapi/upstream/{file.name}\n" for file in files[1:]]
    return "".join(lines) + HEADER_END


def build(
    upstream: Path | Sequence[Path], overlay_path: Path, page_overlays: Path | None = None
) -> str:
    """Return the merged spec of the pages as YAML text; raise SpecError on anything the tools
    would misread. page_overlays: the folder of per-page overlays (default: overlays/ beside
    overlay_path); a folder of pages must have no overlay without its page."""
    files = page_files(upstream)
    if not files:
        raise SpecError(f"{upstream}: no page (*.yaml) to build from")
    pages = _load_pages(files)
    spec = apply_overlay_file(merge(pages), overlay_path)
    overlays = page_overlays or overlay_path.parent / "overlays"
    for page in pages:
        if (overlays / f"{page.name}.yaml").is_file():
            spec = apply_overlay_file(spec, overlays / f"{page.name}.yaml")
    if isinstance(upstream, Path) and upstream.is_dir():
        orphans = sorted({p.stem for p in overlays.glob("*.yaml")} - {p.name for p in pages})
        if orphans:
            raise SpecError(f"{overlays}: overlays of no page in {upstream}: {', '.join(orphans)}")
    check_task_schemas(spec, pages)
    check_command_names(pages)
    check_name_clashes(spec, pages)
    check_ascii_names(spec)
    check_patterns(spec)
    add_price_previews(spec, pages)  # after the checks, which read each page's inline body
    # PyYAML's writer quotes every string that a YAML 1.1 reader would take for something
    # else ('16:9', 'yes', '012'); check_read_alike proves 1.2 readers agree.
    body = yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=100)
    text = header(files) + body
    check_read_alike(text)
    if _first_difference(yaml.safe_load(text), spec):
        raise SpecError("the merged spec does not read back as what was merged")
    return text


PRICE_PREFIX = "/openapi/v2/price-preview/"
#: The answers of a price preview besides its 200: the query's (openapi/overlay.yaml).
_PRICE_ERRORS = ("400", "401", "403", "404", "415", "422", "429", "500", "502", "503", "504")


def add_price_previews(spec: dict[str, Any], pages: Sequence[Page]) -> None:
    """The generic rule price-preview (scripts/normalize.py RULES): per page, the price call
    of its operation, with the same request schema, made a component both `$ref`."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    query = spec["paths"].get("/openapi/v2/query", {}).get("post", {}).get("responses", {})
    for page in pages:
        operation = spec["paths"][page.path][page.method]
        media = operation["requestBody"]["content"]["application/json"]
        schema = media["schema"]
        title = schema.get("title")
        if "$ref" not in schema:
            if not isinstance(title, str) or title in schemas:
                raise SpecError(f"{page.file}: its request schema cannot be the component {title}")
            schemas[title] = schema
            media["schema"] = {"$ref": f"#/components/schemas/{title}"}
        price_path = PRICE_PREFIX + page.path.removeprefix("/openapi/v2/")
        if price_path in spec["paths"]:
            raise SpecError(f"{page.file}: {price_path} exists already")
        spec["paths"][price_path] = {
            "post": {
                "operationId": f"{operation['operationId']}Price",
                "tags": ["account"],
                "summary": f"Price of: {operation.get('summary') or page.name}",
                "description": (
                    f"What POST {page.path} with this body would cost, asked before paying; free."
                ),
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": dict(media["schema"])}},
                },
                "responses": {
                    "200": {
                        "description": "The price.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/PricePreview"}
                            }
                        },
                    },
                    **{code: query[code] for code in _PRICE_ERRORS if code in query},
                },
            }
        }


def write_atomically(path: Path, text: str) -> None:
    """Write text to path through a temporary file beside it: never a half-written spec."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: build_spec.py UPSTREAM OVERLAY OUTPUT", file=sys.stderr)
        return 2
    upstream, overlay_path, output = (Path(arg) for arg in argv)
    try:
        text = build(upstream, overlay_path)
    except SpecError as error:
        print(f"make spec failed, {output} left as it was:\n{error.code}", file=sys.stderr)
        return 1
    write_atomically(output, text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
