"""Fixtures shared by every test folder (real servers on free loopback ports), and the two lanes:
integration tests are marked from the fixtures they use, unit tests are guarded while they run
(tests/support/lanes.py). `make test-unit` runs `pytest -m "not integration"`."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from runninghub_video.sandbox import Sandbox

from scripts._processes import prism_mock, prism_proxy
from tests.support.lanes import GUARD, mark_integration_tests
from tests.support.pages import build_with_page
from tests.support.sandboxes import running_sandbox


def pytest_configure(config: pytest.Config) -> None:
    GUARD.install()


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_integration_tests(items)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    with GUARD.watching(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    with GUARD.watching(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    with GUARD.watching(item):
        return (yield)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """The session's fast sandbox (a task takes about 0.1 s). Tests that compare its stats
    compare them before and after, and use prompts or images of their own."""
    with running_sandbox() as sb:
        yield sb


@pytest.fixture(scope="session")
def prism_url() -> Iterator[str]:
    """Base URL of a Prism mock of openapi/runninghub.yaml, for the whole session."""
    with prism_mock() as url:
        yield url


@pytest.fixture(scope="session")
def prism_proxy_url(sandbox: Sandbox) -> Iterator[str]:
    """Base URL of a validating Prism proxy (`prism proxy --errors`) in front of the session's
    sandbox: a request or an answer that breaks the spec becomes an HTTP error there."""
    with prism_proxy(sandbox.base_url) as url:
        yield url


@pytest.fixture(scope="session")
def second_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The text-to-video fixture page imported, merged and generated in a temporary copy
    (tests/support/pages.py): the folder of its runninghub.yaml and runninghub_client/."""
    return build_with_page(tmp_path_factory.mktemp("second-page"))


@pytest.fixture(scope="session")
def page_sandbox(second_page: Path) -> Iterator[Sandbox]:
    """A fast sandbox serving second_page's merged spec (every task endpoint of it)."""
    with running_sandbox(spec_path=second_page / "runninghub.yaml") as sb:
        yield sb


TYPED_PAGE = Path(__file__).parent / "contract" / "pages" / "first-frame-to-video.md"


@pytest.fixture(scope="session")
def typed_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first-frame-to-video fixture page (an integer enum, arrays, image fields not named
    imageUrl, fields named type and from) imported, merged and generated in a temporary copy."""
    return build_with_page(tmp_path_factory.mktemp("typed-page"), TYPED_PAGE)


@pytest.fixture(scope="session")
def typed_sandbox(typed_page: Path) -> Iterator[Sandbox]:
    """A fast sandbox serving typed_page's merged spec (it refuses "8" for an integer enum)."""
    with running_sandbox(spec_path=typed_page / "runninghub.yaml") as sb:
        yield sb
