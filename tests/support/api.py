"""The API's paths and final statuses for every test, from the one place each is defined:
paths from the spec (as the sandbox reads it), final statuses from runninghub_video._task; and
a valid request body for any task endpoint, built from its schema (no endpoint listed here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from runninghub_video._task import FINAL_STATUSES
from runninghub_video.sandbox._contract import Contract, Operation, load_contract

from tests.support.constants import SPEC

CONTRACT = load_contract(SPEC)
SUBMIT = CONTRACT.one("task").path
QUERY = CONTRACT.one("query").path
UPLOAD = CONTRACT.one("upload").path
QUEUE = CONTRACT.one("queue").path
FINAL = FINAL_STATUSES
IMAGE_URL = "https://example.com/picture.png"


def request_schema_of(spec: dict[str, Any], path: str) -> dict[str, Any]:
    """The JSON request schema of `path`'s POST in a loaded spec, its `$ref` followed (the
    build makes each page's body a component its price call shares): the object itself, so a
    test may change it in place."""
    schema: dict[str, Any] = spec["paths"][path]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"]
    ref = schema.get("$ref")
    if isinstance(ref, str):
        found: dict[str, Any] = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        return found
    return schema


def task_operations(contract: Contract = CONTRACT) -> tuple[Operation, ...]:
    """Every task endpoint of contract (the committed spec's by default), in spec order."""
    return contract.of_kind("task")


def request_body(
    operation: Operation, prompt: str = "a calm lake at dawn", **overrides: Any
) -> dict[str, Any]:
    """A valid body for any task endpoint, read from its request schema: every required field
    with the prompt, an image URL for image fields, the first allowed value of an enum, else the
    smallest value of its type; then overrides."""
    schema = operation.json_schema or {}
    properties: Mapping[str, Mapping[str, Any]] = schema.get("properties", {})
    body = {
        name: _value(name, properties.get(name, {}), prompt) for name in schema.get("required", [])
    }
    body.update(overrides)
    return body


def conforming(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert a validating Prism proxy saw no violation and the status is status; return the
    JSON body."""
    assert "sl-violations" not in response.headers, response.headers["sl-violations"]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.text
    body: dict[str, Any] = response.json()
    return body


def _value(name: str, schema: Mapping[str, Any], prompt: str) -> Any:
    """A valid value of one field (see task_body)."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "string")
    if kind == "string":
        if "prompt" in name.lower():
            return prompt
        return IMAGE_URL if "image" in name.lower() else "x" * max(1, schema.get("minLength", 1))
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    return [] if kind == "array" else {}


__all__ = [
    "CONTRACT",
    "FINAL",
    "IMAGE_URL",
    "QUERY",
    "QUEUE",
    "SUBMIT",
    "UPLOAD",
    "conforming",
    "request_body",
    "request_schema_of",
    "task_operations",
]
