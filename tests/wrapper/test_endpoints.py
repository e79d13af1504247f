"""The library over every task endpoint of the spec: the endpoint list is found in the generated
client, checks come from its request models, an image URL field takes a local file; then a
second page (the text-to-video fixture) imported and generated in a temporary copy is a typed
library call with no hand-written line: mypy --strict accepts it, refuses a value its Literal
lacks, and it runs against a sandbox serving that spec."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from runninghub_client.models import ImageToVideoRealisticRequest
from runninghub_video import InvalidInputError, RunningHub
from runninghub_video import _endpoints as endpoints
from runninghub_video._params import check_field, check_local_image
from runninghub_video.sandbox import Sandbox
from runninghub_video.sandbox._app import fallbacks
from runninghub_video.sandbox._contract import load_contract

from scripts import contract_table
from tests.support.constants import KEY, ROOT, SAMPLE_PNG
from tests.support.pages import python_path
from tests.wrapper.fakes import SUBMIT, UPLOAD, FakeClock, ScriptedAPI, make_client, ok, task_body

SEED = "image-to-video-realistic"
SEED_FALLBACKS = fallbacks(load_contract().one("task"))  # the sandbox's, for the seed

# ---------------------------------------------------------------- unit: the committed client


def test_the_endpoint_list_is_read_from_the_generated_client() -> None:
    """(Without importing it: tests/cli/test_units.py test_help_loads_no_heavy_module.)"""
    infos = endpoints.infos()
    assert len(infos) == len(list((ROOT / "openapi" / "upstream").glob("*.yaml")))  # one a page
    (seed,) = [info for info in infos if info.name == SEED]
    assert endpoints.seed() == seed
    assert seed.path == "/openapi/v2/rhart-video-s-official/image-to-video-realistic"
    assert seed.request_model == "ImageToVideoRealisticRequest"
    assert seed.fields["image_url"][0] == "imageUrl"


def test_fields_types_and_allowed_values_come_from_the_generated_model() -> None:
    endpoint = endpoints.load(endpoints.find(SEED))
    assert endpoint.model is ImageToVideoRealisticRequest
    by_name = {field.name: field for field in endpoint.fields}
    assert by_name["resolution"].choices == ("720p", "1080p")
    assert by_name["duration"].choices == ("4", "8", "12")
    assert (by_name["aspect_ratio"].required, by_name["aspect_ratio"].default) == (False, "16:9")
    assert by_name["prompt"].required
    assert by_name["image_url"].required
    assert by_name["image_url"].takes_image
    assert not by_name["webhook_url"].takes_image
    assert by_name["webhook_url"].takes_url
    assert not by_name["webhook_url"].required


@pytest.mark.parametrize(
    ("paths", "modules", "names"),
    [
        (["/a/x/text-to-video"], ["text_to_video"], ["text-to-video"]),
        # two endpoints share the last segment: the one whose page took the segment before it
        (["/v/a/text-to-video", "/v/b/text-to-video"], ["text_to_video", "b_text_to_video"],
         ["text-to-video", "b-text-to-video"]),
        # a spec made elsewhere (operation ids not from the page names): both get it
        (["/v/a/t2v", "/v/b/t2v"], ["one", "two"], ["a-t2v", "b-t2v"]),
    ],
)  # fmt: skip
def test_names_are_the_last_path_segment_or_the_one_before_it_too(
    paths: list[str], modules: list[str], names: list[str]
) -> None:
    rows = [{"path": p, "module": m} for p, m in zip(paths, modules, strict=True)]
    assert contract_table._names(rows) == names


def test_an_unknown_endpoint_or_model_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(InvalidInputError, match="one of the spec's task endpoints: " + SEED):
        endpoints.find("text-to-music")
    with pytest.raises(InvalidInputError, match="a generated request model"):
        endpoints.of_model(object())


def test_submit_to_checks_every_field_before_any_request() -> None:
    api = ScriptedAPI().add(SUBMIT, ok(task_body()))
    good: dict[str, Any] = {"prompt": "a cat", "image_url": "https://cdn.test/cat.png",
                            "resolution": "720p", "duration": 4}  # fmt: skip
    bad = [
        ({**good, "resolution": "4k"}, r"invalid resolution: '4k'; expected one of 720p, 1080p"),
        ({**good, "duration": 5}, "expected one of 4, 8, 12"),
        ({k: v for k, v in good.items() if k != "prompt"}, "prompt: None; expected a value"),
        ({**good, "prompt": "  "}, "a non-empty string"),
        ({**good, "colour": "red"}, "colour: 'red'; expected a field of " + SEED),
        ({**good, "image_url": "missing.png"}, "file not found"),
        ({**good, "webhook_url": "ftp://x"}, "an http.s. URL"),
    ]
    with make_client(api, FakeClock()) as rh:
        for fields, says in bad:
            with pytest.raises(InvalidInputError, match=says):
                rh.submit_to(SEED, **fields)
        with pytest.raises(InvalidInputError, match="invalid resolution"):
            rh.submit_request(
                ImageToVideoRealisticRequest(
                    prompt="a cat", resolution="4k",  # type: ignore[arg-type]
                    image_url="https://cdn.test/cat.png", duration="4",
                )
            )  # fmt: skip
    assert api.requests == []


def test_a_local_image_in_an_image_url_field_is_uploaded_first() -> None:
    upload = {"code": 0, "message": "success", "data": {"download_url": "https://cdn.test/up.png"}}
    api = ScriptedAPI().add(UPLOAD, ok(upload)).add(SUBMIT, ok(task_body()))
    with make_client(api, FakeClock()) as rh:
        task = rh.submit_to(SEED, prompt="a cat", image_url=str(SAMPLE_PNG), resolution="1080p",
                            duration="8", webhook_url="https://hooks.test/done")  # fmt: skip
        model = ImageToVideoRealisticRequest(
            prompt="a dog", resolution="720p", image_url=str(SAMPLE_PNG), duration="4"
        )
        model["seed"] = 7  # a field the spec does not list yet goes through as it is
        rh.submit_request(model)
    assert task.id == "1999"
    assert [r.url.path for r in api.requests] == [UPLOAD, SUBMIT, SUBMIT]  # the upload reused
    first, second = (json.loads(r.content) for r in api.requests if r.url.path == SUBMIT)
    assert first == {"prompt": "a cat", "resolution": "1080p", "aspectRatio": "16:9",
                     "imageUrl": "https://cdn.test/up.png", "duration": "8",
                     "webhookUrl": "https://hooks.test/done"}  # fmt: skip
    assert second["imageUrl"] == "https://cdn.test/up.png"
    assert second["seed"] == 7
    assert model.image_url == str(SAMPLE_PNG)  # the caller's model is left as it was


def test_run_request_waits_like_run() -> None:
    api = (
        ScriptedAPI()
        .add(SUBMIT, ok(task_body()))
        .add("/openapi/v2/query", ok(task_body("RUNNING")), ok(task_body("SUCCESS")))
    )
    clock = FakeClock()
    seen: list[str] = []
    with make_client(api, clock) as rh:
        task = rh.run_request(
            ImageToVideoRealisticRequest(prompt="a cat", resolution="720p",
                                         image_url="https://cdn.test/cat.png", duration="4"),
            poll_interval=2, on_update=lambda t: seen.append(t.status),
        )  # fmt: skip
    assert task.succeeded
    assert seen == ["QUEUED", "RUNNING", "SUCCESS"]
    assert clock.sleeps
    assert set(clock.sleeps) == {2}


# ---------------------------------------------------------------- a second page, generated


USER_FILE = """\
from runninghub_client.models import TextToVideoRequest
from runninghub_video import RunningHub, Task


