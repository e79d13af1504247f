"""What every vendor doc page (an Apifox export) needs before joining the merged spec: once.

Each page in openapi/upstream/ holds one operation. Its name comes from its path: the last
segment, or, where pages share their last segment, the segment before it too, for every one
of them but the seed (page_names: the same names whatever the order of import), and from the
name come its ASCII operationId and class names. These rules are code, not overlay actions, because
their values derive from each page (a name from its path, a schema found by its fields); facts
that are the same for every page stay in openapi/overlay.yaml as actions with wildcard targets,
and facts of one page in openapi/overlays/<page>.yaml. RULES lists each rule with its reason
and source for the deviation table of docs/deviations.md (scripts/deviations.py).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: OpenAPI 3.0 (Parameter Object): header parameters of these names SHALL be ignored.
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
#: The one task schema of the merged spec (defined in openapi/overlay.yaml).
TASK_SCHEMA = "TaskResult"
#: A bearer token written into a page (the vendor's pages publish one as an example), in any
#: spelling: any case, then up to 8 separators (odd or zero-width spaces, `:`, `=`, quotes,
#: percent-escapes such as %20), then the token.
BEARER_TOKEN = re.compile(
    r"bearer(?:%[0-9a-f]{2}|[^0-9a-z%]){0,8}[a-z0-9._~+/=-]{16,}", re.IGNORECASE
)
#: Another credential spelling: `apiKey=`, `api_key:`, `token=`... then a long value, or
#: `Token <value>` with a value holding a digit (an English word is not a credential).
CREDENTIAL = re.compile(
    r"(?:api[_-]?key|access[_-]?token|auth[_-]?token|secret|token)[\"']?\s*[=:]\s*[\"']?"
    r"[a-z0-9._~+/-]{16,}"
    r"|\btoken(?:%[0-9a-f]{2}|[^0-9a-z%]){1,8}(?=[a-z._~+/-]*[0-9])[a-z0-9._~+/=-]{16,}",
    re.IGNORECASE,
)
#: What a published key looks like once its `Bearer` prefix is cut.
_KEY_LIKE = re.compile(r"[A-Za-z0-9._~+/=-]{16,}")
#: Characters a key may be hidden behind: zero-width spaces and joiners, word joiner, BOM.
_INVISIBLE = dict.fromkeys(map(ord, "\u180e\u200b\u200c\u200d\u2060\ufeff"))
_SEGMENT = re.compile(r"[a-z0-9][a-z0-9-]*\Z")


class PageError(ValueError):
    """A page the pipeline cannot take as it is (the message says why)."""


@dataclass(frozen=True)
class Rule:
    """One generic rule: what it changes on every page, why, and on what source."""

    name: str
    target: str
    change: str
    description: str


RULES = (
    Rule(
        "decode-refs", "every `$ref`", "percent-decode",
        "Decodes percent-encoded `$ref`s (#/components/schemas/%E7%94%9F... in every Apifox "
        "export). Reason: openapi-python-client does not decode them and silently drops the "
        "response [TOOL].",
    ),
    Rule(
        "task-schema", "components.schemas with taskId and status", "remove; `$ref` to TaskResult",
        "The page's task schema (生成任务提交结果, \"generation task submission result\") becomes "
        "the one shared TaskResult of openapi/overlay.yaml: every page answers the same task "
        "object as query [OFF][OC][SJ], and a Chinese schema name becomes a class name [TOOL]. "
        "The build fails, naming the field, if a page's task schema has a field or a status that "
        "TaskResult lacks [SEED].",
    ),
    Rule(
        "header-parameters", "parameters in header: Authorization, Content-Type, Accept", "remove",
        "Reason: the Authorization default is a published key that overrides the user's token "
        "in generated code and reaches test traffic [TOOL]; Content-Type is set by the request "
        "body's media type. OpenAPI 3.0.1 (Parameter Object) says these header parameters SHALL "
        "be ignored; the bearer scheme of openapi/overlay.yaml replaces them [OFF].",
    ),
    Rule(
        "published-key", "every string", "refuse `Bearer <token>`, `apiKey=<key>`...",
        "The build fails, naming the place, if a credential is still written anywhere in a "
        "page once its header parameters are gone, in any spelling (`bearer`, `Bearer%20`, "
        "`Authorization:Bearer:`, zero-width spaces, `apiKey=`, `token=`, `Token <key>`), or "
        "if the Authorization parameter's own example or default key appears elsewhere: the "
        "published key must reach neither the merged spec nor generated code [TOOL].",
    ),
    Rule(
        "operation-security", "the operation's `security`", "remove",
        "Removes the operation-level \"security: []\", which would switch authentication off "
        "for the call; the global bearer requirement of openapi/overlay.yaml applies [OFF].",
    ),
    Rule(
        "request-body", "`requestBody`", "set `required: true`",
        "Reason: Apifox omits requestBody.required, so the generated body is optional and "
        "Prism answers 200 to an empty or null body [TOOL]; no task call has no body [SEED].",
    ),
    Rule(
        "request-title", "the JSON request schema (a `$ref`'d component is inlined first)",
        "set `title` (`<Page>Request`)",
        "An English model name from the page's name (TextToVideoRequest for "
        "text-to-video). Reason: titles and component names become class names, and the "
        "generator's enum names are the model's name plus the field's [TOOL]. A body that "
        "`$ref`s a component (a Chinese-named shared model) is replaced by a copy of it, so "
        "the page builds as an inline one (the overlays and name checks see the body).",
    ),
    Rule(
        "ascii-titles", "request properties with a non-ASCII title", "set `title`, `description`",
        "The field's name in PascalCase becomes its title (aspectRatio: AspectRatio), so "
        "generated enum types get English names [TOOL]; the Chinese title is kept as the start "
        "of the description [SEED].",
    ),
    Rule(
        "prompt-min-length", "the request's string `prompt` with no `minLength`",
        "set `minLength: 1`",
        "The sources are silent on an empty prompt: minLength 1 is our assumption (a required "
        "prompt that says nothing), shared by the wrapper's check and the sandbox. A page's own "
        "published minLength is kept, and a page overlay may set another [SEED][OFF registry].",
    ),
    Rule(
        "price-preview", "each page's operation, after the overlays",
        "add `POST /openapi/v2/price-preview/<its path after /openapi/v2/>`",
        "The price of a call before paying for it: the same JSON body as the real submit, "
        "answering PricePreview (openapi/overlay.yaml) [PYPI][GO]. Its operationId is the "
        "page's plus `Price`, tagged `account`. The page's request schema becomes a component "
        "(its title) that both operations `$ref`, so the generated model is one class [TOOL].",
    ),
    Rule(
        "operation-id", "the operation", "set `operationId`",
        "camelCase of the page's name (imageToVideoRealistic): its path's last segment, or, "
        "where pages share it, the segment before it too for each of them but the seed, so "
        "names do not depend on the order pages were imported. Reason: without one the "
        "generated function is named from method and path [TOOL].",
    ),
)  # fmt: skip


@dataclass
class Page:
    """One upstream page, normalized: its file, name, operation and the task schemas it had."""

    file: Path
    name: str
    path: str
    method: str
    doc: dict[str, Any]
    task_schemas: dict[str, Any] = field(default_factory=dict)


def operations(doc: Any) -> list[tuple[str, str]]:
    """Every (path, method) of a loaded page."""
    paths = doc.get("paths") if isinstance(doc, dict) else None
    if not isinstance(paths, dict):
        return []
    return [
        (str(path), method)
        for path, item in paths.items()
        if isinstance(item, dict)
        for method in HTTP_METHODS
        if isinstance(item.get(method), dict)
    ]


def the_operation(doc: Any) -> tuple[str, str]:
    """The page's one (path, method); PageError when it has none or several."""
    found = operations(doc)
    if len(found) != 1:
        listed = ", ".join(f"{method.upper()} {path}" for path, method in found) or "none"
        raise PageError(f"a page holds exactly one operation; this one has {listed}")
    return found[0]


