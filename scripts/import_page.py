"""Import one vendor doc page (the Markdown of an Apifox export) into openapi/upstream/.

    python scripts/import_page.py PAGE.md [UPSTREAM_FOLDER]     # make import-spec PAGE=...

The page's one ```yaml block is written byte for byte, atomically, to UPSTREAM_FOLDER/<name>.yaml,
where <name> is the last segment of the page's operation path, or the segment before it too
when a page of another path already has that file name (scripts/normalize.py:
name_candidates): first come, first served, and an imported file is never renamed. The file
name is no part of the page's code names (operationId, classes, command): scripts/normalize.py
page_names gives those from all the pages' paths, whatever the order of import.
Every other file is left as it was. The same page again changes nothing and says so. Refused,
with a message, exit 1 and nothing written: a page with no yaml block or several, one that is
not UTF-8 or not valid YAML, one with other than one operation, and one whose path is already
imported under another file name.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a file: the repo root

from scripts.build_spec import SpecError, parse_yaml12, plain
from scripts.normalize import PageError, name_candidates, the_operation

PAGES = Path(__file__).resolve().parents[1] / "openapi" / "upstream"


class ImportRefused(Exception):
    """The page cannot be imported; nothing was written."""


def yaml_block(text: str, where: Path) -> str:
    """The text between the page's one ```yaml fence and its closing fence, as it is."""
    blocks: list[str] = []
    lines = text.splitlines(keepends=True)
    index = 0
    while index < len(lines):
        if lines[index].rstrip() in ("```yaml", "```yml"):
            end = next(
                (i for i in range(index + 1, len(lines)) if lines[i].startswith("```")), None
            )
            if end is None:
                raise ImportRefused(f"{where}: the ```yaml block at line {index + 1} never ends")
            blocks.append("".join(lines[index + 1 : end]))
            index = end
        index += 1
    if len(blocks) != 1:
        raise ImportRefused(f"{where}: {len(blocks) or 'no'} ```yaml blocks; a page has one")
    return blocks[0]


def operation_path(text: str, where: Path) -> str:
    """The path of the one operation a page's YAML holds."""
    try:
        return the_operation(plain(parse_yaml12(text, where)))[0]
    except SpecError as error:
        raise ImportRefused(str(error.code)) from None
    except PageError as error:
        raise ImportRefused(f"{where}: {error}") from None


def target_file(path: str, folder: Path) -> Path:
    """Where a page of this path goes: the file already holding it, else the first free name."""
    holders = [
        file
        for file in sorted(folder.glob("*.yaml"))
        if operation_path(file.read_text(encoding="utf-8"), file) == path
    ]
    try:
        candidates = name_candidates(path)
    except PageError as error:
        raise ImportRefused(str(error)) from None
    named = [file for file in holders if file.stem in candidates]
    others = [file.name for file in holders if file.stem not in candidates]
    if others:
        raise ImportRefused(
            f"{path} is already imported as {', '.join(others)} in {folder}; not importing it "
            f"a second time (remove that file first if the page was renamed)"
        )
    if named:
        return named[0]
    for name in candidates:
        if not (folder / f"{name}.yaml").exists():
            return folder / f"{name}.yaml"
    taken = ", ".join(f"{name}.yaml" for name in candidates)
    raise ImportRefused(f"{path}: every name it could have ({taken}) is another page's")


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write data to path through a temporary file beside it: never a half-written page."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def import_page(page: Path, folder: Path = PAGES) -> tuple[str, Path]:
    """Import page into folder; return ("added" | "updated" | "unchanged", the file)."""
    try:
        text = page.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        where = f"{error.reason} at byte {error.start}"
        raise ImportRefused(f"{page}: not UTF-8 text ({where})") from None
    block = yaml_block(text, page)
    target = target_file(operation_path(block, page), folder)
    data = block.encode("utf-8")
    if target.exists() and target.read_bytes() == data:
        return "unchanged", target
    verdict = "updated" if target.exists() else "added"
    write_bytes_atomically(target, data)
    return verdict, target


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print("usage: import_page.py PAGE.md [UPSTREAM_FOLDER]", file=sys.stderr)
        return 2
    page = Path(argv[0])
    folder = Path(argv[1]) if len(argv) == 2 else PAGES
    try:
        verdict, target = import_page(page, folder)
    except (ImportRefused, OSError) as error:
        print(f"make import-spec refused {page}; nothing written:\n{error}", file=sys.stderr)
        return 1
    if verdict == "unchanged":
        print(f"{target} already holds this page: nothing to do.")
    else:
        print(f"{verdict.capitalize()} {target}. Next: make generate, then review git diff.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
