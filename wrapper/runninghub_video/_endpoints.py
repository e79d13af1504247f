"""The task endpoints of the generated client, as its contract table lists them: nothing here
names an endpoint, a field or a value, so a page imported and generated (make import-spec,
make generate) is an endpoint of the library and a command of the CLI with no edit.

The table is runninghub_client/_contract.json, written by `make generate` from the spec and the
generated models (scripts/contract_table.py): every endpoint's fields, allowed values,
defaults, limits and image fields, and the task statuses. It is read as data,
without importing runninghub_client (which loads httpx), so `runninghub-video --help` stays
light; `load()` imports an endpoint's request model and function by the names it gives.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

from ._errors import ConfigurationError, InvalidInputError

PACKAGE = "runninghub_client"
TABLE = "_contract.json"
SEED = "image_to_video_realistic"
"""The seed endpoint (its module): the library's submit()/run() and the CLI's `generate`."""
_KINDS: dict[str, type] = {"str": str, "int": int, "float": float, "bool": bool}


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
    limits: dict[str, Any] = {}  # noqa: RUF012 (never mutated: read from the table)
    """The spec's limits (minLength, pattern, maximum, items...), as JSON Schema 2020."""
    takes_url: bool = False
    """A URL field (or a list of URLs): its name ends in url(s)/uri(s) (`webhookUrl`)."""
    takes_image: bool = False
    """An image field (or a list of images): a local path there is uploaded first. By its
    name only (imageUrl, image, imageUrls, firstFrameUrl: runninghub_video._image_fields, the
    rule the sandbox uses too; the generated code does not keep a schema's format)."""


class PublishedPrice(NamedTuple):
    """The vendor's published price per call of an endpoint, by one field's value (the
    spec's x-published-price, from the vendor's price list): informational, and what a
    batch's estimate falls back to when the price preview cannot price."""

    site: str
    """The site the list is of (`https://www.runninghub.cn`): another RunningHub site has
    its own prices, in its own currency."""
    currency: str
    field: str
    """The JSON name of the field the price depends on (`duration`)."""
    prices: dict[str, str]
    """That field's value, as text -> the amount, as text ("4" -> "3.2")."""


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
    published_price: PublishedPrice | None = None


@functools.cache
def table() -> dict[str, Any]:
    """The installed generated client's contract table; ConfigurationError, saying how to make
    it, when it is missing, unreadable or incomplete (a client generated before it existed)."""
    spec = importlib.util.find_spec(PACKAGE)  # a top-level name: not imported
    folders = list(spec.submodule_search_locations or []) if spec else []
    path = Path(folders[0] if folders else PACKAGE) / TABLE
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
        problem = _incomplete(loaded)
    except (OSError, ValueError) as error:
        problem = f"{type(error).__name__}: {error}"
    if problem:
        raise ConfigurationError(
            f"the generated client's contract table {path} is missing or unreadable "
            f"({problem}): in a checkout run `make generate`, else reinstall runninghub-video"
        )
    found: dict[str, Any] = loaded
    return found


def _incomplete(loaded: object) -> str | None:
    """What a loaded table lacks (None: nothing)."""
    if not isinstance(loaded, dict) or not isinstance(loaded.get("endpoints"), list):
        return "no endpoints"
    if not any(row.get("module") == SEED for row in loaded["endpoints"]):
        return "no seed endpoint"
    statuses = loaded.get("statuses")
    if not isinstance(statuses, dict) or not statuses.get("all") or not statuses.get("final"):
        return "no statuses"
    return None


@functools.cache
def infos() -> tuple[EndpointInfo, ...]:
    """Every task endpoint of the installed generated client, seed first."""
    return tuple(
        EndpointInfo(
            **{k: row[k] for k in EndpointInfo._fields if k not in ("fields", "published_price")},
            fields={
                field["name"]: (field["json_name"], field["description"]) for field in row["fields"]
            },
            published_price=PublishedPrice(**row["published_price"])
            if row.get("published_price")
            else None,
        )
        for row in table()["endpoints"]
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


class Endpoint(NamedTuple):
    """A task endpoint with its generated request model, function and fields."""

    info: EndpointInfo
    model: type[Any]
    api: ModuleType
    fields: tuple[Field, ...]

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def price_api(self) -> ModuleType:
        """The generated function of this endpoint's price preview (the build's generic rule
        price-preview names it after the endpoint: <module>_price, tag account)."""
        return importlib.import_module(f"{PACKAGE}.api.account.{self.info.module}_price")

    def field(self, name: str) -> Field:
        """The field of this Python name."""
        return next(field for field in self.fields if field.name == name)


def _field(row: dict[str, Any]) -> Field:
    return Field(
        name=row["name"],
        json_name=row["json_name"],
        description=row["description"],
        required=row["required"],
        default=row["default"],
        kind=_KINDS.get(row["kind"], object),
        choices=None if row["choices"] is None else tuple(row["choices"]),
        array=row["array"],
        limits=row["limits"],
        takes_url=row["url"],
        takes_image=row["image"],
    )


def load(info: EndpointInfo) -> Endpoint:
    """Import the endpoint's generated model and function; read its fields from them."""
    return _load(info.module)


@functools.cache
def _load(module: str) -> Endpoint:
    import attrs

    info = find(module)
    models = importlib.import_module(f"{PACKAGE}.models.{info.request_module}")
    api = importlib.import_module(f"{PACKAGE}.api.{info.tag}.{info.module}")
    model = getattr(models, info.request_model)
    row = next(row for row in table()["endpoints"] if row["module"] == info.module)
    fields = tuple(_field(field) for field in row["fields"])
    if {field.name for field in fields} != {a.name for a in attrs.fields(model) if a.init}:
        raise ConfigurationError(
            f"the contract table does not match the generated {info.request_model} (a client "
            "regenerated by hand?): in a checkout run `make generate`"
        )
    return Endpoint(info=info, model=model, api=api, fields=fields)


def statuses() -> tuple[frozenset[str], frozenset[str]]:
    """Every task status the spec knows, and those after which a task never changes."""
    found = table()["statuses"]
    return frozenset(found["all"]), frozenset(found["final"])


def of_model(body: object) -> Endpoint:
    """The endpoint whose request model `body` is (InvalidInputError if none is)."""
    for info in infos():
        if type(body).__name__ == info.request_model:
            endpoint = load(info)
            if type(body) is endpoint.model:
                return endpoint
    models = ", ".join(info.request_model for info in infos())
    raise InvalidInputError("body", type(body).__name__, f"a generated request model: {models}")