def name_candidates(path: str) -> list[str]:
    """The names a page of this path may have: its last segment, then the one before it too."""
    segments = [segment for segment in path.split("/") if segment]
    if not segments or not _SEGMENT.match(segments[-1]):
        raise PageError(
            f"cannot name a page after {path!r}: its last segment must be lower-case ASCII "
            "letters, digits and dashes"
        )
    names = [segments[-1]]
    if len(segments) > 1 and _SEGMENT.match(segments[-2]):
        names.append(f"{segments[-2]}-{segments[-1]}")
    return names


#: The seed page's path: its names (ImageToVideoRealisticRequest, the CLI's generate) are
#: published, so it keeps its last segment as its name even if another page shares it.
SEED_PATH = "/openapi/v2/rhart-video-s-official/image-to-video-realistic"


def page_names(paths: list[str]) -> list[str]:
    """Each page's name, the same whatever the order of the pages: the last segment of its
    path, or, where several pages share it, the segment before it too, for each of them (the
    seed, SEED_PATH, excepted: it keeps its name). The file name under openapi/upstream/ plays
    no part: an imported file is never renamed."""
    lasts = [name_candidates(path)[0] for path in paths]
    names = []
    for path, last in zip(paths, lasts, strict=True):
        candidates = name_candidates(path)
        shared = lasts.count(last) > 1 and path != SEED_PATH
        names.append(candidates[-1] if shared else last)
    return names


