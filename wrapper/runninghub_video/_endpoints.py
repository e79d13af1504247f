"""The task endpoints of the generated client, found in it: nothing here names an endpoint,
a field or a value, so a page imported and generated (make import-spec, make generate) is
an endpoint of the library and a command of the CLI with no edit.

The list is TASK_ENDPOINTS of each `runninghub_client.api.<tag>` package (written by the
custom template openapi/templates/endpoint_init.py.jinja). `infos()` reads it as literals,
without importing runninghub_client (which loads httpx), so `runninghub-video --help` stays
light; `load()` imports an endpoint's request model and function and reads its fields (types,
allowed values, defaults) from the generated code.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, NamedTuple, Union, get_args, get_origin, get_type_hints

from ._errors import InvalidInputError
from ._image_fields import is_image_field, words

PACKAGE = "runninghub_client"
SEED = "image_to_video_realistic"
"""The seed endpoint (its module): the library's submit()/run() and the CLI's `generate`."""


class EndpointInfo(NamedTuple):
    """One task endpoint as the generated package lists it (plain values, nothing imported)."""

    name: str
    """Its name in the library and the CLI: the path's last segment (`text-to-video`), or the
    segment before it too, as its page's name (scripts/normalize.py: page_names)."""
    tag: str
    module: str
    path: str
    summary: str
    description: str
    request_model: str
    request_module: str
    fields: dict[str, tuple[str, str]]
    """python name -> (JSON name, description), in the spec's order."""


def _listed(init: Path) -> list[dict[str, Any]]:
    """TASK_ENDPOINTS of one generated api/<tag>/__init__.py, read as literals, not run."""
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == [
            "TASK_ENDPOINTS"
        ]:
            listed: list[dict[str, Any]] = list(ast.literal_eval(node.value))
            return listed
    return []


def _segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def _names(rows: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Each endpoint's name: the candidate of its path (last segment, or the one before it
    too) that its operation id was made from; else the last segment, with the one before it
    where two endpoints share it."""
    lasts = [_segments(row["path"])[-1] for _, row in rows]
    names = []
    for (_, row), last in zip(rows, lasts, strict=True):
        segments = _segments(row["path"])
        candidates = [last, "-".join(segments[-2:])]
        chosen = next((c for c in candidates if c.replace("-", "_") == row["module"]), None)
        names.append(chosen or (last if lasts.count(last) == 1 else candidates[1]))
    return names


@functools.cache
def infos() -> tuple[EndpointInfo, ...]:
    """Every task endpoint of the installed generated client, seed first."""
    spec = importlib.util.find_spec(PACKAGE)  # a top-level name: not imported
    if spec is None or not spec.submodule_search_locations:
        return ()
    rows: list[tuple[str, dict[str, Any]]] = []
    for folder in spec.submodule_search_locations:
        for init in sorted(Path(folder).glob("api/*/__init__.py")):
            rows += [(init.parent.name, row) for row in _listed(init)]
    rows.sort(key=lambda item: item[1]["module"] != SEED)
    return tuple(
        EndpointInfo(name=name, tag=tag, **row)
        for name, (tag, row) in zip(_names(rows), rows, strict=True)
    )


def seed() -> EndpointInfo:
    """The seed endpoint's row (plain values, nothing imported)."""
    return next(info for info in infos() if info.module == SEED)


def find(name: str) -> EndpointInfo:
    """The endpoint of this name (`text-to-video`), function module or path."""
    for info in infos():
        if name in (info.name, info.module, info.path):
            return info
    known = ", ".join(info.name for info in infos()) or "none"
    raise InvalidInputError("endpoint", name, f"one of the spec's task endpoints: {known}")


# ---------------------------------------------------------------- the generated code


