"""The spec pipeline (scripts/build_spec.py, scripts/generate.py) cannot silently corrupt the spec.

An unquoted `1:1` upstream (61 in YAML 1.1) ends as the string "1:1" for every tool; an enum
value of the wrong type stops the build with its line; a failed build replaces nothing.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from ruamel.yaml import YAML
from runninghub_client.types import Unset

import scripts.generate as generate_script
from scripts._processes import free_port, prism_mock_argv, running
from scripts.build_spec import build
from scripts.generate import OVERLAY, TEMPLATES, UPSTREAM, GenerationError, regenerate
from tests.support.api import request_schema_of
from tests.support.constants import ROOT, SPEC

pytestmark = pytest.mark.integration  # the generator, scripts and Prism in subprocesses

ASPECT = "                  enum:\n                    - '16:9'\n                    - '9:16'\n"
UNQUOTED = "                  enum:\n                    - 16:9\n                    - '9:16'\n                    - 1:1\n"  # noqa: E501


def upstream_with(tmp_path: Path, old: str, new: str) -> Path:
    text = UPSTREAM.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "upstream.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the committed spec and generated client, to regenerate into."""
    spec = tmp_path / "out" / "runninghub.yaml"
    generated = tmp_path / "out" / "generated" / "runninghub_client"
    spec.parent.mkdir()
    shutil.copy(SPEC, spec)
    shutil.copytree(ROOT / "generated" / "runninghub_client", generated)
    return spec, generated


def aspect_enum(document: Any) -> object:
    path = "/openapi/v2/rhart-video-s-official/image-to-video-realistic"
    return request_schema_of(document, path)["properties"]["aspectRatio"]["enum"]


def test_unquoted_ratios_reach_every_tool_as_strings(tmp_path: Path, workspace) -> None:
    """`- 16:9` and `- 1:1` unquoted upstream: strings for PyYAML, ruamel, generator and Prism."""
    upstream = upstream_with(tmp_path, ASPECT, UNQUOTED)
    assert yaml.safe_load(upstream.read_text())  # PyYAML alone would read 969 and 61 here
    spec, generated = workspace
    regenerate(spec, generated, upstream=upstream, overlay=OVERLAY)
    expected = ["16:9", "9:16", "1:1"]
    text = spec.read_text(encoding="utf-8")
    assert aspect_enum(yaml.safe_load(text)) == expected  # schemathesis reads with PyYAML
    assert aspect_enum(YAML(typ="safe", pure=True).load(text)) == expected  # YAML 1.2 readers
    literal = (generated / "models" / "aspect_ratio.py").read_text(encoding="utf-8")
    assert 'AspectRatio = Literal["16:9", "1:1", "9:16"]' in literal  # sorted by the generator
    port = free_port()
    with running(prism_mock_argv(port, spec), port):
        url = f"http://127.0.0.1:{port}/openapi/v2/rhart-video-s-official/image-to-video-realistic"
        body = {"prompt": "p", "resolution": "720p", "imageUrl": "https://e.x/a.png",
                "duration": "4"}  # fmt: skip
        auth = {"Authorization": "Bearer k"}
        assert httpx.post(url, json={**body, "aspectRatio": "1:1"}, headers=auth).status_code == 200
        assert httpx.post(url, json={**body, "aspectRatio": 61}, headers=auth).status_code == 422


def test_enum_value_of_wrong_type_stops_the_build_naming_it(tmp_path: Path, workspace) -> None:
    """An unquoted `- 16` under `type: string` is an error with file and line; nothing replaced."""
    upstream = upstream_with(tmp_path, "                    - '12'\n", "                    - 16\n")
    line = upstream.read_text().splitlines().index("                    - 16") + 1
    with pytest.raises(SystemExit, match=rf"upstream.yaml:{line}: enum value 16 .*type is string"):
        build(upstream, OVERLAY)
    spec, generated = workspace
    before = spec.read_bytes(), tree_digest(generated)
    with pytest.raises(GenerationError, match="enum value 16"):
        regenerate(spec, generated, upstream=upstream, overlay=OVERLAY)
    assert (spec.read_bytes(), tree_digest(generated)) == before


def test_generator_failure_replaces_nothing(tmp_path: Path, workspace) -> None:
    """A spec the generator refuses leaves the last good spec and every generated file."""
    upstream = upstream_with(
        tmp_path, "                imageUrl:\n                  type: string\n",
        "                imageUrl:\n                  $ref: '#/components/schemas/Missing'\n",
    )  # fmt: skip
    spec, generated = workspace
    before = spec.read_bytes(), tree_digest(generated)
    assert len(before[1]) > 15
    with pytest.raises(GenerationError, match="openapi-python-client failed"):
        regenerate(spec, generated, upstream=upstream, overlay=OVERLAY)
    assert (spec.read_bytes(), tree_digest(generated)) == before
    assert [p.name for p in generated.parent.iterdir()] == ["runninghub_client"]  # no debris


