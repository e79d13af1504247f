"""The README stays what a user reads first (short, linking to every docs page) and the docs
site lists every page it has (`make docs` builds it with --strict; this checks it cheaply)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.support.constants import ROOT

README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = sorted(path.name for path in DOCS.glob("*.md"))
MAX_README_LINES = 250


def nav_pages(entry: Any) -> list[str]:
    """Every page a mkdocs.yml nav entry names ("page.md", {title: "page.md"}, or a section)."""
    if isinstance(entry, str):
        return [entry]
    if isinstance(entry, list):
        return [page for item in entry for page in nav_pages(item)]
    if isinstance(entry, dict):
        return [page for value in entry.values() for page in nav_pages(value)]
    raise AssertionError(f"unexpected nav entry {entry!r}")


def test_the_docs_pages_are_found() -> None:
    for page in ("index.md", "cli.md", "library.md", "reference.md", "deviations.md"):
        assert page in PAGES


def test_the_readme_is_at_most_250_lines() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES


def test_the_readme_links_to_every_docs_page() -> None:
    readme = README.read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(docs/([^)#\s]+\.md)(?:#[^)\s]*)?\)", readme))
    assert [page for page in PAGES if page not in linked] == []
    assert sorted(linked - set(PAGES)) == []  # no link to a page that does not exist


def test_the_readme_keeps_the_two_commands() -> None:
    readme = README.read_text(encoding="utf-8")
    section = readme[readme.index("## The two commands") :]
    assert re.search(r"^make demo +#", section, re.M)
    assert re.search(r"^make test +#", section, re.M)


def test_the_site_nav_lists_every_docs_page_once() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    listed = nav_pages(config["nav"])
    assert sorted(listed) == PAGES  # every page, none twice, none missing from docs/
    assert listed[0] == "index.md"


def test_the_reference_page_renders_the_public_package() -> None:
    reference = (DOCS / "reference.md").read_text(encoding="utf-8")
    assert re.search(r"^::: runninghub_video$", reference, re.M)
