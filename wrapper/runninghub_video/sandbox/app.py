"""The sandbox's HTTP surface: routes, bearer auth, request validation, JSON answers."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from aiohttp import BodyPartReader, web

from runninghub_video.sandbox import errors
from runninghub_video.sandbox.faults import MARKERS, FaultPlan, MarkerError, parse_faults
from runninghub_video.sandbox.payloads import task_not_found, task_result, upload_result
from runninghub_video.sandbox.stats import Stats
from runninghub_video.sandbox.tasks import RenderProgress, Task, TaskStore, VideoRequest, task_state
from runninghub_video.sandbox.uploads import (
    CONTENT_TYPES,
    MAX_UPLOAD_BYTES,
    UPLOAD_PATH_PREFIX,
    UploadStore,
    image_kind,
)
from runninghub_video.sandbox.video import PLACEHOLDER_ID, Renderer, RenderJob, VideoSpec

log = logging.getLogger("runninghub_video.sandbox")

INVALID_API_KEY: Final = "sandbox-invalid-key"
SUBMIT_PATH: Final = "/openapi/v2/rhart-video-s-official/image-to-video-realistic"
QUERY_PATH: Final = "/openapi/v2/query"
UPLOAD_PATH: Final = "/openapi/v2/media/upload/binary"
RESULTS_PATH_PREFIX: Final = "/files/results/"
MAX_JSON_BYTES: Final = 1024 * 1024
ENUMS: Final[dict[str, tuple[str, ...]]] = {
    "resolution": ("720p", "1080p"),
    "aspectRatio": ("16:9", "9:16"),
    "duration": ("4", "8", "12"),
}
_EXPIRED_XML: Final = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    "<Message>Request has expired</Message></Error>\n"
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class SandboxState:
    """Everything the routes share: settings, stores, renderer and counters."""

    public_url: str
    speed: float
    tasks: TaskStore
    uploads: UploadStore
    renderer: Renderer
    stats: Stats

    def snapshot(self) -> Stats:
        """A copy of the counters, with the renderer's render count."""
        return replace(self.stats, renders=self.renderer.renders)

    def result_url(self, task: Task) -> str:
        """Where task's video is served."""
        return f"{self.public_url}{RESULTS_PATH_PREFIX}{task.task_id}.mp4"


STATE: Final = web.AppKey("sandbox_state", SandboxState)


class ApiError(Exception):
    """An error answer: HTTP status plus an ErrorResponse body."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer status with errorCode code (and the vendor message, plus detail)."""
        super().__init__(detail or code)
        self.status = status
        self.body = errors.error_body(code, detail)
        self.headers = headers or {}

    def response(self) -> web.Response:
        """The JSON response for this error."""
        return web.json_response(self.body, status=self.status, headers=self.headers)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn ApiError into its JSON answer and unexpected exceptions into a JSON 500."""
    try:
        return await handler(request)
    except ApiError as exc:
        return exc.response()
    except web.HTTPException:
        raise
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return ApiError(500, errors.INTERNAL_ERROR).response()


def check_auth(request: web.Request) -> None:
    """Require `Authorization: Bearer <key>`; the key INVALID_API_KEY is refused. Never logged."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise ApiError(401, errors.INVALID_KEY, "expected header 'Authorization: Bearer <API key>'")
    if token == INVALID_API_KEY:
        raise ApiError(401, errors.INVALID_KEY)


