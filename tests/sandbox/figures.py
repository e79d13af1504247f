"""Before/after figures of the hostile-client attacks: `python -m tests.sandbox.figures
[--tree PATH] [--only NAME ...]` prints a markdown table (docs/sandbox.md, "Figures").

--tree runs another checkout's sandbox code (e.g. /work/main, read-only) with this venv.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

from tests.sandbox import attacks
from tests.sandbox.attacks import HEADER, Figures, SandboxProcess, sandbox_process


def scenarios(bomb: Path) -> dict[str, Callable[[SandboxProcess], Figures]]:
    """Every attack by short name."""
    return {
        "markers110": lambda sb: attacks.marker_flood(sb, 110),
        "markers1000": lambda sb: attacks.marker_flood(sb, 1000),
        "bomb": lambda sb: attacks.decompression_bomb(sb, bomb),
        "uploads": attacks.concurrent_uploads,
        "prompts": attacks.big_prompts,
        "disk": attacks.distinct_uploads,
        "idle": attacks.idle_connections,
        "identical": attacks.identical_uploads,
        "malformed": attacks.malformed_bodies,
    }


def main() -> None:
    """Run the chosen attacks, each against a fresh sandbox, and print the table."""
    parser = argparse.ArgumentParser(prog="python -m tests.sandbox.figures")
    parser.add_argument("--tree", type=Path, default=None, help="code tree to run (default: ours)")
    parser.add_argument("--only", nargs="*", default=None, help="attack names to run")
    parser.add_argument("--arg", action="append", default=[], help="extra sandbox argument")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rh-attacks-") as tmp:
        chosen = scenarios(Path(tmp) / "bomb.png")
        attacks.png_bomb(Path(tmp) / "bomb.png")
        print(HEADER, flush=True)
        for name, attack in chosen.items():
            if args.only and name not in args.only:
                continue
            data = Path(tmp) / name
            with sandbox_process(data, args.tree, args.arg) as sandbox:
                figures = attack(sandbox)
                stats = sandbox.stats()
            if stats:
                figures.notes["stats"] = {k: v for k, v in stats.items() if v and k in KEEP}
            print(figures.row(), flush=True)


KEEP = {"renders_refused", "tasks", "uploads_evicted", "renders_evicted", "connections_closed"}

if __name__ == "__main__":
    main()