class Field(NamedTuple):
    """One field of a request model, as the generated code types it."""

    name: str
    """The Python name (the model's attribute and the keyword; `image_url`, `type_`)."""
    json_name: str
    description: str
    required: bool
    default: object
    """The model's default, or None."""
    kind: type
    """The type of the value (of each element when `array`): str, int, float, bool (an enum:
    the type of its values), or object for anything else (passed on unchecked)."""
    choices: tuple[Any, ...] | None
    """The allowed values (of each element when `array`), typed as the generated Literal's
    (4 for an integer enum, "4" for a string one), in natural order."""
    array: bool = False
    """A list (`list[...]` in the model): `kind` and `choices` then say what each element is."""

    @property
    def takes_url(self) -> bool:
        """A URL field (or a list of URLs): its name ends in url(s)/uri(s) (`webhookUrl`)."""
        parts = words(self.json_name)
        return self.kind is str and bool(parts) and parts[-1] in ("url", "urls", "uri", "uris")

    @property
    def takes_image(self) -> bool:
        """An image field (or a list of images): a local path there is uploaded first. By its
        name only (runninghub_video._image_fields: imageUrl, image, imageUrls, firstFrameUrl;
        the generated code does not keep a schema's format), the rule the sandbox uses too."""
        return self.kind is str and self.choices is None and is_image_field(self.json_name)


def natural(value: object) -> tuple[int, str]:
    """Sort key: by leading number (720p before 1080p, the text 4 before 12, the number 4
    before 12), then text."""
    text = str(value)
    number = re.match(r"\d+", text)
    return (int(number.group()) if number else 0, text)


def literal_choices(literal: object) -> tuple[Any, ...]:
    """The values of a generated Literal type, as typed there (str, or int for an integer
    enum), in natural order."""
    return tuple(sorted(get_args(literal), key=natural))


def _literal_kind(values: tuple[Any, ...]) -> type:
    """The one type of a Literal's values (bool is not int here), else object."""
    kinds = {type(value) for value in values}
    return kinds.pop() if len(kinds) == 1 else object


class Endpoint(NamedTuple):
    """A task endpoint with its generated request model, function and fields."""

    info: EndpointInfo
    model: type[Any]
    api: ModuleType
    fields: tuple[Field, ...]

    @property
    def name(self) -> str:
        return self.info.name

    def field(self, name: str) -> Field:
        """The field of this Python name."""
        return next(field for field in self.fields if field.name == name)


def _field(name: str, info: EndpointInfo, hint: Any, default: Any) -> Field:
    import attrs
    from runninghub_client.types import Unset

    members = [
        arg for arg in (get_args(hint) if get_origin(hint) in (Union, _UnionType) else (hint,))
        if arg is not type(None) and arg is not Unset
    ]  # fmt: skip
    base = members[0] if len(members) == 1 else object
    array = get_origin(base) is list
    if array:
        (base,) = get_args(base) or (object,)
    choices = literal_choices(base) if get_origin(base) is Literal else None
    if choices is not None:
        kind = _literal_kind(choices)
    else:
        kind = base if base in (str, int, float, bool) else object
    if isinstance(default, attrs.Factory) and not default.takes_self:  # type: ignore[arg-type]
        default = default.factory()  # a list's default
    missing = default is attrs.NOTHING or isinstance(default, Unset)
    json_name, description = info.fields.get(name, (name, ""))
    return Field(
        name=name,
        json_name=json_name,
        description=description,
        required=default is attrs.NOTHING,
        default=None if missing else default,
        kind=kind,
        choices=choices,
        array=array,
    )


_UnionType = type(int | str)


def load(info: EndpointInfo) -> Endpoint:
    """Import the endpoint's generated model and function; read its fields from them."""
    return _load(info.module)


@functools.cache
def _load(module: str) -> Endpoint:
    import attrs

    info = find(module)
    models = importlib.import_module(f"{PACKAGE}.models.{info.request_module}")
    model = getattr(models, info.request_model)
    api = importlib.import_module(f"{PACKAGE}.api.{info.tag}.{info.module}")
    hints = get_type_hints(model, vars(sys.modules[model.__module__]))
    order = list(info.fields)
    attributes = sorted(
        (attribute for attribute in attrs.fields(model) if attribute.init),
        key=lambda attribute: order.index(attribute.name) if attribute.name in order else 1 << 30,
    )
    fields = tuple(
        _field(attribute.name, info, hints[attribute.name], attribute.default)
        for attribute in attributes
    )
    return Endpoint(info=info, model=model, api=api, fields=fields)


def of_model(body: object) -> Endpoint:
    """The endpoint whose request model `body` is (InvalidInputError if none is)."""
    for info in infos():
        if type(body).__name__ == info.request_model:
            endpoint = load(info)
            if type(body) is endpoint.model:
                return endpoint
    models = ", ".join(info.request_model for info in infos())
    raise InvalidInputError("body", type(body).__name__, f"a generated request model: {models}")
