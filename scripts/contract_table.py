"""The contract table: runninghub_client/_contract.json, written by `make generate` beside the
generated client, is everything the library and the CLI know of the API at run time.

Per task endpoint: its names, path and texts, and each request field's Python and JSON name,
description, whether it is required, its default, its type, its allowed values, its limits
(minLength, pattern, maximum...: the generated code does not carry them) and whether it takes
an image or a URL. Then the task statuses (which are final). The fields
are read from the freshly generated package itself (what its request models take, with the
generated Literals' values typed as there), the rest from the merged spec, so the table and
the code it describes cannot disagree; `make check-generated` diffs it with the rest.

    PYTHONPATH=<folder holding the new runninghub_client> python -m scripts.contract_table SPEC
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import yaml

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "runninghub_client"
FILE = "_contract.json"
#: The JSON Schema keywords the wrapper checks before any request.
LIMITS = ("minLength", "maxLength", "pattern", "minimum", "maximum", "minItems", "maxItems")
_EXCLUSIVE = (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum"))
_KINDS = {str: "str", int: "int", float: "float", bool: "bool"}
_UnionType = type(int | str)


class TableError(Exception):
    """The generated package or the spec cannot be described (the build fails, naming why)."""


def resolved(spec: dict[str, Any], schema: Any) -> Any:
    """schema, or the component its local `$ref` names."""
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        return spec.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
    return schema


def _operations(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (path, operation)
        for path, item in spec.get("paths", {}).items()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]


def _json_body(spec: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    body = operation.get("requestBody", {}).get("content", {}).get("application/json") or {}
    schema = resolved(spec, body.get("schema"))
    return schema if isinstance(schema, dict) else {}


def limits(spec: dict[str, Any], operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """An operation's JSON request-property limits, by JSON field name: {"minLength": 5},
    {"minimum": 0, "exclusiveMaximum": 10}... An OpenAPI 3.0 boolean exclusiveMinimum/Maximum
    becomes the number it excludes (the JSON Schema 2020 form)."""
    found: dict[str, dict[str, Any]] = {}
    for name, prop in _json_body(spec, operation).get("properties", {}).items():
        prop = resolved(spec, prop)
        kept = {key: prop[key] for key in LIMITS if key in prop}
        for bound, flag in _EXCLUSIVE:
            if prop.get(flag) is True and bound in kept:
                kept[flag] = kept.pop(bound)
            elif type(prop.get(flag)) in (int, float):  # not a bool
                kept[flag] = prop[flag]
        items = resolved(spec, prop.get("items"))
        if isinstance(items, dict):  # each element's own limits
            element = {key: items[key] for key in LIMITS if key in items}
            if element:
                kept["items"] = element
        if kept:
            found[name] = kept
    return found


def _query(spec: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The task query: the operation whose JSON body asks only for taskId."""
    for path, operation in _operations(spec):
        if set(_json_body(spec, operation).get("properties", {})) == {"taskId"}:
            return path, operation
    raise TableError("the spec has no task query (a JSON body of taskId alone)")


def statuses(spec: dict[str, Any]) -> dict[str, list[str]]:
    """The query answer's status values, and which of them are final (the schema's
    x-final-statuses, from the overlay)."""
    _, operation = _query(spec)
    answer = operation.get("responses", {}).get("200", {}).get("content", {})
    schema = resolved(spec, answer.get("application/json", {}).get("schema"))
    status = resolved(spec, (schema or {}).get("properties", {}).get("status"))
    values = list((status or {}).get("enum", []))
    final = list((status or {}).get("x-final-statuses", []))
    if not values or not final or not set(final) <= set(values):
        raise TableError("the query answer's status needs an enum and x-final-statuses in it")
    return {"all": values, "final": final}


# ---------------------------------------------------------------- the generated package


