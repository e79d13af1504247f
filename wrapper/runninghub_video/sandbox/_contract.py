"""The contract the sandbox serves, read from openapi/runninghub.yaml at run time.

Routes, required fields, allowed values and the upload's multipart rules all come from the spec,
so a regenerated spec changes the sandbox with no edit here. Each operation is classified by the
shape of its request body: multipart -> upload; a JSON body asking only for `taskId` -> query;
any other JSON body -> a task endpoint (submit).

The spec is located and read by runninghub_video._spec (its docstring gives the search order).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from jsonschema.exceptions import ValidationError

from .._spec import ContractError, locate_spec, read_spec, resolve, validator_class

__all__ = ["Contract", "ContractError", "Operation", "load_contract", "locate_spec", "resolve"]

MAX_MESSAGE_VALUE: Final = 40

Kind = Literal["task", "query", "upload", "queue", "cancel", "account", "price"]


@dataclass(frozen=True)
class MultipartRules:
    """The multipart/form-data body of an operation, as its schema and encoding say."""

    properties: Mapping[str, Mapping[str, Any]]
    required: frozenset[str]
    additional_allowed: bool
    media_types: Mapping[str, tuple[str, ...]]  # per field; empty tuple = any media type

    @property
    def file_fields(self) -> tuple[str, ...]:
        """Fields that carry a file (type string, format binary)."""
        return tuple(
            name for name, schema in self.properties.items() if schema.get("format") == "binary"
        )

    def accepts_media_type(self, field: str, media_type: str) -> bool:
        """Whether field may carry media_type (wildcards like image/* allowed in the spec)."""
        allowed = self.media_types.get(field, ())
        return not allowed or any(fnmatch.fnmatchcase(media_type, a) for a in allowed)


_AMOUNT: Final = re.compile(r"[0-9]+(\.[0-9]+)?")


@dataclass(frozen=True)
class Operation:
    """One operation of the spec, with what the sandbox needs to validate its requests."""

    path: str
    operation_id: str
    kind: Kind
    json_schema: Mapping[str, Any] | None
    multipart: MultipartRules | None
    _validator: Any = None
    method: str = "post"
    published_price: Mapping[str, Any] | None = None
    """A task's (or its price preview's) x-published-price: the vendor's price list."""

    def listed_price(self, body: Mapping[str, Any]) -> str | None:
        """The published price of a task of body (by its field's value), or None."""
        listed = self.published_price
        if not listed or not isinstance(listed.get("prices"), Mapping):
            return None
        amount = listed["prices"].get(str(body.get(str(listed.get("field")))))
        # The build refuses any other amount; a spec served without it falls back, not fails.
        return amount if isinstance(amount, str) and _AMOUNT.fullmatch(amount) else None

    def validate_json(self, body: object) -> list[str]:
        """Every problem of body against the request schema, one readable line each."""
        if self._validator is None:
            return []
        errors = sorted(self._validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        # A wrong-typed enum value breaks both `type` and `enum`: one line says it.
        return list(dict.fromkeys(_describe(error) for error in errors))

    def property_schema(self, name: str) -> Mapping[str, Any]:
        """The request schema of property name ({} if the body has no such property)."""
        if self.json_schema is None:
            return {}
        return dict(self.json_schema.get("properties", {}).get(name, {}))

    def default(self, name: str) -> str | None:
        """The request schema's default text for property name, if it has one."""
        value = self.property_schema(name).get("default")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Contract:
    """Every operation of one spec that the sandbox serves."""

    path: Path
    operations: tuple[Operation, ...]

    def of_kind(self, kind: Kind) -> tuple[Operation, ...]:
        """The operations of one kind, in spec order."""
        return tuple(op for op in self.operations if op.kind == kind)

    def one(self, kind: Kind) -> Operation:
        """The single operation of kind (query, upload) or the first task endpoint."""
        found = self.of_kind(kind)
        if not found:
            raise ContractError(f"{self.path} has no {kind} operation")
        return found[0]


@functools.cache
def _load_cached(path: Path, version: tuple[int, int, int]) -> Contract:
    """Parse and compile path (cached per file version)."""
    del version  # part of the cache key only
    spec = read_spec(path)
    validator = validator_class(spec)
    operations = []
    for route, item in spec["paths"].items():
        post = item.get("post") if isinstance(item, dict) else None
        get = item.get("get") if isinstance(item, dict) else None
        if isinstance(post, dict) and (found := _operation(spec, str(route), post, validator)):
            operations.append(found)
        if isinstance(get, dict) and (found := _read_operation(spec, str(route), get)):
            operations.append(found)
    if not operations:
        raise ContractError(f"{path} has no POST operation with a request body")
    tasks = [op for op in operations if op.kind == "task"]
    for n, op in enumerate(operations):  # a price preview prices as its task's list says
        priced = _priced_task(op.path, tasks) if op.kind == "price" else None
        if priced is not None:
            operations[n] = dataclasses.replace(op, published_price=priced.published_price)
    return Contract(path, tuple(operations))


def _priced_task(price_path: str, tasks: list[Operation]) -> Operation | None:
    """The task endpoint a price preview's path names: the one whose path, past what the two
    share at the start, is the preview path's end."""
    for task in tasks:
        shared = os.path.commonpath([price_path, task.path])
        if price_path.endswith(task.path[len(shared) :]):
            return task
    return None


def load_contract(spec_path: str | Path | None = None) -> Contract:
    """The contract of the located spec (parsed once per file version)."""
    path = locate_spec(spec_path).resolve()
    return _load_cached(path, _version(path))


def reload_contract(contract: Contract) -> Contract:
    """The contract of the current version of contract's spec file: the same object while the
    file is unchanged (one stat), a new one once it is regenerated. Raises what loading raises."""
    return _load_cached(contract.path, _version(contract.path))


def _version(path: Path) -> tuple[int, int, int]:
    """What tells one version of a file from the next: a replaced file is a new inode, and an
    edit in place within one timestamp tick still changes the size or the time."""
    status = path.stat()
    return status.st_ino, status.st_size, status.st_mtime_ns


def _answer_properties(spec: Mapping[str, Any], operation: Mapping[str, Any]) -> set[str]:
    """The property names of an operation's JSON 200 answer."""
    content = resolve(spec, operation.get("responses", {}).get("200", {})).get("content", {})
    media: Any = next((v for k, v in content.items() if k.endswith("json")), {})
    return set(resolve(spec, media.get("schema", {})).get("properties", {}))


def _read_operation(
    spec: Mapping[str, Any], route: str, get: Mapping[str, Any]
) -> Operation | None:
    """The Operation for one GET the sandbox plays (queue status: an answer that has a
    concurrentLimit), or None."""
    if "concurrentLimit" not in _answer_properties(spec, get):
        return None
    op_id = str(get.get("operationId") or route)
    return Operation(route, op_id, "queue", None, None, method="get")


def _operation(
    spec: Mapping[str, Any], route: str, post: Mapping[str, Any], validator_class: Any
) -> Operation | None:
    """The Operation for one POST, or None if it has no body the sandbox understands."""
    content = resolve(spec, post.get("requestBody", {})).get("content", {})
    op_id = str(post.get("operationId") or route)
    if "multipart/form-data" in content:
        media = content["multipart/form-data"]
        schema = resolve(spec, media.get("schema", {}))
        encoding = media.get("encoding") or {}
        types = {
            name: tuple(t.strip() for t in str(enc.get("contentType", "")).split(",") if t.strip())
            for name, enc in encoding.items()
            if isinstance(enc, dict)
        }
        rules = MultipartRules(
            properties={k: resolve(spec, v) for k, v in schema.get("properties", {}).items()},
            required=frozenset(schema.get("required", [])),
            additional_allowed=schema.get("additionalProperties", True) is not False,
            media_types=types,
        )
        return Operation(route, op_id, "upload", None, rules)
    json_media = next((v for k, v in content.items() if k.endswith("json")), None)
    if json_media is None:
        return None
    schema = resolve(spec, json_media.get("schema", {}))
    properties = set(schema.get("properties", {}))
    kind: Kind = (
        "price"
        if "estimatedPrice" in _answer_properties(spec, post)  # a task's body, priced
        else "query"
        if properties == {"taskId"}
        else "cancel"
        if properties == {"apiKey", "taskId"}  # the v1 cancel call: the key in the body
        else "account"
        if properties <= {"apikey", "apiKey"}  # account status: only the key, in the body
        else "task"
    )
    validator = validator_class(schema)
    listed = post.get("x-published-price") if kind == "task" else None
    return Operation(route, op_id, kind, schema, None, validator,
                     published_price=listed if isinstance(listed, Mapping) else None)  # fmt: skip


def allowed_values(schema: Mapping[str, Any]) -> str:
    """What schema allows, in words: "one of 'x', 'y'" or "a string"."""
    if "enum" in schema:
        # As JSON would write them, but text in single quotes: 'x' for a string, 4 for a number.
        shown = (f"'{v}'" if isinstance(v, str) else json.dumps(v) for v in schema["enum"])
        return "one of " + ", ".join(shown)
    kind = schema.get("type", "a value")
    return f"an {kind}" if str(kind)[:1] in "aeiou" else f"a {kind}"


def _describe(error: ValidationError) -> str:
    """One readable line for a schema violation, naming the field and what it allows."""
    field = ".".join(str(p) for p in error.absolute_path) or "request body"
    if isinstance(error.instance, str):
        shown = f"'{error.instance[:MAX_MESSAGE_VALUE]}'"
    else:
        shown = json.dumps(error.instance, ensure_ascii=False, default=str)[:MAX_MESSAGE_VALUE]
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "required":
        missing = str(error.message).split("'")[1] if "'" in str(error.message) else "a field"
        props = schema.get("properties", {}).get(missing, {})
        return f"{missing} is required ({allowed_values(props)})"
    if error.validator == "enum":
        return f"{field} must be {allowed_values(schema)}, got {shown}"
    if error.validator == "type":
        if field == "request body" and schema.get("type") == "object":
            return "request body must be a JSON object"
        return f"{field} must be {allowed_values(schema)}, got {shown}"
    if error.validator == "minLength" and schema.get("minLength") == 1:
        return f"{field} must not be empty"
    if error.validator == "additionalProperties":
        return f"{field}: {error.message}"[:200]
    return f"{field}: {str(error.message)[:160]}"


def iter_task_paths(contract: Contract) -> Iterator[str]:
    """The paths of every task endpoint (for logs and the index page)."""
    return (op.path for op in contract.of_kind("task"))
