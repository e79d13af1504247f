"""The contract suite's schema: the merged spec with the committed schemathesis.toml."""

from __future__ import annotations

import schemathesis

from tests.support.constants import SCHEMATHESIS_CONFIG, SPEC

# Loaded eagerly (schemathesis's lazy `from_fixture` loader breaks on pytest 9); each test
# passes the live Prism URL to `case.call_and_validate(base_url=...)`.
contract_schema = schemathesis.openapi.from_path(
    SPEC, config=schemathesis.Config.from_path(SCHEMATHESIS_CONFIG)
)
