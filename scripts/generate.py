"""Build the merged spec and the generated client atomically (make generate, make check-generated).

Everything is built in a temporary folder first: the merge of every page of openapi/upstream/
with the overlays (scripts/build_spec.py), then openapi-python-client with the custom templates
of openapi/templates/ and openapi/generator-config.yaml plus the enum class names of every
page (generator_config: TextToVideoSize, not TextToVideoRequestSize). Only when both
succeed are generated/runninghub_client, then openapi/runninghub.yaml replaced; a failure leaves
the last good files in place and says which step failed. The client is swapped in one step
(renameat2 RENAME_EXCHANGE), so a complete client is at its final path at every instant;
SIGINT/SIGTERM wait until the swap is over; a run killed mid-swap on a system without the
exchange leaves .runninghub_client.old-<pid>, which the next run puts back first.

    python scripts/generate.py            # regenerate in place
    python scripts/generate.py --check    # fail, naming files, if the committed ones are stale
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import filecmp
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a file: the repo root

from scripts import contract_table
from scripts.build_spec import SpecError, build, write_atomically

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "openapi" / "upstream"
#: The seed page (the first page imported).
UPSTREAM = PAGES / "image-to-video-realistic.yaml"
OVERLAY = ROOT / "openapi" / "overlay.yaml"
SPEC = ROOT / "openapi" / "runninghub.yaml"
CONFIG = ROOT / "openapi" / "generator-config.yaml"
TEMPLATES = ROOT / "openapi" / "templates"
GENERATED = ROOT / "generated" / "runninghub_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


class GenerationError(Exception):
    """A step of the build failed; nothing was replaced."""


def generator_config(spec: dict[str, Any], base: Path = CONFIG) -> dict[str, Any]:
    """The generator's configuration for this spec: base, plus a class name for every enum of
    every operation's inline JSON request model: <Operation><Field> (TextToVideoSize). The
    generator would name it <Model><Field> (TextToVideoRequestSize). base's class_overrides
    win: they keep the seed's published names (Resolution, AspectRatio, Duration)."""
    from openapi_python_client.strings import pascal_case, snake_case

    config: dict[str, Any] = yaml.safe_load(base.read_text(encoding="utf-8"))
    overrides: dict[str, Any] = config.setdefault("class_overrides", {})
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            schema = contract_table.resolved(spec, body.get("schema", {}))  # or its component
            if not isinstance(schema, dict) or "title" not in schema:
                continue
            prefix = pascal_case(operation["operationId"])
            for name, prop in schema.get("properties", {}).items():
                if "enum" in prop:
                    field = pascal_case(prop.get("title") or name)
                    generated = f"{pascal_case(schema['title'])}{field}"
                    wanted = f"{prefix}{field}"
                    overrides.setdefault(
                        generated, {"class_name": wanted, "module_name": snake_case(wanted)}
                    )
    return config


def generate_client(spec: Path, output: Path, config: Path = CONFIG) -> None:
    """Run openapi-python-client on spec into output (a folder that must not exist yet)."""
    argv = [
        str(GENERATOR), "generate", "--path", str(spec), "--config", str(config),
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


def build_all(workdir: Path, upstream: Path = PAGES, overlay: Path = OVERLAY) -> Path:
    """Merge and generate into workdir; return the folder holding runninghub.yaml and the client.

    upstream: the folder of pages (or one page file); overlay: the shared overlay (the page
    overlays are in overlays/ beside it)."""
    try:
        text = build(upstream, overlay)
    except SpecError as error:
        raise GenerationError(f"the overlay merge failed:\n{error.code}") from None
    (workdir / "runninghub.yaml").write_text(text, encoding="utf-8")
    config = workdir / "generator-config.yaml"
    config.write_text(yaml.safe_dump(generator_config(yaml.safe_load(text))), encoding="utf-8")
    generate_client(workdir / "runninghub.yaml", workdir / "runninghub_client", config)
    try:
        contract_table.write(workdir / "runninghub.yaml", workdir)
    except contract_table.TableError as error:
        raise GenerationError(str(error)) from None
    return workdir


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
#: Signals held pending while the client and the spec are swapped (SIGKILL cannot be).
_HELD = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT}


def exchange(a: Path, b: Path) -> None:
    """Swap two existing folders in one step (Linux renameat2 RENAME_EXCHANGE).

    Raises OSError, with errno ENOSYS when the C library or the kernel lacks it.
    """
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available", str(a))
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if done != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(a), None, str(b))


