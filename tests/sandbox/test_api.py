"""The sandbox over real sockets: auth, validation, lifecycle, MP4s, uploads, markers, stats."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import httpx
import pytest
from runninghub_video._error_codes import (
    FILE_PROCESSING_FAILED,
    FILE_TOO_LARGE,
    GENERATION_FAILED,
    INVALID_KEY,
    INVALID_PARAMETERS,
    RATE_LIMITED,
    UNAVAILABLE,
)
from runninghub_video.sandbox import INVALID_API_KEY, Sandbox
from runninghub_video.sandbox._media import sniff

from tests.sandbox.conftest import (
    AUTH,
    TASK_RESULT_FIELDS,
    allowed_text,
    mean_colour,
    probe,
    submit,
    submit_body,
    top_level_boxes,
    wait_final,
)
from tests.support.api import CONTRACT, FINAL, QUERY, SUBMIT, UPLOAD
from tests.support.constants import SAMPLE_PNG

pytestmark = pytest.mark.integration  # the rendering sandbox (ffmpeg)

PNG = SAMPLE_PNG.read_bytes()


def upload_png(client: httpx.Client, data: bytes = PNG) -> str:
    """Upload data as a PNG; return its download_url."""
    response = client.post(UPLOAD, files={"file": ("picture.png", data, "image/png")})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["code"] == 0
    assert body["message"] == "success"
    assert body["data"]["type"] == "image"
    assert body["data"]["size"] == str(len(data))
    url: str = body["data"]["download_url"]
    return url


# ------------------------------------------------------------------ auth


@pytest.mark.parametrize("path", [SUBMIT, QUERY, UPLOAD])
@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer"}, {"X-Key": "k"}]
)
def test_missing_or_malformed_authorization_is_401(sandbox, path, headers):
    response = httpx.post(sandbox.base_url + path, json={}, headers=headers)
    assert response.status_code == 401
    assert response.json()["errorCode"] == INVALID_KEY
    assert response.json()["errorMessage"]


@pytest.mark.parametrize("path", [SUBMIT, QUERY, UPLOAD])
def test_the_invalid_key_constant_is_refused(sandbox, path):
    assert INVALID_API_KEY == "sandbox-invalid-key"
    headers = {"Authorization": f"Bearer {INVALID_API_KEY}"}
    response = httpx.post(sandbox.base_url + path, json=submit_body(), headers=headers)
    assert response.status_code == 401
    assert response.json() == {"errorCode": INVALID_KEY, "errorMessage": "invalid API key"}


def test_any_other_key_is_accepted(sandbox):
    for key in ("0123456789abcdef0123456789abcdef", "anything"):
        headers = {"Authorization": f"Bearer {key}"}
        response = httpx.post(sandbox.base_url + SUBMIT, json=submit_body(), headers=headers)
        assert response.status_code == 200


def test_the_api_key_is_never_logged(client, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "secret-key-that-must-not-be-logged"
    headers = {"Authorization": f"Bearer {secret}"}
    client.post(SUBMIT, json=submit_body("[sandbox:nonsense]"), headers=headers)
    client.post(SUBMIT, json=submit_body(), headers=headers)
    client.post(UPLOAD, files={"file": ("x.png", PNG)}, headers=headers)
    assert "task " in caplog.text  # the sandbox did log something
    assert secret not in caplog.text


# ------------------------------------------------------------------ validation


def test_body_that_is_not_json_is_400(client):
    for path in (SUBMIT, QUERY):
        response = client.post(
            path, content=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400
        assert response.json()["errorCode"] == INVALID_PARAMETERS


def test_wrong_content_type_is_415(client):
    for path in (SUBMIT, QUERY):
        response = client.post(path, content=b"taskId=1", headers={"Content-Type": "text/plain"})
        assert response.status_code == 415
        assert "application/json" in response.json()["errorMessage"]
    response = client.post(UPLOAD, json={"file": "x"})
    assert response.status_code == 415
    assert "multipart/form-data" in response.json()["errorMessage"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({k: v for k, v in submit_body().items() if k != "imageUrl"}, "imageUrl is required"),
        (submit_body(duration=4), f"duration must be {allowed_text('duration')}"),
        (submit_body(duration="6"), f"duration must be {allowed_text('duration')}"),
        (submit_body(resolution="480p"), f"resolution must be {allowed_text('resolution')}"),
        (submit_body(aspectRatio="1:1"), f"aspectRatio must be {allowed_text('aspectRatio')}"),
        ({**submit_body(), "prompt": None}, "prompt must be a string"),
        (submit_body(prompt=""), "prompt must not be empty"),
        (submit_body(webhookUrl=5), "webhookUrl must be a string"),
        (["not", "an", "object"], "must be a JSON object"),
        (submit_body("[sandbox:fial=1505]"), "unknown marker [sandbox:fial]"),
    ],
)
def test_invalid_submit_is_422_naming_the_field(client, body, field):
    before = client.post(QUERY, json={"taskId": "0"})  # warm-up keeps timing out of the assert
    assert before.status_code == 200
    response = client.post(SUBMIT, json=body)
    assert response.status_code == 422
    assert response.json()["errorCode"] == INVALID_PARAMETERS
    assert field in response.json()["errorMessage"]


@pytest.mark.parametrize(("body", "text"), [({}, "taskId is required"), ({"taskId": 7}, "string")])
def test_invalid_query_is_422(client, body, text):
    response = client.post(QUERY, json=body)
    assert response.status_code == 422
    assert response.json()["errorCode"] == INVALID_PARAMETERS
    assert text in response.json()["errorMessage"]


def test_upload_without_file_field_is_422(client):
    response = client.post(UPLOAD, files={"image": ("x.png", PNG, "image/png")})
    assert response.status_code == 422
    assert response.json()["errorCode"] == INVALID_PARAMETERS
    assert "file" in response.json()["errorMessage"]


UPLOAD_SAMPLES = {
    "png": PNG,
    "gif": b"GIF89a\x01\x00\x01\x00" + bytes(20),
    "pdf": b"%PDF-1.7\n" + bytes(20),
    "mp3": b"ID3\x04\x00" + bytes(40),
    "mp4": b"\x00\x00\x00\x18ftypisom" + bytes(40),
    "zip": b"PK\x03\x04" + bytes(40),
}


@pytest.mark.parametrize("kind", UPLOAD_SAMPLES)
def test_upload_accepts_exactly_the_spec_media_types(client, kind):
    """The spec's encoding.file.contentType decides; the type is read from the bytes."""
    data = UPLOAD_SAMPLES[kind]
    rules = CONTRACT.one("upload").multipart
    assert rules is not None
    media_type = sniff(data) or "application/octet-stream"
    response = client.post(UPLOAD, files={"file": (f"x.{kind}", data, "image/png")})
    if rules.accepts_media_type("file", media_type):
        assert response.status_code == 200, response.text
    else:  # the vendor's documented refusal: HTTP 200, code != 0, a message [KIT]
        assert response.status_code == 200, response.text
        assert response.json()["code"] == int(FILE_PROCESSING_FAILED)
        assert media_type in response.json()["message"]