def make(rh: RunningHub) -> Task:
    body = TextToVideoRequest(prompt="a lighthouse at night", size={size}, duration="4")
    return rh.run_request(body, timeout=60, poll_interval=0.05)


if __name__ == "__main__":
    import json, sys
    with RunningHub() as rh:
        task = make(rh)
        path = rh.download(task, sys.argv[1])
        again = rh.run_to("text-to-video", prompt="a boat", size="720x1280", duration=8,
                          poll_interval=0.05)
        print(json.dumps([task.status, str(path), again.status, again.usage is not None]))
"""


def mypy(folder: Path, source: str, generated: Path) -> subprocess.CompletedProcess[str]:
    """mypy --strict on a user file, with the temporary client and the wrapper first on its
    path; errors inside the client are not the user's, as for an installed package."""
    user = folder / "user.py"
    user.write_text(source, encoding="utf-8")
    config = folder / "mypy.ini"
    config.write_text("[mypy]\n[mypy-runninghub_client.*]\nfollow_imports = silent\n")
    env = {"MYPYPATH": f"{generated}:{ROOT / 'wrapper'}", "PATH": str(Path(sys.executable).parent)}
    argv = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file",
            str(config), "--cache-dir", str(folder / ".mypy"), str(user)]  # fmt: skip
    return subprocess.run(argv, capture_output=True, text=True, check=False, env=env, cwd=folder)


