"""Pure parts of the sandbox: marker parsing, lifecycle timing with a fake clock, payloads."""

from __future__ import annotations

import random
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
import runninghub_video.sandbox as sandbox_pkg
from runninghub_video.sandbox import MARKERS, FaultPlan, MarkerError, parse_faults
from runninghub_video.sandbox._app import fallbacks
from runninghub_video.sandbox._contract import load_contract
from runninghub_video.sandbox._media import image_size, sniff
from runninghub_video.sandbox._payloads import task_result
from runninghub_video.sandbox._tasks import (
    RenderProgress,
    TaskStore,
    Timing,
    VideoRequest,
    task_state,
)
from runninghub_video.sandbox._video import VideoSpec, card_colour, card_id, zoom_argv

SEED_FALLBACKS = fallbacks(load_contract().one("task"))  # the seed endpoint's


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_store(clock: FakeClock, speed: float = 1.0) -> TaskStore:
    return TaskStore(Timing.at_speed(speed), clock, random.Random(7))


REQUEST = VideoRequest("p", "720p", "16:9", "https://example.com/x.png", 4)


def test_every_marker_is_documented_in_the_package_docstring():
    assert sandbox_pkg.__doc__ is not None
    for marker in MARKERS:
        assert f"`{marker}`" in sandbox_pkg.__doc__


@pytest.mark.parametrize(
    ("prompt", "plan"),
    [
        ("a plain prompt", FaultPlan()),
        ("x [sandbox:fail=1505] y", FaultPlan(fail_code="1505")),
        ("[sandbox:cancel]", FaultPlan(cancel=True)),
        ("[sandbox:submit429=3][sandbox:query5xx=2]", FaultPlan(submit_429=3, query_5xx=2)),
        ("[sandbox:expire] [sandbox:instant]", FaultPlan(expire=True, instant=True)),
        ("brackets [like this] are fine", FaultPlan()),
    ],
)
def test_parse_faults(prompt, plan):
    assert parse_faults(prompt) == plan


@pytest.mark.parametrize(
    "prompt",
    [
        "[sandbox:explode]",
        "[sandbox:fail]",
        "[sandbox:fail=15]",
        "[sandbox:fail=abcd]",
        "[sandbox:submit429]",
        "[sandbox:query5xx=-1]",
        "[sandbox:cancel=1]",
        "[sandbox:fail=1505][sandbox:cancel]",
    ],
)
def test_bad_markers_are_refused(prompt):
    with pytest.raises(MarkerError):
        parse_faults(prompt)


def test_timing_at_speed_divides_durations():
    assert Timing.at_speed(4) == Timing(0.25, 1.0)
    with pytest.raises(ValueError, match="speed"):
        Timing.at_speed(0)


def test_lifecycle_follows_the_clock_and_waits_for_the_render():
    clock = FakeClock()
    store = make_store(clock)
    task = store.create(REQUEST, FaultPlan(), render_key="k")
    pending, ready = RenderProgress(), RenderProgress(ready_at=clock.now + 2)
    assert task_state(task, clock.now, pending).status == "CREATE"  # the kit's first status
    assert task_state(task, clock.now + 0.24, pending).status == "CREATE"
    assert task_state(task, clock.now + 0.25, pending).status == "QUEUED"
    assert task_state(task, clock.now + 0.99, ready).status == "QUEUED"
    assert task_state(task, clock.now + 1.0, ready).status == "RUNNING"
    assert task_state(task, clock.now + 4.99, ready).status == "RUNNING"
    done = task_state(task, clock.now + 5.0, ready)
    assert (done.status, done.finished_at, done.error_code) == ("SUCCESS", clock.now + 5.0, "")
    # A render slower than the schedule keeps the task RUNNING until the file exists.
    assert task_state(task, clock.now + 60, pending).status == "RUNNING"
    slow = RenderProgress(ready_at=clock.now + 9)
    assert task_state(task, clock.now + 8, slow).status == "RUNNING"
    assert task_state(task, clock.now + 9, slow).finished_at == clock.now + 9


def test_failures_and_cancel_end_after_running():
    clock = FakeClock()
    store = make_store(clock, speed=10)
    failed = store.create(REQUEST, FaultPlan(fail_code="1501"), None)
    cancelled = store.create(REQUEST, FaultPlan(cancel=True), None)
    assert task_state(failed, clock.now + 0.2, RenderProgress()).status == "RUNNING"
    state = task_state(failed, clock.now + 0.5, RenderProgress())
    assert (state.status, state.error_code, state.error_message) == (
        "FAILED",
        "1501",
        "content verification failed",
    )
    assert task_state(cancelled, clock.now + 0.5, RenderProgress()).status == "CANCEL"
    broken = store.create(REQUEST, FaultPlan(), "k")
    state = task_state(broken, clock.now + 0.5, RenderProgress(error="ffmpeg died"))
    assert (state.status, state.error_code, state.failure_detail) == (
        "FAILED",
        "1015",
        "ffmpeg died",
    )


