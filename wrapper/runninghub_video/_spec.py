"""The merged OpenAPI spec at run time: where it is, how it is read (YAML 1.2, local $refs
resolved) and the JSON Schema validator of its dialect. The sandbox serves it; `doctor` checks
the real API's answers against it.

The spec is located (first match): the `spec_path` argument, $RUNNINGHUB_SANDBOX_SPEC, the copy
packaged into the wheel (`sandbox/openapi.yaml`, see pyproject.toml), and the repository
checkout's `openapi/runninghub.yaml`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from jsonschema import validators
from openapi_schema_validator import OAS30Validator, OAS31Validator
from ruamel.yaml import YAML

from ._patterns import pattern_keyword

SPEC_ENV: Final = "RUNNINGHUB_SANDBOX_SPEC"
PACKAGED_SPEC: Final = Path(__file__).parent / "sandbox" / "openapi.yaml"
CHECKOUT_SPEC: Final = Path(__file__).resolve().parents[2] / "openapi" / "runninghub.yaml"


class ContractError(RuntimeError):
    """The spec cannot be found or read, or lacks what its reader needs."""


def locate_spec(spec_path: str | Path | None = None) -> Path:
    """The merged spec (see the module docstring for the search order)."""
    candidates: list[Path] = []
    if spec_path is not None:
        candidates.append(Path(spec_path))
    elif os.environ.get(SPEC_ENV):
        candidates.append(Path(os.environ[SPEC_ENV]))
    else:
        candidates += [PACKAGED_SPEC, CHECKOUT_SPEC]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise ContractError(f"no OpenAPI spec found (tried {tried})")


def read_spec(path: Path) -> dict[str, Any]:
    """The spec at path, as YAML 1.2 reads it (like the generator and Prism: '1:1' stays text)."""
    spec = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    if not isinstance(spec, dict) or not isinstance(spec.get("paths"), dict):
        raise ContractError(f"{path} is not an OpenAPI document")
    return spec


def resolve(spec: Mapping[str, Any], node: Any, depth: int = 0) -> Any:
    """node with every local $ref replaced by its target (the spec has no recursive schemas)."""
    if depth > 64:
        raise ContractError("$ref nesting deeper than 64 levels")
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            target: Any = spec
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return resolve(spec, target, depth + 1)
        return {k: resolve(spec, v, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(spec, v, depth + 1) for v in node]
    return node


def validator_class(spec: Mapping[str, Any]) -> Any:
    """The validator of the spec's schema dialect (OpenAPI 3.0 or 3.1), with `pattern` checked
    as the client checks it."""
    base = OAS31Validator if str(spec.get("openapi", "")).startswith("3.1") else OAS30Validator
    return validators.extend(base, {"pattern": pattern_keyword})