@pytest.mark.integration  # the generator, mypy and a client in subprocesses, the sandbox
def test_the_new_endpoints_request_model_type_checks_under_mypy_strict(
    second_page: Path, tmp_path: Path
) -> None:
    good = mypy(tmp_path, USER_FILE.format(size='"1280x720"'), second_page)
    assert good.returncode == 0, good.stdout + good.stderr
    bad = mypy(tmp_path, USER_FILE.format(size='"999x999"'), second_page)
    assert bad.returncode == 1
    assert 'Argument "size" to "TextToVideoRequest" has incompatible type' in bad.stdout
    assert "TextToVideoSize" in bad.stdout or "Literal" in bad.stdout


def run_user_file(
    source: str, page: Path, sandbox: Sandbox, folder: Path, argument: str
) -> subprocess.CompletedProcess[str]:
    """A user's file run against sandbox, seeing the client generated with page (key and base
    URL from the environment, as a user sets them)."""
    user = folder / "user.py"
    user.write_text(source, encoding="utf-8")
    env = {
        "PYTHONPATH": python_path(page),
        "RUNNINGHUB_BASE_URL": sandbox.base_url,
        "RUNNINGHUB_API_KEY": KEY,
        "PATH": str(Path(sys.executable).parent),
    }
    return subprocess.run(
        [sys.executable, str(user), argument],
        capture_output=True, text=True, check=False, env=env, cwd=folder, timeout=120,
    )  # fmt: skip


@pytest.mark.integration
def test_the_new_endpoint_runs_against_the_sandbox_of_its_spec(
    second_page: Path, page_sandbox: Sandbox, tmp_path: Path
) -> None:
    before = page_sandbox.stats.submits
    user = USER_FILE.format(size='"1280x720"')
    run = run_user_file(user, second_page, page_sandbox, tmp_path, str(tmp_path / "out.mp4"))
    assert run.returncode == 0, run.stderr
    status, path, again, has_usage = json.loads(run.stdout.splitlines()[-1])
    assert (status, again, has_usage) == ("SUCCESS", "SUCCESS", True)
    video = Path(path).read_bytes()
    assert video[4:8] == b"ftyp"  # an MP4 came back
    assert page_sandbox.stats.submits == before + 2  # the sandbox of the new spec served both


@pytest.mark.integration  # the session's sandbox renders (ffmpeg)
def test_submit_to_uploads_a_local_image_against_the_sandbox(sandbox: Sandbox) -> None:
    with RunningHub(KEY, base_url=sandbox.base_url) as rh:
        task = rh.run_to(SEED, prompt="endpoints: a local image", image_url=SAMPLE_PNG,
                         resolution="720p", duration=4, poll_interval=0.05)  # fmt: skip
    assert task.succeeded
    assert task.video_url


# ---------------------------------------------------------------- typed fields (review 13)


TYPED_USER_FILE = """\
import json, sys
import httpx
from runninghub_client.models import FirstFrameToVideoRequest
from runninghub_video import InvalidInputError, RunningHub

sent = []


class Recording(httpx.HTTPTransport):
    def handle_request(self, request):
        if request.url.path.endswith("first-frame-to-video"):
            sent.append(json.loads(request.read()))
        else:
            sent.append(request.url.path)
        return super().handle_request(request)


png = sys.argv[1]
refused = []
with RunningHub(transport=Recording()) as rh:
    for bad in ({"image_urls": "https://cdn.test/a.png"}, {"image_urls": [png, 7]},
                {"styles": ["noir"]}, {"duration": 5}, {"duration": "8s"}, {"seeds": [1.5]}):
        try:
            rh.submit_to("first-frame-to-video", prompt="x", first_frame_url=png, **bad)
        except InvalidInputError as error:
            refused.append(str(error))
    refused.append(len(sent))
    rh.submit_to("first-frame-to-video", prompt="a", first_frame_url=png, duration=8,
                 image_urls=[png, "https://cdn.test/b.png"], styles=["anime"], seeds=[1, 2],
                 type_="quality", from_="tests", last_frame_url="https://cdn.test/c.png")
    rh.submit_request(FirstFrameToVideoRequest(prompt="b", first_frame_url="https://cdn.test/d.png",
                                               duration=12, image=png))
    rh.submit_to("first-frame-to-video", prompt="c", first_frame_url="https://cdn.test/e.png",
                 duration="4")
print(json.dumps({"refused": refused, "sent": sent}))
"""