def test_regenerate_builds_what_is_committed(workspace) -> None:
    """The atomic path produces the committed files (make check-generated, without a stale copy)."""
    spec, generated = workspace
    before = spec.read_bytes(), tree_digest(generated)
    shutil.rmtree(generated)
    regenerate(spec, generated)
    assert (spec.read_bytes(), tree_digest(generated)) == before


def test_custom_template_only_drops_the_fixed_boundary_and_adds_raw_calls() -> None:
    """openapi/templates/endpoint_module.py.jinja is the installed template minus `boundary=+++`,
    plus sync_raw and asyncio_raw (the answer unparsed).

    Fails after a generator upgrade that changes the template: re-derive ours from the new one.
    """
    import openapi_python_client

    installed = Path(openapi_python_client.__file__).parent / "templates" / TEMPLATES.name
    installed = installed.parent / "endpoint_module.py.jinja"
    ours = (TEMPLATES / "endpoint_module.py.jinja").read_text(encoding="utf-8")
    body = ours.split("-#}\n", 1)[1]
    original = installed.read_text(encoding="utf-8")
    dropped = [line for line in original.splitlines() if line not in body.splitlines()]
    assert all("multipart" in line or "{% else %}" in line for line in dropped), dropped
    assert "boundary" not in body
    kept = set(original.splitlines())
    added = [line.strip() for line in body.splitlines() if line not in kept and line.strip()]
    assert [line for line in added if line.startswith(("def ", "async def "))] == [
        "def sync_raw(",
        "async def asyncio_raw(",
    ]
    assert not [line for line in added if "_parse_response" in line or "_build_response" in line]


def test_custom_client_template_only_hides_key_fields_from_repr() -> None:
    """openapi/templates/client.py.jinja is the installed template plus `repr=False` on the fields
    that can hold the key. Fails after a generator upgrade that changes the template."""
    import openapi_python_client

    installed = Path(openapi_python_client.__file__).parent / "templates" / "client.py.jinja"
    ours = (TEMPLATES / "client.py.jinja").read_text(encoding="utf-8").split("-#}\n", 1)[1]
    original = installed.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(original, ours.splitlines(), strict=True) if a != b]
    assert [b.split(":")[0].strip() for _, b in changed] == [
        '"token"',
        "_cookies",
        "_headers",
        "_httpx_args",
    ], changed
    assert all("repr=False" in b and "repr=False" not in a for a, b in changed)


def test_custom_union_template_only_adds_checks_to_the_installed_one() -> None:
    """openapi/templates/property_templates/union_property.py.jinja keeps every line of the
    installed template but the fallback it replaces. Fails after a generator upgrade that
    changes the template: re-derive ours from the new one."""
    import openapi_python_client

    name = "property_templates/union_property.py.jinja"
    installed = Path(openapi_python_client.__file__).parent / "templates" / name
    ours = (TEMPLATES / name).read_text(encoding="utf-8").split("-#}\n", 1)[1].splitlines()
    stripped = {line.strip() for line in ours}
    missing = [
        line
        for line in installed.read_text(encoding="utf-8").splitlines()
        if line.strip() not in stripped
    ]
    assert [line.strip() for line in missing] == [
        "{% set ns = namespace(contains_unmodified_properties = false) %}",
        "{% if ns.contains_unmodified_properties %}",
    ], missing


def test_generated_unions_never_return_a_raw_dict_typed_as_a_model() -> None:
    """The custom union template: a result item or a failedReason that is no model raises
    TypeError naming the field (never the value); a union of primitives still reads a number
    where the spec says string, as the vendor sends it."""
    from runninghub_client.models.task_result import TaskResult

    base = {"taskId": "1", "status": "SUCCESS", "errorCode": "", "errorMessage": ""}
    with pytest.raises(TypeError, match=r"^results: the value matches no type"):
        TaskResult.from_dict({**base, "results": "sk-secret"})
    with pytest.raises(TypeError, match=r"^failed_reason: the value matches no type") as caught:
        TaskResult.from_dict({**base, "failedReason": {"traceback": "sk-secret"}})
    assert "sk-secret" not in str(caught.value)
    with pytest.raises(TypeError, match=r"^usage: "):
        TaskResult.from_dict({**base, "usage": ["sk-secret"]})
    read = TaskResult.from_dict({**base, "failedReason": "boom", "usage": {"consumeCoins": 7}})
    assert read.failed_reason == "boom"
    assert not isinstance(read.usage, Unset | None)
    assert read.usage.to_dict()["consumeCoins"] == 7  # the cast keeps what was sent
    assert isinstance(read.results, Unset)