def pascal(name: str) -> str:
    """image-to-video-realistic -> ImageToVideoRealistic; aspectRatio -> AspectRatio."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_.\s]+", name) if part)


def camel(name: str) -> str:
    """image-to-video-realistic -> imageToVideoRealistic."""
    word = pascal(name)
    return word[:1].lower() + word[1:]


def _walk(node: Any, where: str = "$") -> Any:
    """Every (dict, its JSONPath) under node, depth first, parents before children."""
    if isinstance(node, dict):
        yield node, where
        for key, value in node.items():
            yield from _walk(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{where}[{index}]")


def _strings(node: Any, where: str = "$") -> Any:
    """Every (string, its JSONPath) under node, keys included."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key), f"{where}.{key} (key)"
            yield from _strings(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, f"{where}[{index}]")
    elif isinstance(node, str):
        yield node, where


def _published_keys(holder: dict[str, Any]) -> set[str]:
    """The keys an Authorization header parameter of holder gives as its example or default
    (without their `Bearer` prefix): the build refuses them anywhere else in the page."""
    keys: set[str] = set()
    for parameter in holder.get("parameters") or ():
        if not (
            isinstance(parameter, dict)
            and parameter.get("in") == "header"
            and str(parameter.get("name", "")).lower() == "authorization"
        ):
            continue
        for value, _ in _strings({k: v for k, v in parameter.items() if k != "description"}):
            key = re.sub(r"(?i)^\W*bearer\b\W*", "", value.translate(_INVISIBLE))
            key = key.strip().strip("\"'")
            if _KEY_LIKE.fullmatch(key):  # not a placeholder such as "string" or "<key>"
                keys.add(key.casefold())
    return keys


def _refuse_credentials(doc: dict[str, Any], published: set[str]) -> None:
    """PageError naming the place of the first credential written in doc (see RULES)."""
    for text, where in _strings(doc):
        plain = text.translate(_INVISIBLE)
        decoded = unquote(plain)
        if BEARER_TOKEN.search(plain) or BEARER_TOKEN.search(decoded):
            raise PageError(
                f"a bearer token is written at {where}; the published key must reach neither "
                "the merged spec nor generated code"
            )
        if CREDENTIAL.search(plain) or CREDENTIAL.search(decoded):
            raise PageError(
                f"a credential (an API key or token) is written at {where}; no key may reach "
                "the merged spec or generated code"
            )
        folded = decoded.casefold()
        if any(key in folded for key in published):
            raise PageError(
                f"the Authorization parameter's example key (the published key) is written "
                f"at {where}; it must reach neither the merged spec nor generated code"
            )