def _put_in_place(new: Path, target: Path) -> Path | None:
    """Move new to target; return where the previous target now is (None if there was none).

    An atomic exchange where the system has one; otherwise two renames through
    .<name>.old-<pid>, which recover() puts back if the process dies between them.
    """
    if not target.exists():
        os.rename(new, target)
        return None
    try:
        exchange(new, target)
        return new
    except OSError as error:
        if error.errno not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    return old


def _put_back(previous: Path | None, target: Path, new: Path) -> None:
    """Undo _put_in_place: the previous target back at target, the new one back at new."""
    if previous is None:
        os.rename(target, new)
    elif previous == new:
        exchange(new, target)
    else:
        os.rename(target, new)
        os.rename(previous, target)


def recover(generated: Path) -> list[str]:
    """Finish a swap that a killed run left half done; return what was done, to say so."""
    said: list[str] = []
    leftovers = sorted(generated.parent.glob(f".{generated.name}.old-*"))
    if leftovers and not generated.exists():
        latest = max(leftovers, key=lambda path: path.stat().st_mtime)
        leftovers.remove(latest)
        os.rename(latest, generated)
        said.append(f"restored {generated.name} from {latest.name}, left by an interrupted run")
    for leftover in leftovers:
        shutil.rmtree(leftover, ignore_errors=True)
        said.append(f"removed {leftover.name}, left by an interrupted run")
    for folder in sorted(generated.parent.glob(".generate-*-*")):  # a killed run's build
        pid = folder.name.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            said.append(f"removed {folder.name}, left by an interrupted run")
    return said


def _alive(pid: int) -> bool:
    """Whether a process of this id runs (a build folder names the run that made it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's: alive
        return True
    return True


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT/SIGTERM/SIGHUP/SIGQUIT: one that arrives acts only once the block is over.

    By Python handlers that note the signal, then raise it again afterwards with the previous
    handlers back: a signal mask would hold it in this thread only, and a signal sent to the
    process goes to any thread that does not block it (a native thread of an imported library,
    such as OpenBLAS's), whose default action ends the process mid-swap.
    """
    arrived: list[int] = []
    previous = {
        signum: signal.signal(signum, lambda got, _: arrived.append(got)) for signum in _HELD
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        for got in dict.fromkeys(arrived):
            signal.raise_signal(got)


def swap_in(built: Path, spec: Path, generated: Path) -> None:
    """Put the built client, then the built spec, in place; on OSError put both back.

    A complete client is at `generated` at every instant. Run under signals_held().
    """
    new_client = built / "runninghub_client"
    try:
        previous = _put_in_place(new_client, generated)
    except OSError as error:
        raise GenerationError(f"could not put the new client in place: {error}") from None
    try:
        write_atomically(spec, (built / "runninghub.yaml").read_text(encoding="utf-8"))
    except OSError as error:
        try:
            _put_back(previous, generated, new_client)
        except OSError as again:
            raise GenerationError(
                f"could not write {spec}: {error}; and could not put the previous client "
                f"back: {again}; {generated} holds the new client: run make generate again"
            ) from None
        raise GenerationError(f"could not write {spec}: {error}") from None
    if previous is not None and previous != new_client:
        shutil.rmtree(previous, ignore_errors=True)


def regenerate(spec: Path | None = None, generated: Path | None = None, **sources: Path) -> None:
    """Build everything in a temporary folder beside generated/, then swap it in."""
    spec, generated = spec or SPEC, generated or GENERATED
    generated.parent.mkdir(parents=True, exist_ok=True)
    try:
        done = recover(generated)
    except OSError as error:
        raise GenerationError(f"could not recover from an interrupted run: {error}") from None
    for line in done:
        print(f"make generate: {line}", file=sys.stderr)
    with tempfile.TemporaryDirectory(
        dir=generated.parent, prefix=f".generate-{os.getpid()}-", ignore_cleanup_errors=True
    ) as tmp:
        built = build_all(Path(tmp), **sources)
        with signals_held():  # a signal now acts once the swap and the clean-up are done
            swap_in(built, spec, generated)
            shutil.rmtree(tmp, ignore_errors=True)


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
            print(f"generated/ and {SPEC.relative_to(ROOT)} match openapi/upstream + overlays")
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
