"""Fixtures of the library's tests."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from runninghub_video import _endpoints as endpoints

from tests.support.file_server import FileServer, file_server


@pytest.fixture(scope="module")
def files() -> Iterator[FileServer]:
    """A loopback file server of result videos (tests.support.file_server), per module."""
    with file_server() as server:
        yield server


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A copy of the contract table that the library reads instead, to edit."""
    edited = copy.deepcopy(endpoints.table())
    monkeypatch.setattr(endpoints, "table", lambda: edited)
    endpoints.infos.cache_clear()
    endpoints._load.cache_clear()
    yield edited
    endpoints.infos.cache_clear()
    endpoints._load.cache_clear()