def _is_task_schema(schema: Any) -> bool:
    properties = schema.get("properties") if isinstance(schema, dict) else None
    return isinstance(properties, dict) and {"taskId", "status"} <= set(properties)


def _drop_ignored_headers(holder: dict[str, Any]) -> None:
    parameters = holder.get("parameters")
    if not isinstance(parameters, list):
        return
    kept = [
        p
        for p in parameters
        if not (
            isinstance(p, dict)
            and p.get("in") == "header"
            and str(p.get("name", "")).lower() in IGNORED_HEADERS
        )
    ]
    if kept:
        holder["parameters"] = kept
    else:
        del holder["parameters"]


def _inline_request(doc: dict[str, Any], body: dict[str, Any], schema: dict[str, Any]) -> Any:
    """The page's component a `$ref` request schema names, put in the body's place (removed
    from components when nothing else refers to it), so the page builds as its inline twin:
    a Chinese schema name never becomes a class name, and the overlays and name checks see
    the body where they look. PageError if the page has no such component."""
    ref = schema["$ref"]
    prefix = "#/components/schemas/"
    schemas = doc.get("components", {}).get("schemas") or {}
    key = ref[len(prefix) :] if isinstance(ref, str) and ref.startswith(prefix) else None
    if key is None or not isinstance(schemas.get(key), dict):
        raise PageError(f"the request body refers to {ref!r}, which is not a schema of the page")
    others = [node for node, _ in _walk(doc) if node.get("$ref") == ref and node is not schema]
    inline = copy.deepcopy(schemas[key]) if others else schemas.pop(key)
    body["content"]["application/json"]["schema"] = inline
    return inline


def _name_request(doc: dict[str, Any], operation: dict[str, Any], name: str) -> None:
    body = operation.get("requestBody")
    if not isinstance(body, dict):
        return
    body["required"] = True
    schema = body.get("content", {}).get("application/json", {}).get("schema")
    if isinstance(schema, dict) and "$ref" in schema:
        schema = _inline_request(doc, body, schema)
    if not isinstance(schema, dict):
        return
    schema["title"] = f"{pascal(name)}Request"
    for prop_name, prop in (schema.get("properties") or {}).items():
        title = prop.get("title") if isinstance(prop, dict) else None
        if isinstance(title, str) and not title.isascii():
            described = prop.get("description")
            prop["title"] = pascal(prop_name)
            prop["description"] = f"{title}. {described}" if described else title
    prompt = (schema.get("properties") or {}).get("prompt")  # prompt-min-length
    if isinstance(prompt, dict) and prompt.get("type") == "string" and "minLength" not in prompt:
        prompt["minLength"] = 1


def normalize(doc: dict[str, Any], file: Path, name: str | None = None) -> Page:
    """Apply RULES to one loaded page (in place) and return it as a Page named `name` (default:
    its path's last segment; page_names gives the names of a set of pages); PageError if the
    page cannot be taken (several operations, an unnameable path, a bearer token left)."""
    path, method = the_operation(doc)
    name = name or name_candidates(path)[0]
    for node, _ in _walk(doc):  # decode-refs
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            node["$ref"] = unquote(ref)
    schemas = doc.get("components", {}).get("schemas") or {}
    task_schemas = {key: schemas.pop(key) for key in list(schemas) if _is_task_schema(schemas[key])}
    task_refs = {f"#/components/schemas/{key}" for key in task_schemas}
    for node, _ in _walk(doc):  # task-schema
        if node.get("$ref") in task_refs:
            node["$ref"] = f"#/components/schemas/{TASK_SCHEMA}"
    item = doc["paths"][path]
    operation = item[method]
    published = _published_keys(item) | _published_keys(operation)
    _drop_ignored_headers(item)  # header-parameters
    _drop_ignored_headers(operation)
    _refuse_credentials(doc, published)  # published-key
    operation.pop("security", None)  # operation-security
    _name_request(doc, operation, name)  # request-body, request-title, ascii-titles
    operation["operationId"] = camel(name)  # operation-id
    return Page(file, name, path, method, doc, task_schemas)