def test_instant_tasks_have_no_waiting_time():
    clock = FakeClock()
    task = make_store(clock).create(REQUEST, FaultPlan(instant=True), "k")
    assert task_state(task, clock.now, RenderProgress(ready_at=clock.now)).status == "SUCCESS"


def test_task_ids_look_like_the_vendors():
    store = make_store(FakeClock())
    ids = {store.create(REQUEST, FaultPlan(), None).task_id for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == 19 and i.isdigit() for i in ids)


def test_marker_counters():
    clock = FakeClock()
    store = make_store(clock)
    assert [store.take_submit_429("p", 2) for _ in range(3)] == [True, True, False]
    assert store.take_submit_429("other", 2) is True
    task = store.create(REQUEST, FaultPlan(query_5xx=1), None)
    assert [store.take_query_5xx(task) for _ in range(2)] == [True, False]


def test_task_result_payload_has_every_required_field():
    clock = FakeClock()
    task = make_store(clock).create(REQUEST, FaultPlan(), "k")
    ready = RenderProgress(ready_at=clock.now)
    running = task_result(task, task_state(task, clock.now + 2, ready), "u", speed=1, detailed=True)
    assert running["results"] is None
    assert running["failedReason"] == {}
    done = task_result(task, task_state(task, clock.now + 6, ready), "u", speed=1, detailed=True)
    assert done["results"] == [{"url": "u", "outputType": "mp4", "text": None}]
    assert done["usage"] == {
        "consumeMoney": "3.2",
        "consumeCoins": None,
        "taskCostTime": "5",
        "thirdPartyConsumeMoney": None,
    }
    submitted = task_result(task, task_state(task, clock.now, ready), "u", speed=1, detailed=False)
    assert "usage" not in submitted


def test_sniff_reads_magic_bytes():
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert sniff(b"\xff\xd8\xff\xe0....") == "image/jpeg"
    assert sniff(b"GIF89a") == "image/gif"
    assert sniff(b"ID3\x04") == "audio/mpeg"
    assert sniff(b"\x00\x00\x00\x18ftypisom") == "video/mp4"
    assert sniff(b"PK\x03\x04") == "application/zip"
    assert sniff(b"%PDF") is None
    assert sniff(b"") is None


@pytest.mark.integration  # ffmpeg makes the JPEG
def test_image_size_reads_headers_without_decoding(tmp_path):
    from tests.sandbox.conftest import ffmpeg
    from tests.support.constants import SAMPLE_PNG

    assert image_size(SAMPLE_PNG) is not None
    jpg = tmp_path / "s.jpg"
    subprocess.run(
        [ffmpeg(), "-loglevel", "error", "-i", str(SAMPLE_PNG), "-s", "321x123", str(jpg)],
        check=True,
    )
    assert image_size(jpg) == (321, 123)
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_header(16000, 16000))
    assert image_size(bomb) == (16000, 16000)


def test_zoom_argv_asks_for_h264_yuv420p_faststart():
    argv = zoom_argv("ffmpeg", Path("in.png"), VideoSpec(8, "9:16", "1080p"), Path("o.mp4"))
    joined = " ".join(argv)
    for part in (
        "libx264",
        "-preset ultrafast",
        "yuv420p",
        "+faststart",
        "1080x1920",
        "-frames:v 96",
    ):
        assert part in joined


@pytest.mark.integration
def test_the_placeholder_card_is_the_same_on_every_render(tmp_path):
    # ffmpeg's gradients source picks a random angle unless seeded; at some angles the centre a
    # 9:16 crop keeps was one flat colour, and an 8 s 1080p video of it was 9 kB (a CI failure).
    from runninghub_video.sandbox._video import ffmpeg_exe, placeholder_argv

    cards = []
    for n in range(3):
        card = tmp_path / f"card{n}.png"
        subprocess.run(placeholder_argv(ffmpeg_exe(), card), check=True)
        cards.append(card.read_bytes())
    assert cards[0] == cards[1] == cards[2]


