"""Fixtures shared by every test folder: real servers on free loopback ports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.processes import prism_mock


@pytest.fixture(scope="session")
def prism_url() -> Iterator[str]:
    """Base URL of a Prism mock of openapi/runninghub.yaml, for the whole session."""
    with prism_mock() as url:
        yield url