@pytest.mark.integration  # the generator, a client in a subprocess, the sandbox of its spec
def test_typed_fields_reach_the_sandbox_as_the_spec_types_them(
    typed_page: Path, typed_sandbox: Sandbox, tmp_path: Path
) -> None:
    """Review 13 F1, F2, F4, F9: an integer enum is sent as an integer (from submit_to, from
    the generated model, and from its text "4"); an array is checked as a list, element by
    element, before any request; a list of local images is uploaded, each, then sent as URLs;
    firstFrameUrl and image take a local file; type_/from_ go out as type/from."""
    before = typed_sandbox.stats
    run = run_user_file(TYPED_USER_FILE, typed_page, typed_sandbox, tmp_path, str(SAMPLE_PNG))
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.splitlines()[-1])
    *refused, count = result["refused"]
    assert count == 0  # nothing was sent for any refused call
    assert len(refused) == 6
    assert "image_urls" in refused[0]
    assert "a list of images" in refused[0]
    assert "image_urls[1]" in refused[1]
    assert "styles[0]" in refused[2]
    assert "one of anime, cinematic" in refused[2]
    assert "one of 4, 8, 12" in refused[3]
    assert "duration" in refused[4]
    assert "seeds[0]" in refused[5]
    sent = result["sent"]
    upload = "/openapi/v2/media/upload/binary"
    assert sent[0] == upload  # firstFrameUrl; the list's local image is the same file:
    assert sent.count(upload) == 1  # its upload is reused
    first, second, third = (body for body in sent if isinstance(body, dict))
    assert first["duration"] == 8
    assert first["firstFrameUrl"].startswith(typed_sandbox.base_url)
    local, remote = first["imageUrls"]
    assert local.startswith(typed_sandbox.base_url + "/files/uploads/")
    assert local == first["firstFrameUrl"]
    assert remote == "https://cdn.test/b.png"
    assert (first["styles"], first["seeds"]) == (["anime"], [1, 2])
    assert (first["type"], first["from"]) == ("quality", "tests")
    assert first["lastFrameUrl"] == "https://cdn.test/c.png"
    assert second["duration"] == 12
    assert second["image"].startswith(typed_sandbox.base_url)  # `image` took a local file
    assert third["duration"] == 4  # its text "4" was taken as the integer
    after = typed_sandbox.stats
    assert after.submits == before.submits + 3  # the sandbox (validating the spec) took all
    assert after.uploads == before.uploads + 1


def test_the_image_field_rule_is_by_name_and_shared_with_the_sandbox() -> None:
    from runninghub_video._image_fields import is_image_field
    from runninghub_video.sandbox._tasks import VideoRequest

    images = ["imageUrl", "image", "imageUrls", "firstImageUrl", "firstFrameUrl",
              "lastFrameUrl", "image_url", "referenceImages"]  # fmt: skip
    others = ["imagePrompt", "imageStrength", "frameRate", "webhookUrl", "prompt", ""]
    assert all(is_image_field(name) for name in images)
    assert not any(is_image_field(name) for name in others)
    body: dict[str, object] = {"prompt": "x", "imagePrompt": "no", "imageUrls": ["https://a/1"]}
    assert VideoRequest.from_body(body, 100, SEED_FALLBACKS).image_url == "https://a/1"
    body = {"prompt": "x", "firstFrameUrl": "https://a/2", "imageUrl": "https://a/3"}
    assert VideoRequest.from_body(body, 100, SEED_FALLBACKS).image_url == "https://a/3"
    body = {"prompt": "x", "lastFrameUrl": 5}
    assert VideoRequest.from_body(body, 100, SEED_FALLBACKS).image_url is None


def _typed(name: str, json_name: str, kind: type, choices: tuple[object, ...] | None = None,
           *, array: bool = False) -> endpoints.Field:  # fmt: skip
    kinds = {str: "str", int: "int", float: "float", bool: "bool"}
    url, image = contract_table.flags(
        json_name, kinds.get(kind, "object"), None if choices is None else [*choices]
    )
    return endpoints.Field(name, json_name, "", False, None, kind, choices, array, {}, url, image)


def test_an_integer_enum_keeps_its_type_and_a_string_enum_takes_a_number() -> None:
    integer = _typed("duration", "duration", int, (4, 8, 12))
    assert check_field(integer, 8) == 8
    assert type(check_field(integer, "8")) is int  # its text is taken as the number
    text = _typed("duration", "duration", str, ("4", "8"))
    assert check_field(text, 4) == "4"  # as the seed always did
    for spec, bad in ((integer, 5), (integer, True), (integer, 8.0), (integer, "8s"),
                      (text, "5"), (text, True)):  # fmt: skip
        with pytest.raises(InvalidInputError, match="expected one of"):
            check_field(spec, bad)