def _segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def _names(rows: list[dict[str, Any]]) -> list[str]:
    """Each endpoint's name: the candidate of its path (last segment, or the one before it
    too) that its operation id was made from; else the last segment, with the one before it
    where two endpoints share it."""
    lasts = [_segments(row["path"])[-1] for row in rows]
    names = []
    for row, last in zip(rows, lasts, strict=True):
        candidates = [last, "-".join(_segments(row["path"])[-2:])]
        chosen = next((c for c in candidates if c.replace("-", "_") == row["module"]), None)
        names.append(chosen or (last if lasts.count(last) == 1 else candidates[1]))
    return names


def _natural(value: object) -> tuple[int, str]:
    """Sort key: by leading number (720p before 1080p, 4 before 12), then text."""
    text = str(value)
    number = re.match(r"\d+", text)
    return (int(number.group()) if number else 0, text)


def _field(name: str, described: tuple[str, str], hint: Any, default: Any) -> dict[str, Any]:
    """One request field as the generated model types it."""
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
    choices = sorted(get_args(base), key=_natural) if get_origin(base) is Literal else None
    if choices is not None:
        types = {type(value) for value in choices}
        kind = _KINDS.get(types.pop(), "object") if len(types) == 1 else "object"
    else:
        kind = _KINDS.get(base, "object")
    if isinstance(default, attrs.Factory) and not default.takes_self:  # type: ignore[arg-type]
        default = default.factory()  # a list's default
    missing = default is attrs.NOTHING or isinstance(default, Unset)
    json_name, description = described
    return {
        "name": name,
        "json_name": json_name,
        "description": description,
        "required": default is attrs.NOTHING,
        "default": None if missing else default,
        "kind": kind,
        "choices": choices,
        "array": array,
    }


def _endpoints() -> list[dict[str, Any]]:
    """Every task endpoint of the importable runninghub_client (TASK_ENDPOINTS of each
    api/<tag> package, written by openapi/templates/endpoint_init.py.jinja), seed first."""
    import attrs
    from runninghub_video._endpoints import SEED

    api = importlib.import_module(f"{PACKAGE}.api")
    rows: list[dict[str, Any]] = []
    for tag in sorted(info.name for info in pkgutil.iter_modules(api.__path__)):
        listed = importlib.import_module(f"{PACKAGE}.api.{tag}")
        rows += [{"tag": tag, **row} for row in getattr(listed, "TASK_ENDPOINTS", ())]
    rows.sort(key=lambda row: row["module"] != SEED)
    for name, row in zip(_names(rows), rows, strict=True):
        models = importlib.import_module(f"{PACKAGE}.models.{row['request_module']}")
        model = getattr(models, row["request_model"])
        hints = get_type_hints(model, vars(sys.modules[model.__module__]))
        described: dict[str, tuple[str, str]] = row.pop("fields")
        order = list(described)
        attributes = sorted(
            (attribute for attribute in attrs.fields(model) if attribute.init),
            key=lambda a: order.index(a.name) if a.name in order else len(order),
        )
        row["name"] = name
        row["fields"] = [
            _field(a.name, described.get(a.name, (a.name, "")), hints[a.name], a.default)
            for a in attributes
        ]
    return rows


def flags(json_name: str, kind: str, choices: list[Any] | None) -> tuple[bool, bool]:
    """Whether a field takes a URL (its name ends in url(s)/uri(s): webhookUrl) and whether it
    takes an image (by its name: runninghub_video._image_fields, the rule the sandbox uses;
    the generated code does not keep a schema's format)."""
    from runninghub_video._image_fields import is_image_field, words

    parts = words(json_name)
    text = kind == "str"
    url = text and bool(parts) and parts[-1] in ("url", "urls", "uri", "uris")
    return url, text and choices is None and is_image_field(json_name)


_AMOUNT = re.compile(r"[0-9]+(\.[0-9]+)?")
_CURRENCY = re.compile(r"[A-Z]{3}")
_SITE = re.compile(r"https://[a-z0-9.-]+")


