"""`make bench`: run the benchmarks, print their tables, refresh benchmarks/README.md.

    python -m benchmarks.run                    # all, in order
    python -m benchmarks.run startup scale      # some
    python -m benchmarks.run --no-readme ...    # print only

Each benchmark measures its baseline in the same run. The README keeps one block per
benchmark between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` markers; only the blocks
of the benchmarks that ran are replaced, with the machine block.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import Section, machine

BENCHMARKS = ["overhead", "scale", "download", "startup", "pipeline", "batch"]
README = Path(__file__).with_name("README.md")


def load(name: str) -> Callable[[], Section]:
    """The run() of benchmarks/bench_NAME.py."""
    module = importlib.import_module(f"benchmarks.bench_{name}")
    runner: Callable[[], Section] = module.run
    return runner


def replace_block(text: str, name: str, body: str) -> str:
    """text with the block between the markers of name replaced by body (kept if absent)."""
    pattern = re.compile(rf"(<!-- bench:{name} -->\n).*?(\n<!-- /bench:{name} -->)", re.DOTALL)
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks; exit 0 even when a target is missed (they only print)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(BENCHMARKS))
    parser.add_argument("--no-readme", action="store_true", help="do not update README.md")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    names = args.names or BENCHMARKS
    about = machine()
    print(f"# runninghub-video benchmarks\n\n{about}\n", flush=True)
    sections: list[Section] = []
    started = time.monotonic()
    for name in names:
        began = time.monotonic()
        print(f"## {name}: running...", file=sys.stderr, flush=True)
        section = load(name)()
        took = time.monotonic() - began
        section.note(f"_({name}: {took:.0f} s)_")
        sections.append(section)
        print(f"## {section.title}\n\n{section.markdown()}\n", flush=True)
    print(f"total: {time.monotonic() - started:.0f} s", flush=True)
    if not args.no_readme and README.exists():
        text = replace_block(README.read_text(), "machine", about)
        for section in sections:
            text = replace_block(text, section.name, section.markdown())
        README.write_text(text)
        print(f"updated {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