# One file of each media type the vendor's upload takes, as its first bytes announce it.
MEDIA_SAMPLES = {
    "image/png": PNG,
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(40),
    "image/webp": b"RIFF\x24\x00\x00\x00WEBPVP8X" + bytes(40),
    "application/zip": b"PK\x03\x04" + bytes(40),
    "audio/mpeg": b"ID3\x04\x00" + bytes(40),
    "audio/wav": b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(40),
    "audio/flac": b"fLaC\x00\x00\x00\x22" + bytes(40),
    "video/mp4": b"\x00\x00\x00\x18ftypisom" + bytes(40),
    "video/x-msvideo": b"RIFF\x24\x00\x00\x00AVI LIST" + bytes(40),
    "video/quicktime": b"\x00\x00\x00\x14ftypqt  " + bytes(40),
    "video/x-matroska": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska" + bytes(40),
}


def test_every_media_type_the_spec_lists_is_recognised_and_accepted(client):
    """What the spec says the upload takes, the sandbox takes: no type is listed but refused."""
    rules = CONTRACT.one("upload").multipart
    assert rules is not None
    listed = [
        media_type for media_type in MEDIA_SAMPLES if rules.accepts_media_type("file", media_type)
    ]
    assert len(listed) >= 2, "the spec lists no upload media types this test knows"
    for media_type in listed:
        data = MEDIA_SAMPLES[media_type]
        assert sniff(data) == media_type
        response = client.post(UPLOAD, files={"file": ("upload.bin", data, media_type)})
        assert response.status_code == 200, (media_type, response.text)