def published_price(operation: dict[str, Any], fields: list[dict[str, Any]]) -> Any:
    """The operation's x-published-price (the overlay's, from the vendor's price list):
    {"site", "currency", "field" (an enum field's JSON name), "prices" (its value -> an
    amount, as text)}, or None; TableError for a site that is not an https origin, a currency
    that is not ISO 4217, a field without allowed values, a value it does not take or an
    amount that is not a plain positive decimal ("3.2": no "3_2", "1E+2" or spaces)."""
    found = operation.get("x-published-price")
    if found is None:
        return None
    by_name = {field["json_name"]: field for field in fields}
    shape_ok = (
        isinstance(found, dict) and set(found) == {"site", "currency", "field", "prices"}
        and isinstance(found["site"], str) and bool(_SITE.fullmatch(found["site"]))
        and isinstance(found["currency"], str) and bool(_CURRENCY.fullmatch(found["currency"]))
        and found["field"] in by_name and by_name[found["field"]]["choices"] is not None
        and isinstance(found["prices"], dict) and bool(found["prices"])
    )  # fmt: skip
    if not shape_ok:
        enums = sorted(name for name, field in by_name.items() if field["choices"] is not None)
        raise TableError(
            f"x-published-price {found!r}: needs site (https://host), currency (ISO 4217), "
            f"field (one of {enums}) and prices"
        )
    choices = {str(choice) for choice in by_name[found["field"]]["choices"]}
    prices: dict[str, str] = {}
    for value, amount in found["prices"].items():
        if str(value) not in choices:
            raise TableError(f"x-published-price: {value!r} is not a value of {found['field']}")
        if not (isinstance(amount, str) and _AMOUNT.fullmatch(amount) and float(amount) > 0):
            raise TableError(f"x-published-price: {amount!r} is not a positive amount as text")
        prices[str(value)] = amount
    return {**{key: found[key] for key in ("site", "currency", "field")}, "prices": prices}


def describe(spec: dict[str, Any]) -> dict[str, Any]:
    """The table for spec and the runninghub_client importable now (built from that spec)."""
    by_path = dict(_operations(spec))
    endpoints = _endpoints()
    for endpoint in endpoints:
        if endpoint["path"] not in by_path:
            raise TableError(f"{endpoint['path']} is a generated endpoint the spec does not have")
        found = limits(spec, by_path[endpoint["path"]])
        for field in endpoint["fields"]:
            field["limits"] = found.get(field["json_name"], {})
            field["url"], field["image"] = flags(
                field["json_name"], field["kind"], field["choices"]
            )
        endpoint["published_price"] = published_price(by_path[endpoint["path"]], endpoint["fields"])
    return {"endpoints": endpoints, "statuses": statuses(spec)}


def write(spec_file: Path, package_parent: Path) -> None:
    """Write package_parent/runninghub_client/_contract.json for spec_file, reading the package
    built there (in a fresh interpreter: the installed client must not be the one read)."""
    folders = (package_parent, ROOT / "wrapper", ROOT)  # the new client, this checkout's library
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(folder) for folder in folders)}
    run = subprocess.run(
        [sys.executable, "-m", "scripts.contract_table", str(spec_file)],
        capture_output=True, text=True, check=False, cwd=ROOT, env=env,
    )  # fmt: skip
    if run.returncode != 0:
        raise TableError(f"the contract table could not be made:\n{run.stderr.strip()}")
    (package_parent / PACKAGE / FILE).write_text(run.stdout, encoding="utf-8")


def main(argv: list[str]) -> int:
    spec = yaml.safe_load(Path(argv[0]).read_text(encoding="utf-8"))
    wanted = [Path(folder).resolve() for folder in os.environ["PYTHONPATH"].split(os.pathsep)]
    for name, folder in ((PACKAGE, wanted[0]), ("runninghub_video", wanted[1])):
        package = importlib.import_module(name)
        if Path(package.__file__ or "").resolve().parent.parent != folder:
            print(f"{name} was imported from {package.__file__}, not {folder}", file=sys.stderr)
            return 1
    try:
        table = describe(spec)
    except TableError as error:
        print(error, file=sys.stderr)
        return 1
    print(json.dumps(table, indent=1, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