async def read_json_object(request: web.Request) -> dict[str, object]:
    """The JSON object body: 415 for another content type, 400 if unparsable, 422 if no object."""
    if request.content_type != "application/json" and not request.content_type.endswith("+json"):
        raise ApiError(415, errors.INVALID_PARAMETERS, "Content-Type must be application/json")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(400, errors.INVALID_PARAMETERS, "request body too large") from None
    try:
        body = json.loads(raw)
    except ValueError:
        raise ApiError(400, errors.INVALID_PARAMETERS, "request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(422, errors.INVALID_PARAMETERS, "request body must be a JSON object")
    return body


def validate_submit(body: dict[str, object]) -> VideoRequest:
    """The submit body as a VideoRequest, or 422 naming every bad field and what is allowed."""
    problems: list[str] = []
    values: dict[str, str] = {}
    for name in ("prompt", "resolution", "aspectRatio", "imageUrl", "duration"):
        allowed = ENUMS.get(name)
        what = "a string" if allowed is None else "one of " + ", ".join(f"'{v}'" for v in allowed)
        value = body.get(name)
        if name not in body:
            problems.append(f"{name} is required ({what})")
        elif not isinstance(value, str):
            problems.append(f"{name} must be {what}, got {json.dumps(value)[:40]}")
        elif allowed is not None and value not in allowed:
            problems.append(f"{name} must be {what}, got '{value[:40]}'")
        else:
            values[name] = value
    if values.get("prompt") == "":
        problems.append("prompt must not be empty")
    webhook = body.get("webhookUrl")
    if "webhookUrl" in body and not isinstance(webhook, str):
        problems.append("webhookUrl must be a string")
    if problems:
        raise ApiError(422, errors.INVALID_PARAMETERS, "; ".join(problems))
    return VideoRequest(
        prompt=values["prompt"],
        resolution=values["resolution"],
        aspect_ratio=values["aspectRatio"],
        image_url=values["imageUrl"],
        duration=int(values["duration"]),
        webhook_url=webhook if isinstance(webhook, str) else None,
    )


def start_render(state: SandboxState, request: VideoRequest) -> RenderJob:
    """The (possibly shared, cached) render job for request's video."""
    spec = VideoSpec(request.duration, request.aspect_ratio, request.resolution)
    image = state.uploads.find_by_url(request.image_url)
    image_id = image.stem if image is not None else PLACEHOLDER_ID
    return state.renderer.render(image_id, image, spec)


async def submit(request: web.Request) -> web.StreamResponse:
    """POST submit: create a task (or answer 429 for the [sandbox:submit429=N] marker)."""
    state = request.app[STATE]
    state.stats.submit_attempts += 1
    check_auth(request)
    video = validate_submit(await read_json_object(request))
    try:
        plan = parse_faults(video.prompt)
    except MarkerError as exc:
        raise ApiError(422, errors.INVALID_PARAMETERS, str(exc)) from None
    if plan.submit_429 and state.tasks.take_submit_429(video.prompt, plan.submit_429):
        log.info("submit answered 429 ([sandbox:submit429] marker)")
        raise ApiError(429, errors.RATE_LIMITED, headers={"Retry-After": "1"})
    job = start_render(state, video) if plan.succeeds else None
    task = state.tasks.create(video, plan, job.key if job else None)
    state.stats.submits += 1
    log.info("task %s created (%s)", task.task_id, _describe(video, plan))
    if plan.instant and job is not None:
        await state.renderer.wait(job)
    return web.json_response(answer(state, task, detailed=False))


async def query(request: web.Request) -> web.StreamResponse:
    """POST query: the task's state now (or 503 for the [sandbox:query5xx=N] marker)."""
    state = request.app[STATE]
    state.stats.queries += 1
    check_auth(request)
    body = await read_json_object(request)
    task_id = body.get("taskId")
    if not isinstance(task_id, str):
        what = "is required" if "taskId" not in body else "must be a string"
        raise ApiError(422, errors.INVALID_PARAMETERS, f"taskId {what}")
    task = state.tasks.get(task_id)
    if task is None:
        return web.json_response(task_not_found(task_id))
    if state.tasks.take_query_5xx(task):
        log.info("query of %s answered 503 ([sandbox:query5xx] marker)", task_id)
        raise ApiError(503, errors.UNAVAILABLE)
    return web.json_response(answer(state, task, detailed=True))


def answer(state: SandboxState, task: Task, *, detailed: bool) -> dict[str, object]:
    """The TaskResult body for task as of now."""
    job = state.renderer.job(task.render_key) if task.render_key else None
    progress = job.progress if job else RenderProgress()
    current = task_state(task, state.tasks.now(), progress)
    return task_result(task, current, state.result_url(task), speed=state.speed, detailed=detailed)


async def upload(request: web.Request) -> web.StreamResponse:
    """POST upload: store a JPG/PNG of at most 10 MB from multipart field `file`."""
    state = request.app[STATE]
    state.stats.upload_attempts += 1
    check_auth(request)
    if request.content_type != "multipart/form-data":
        raise ApiError(415, errors.INVALID_PARAMETERS, "Content-Type must be multipart/form-data")
    data, size = await _read_file_field(request)
    if data is None:
        raise ApiError(422, errors.INVALID_PARAMETERS, "multipart field 'file' is required")
    if size > MAX_UPLOAD_BYTES:
        raise ApiError(422, errors.FILE_TOO_LARGE, f"file is {size} bytes, at most 10 MB allowed")
    kind = image_kind(data)
    if kind is None:
        raise ApiError(422, errors.INVALID_PARAMETERS, "file must be a JPG or PNG image")
    name = await asyncio.to_thread(state.uploads.save, data, kind)  # hashing 10 MB takes a while
    state.stats.uploads += 1
    log.info("upload %s stored (%d bytes)", name, size)
    url = f"{state.public_url}{UPLOAD_PATH_PREFIX}{name}"
    return web.json_response(upload_result(url, f"openapi/{name}", size))


async def _read_file_field(request: web.Request) -> tuple[bytes | None, int]:
    """The `file` part's bytes (kept up to 10 MB + 1) and its full size; other parts drained."""
    try:
        reader = await request.multipart()
        data: bytes | None = None
        size = 0
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name != "file" or data is not None:
                await part.release()
                continue
            chunks: list[bytes] = []
            kept = 0
            while chunk := await part.read_chunk(256 * 1024):
                size += len(chunk)
                if kept <= MAX_UPLOAD_BYTES:
                    chunks.append(chunk)
                    kept += len(chunk)
            data = b"".join(chunks)
    except (ValueError, AssertionError, RuntimeError) as exc:
        raise ApiError(400, errors.INVALID_PARAMETERS, f"malformed multipart body: {exc}") from None
    return data, size


async def result_file(request: web.Request) -> web.StreamResponse:
    """GET a task's MP4, streamed from disk; 404 until SUCCESS, 403 for [sandbox:expire]."""
    state = request.app[STATE]
    _count_file_request(state, request)
    task = state.tasks.get(request.match_info["task_id"])
    if task is None or task.render_key is None:
        raise web.HTTPNotFound(text="no such result\n")
    if answer(state, task, detailed=False)["status"] != "SUCCESS":
        raise web.HTTPNotFound(text="result not ready\n")
    if task.plan.expire:
        return web.Response(status=403, text=_EXPIRED_XML, content_type="application/xml")
    job = state.renderer.job(task.render_key)
    assert job is not None
    return _file_response(job.path, "video/mp4")


async def upload_file(request: web.Request) -> web.StreamResponse:
    """GET an uploaded image back (the download_url of the upload answer)."""
    state = request.app[STATE]
    _count_file_request(state, request)
    path = state.uploads.path(request.match_info["name"])
    if path is None:
        raise web.HTTPNotFound(text="no such upload\n")
    return _file_response(path, CONTENT_TYPES[path.suffix.lstrip(".")])


async def index(request: web.Request) -> web.StreamResponse:
    """GET /: what this server is and which prompt markers it understands."""
    return web.json_response(
        {
            "service": "runninghub-video sandbox",
            "markers": MARKERS,
            "invalidApiKey": INVALID_API_KEY,
        }
    )


def _count_file_request(state: SandboxState, request: web.Request) -> None:
    """Count a file request, and whether it carried an Authorization header (it should not)."""
    state.stats.file_requests += 1
    if "Authorization" in request.headers:
        state.stats.file_requests_with_authorization += 1
        log.warning("file request %s carried an Authorization header", request.path)


def _file_response(path: Path, content_type: str) -> web.FileResponse:
    """Stream path from disk with its Content-Length and content_type."""
    return web.FileResponse(path, headers={"Content-Type": content_type})


def _describe(video: VideoRequest, plan: FaultPlan) -> str:
    """A short log description of a submit, without the prompt text."""
    faults = [f"{k}={v}" for k, v in vars(plan).items() if v]
    return f"{video.duration}s {video.aspect_ratio} {video.resolution}" + (
        f", faults: {', '.join(faults)}" if faults else ""
    )


def create_app(state: SandboxState) -> web.Application:
    """The aiohttp application serving state."""
    app = web.Application(middlewares=[error_middleware], client_max_size=MAX_JSON_BYTES)
    app[STATE] = state
    app.router.add_get("/", index)
    app.router.add_post(SUBMIT_PATH, submit)
    app.router.add_post(QUERY_PATH, query)
    app.router.add_post(UPLOAD_PATH, upload)
    app.router.add_get(RESULTS_PATH_PREFIX + "{task_id:[0-9]+}.mp4", result_file)
    app.router.add_get(UPLOAD_PATH_PREFIX + "{name}", upload_file)
    return app