def png_header(width: int, height: int) -> bytes:
    """A PNG signature and IHDR chunk declaring width x height (RGB, 8 bit)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", 13)
        + b"IHDR"
        + ihdr
        + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    )


@pytest.mark.parametrize(
    ("resolution", "aspect", "size"),
    [
        ("720p", "16:9", (1280, 720)),
        ("1080p", "9:16", (1080, 1920)),
        ("480p", "1:1", (480, 480)),
        ("4k", "16:9", (1280, 720)),  # no rule for "4k": the default size, labelled 4k
        ("2160p", "21:9", (2520, 1080)),  # capped at max_short_side
        ("720p", "banana", (1280, 720)),
    ],
)
def test_video_size_is_derived_from_resolution_and_aspect(resolution, aspect, size):
    spec = VideoSpec(4, aspect, resolution)
    assert spec.size == size
    assert resolution in spec.label


def test_price_is_estimated_from_the_duration():
    from runninghub_video.sandbox._payloads import price

    assert (price(4), price(8), price(16)) == ("3.2", "6.5", "13")


@pytest.mark.parametrize(
    ("body", "duration", "size", "label"),
    [
        ({"size": "1280x720", "duration": "8"}, 8, (1280, 720), "8s 1280x720"),
        ({"size": "720x1280", "duration": 12}, 12, (720, 1280), "12s 720x1280"),  # an integer
        ({"size": "1920*1080"}, 4, (1920, 1080), "4s 1920*1080"),  # no duration: the default
        ({"size": "4000x2000"}, 4, (2160, 1080), "4s 4000x2000"),  # capped at max_short_side
        ({"resolution": "1280x720"}, 4, (1280, 720), "4s 1280x720"),  # by value, any field
        ({"size": "10x9000"}, 4, (1280, 720), "4s 10x9000"),  # no sane ratio: the default
        ({"size": "big", "duration": "6s"}, 6, (1280, 720), "6s 16:9 720p"),
        ({}, 4, (1280, 720), "4s 16:9 720p"),
    ],
)
def test_size_and_duration_are_read_from_any_task_body(body, duration, size, label):
    request = VideoRequest.from_body({"prompt": "p", **body}, 100, SEED_FALLBACKS)
    spec = VideoSpec(
        request.duration, request.aspect_ratio, request.resolution, dimensions=request.dimensions
    )
    assert (spec.duration, spec.size, spec.label) == (duration, size, label)
    assert request.image_url is None


def test_each_endpoint_has_a_title_card_of_its_own():
    one, other = "/openapi/v2/a/text-to-video", "/openapi/v2/b/text-to-video"
    assert card_id(one) != card_id(other)
    assert card_id(one).startswith("card-text-to-video-")
    assert card_colour(one) != card_colour(other)
    assert card_id("/x/../../etc") == card_id("/x/../../etc").replace("/", "")
    argv = zoom_argv("ffmpeg", Path("c.png"), VideoSpec(4, "16:9", "720p"), Path("o"), title="t, ")
    assert "title=runninghub-video sandbox: t, 4s 16:9 720p" in argv


def test_a_body_without_resolution_or_aspect_ratio_renders_as_before_on_any_endpoint():
    """The endpoint's schema default, else the render's own fallback (720p, 16:9), whatever the
    endpoint: a page without those fields, or with them but no default, renders 1280x720."""
    from runninghub_video.sandbox._contract import Operation
    from runninghub_video.sandbox._video import FALLBACK_LABELS

    bare = Operation("/v/x", "x", "task", {"properties": {"prompt": {"type": "string"}}}, None)
    portrait = {"properties": {"aspectRatio": {"type": "string", "enum": ["9:16", "16:9"]}}}
    defaulted = {"properties": {"aspectRatio": {"type": "string", "default": "9:16"}}}
    labels = []
    for schema in (bare.json_schema, portrait, defaulted):
        operation = Operation("/v/x", "x", "task", schema, None)
        request = VideoRequest.from_body({"prompt": "p"}, 100, fallbacks(operation))
        labels.append(VideoSpec(request.duration, request.aspect_ratio, request.resolution).label)
    assert labels == ["4s 16:9 720p", "4s 16:9 720p", "4s 9:16 720p"]
    assert FALLBACK_LABELS == {"resolution": "720p", "aspectRatio": "16:9"}


def test_the_statuses_the_sandbox_plays_are_the_specs():
    """The lifecycle's statuses are the spec's TaskStatus values, and the states it ends in are
    final exactly when the spec's x-final-statuses (the contract table's) say so."""
    from typing import get_args

    from runninghub_video._endpoints import statuses
    from runninghub_video.sandbox._tasks import Status

    known, final = statuses()
    assert set(get_args(Status)) == known
    clock = FakeClock()
    store = make_store(clock)
    ready = RenderProgress(ready_at=clock.now)
    played = {}
    for plan in (FaultPlan(), FaultPlan(fail_code="1501"), FaultPlan(cancel=True)):
        task = store.create(REQUEST, plan, render_key="k")
        for later in (0.0, 0.5, 2.0, 60.0):
            state = task_state(task, clock.now + later, ready)
            played[state.status] = state.is_final
    assert played == {status: status in final for status in known}