def run_regenerate(
    spec: Path, generated: Path, upstream: Path, before_spec: str = "", thread: bool = False
) -> subprocess.CompletedProcess[str]:
    """scripts/generate.py's regenerate() in a real Python process; before_spec runs just
    before the spec is written (after the client is swapped in), in that process; `thread`
    starts another thread first (as an imported library's native threads are)."""
    driver = f"""
import os, signal, sys, threading
from pathlib import Path
if {thread!r}:
    threading.Thread(target=threading.Event().wait, daemon=True).start()
sys.path.insert(0, {str(ROOT)!r})
signal.signal(signal.SIGINT, signal.default_int_handler)
import scripts.generate as g
original = g.write_atomically
def write_atomically(path, text):
    {before_spec or "pass"}
    original(path, text)
g.write_atomically = write_atomically
g.regenerate(Path({str(spec)!r}), Path({str(generated)!r}), upstream=Path({str(upstream)!r}))
"""
    return subprocess.run(
        [sys.executable, "-c", driver], capture_output=True, text=True, check=False, cwd=ROOT
    )


@pytest.mark.parametrize("thread", [False, True], ids=["one thread", "another thread"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_the_swap_acts_after_it(
    tmp_path: Path, workspace: tuple[Path, Path], signum: int, thread: bool
) -> None:
    """SIGTERM/SIGINT arriving between the client swap and the spec write wait until both are
    in place: new client and new spec together, no debris, and the process still stops. Also
    when the process has another thread (a signal mask held it in one thread only: the other
    took the SIGTERM, and the process ended with the new client beside the old spec)."""
    upstream = upstream_with(tmp_path, ASPECT, UNQUOTED)
    spec, generated = workspace
    before = spec.read_bytes(), tree_digest(generated)
    kill = f"os.kill(os.getpid(), {int(signum)})"
    run = run_regenerate(spec, generated, upstream, kill, thread=thread)
    assert run.returncode == -signum, run.stderr
    assert aspect_enum(yaml.safe_load(spec.read_text(encoding="utf-8"))) == ["16:9", "9:16", "1:1"]
    assert spec.read_bytes() != before[0]
    literal = (generated / "models" / "aspect_ratio.py").read_text(encoding="utf-8")
    assert '"1:1"' in literal
    assert tree_digest(generated) != before[1]
    assert [p.name for p in generated.parent.iterdir()] == ["runninghub_client"]  # no debris


@pytest.mark.parametrize("step", ["client", "spec"])
def test_an_os_error_in_the_swap_leaves_everything_as_it_was(
    tmp_path: Path,
    workspace: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    step: str,
) -> None:
    """EIO on the client's rename, or ENOSPC on the spec's write: the last good spec and client
    stay, no debris, and make generate says so in one message (no traceback)."""
    upstream = upstream_with(tmp_path, ASPECT, UNQUOTED)
    spec, generated = workspace
    before = spec.read_bytes(), tree_digest(generated)

    def fail(*args: object) -> None:
        code = errno.EIO if step == "client" else errno.ENOSPC
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(generate_script, "exchange" if step == "client" else "write_atomically",
                        fail)  # fmt: skip
    monkeypatch.setattr(generate_script, "ROOT", tmp_path)
    monkeypatch.setattr(generate_script, "SPEC", spec)
    monkeypatch.setattr(generate_script, "GENERATED", generated)
    monkeypatch.setattr(generate_script, "UPSTREAM", upstream)
    assert generate_script.main([]) == 1
    err = capsys.readouterr().err
    assert "left as they were" in err
    assert os.strerror(errno.EIO if step == "client" else errno.ENOSPC) in err
    assert "Traceback" not in err
    assert (spec.read_bytes(), tree_digest(generated)) == before
    assert [p.name for p in generated.parent.iterdir()] == ["runninghub_client"]  # no debris


def test_without_an_atomic_exchange_the_two_renames_still_work(
    tmp_path: Path, workspace: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where renameat2 is missing (ENOSYS), the swap falls back to two renames and cleans up."""
    upstream = upstream_with(tmp_path, ASPECT, UNQUOTED)
    spec, generated = workspace

    def missing(*args: object) -> None:
        raise OSError(errno.ENOSYS, "no renameat2")

    monkeypatch.setattr(generate_script, "exchange", missing)
    regenerate(spec, generated, upstream=upstream, overlay=OVERLAY)
    assert '"1:1"' in (generated / "models" / "aspect_ratio.py").read_text(encoding="utf-8")
    assert [p.name for p in generated.parent.iterdir()] == ["runninghub_client"]


def test_the_next_run_restores_a_client_a_killed_swap_left_aside(
    tmp_path: Path, workspace: tuple[Path, Path]
) -> None:
    """generated/runninghub_client missing, .runninghub_client.old-<pid> present (a run killed
    between two renames): the next run puts it back first and says so, even if its own build
    then fails."""
    spec, generated = workspace
    before = spec.read_bytes(), tree_digest(generated)
    aside = generated.with_name(".runninghub_client.old-4242")
    generated.rename(aside)
    broken = upstream_with(
        tmp_path, "                imageUrl:\n                  type: string\n",
        "                imageUrl:\n                  $ref: '#/components/schemas/Missing'\n",
    )  # fmt: skip
    run = run_regenerate(spec, generated, broken)
    assert run.returncode == 1
    assert "restored runninghub_client from .runninghub_client.old-4242" in run.stderr
    assert "openapi-python-client failed" in run.stderr  # the build itself still failed
    assert (spec.read_bytes(), tree_digest(generated)) == before
    assert [p.name for p in generated.parent.iterdir()] == ["runninghub_client"]


SEED = Path("/work/shared/seed/image-to-video-realistic.md")


def run_build_spec(upstream: Path, output: Path) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "scripts/build_spec.py", str(upstream), str(OVERLAY), str(output)]
    return subprocess.run(argv, capture_output=True, text=True, check=False, cwd=ROOT)


def test_invalid_yaml_upstream_is_one_message_naming_file_and_line(
    tmp_path: Path, workspace: tuple[Path, Path]
) -> None:
    """A broken flow sequence upstream: `make spec` and `make generate` say where, in one
    message without a traceback, exit non-zero and leave every file as it was."""
    upstream = upstream_with(
        tmp_path, "                    - '9:16'\n", "                    - [9:16\n"
    )
    line = upstream.read_text(encoding="utf-8").splitlines().index("                    - [9:16")
    output = tmp_path / "merged.yaml"
    output.write_text("last good\n", encoding="utf-8")
    run = run_build_spec(upstream, output)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    found = re.search(r"upstream.yaml:(\d+): not valid YAML", run.stderr)
    assert found, run.stderr
    assert line + 1 <= int(found.group(1)) <= line + 3  # the parser notices at the next token
    assert output.read_text(encoding="utf-8") == "last good\n"
    spec, generated = workspace
    before = spec.read_bytes(), tree_digest(generated)
    with pytest.raises(GenerationError, match=r"upstream.yaml:\d+: not valid YAML"):
        regenerate(spec, generated, upstream=upstream, overlay=OVERLAY)
    assert (spec.read_bytes(), tree_digest(generated)) == before


def test_yaml_anchors_and_aliases_upstream_are_refused(tmp_path: Path) -> None:
    """Aliases expand in the merge (a nested "billion laughs" took 100 s and 1.19 GB): a page
    with any anchor is refused at its line before anything is expanded."""
    laughs = "".join(
        f"  x-l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 4)
    ).replace("&l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]", "&l1 [lol, lol]")
    upstream = upstream_with(tmp_path, "info:\n", "info:\n" + laughs)
    line = upstream.read_text(encoding="utf-8").splitlines().index("  x-l1: &l1 [lol, lol]") + 1
    output = tmp_path / "merged.yaml"
    run = run_build_spec(upstream, output)
    assert run.returncode == 1, run.stderr
    assert f"upstream.yaml:{line}: YAML anchors and aliases (&l1, *l1)" in run.stderr
    assert "Traceback" not in run.stderr
    assert not output.exists()


def test_the_vendor_pages_use_no_yaml_anchors() -> None:
    """The refusal above costs nothing: neither the seed page nor openapi/upstream/ uses any."""
    from ruamel.yaml.events import AliasEvent

    seed = SEED.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("\n```", 1)[0]
    for text in (seed, UPSTREAM.read_text(encoding="utf-8")):
        events = list(YAML(typ="rt", pure=True).parse(text))
        assert len(events) > 100
        assert not [e for e in events if isinstance(e, AliasEvent) or getattr(e, "anchor", None)]


def test_a_killed_run_s_build_folder_is_removed_by_the_next_run(
    tmp_path: Path, workspace: tuple[Path, Path]
) -> None:
    """SIGTERM during the build (before the held swap) left `.generate-*` folders forever; each
    now names its run's pid, and the next run removes those whose run is gone, not others'."""
    _, generated = workspace
    ended = subprocess.Popen([sys.executable, "-c", "pass"])  # a pid whose process has ended
    ended.wait()
    stale = generated.parent / f".generate-{ended.pid}-abc"
    live = generated.parent / f".generate-{os.getpid()}-def"
    for folder in (stale, live):
        (folder / "runninghub_client").mkdir(parents=True)
    said = generate_script.recover(generated)
    assert said == [f"removed {stale.name}, left by an interrupted run"]
    assert not stale.exists()
    assert live.exists()  # a run still going (this one) keeps its folder
