"""Build the merged spec and the generated client atomically (make generate, make check-generated).

Everything is built in a temporary folder first: the overlay merge (scripts/build_spec.py),
then openapi-python-client with the custom templates of openapi/templates/. Only when both
succeed are openapi/runninghub.yaml and generated/runninghub_client replaced; a failure leaves
the last good files in place and says which step failed.

    python scripts/generate.py            # regenerate in place
    python scripts/generate.py --check    # fail, naming files, if the committed ones are stale
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a file: the repo root

from scripts.build_spec import SpecError, build, write_atomically

ROOT = Path(__file__).resolve().parents[1]
UPSTREAM = ROOT / "openapi" / "upstream" / "image-to-video-realistic.yaml"
OVERLAY = ROOT / "openapi" / "overlay.yaml"
SPEC = ROOT / "openapi" / "runninghub.yaml"
CONFIG = ROOT / "openapi" / "generator-config.yaml"
TEMPLATES = ROOT / "openapi" / "templates"
GENERATED = ROOT / "generated" / "runninghub_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


class GenerationError(Exception):
    """A step of the build failed; nothing was replaced."""


def generate_client(spec: Path, output: Path) -> None:
    """Run openapi-python-client on spec into output (a folder that must not exist yet)."""
    argv = [
        str(GENERATOR), "generate", "--path", str(spec), "--config", str(CONFIG),
        "--custom-template-path", str(TEMPLATES), "--meta", "none",
        "--output-path", str(output), "--fail-on-warning",
    ]  # fmt: skip
    # The generator's post hooks run the venv's ruff (generator-config.yaml).
    env = {**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(
        argv, capture_output=True, text=True, check=False, cwd=output.parent, env=env
    )
    if run.returncode != 0:
        raise GenerationError(
            f"openapi-python-client failed (exit {run.returncode}):\n{run.stdout}{run.stderr}"
        )
    shutil.rmtree(output / ".ruff_cache", ignore_errors=True)
    # PEP 561: the generator writes no py.typed with --meta none; without it users' type
    # checkers would read the bindings as untyped.
    (output / "py.typed").touch()


def build_all(workdir: Path, upstream: Path = UPSTREAM, overlay: Path = OVERLAY) -> Path:
    """Merge and generate into workdir; return the folder holding runninghub.yaml and the client."""
    try:
        text = build(upstream, overlay)
    except SpecError as error:
        raise GenerationError(f"the overlay merge failed:\n{error.code}") from None
    (workdir / "runninghub.yaml").write_text(text, encoding="utf-8")
    generate_client(workdir / "runninghub.yaml", workdir / "runninghub_client")
    return workdir


def replace_tree(new: Path, target: Path) -> None:
    """Put the folder new at target (same file system), removing the old one only afterwards."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    try:
        new.rename(target)
    except BaseException:
        if old.exists() and not target.exists():
            old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def regenerate(spec: Path = SPEC, generated: Path = GENERATED, **sources: Path) -> None:
    """Build everything in a temporary folder beside generated/, then swap it in."""
    generated.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=generated.parent, prefix=".generate-") as tmp:
        built = build_all(Path(tmp), **sources)
        write_atomically(spec, (built / "runninghub.yaml").read_text(encoding="utf-8"))
        replace_tree(built / "runninghub_client", generated)


def _differences(fresh: Path, committed: Path) -> list[str]:
    compare = filecmp.dircmp(fresh, committed, ignore=["__pycache__"])
    found: list[str] = []

    def walk(cmp: filecmp.dircmp[str], rel: str) -> None:
        found.extend(f"{rel}{name} (only in the fresh build)" for name in cmp.left_only)
        found.extend(f"{rel}{name} (not in the fresh build)" for name in cmp.right_only)
        for name in cmp.common_files:
            if not filecmp.cmp(Path(cmp.left) / name, Path(cmp.right) / name, shallow=False):
                found.append(f"{rel}{name}")
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{rel}{name}/")

    walk(compare, f"{committed.relative_to(ROOT)}/")
    return found


def check() -> list[str]:
    """The committed files that differ from a fresh build (empty when all match)."""
    with tempfile.TemporaryDirectory(prefix="runninghub-generate-") as tmp:
        built = build_all(Path(tmp))
        stale = (
            []
            if filecmp.cmp(built / "runninghub.yaml", SPEC, shallow=False)
            else [str(SPEC.relative_to(ROOT))]
        )
        return stale + _differences(built / "runninghub_client", GENERATED)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, change nothing")
    args = parser.parse_args(argv)
    try:
        if args.check:
            stale = check()
            for name in stale:
                print(f"stale: {name}")
            if stale:
                print("Run 'make generate' and commit the result.")
                return 1
            print(f"generated/ and {SPEC.relative_to(ROOT)} match openapi/upstream + overlay")
            return 0
        regenerate()
    except GenerationError as error:
        print(f"make generate failed; {SPEC.relative_to(ROOT)} and generated/ left as they "
              f"were.\n{error}", file=sys.stderr)  # fmt: skip
        return 1
    print(f"Generated {GENERATED.relative_to(ROOT)} and {SPEC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
