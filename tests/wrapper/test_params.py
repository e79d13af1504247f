"""Bad input raises a clear error before any request is sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import pytest
from runninghub_client.models import AspectRatio, Duration, Resolution
from runninghub_video import InvalidInputError
from runninghub_video import _endpoints as endpoints
from runninghub_video._params import LocalImage
from runninghub_video._params import check_seed as check_submit

from tests.wrapper.fakes import SUBMIT, FakeClock, ScriptedAPI, make_client, ok, task_body

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
JPG = b"\xff\xd8\xff\xe0" + b"\0" * 64


@pytest.fixture
def png(tmp_path: Path) -> Path:
    path = tmp_path / "cat.png"
    path.write_bytes(PNG)
    return path


def test_allowed_values_come_from_the_generated_code() -> None:
    seed = endpoints.load(endpoints.seed())
    assert set(seed.field("resolution").choices or ()) == set(get_args(Resolution))
    assert set(seed.field("aspect_ratio").choices or ()) == set(get_args(AspectRatio))
    assert set(seed.field("duration").choices or ()) == set(get_args(Duration))
    assert seed.field("duration").choices == ("4", "8", "12")
    assert seed.field("resolution").choices == ("720p", "1080p")


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("prompt", "", "non-empty string"),
        ("prompt", "   ", "non-empty string"),
        ("prompt", None, "a value (required by"),
        ("resolution", "4k", "720p, 1080p"),
        ("resolution", 720, "720p, 1080p"),
        ("aspect_ratio", "1:1", "9:16, 16:9"),
        ("duration", 5, "4, 8, 12"),
        ("duration", "5s", "4, 8, 12"),
        ("duration", True, "4, 8, 12"),
        ("image", "ftp://host/cat.png", "http(s) URL"),
        ("image", "https://", "http(s) URL"),
        ("image", "does/not/exist.png", "existing JPG/PNG"),
        ("image", 42, "existing JPG/PNG"),
    ],
)
def test_bad_value_names_parameter_value_and_allowed(
    png: Path, field: str, value: Any, allowed: str
) -> None:
    kwargs: dict[str, Any] = {
        "prompt": "a cat",
        "image": str(png),
        "resolution": "720p",
        "aspect_ratio": "16:9",
        "duration": 4,
    }
    kwargs[field] = value
    with pytest.raises(InvalidInputError) as caught:
        check_submit(**kwargs)
    assert caught.value.parameter == field
    assert allowed in str(caught.value)
    assert repr(value)[:20] in str(caught.value)


def test_duration_as_int_or_str(png: Path) -> None:
    for value in (4, "4"):
        params = check_submit(
            prompt="x", image=str(png), resolution="720p", aspect_ratio="16:9", duration=value
        )
        assert params.values["duration"] == "4"


def test_image_must_be_jpg_or_png_by_content(tmp_path: Path) -> None:
    fake = tmp_path / "cat.png"
    fake.write_bytes(b"GIF89a" + b"\0" * 10)
    with pytest.raises(InvalidInputError, match="JPG or PNG"):
        check_submit(
            prompt="x", image=str(fake), resolution="720p", aspect_ratio="16:9", duration=4
        )
    jpg = tmp_path / "cat.jpeg"
    jpg.write_bytes(JPG)
    params = check_submit(prompt="x", image=jpg, resolution="720p", aspect_ratio="16:9", duration=4)
    image = params.images["image_url"]
    assert isinstance(image, LocalImage)
    assert image.mime_type == "image/jpeg"


def test_image_over_10_mb_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    with big.open("wb") as handle:
        handle.write(PNG)
        handle.truncate(10 * 1024 * 1024 + 1)
    with pytest.raises(InvalidInputError, match="at most 10 MB"):
        check_submit(prompt="x", image=big, resolution="720p", aspect_ratio="16:9", duration=4)


def test_bad_input_sends_no_request(png: Path) -> None:
    api = ScriptedAPI().add(SUBMIT, ok(task_body()))
    with make_client(api, FakeClock()) as rh:
        with pytest.raises(InvalidInputError):
            rh.submit("a cat", str(png), duration=5)  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError):
            rh.submit("", "https://cdn.test/cat.png")
        with pytest.raises(InvalidInputError):
            rh.get(" ")
    assert api.requests == []


def test_valid_submit_sends_spec_body() -> None:
    api = ScriptedAPI().add(SUBMIT, ok(task_body()))
    with make_client(api, FakeClock()) as rh:
        rh.submit("a cat", "https://cdn.test/cat.png", resolution="1080p", aspect_ratio="9:16",
                  duration=12)  # type: ignore[arg-type]  # fmt: skip
    (request,) = api.requests
    import json

    assert json.loads(request.content) == {
        "prompt": "a cat",
        "resolution": "1080p",
        "aspectRatio": "9:16",
        "imageUrl": "https://cdn.test/cat.png",
        "duration": "12",
    }


def test_a_missing_file_says_what_each_call_takes(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.png"
    api = ScriptedAPI()
    with make_client(api, FakeClock()) as rh:
        with pytest.raises(InvalidInputError, match="file not found") as upload:
            rh.upload(missing)
        with pytest.raises(InvalidInputError, match="file not found") as submit:
            rh.submit("a cat", missing)
    assert "URL" not in str(upload.value)  # upload takes a local file only
    assert "an existing JPG/PNG file" in str(upload.value)
    assert "an http(s) URL or an existing JPG/PNG file" in str(submit.value)
    assert api.requests == []