def test_an_array_is_a_list_checked_element_by_element() -> None:
    urls = _typed("image_urls", "imageUrls", str, array=True)
    assert urls.takes_image
    assert check_field(urls, ("https://a.test/1.png",)) == ["https://a.test/1.png"]
    assert check_field(urls, [str(SAMPLE_PNG)]) == [check_local_image(SAMPLE_PNG)]
    with pytest.raises(InvalidInputError, match="expected a list of images"):
        check_field(urls, "https://a.test/1.png")
    with pytest.raises(InvalidInputError, match=r"image_urls\[1\]"):
        check_field(urls, ["https://a.test/1.png", "ftp://x"])
    styles = _typed("styles", "styles", str, ("anime", "cinematic"), array=True)
    assert not styles.takes_image
    with pytest.raises(InvalidInputError, match=r"styles\[0\]: 'noir'; expected one of anime"):
        check_field(styles, ["noir"])
    seeds = _typed("seeds", "seeds", int, array=True)
    assert check_field(seeds, [1, 2]) == [1, 2]
    with pytest.raises(InvalidInputError, match=r"seeds\[0\]"):
        check_field(seeds, ["1"])


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_a_number_json_cannot_carry_is_refused_before_any_request(bad: float) -> None:
    """NaN passed `minimum` under jsonschema, and infinity any number field: httpx then
    refused to encode the paid submit's body, which the CLI reported as "may have reached
    RunningHub"."""
    for field in (_typed("strength", "strength", float), _typed("extra", "extra", object)):
        with pytest.raises(InvalidInputError, match=r"finite number|JSON value"):
            check_field(field, bad)
    with pytest.raises(InvalidInputError, match="JSON value"):
        check_field(_typed("extra", "extra", object), {"deep": [bad]})
    assert check_field(_typed("strength", "strength", float), 0.5) == 0.5


UPLOADED = {"code": 0, "message": "success", "data": {"download_url": "https://cdn.test/up.png"}}


def test_a_checked_request_is_submitted_as_checked_and_its_uploads_reported(
    tmp_path: Path,
) -> None:
    """check() checks once; submit_to(checked) neither checks nor reads the image twice, and
    on_uploaded(path, url) hears of each upload before the paid call."""
    image = tmp_path / "cat.png"
    image.write_bytes(SAMPLE_PNG.read_bytes())
    api = ScriptedAPI().add(UPLOAD, ok(UPLOADED)).add(SUBMIT, ok(task_body()))
    heard: list[object] = []
    with make_client(api, FakeClock()) as rh:
        checked = rh.check(SEED, prompt="a cat", image_url=str(image), resolution="720p",
                           duration="4")  # fmt: skip
        assert api.requests == []  # checking sends nothing
        task = rh.submit_to(
            checked,
            on_uploaded=lambda path, url: heard.append((path, url, len(api.requests))),
            on_submitted=lambda task: heard.append(task.id),
        )
        with pytest.raises(InvalidInputError, match="none beside a request checked"):
            rh.submit_to(checked, prompt="again")
    assert task.id == "1999"
    assert heard == [(image, "https://cdn.test/up.png", 1), "1999"]
    assert [r.url.path for r in api.requests] == [UPLOAD, SUBMIT]


def test_an_image_changed_after_its_check_is_refused_and_nothing_is_sent(tmp_path: Path) -> None:
    image = tmp_path / "cat.png"
    image.write_bytes(SAMPLE_PNG.read_bytes())
    api = ScriptedAPI().add(UPLOAD, ok(UPLOADED)).add(SUBMIT, ok(task_body()))
    with make_client(api, FakeClock()) as rh:
        checked = rh.check(SEED, prompt="a cat", image_url=str(image), resolution="720p",
                           duration="4")  # fmt: skip
        image.write_bytes(b"GIF89a" + bytes(100))  # no longer a PNG
        with pytest.raises(InvalidInputError, match="the file changed since"):
            rh.submit_to(checked)
        image.write_bytes(SAMPLE_PNG.read_bytes() + bytes(11 * 1024 * 1024))  # past 10 MB
        with pytest.raises(InvalidInputError, match="the file changed since"):
            rh.submit_to(checked)
    assert api.requests == []


def test_on_uploaded_must_be_a_plain_function() -> None:
    api = ScriptedAPI()
    with make_client(api, FakeClock()) as rh, pytest.raises(InvalidInputError, match="path and"):
        rh.submit_to(SEED, on_uploaded="https://x", prompt="p",  # type: ignore[arg-type]
                     image_url="https://h/a.png", resolution="720p", duration="4")  # fmt: skip
    assert api.requests == []
