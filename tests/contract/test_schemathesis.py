"""Property-based contract tests: every operation of the merged spec against a real Prism mock.

Positive and negative data, all checks on except the Prism-only ones switched off in
tests/contract/schemathesis.toml (each with its reason there).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from schemathesis import Case

from tests.contract.conftest import contract_schema

# Set explicitly: without it schemathesis would send values it finds in the spec.
AUTH = {"Authorization": "Bearer contract-test-key"}


@contract_schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_operation_conforms(case: Case[Any], prism_url: str) -> None:
    """Each generated request gets a response that matches the spec (status, type, schema)."""
    response = case.call_and_validate(base_url=prism_url, headers=AUTH)
    # The explicit key went out (or none, in schemathesis's negative "missing Authorization"
    # cases, which Prism must answer 401): never the example token the vendor published.
    sent = response.request.headers.get("Authorization")
    assert sent in (AUTH["Authorization"], None)
    if sent is None:
        assert response.status_code == 401