def test_empty_upload_is_valid_multipart_refused_by_the_service(client):
    """The spec allows a zero-byte file, so validation passes; the service refuses it as the
    vendor documents refusals: HTTP 200, code != 0, a message [KIT]."""
    response = client.post(UPLOAD, files={"file": ("x.png", b"", "image/png")})
    assert response.status_code == 200
    assert response.json()["code"] == int(FILE_PROCESSING_FAILED)
    assert response.json()["data"] is None
    assert "empty" in response.json()["message"]


def test_extra_multipart_field_follows_the_spec(client):
    rules = CONTRACT.one("upload").multipart
    assert rules is not None
    response = client.post(
        UPLOAD, files={"file": ("x.png", PNG, "image/png"), "extra": ("e", b"1", "text/plain")}
    )
    if rules.additional_allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 422
        assert "'extra' is not allowed" in response.json()["errorMessage"]


@pytest.mark.parametrize(
    "body",
    [
        b"--b\r\nContent-Disposition form-data; name=file\r\n\r\nx\r\n--b--\r\n",  # no colon
        b"--b\r\nContent-Disposition: form-data; name=file\r\n\r\nx",  # no closing boundary
        b"garbage without any boundary",
        b"--b\r\n" + b"X-Long: " + b"a" * 20000 + b"\r\n\r\nx\r\n--b--\r\n",
    ],
)
def test_malformed_multipart_is_400_with_an_error_body(client, body):
    response = client.post(
        UPLOAD, content=body, headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["errorCode"] == INVALID_PARAMETERS


def test_upload_over_10_mb_is_refused_with_code_1008(client):
    data = PNG + bytes(10 * 1024 * 1024 + 1 - len(PNG))
    response = client.post(UPLOAD, files={"file": ("big.png", data, "image/png")})
    assert response.status_code == 200  # the vendor's documented refusal [KIT]
    assert response.json()["code"] == int(FILE_TOO_LARGE)
    exactly_10_mb = PNG + bytes(10 * 1024 * 1024 - len(PNG))
    response = client.post(UPLOAD, files={"file": ("ok.png", exactly_10_mb, "image/png")})
    assert response.status_code == 200


# ------------------------------------------------------------------ lifecycle and results


def test_lifecycle_to_success(sandbox, client):
    response = client.post(SUBMIT, json=submit_body())
    assert response.status_code == 200
    submitted = response.json()
    assert set(submitted) >= TASK_RESULT_FIELDS
    assert submitted["status"] == "CREATE"  # the kit's first status
    assert (submitted["errorCode"], submitted["errorMessage"], submitted["results"]) == (
        "",
        "",
        None,
    )
    task_id = submitted["taskId"]
    assert len(task_id) == 19
    assert task_id.isdigit()
    seen: list[str] = []
    while not seen or seen[-1] not in FINAL:
        body = client.post(QUERY, json={"taskId": task_id}).json()
        assert set(body) >= TASK_RESULT_FIELDS | {"failedReason", "usage"}
        if not seen or seen[-1] != body["status"]:
            seen.append(body["status"])
        time.sleep(0.005)
    assert seen[-1] == "SUCCESS"
    # CREATE, QUEUED, RUNNING, SUCCESS in that order (each seen or skipped), never backwards
    assert seen == [s for s in ("CREATE", "QUEUED", "RUNNING", "SUCCESS") if s in seen]
    assert body["errorCode"] == ""
    assert body["failedReason"] == {}
    assert body["usage"]["consumeMoney"] == "3.2"
    assert int(body["usage"]["taskCostTime"]) >= 5
    assert body["results"] == [
        {
            "url": f"{sandbox.base_url}/files/results/{task_id}.mp4",
            "outputType": "mp4",
            "text": None,
        }
    ]


@pytest.mark.parametrize(
    ("duration", "aspect", "resolution", "size"),
    [("4", "16:9", "720p", (1280, 720)), ("8", "9:16", "1080p", (1080, 1920))],
)
def test_result_is_a_real_mp4(client, tmp_path, duration, aspect, resolution, size):
    task_id = submit(client, duration=duration, aspectRatio=aspect, resolution=resolution)
    body = wait_final(client, task_id)
    assert body["status"] == "SUCCESS"
    assert body["usage"]["consumeMoney"] == {"4": "3.2", "8": "6.5"}[duration]
    response = httpx.get(body["results"][0]["url"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "video/mp4"
    assert int(response.headers["content-length"]) == len(response.content) > 10_000
    video = tmp_path / "out.mp4"
    video.write_bytes(response.content)
    info = probe(video)
    assert (info["width"], info["height"]) == size
    assert (info["codec"], info["pix_fmt"]) == ("h264", "yuv420p")
    assert abs(info["duration"] - int(duration)) < 0.2
    boxes = top_level_boxes(response.content)
    assert boxes.index("moov") < boxes.index("mdat")  # +faststart


def test_result_url_is_404_until_success():
    # A sandbox slow enough that the task is still running whatever the machine's load.
    with Sandbox(port=0, speed=0.001) as slow, httpx.Client(base_url=slow.base_url) as client:
        client.headers["Authorization"] = "Bearer k"
        task_id = submit(client)
        response = httpx.get(f"{slow.base_url}/files/results/{task_id}.mp4")
        assert response.status_code == 404
        assert httpx.get(f"{slow.base_url}/files/results/123.mp4").status_code == 404


def test_serving_a_file_logs_no_error(client, caplog):
    """A file is sent once: aiohttp's own prepare() after the guard's early send is a no-op."""
    url = upload_png(client)
    with caplog.at_level(logging.ERROR):
        served = httpx.get(url)
        assert served.content == PNG
        # aiohttp's failing second send came after the body; a second download on the same
        # loop runs after it (a missed race could only hide the error, never invent one).
        again = httpx.get(url)
        assert again.status_code == 200
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]


def test_upload_then_submit_renders_the_uploaded_image(sandbox, client, tmp_path):
    url = upload_png(client)
    assert url.startswith(f"{sandbox.base_url}/files/uploads/")
    served = httpx.get(url)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.content == PNG
    body = wait_final(client, submit(client, imageUrl=url))
    assert body["status"] == "SUCCESS"
    from_upload = tmp_path / "upload.mp4"
    from_upload.write_bytes(httpx.get(body["results"][0]["url"]).content)
    placeholder_body = wait_final(client, submit(client))
    placeholder = tmp_path / "placeholder.mp4"
    placeholder.write_bytes(httpx.get(placeholder_body["results"][0]["url"]).content)
    source = mean_colour(SAMPLE_PNG)
    first_frame = mean_colour(from_upload, seek=0)
    assert all(abs(a - b) <= 12 for a, b in zip(source, first_frame, strict=True))
    other = mean_colour(placeholder, seek=0)
    assert any(abs(a - b) > 12 for a, b in zip(source, other, strict=True))


def test_unknown_task_id_answers_failed_1004(client):
    response = client.post(QUERY, json={"taskId": "1999999999999999999"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= TASK_RESULT_FIELDS
    assert (body["status"], body["errorCode"], body["errorMessage"]) == (
        "FAILED",
        "1004",
        "task not found",
    )


# ------------------------------------------------------------------ markers


@pytest.mark.parametrize(
    ("code", "message", "exception_type"),
    [
        (
            "1505",
            "Photorealistic real people are prohibited, please modify your prompt or image",
            "ContentPolicyViolation",
        ),
        ("1501", "content verification failed", "ContentPolicyViolation"),
        ("1006", "task execution timed out", "TimeoutError"),
        ("1015", "generation failed", "GenerationError"),
    ],
)
def test_fail_marker(client, code, message, exception_type):
    task_id = submit(client, f"a person walking [sandbox:fail={code}]")
    statuses = set()
    while True:
        body = client.post(QUERY, json={"taskId": task_id}).json()
        statuses.add(body["status"])
        if body["status"] == "FAILED":
            break
        assert body["status"] in {"CREATE", "QUEUED", "RUNNING"}
        time.sleep(0.005)
    assert "RUNNING" in statuses
    assert (body["errorCode"], body["errorMessage"], body["results"]) == (code, message, None)
    reason = body["failedReason"]
    assert reason["exception_type"] == exception_type
    assert reason["node_name"] == "rhart-video-s-official"
    assert reason["node_id"] == "1"
    assert reason["exception_message"] == message
    assert isinstance(reason["traceback"], list)
    assert all(isinstance(line, str) for line in reason["traceback"])
    assert body["usage"]["consumeMoney"] is None


def test_cancel_marker(client):
    body = wait_final(client, submit(client, "[sandbox:cancel] a boat"))
    assert body["status"] == "CANCEL"
    assert body["results"] is None


def test_submit429_marker(sandbox, client):
    prompt = f"a kite [sandbox:submit429=2] {time.monotonic_ns()}"
    before = sandbox.stats
    for _ in range(2):
        response = client.post(SUBMIT, json=submit_body(prompt))
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "1"
        assert response.json() == {"errorCode": RATE_LIMITED, "errorMessage": "rate limit exceeded"}
    assert sandbox.stats.submits == before.submits  # no task for a 429
    response = client.post(SUBMIT, json=submit_body(prompt))
    assert response.status_code == 200
    after = sandbox.stats
    assert (after.submits - before.submits, after.submit_attempts - before.submit_attempts) == (
        1,
        3,
    )
    assert client.post(SUBMIT, json=submit_body(prompt)).status_code == 200


def test_query5xx_marker(client):
    task_id = submit(client, "[sandbox:query5xx=2] rain")
    for _ in range(2):
        response = client.post(QUERY, json={"taskId": task_id})
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["errorCode"] == UNAVAILABLE
    response = client.post(QUERY, json={"taskId": task_id})
    assert response.status_code == 200
    assert wait_final(client, task_id)["status"] == "SUCCESS"


def test_expire_marker(client):
    body = wait_final(client, submit(client, "[sandbox:expire] snow"))
    assert body["status"] == "SUCCESS"
    response = httpx.get(body["results"][0]["url"])
    assert response.status_code == 403
    assert "expired" in response.text


def test_instant_marker(client):
    response = client.post(SUBMIT, json=submit_body("[sandbox:instant] sun"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "SUCCESS"
    assert body["results"][0]["outputType"] == "mp4"
    video = httpx.get(body["results"][0]["url"])
    assert video.status_code == 200
    assert video.headers["content-type"] == "video/mp4"


def test_markers_combine(client):
    prompt = f"[sandbox:submit429=1][sandbox:query5xx=1][sandbox:fail=1504] {time.monotonic_ns()}"
    assert client.post(SUBMIT, json=submit_body(prompt)).status_code == 429
    task_id = submit(client, prompt)
    assert client.post(QUERY, json={"taskId": task_id}).status_code == 503
    assert wait_final(client, task_id)["errorCode"] == "1504"


# ------------------------------------------------------------------ cache and stats


def test_identical_tasks_share_one_render(sandbox, client):
    unique_png = PNG + f"cache-test-{time.monotonic_ns()}".encode()  # trailing bytes: still a PNG
    url = upload_png(client, unique_png)
    before = sandbox.stats.renders
    task_ids = [submit(client, f"task {i}", imageUrl=url) for i in range(150)]
    last = wait_final(client, task_ids[-1])
    assert last["status"] == "SUCCESS"
    for task_id in task_ids[:20]:
        assert client.post(QUERY, json={"taskId": task_id}).json()["status"] == "SUCCESS"
    assert sandbox.stats.renders - before == 1
    first = httpx.get(client.post(QUERY, json={"taskId": task_ids[0]}).json()["results"][0]["url"])
    second = httpx.get(last["results"][0]["url"])
    assert first.content == second.content


def test_stats_count_requests_and_authorization_on_file_urls(tmp_path):
    with (
        Sandbox(speed=100, data_dir=tmp_path) as sb,
        httpx.Client(base_url=sb.base_url, headers=AUTH) as c,
    ):
        assert sb.stats.submits == 0
        url = upload_png(c)
        c.post(UPLOAD, files={"other": ("x.png", PNG)})
        assert c.post(SUBMIT, json=submit_body("[sandbox:submit429=1]")).status_code == 429
        c.post(SUBMIT, json={"prompt": "missing fields"})
        body = wait_final(c, submit(c, "[sandbox:submit429=1]", imageUrl=url))
        result_url = body["results"][0]["url"]
        httpx.get(result_url)
        httpx.get(url)
        httpx.get(result_url, headers=AUTH)  # a leaking client
        stats = sb.stats
        assert (stats.submit_attempts, stats.submits) == (3, 1)
        assert (stats.upload_attempts, stats.uploads) == (2, 1)
        assert stats.queries >= 1
        assert (stats.file_requests, stats.file_requests_with_authorization) == (3, 1)
        assert stats.renders == 1


def test_public_url_prefixes_result_and_upload_urls(tmp_path):
    public = "https://sandbox.example.test:8443"
    with Sandbox(speed=100, data_dir=tmp_path, public_url=public + "/") as sb:
        assert sb.public_url == public
        with httpx.Client(base_url=sb.base_url, headers=AUTH) as c:
            url = upload_png(c)
            assert url.startswith(f"{public}/files/uploads/")
            # the upload is still recognised by its path, whatever the host
            body = wait_final(c, submit(c, imageUrl=url))
            assert body["results"][0]["url"].startswith(f"{public}/files/results/")
            path = Path(body["results"][0]["url"].removeprefix(public))
            assert httpx.get(sb.base_url + str(path)).status_code == 200


def test_an_undecodable_image_fails_the_task_with_1015(client):
    url = upload_png(client, PNG[:2000])  # a PNG signature, then a truncated file
    body = wait_final(client, submit(client, imageUrl=url))
    assert (body["status"], body["errorCode"]) == ("FAILED", GENERATION_FAILED)
    assert "ffmpeg" in body["failedReason"]["exception_message"]


def test_an_unknown_path_is_404_with_the_vendors_code_1001(sandbox):
    answer = httpx.post(f"{sandbox.base_url}/openapi/v2/no-such-endpoint", headers=AUTH, json={})
    assert answer.status_code == 404
    assert answer.json()["errorCode"] == "1001"  # the vendor's "invalid URL" [DOC][KIT]


def test_a_wrong_method_is_405_with_code_1009_and_allow(sandbox):
    answer = httpx.get(f"{sandbox.base_url}{QUERY}", headers=AUTH)
    assert answer.status_code == 405
    assert answer.json()["errorCode"] == "1009"  # "HTTP method not supported" [DOC][KIT]
    assert "POST" in answer.headers["Allow"]
