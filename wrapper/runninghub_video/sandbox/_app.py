"""The sandbox's HTTP surface: routes and validation from the spec, bearer auth, JSON answers.

Every POST route, required field and allowed value comes from the OpenAPI spec (_contract.py);
this module only says what each kind of operation does. Every request is bounded: body size,
JSON depth, read time, prompt length, concurrent uploads.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Final

from aiohttp import BodyPartReader, web
from aiohttp.abc import AbstractStreamWriter

from runninghub_video.sandbox import _errors as errors
from runninghub_video.sandbox._contract import (
    Contract,
    Operation,
    iter_task_paths,
    reload_contract,
)
from runninghub_video.sandbox._faults import MARKERS, FaultPlan, MarkerError, parse_faults
from runninghub_video.sandbox._limits import Limits
from runninghub_video.sandbox._media import sniff
from runninghub_video.sandbox._payloads import price, task_not_found, task_result, upload_result
from runninghub_video.sandbox._stats import Stats
from runninghub_video.sandbox._tasks import (
    RenderProgress,
    Task,
    TaskStore,
    VideoRequest,
    task_state,
)
from runninghub_video.sandbox._uploads import (
    UPLOAD_PATH_PREFIX,
    IncomingFile,
    UploadStore,
    content_type,
)
from runninghub_video.sandbox._video import (
    FALLBACK_LABELS,
    PLACEHOLDER_ID,
    Renderer,
    RenderJob,
    RenderQueueFull,
    VideoSpec,
)
from runninghub_video.sandbox._webhooks import deliver, is_loopback

log = logging.getLogger("runninghub_video.sandbox")

INVALID_API_KEY: Final = "sandbox-invalid-key"
RESULTS_PATH_PREFIX: Final = "/files/results/"
STATS_PATH: Final = "/_sandbox/stats"
READ_CHUNK: Final = 256 * 1024
MAX_FIELD_BYTES: Final = 64 * 1024  # a non-file multipart field
MAX_PARTS: Final = 32
RENDER_QUEUE_RETRY_AFTER: Final = "5"  # seconds; the vendor's advised poll interval
_EXPIRED_XML: Final = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    "<Message>Request has expired</Message></Error>\n"
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class SandboxState:
    """Everything the routes share: settings, contract, stores, renderer and counters."""

    public_url: str
    speed: float
    tasks: TaskStore
    uploads: UploadStore
    renderer: Renderer
    stats: Stats
    contract: Contract
    limits: Limits = field(default_factory=Limits)
    upload_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(4))
    connections: int = 0
    deliveries: set[asyncio.Task[None]] = field(default_factory=set)
    disk_bytes: int = 0
    uploads_in_flight: int = 0
    allow_remote: bool = False  # webhooks to other machines too
    spent: Decimal = Decimal(0)  # every task's price so far, off the balance
    routes: dict[str, dict[str, Handler]] = field(default_factory=dict)
    routes_of: Contract | None = None

    def snapshot(self) -> Stats:
        """A copy of the counters, with the stores' and renderer's figures."""
        return replace(
            self.stats,
            renders=self.renderer.renders,
            renders_refused=self.renderer.refused,
            tasks=len(self.tasks),
            tasks_expired=self.tasks.expired,
            uploads_evicted=self.uploads.evicted,
            renders_evicted=self.renderer.evicted,
            disk_bytes=self.disk_bytes,
            connections=self.connections,
        )

    def result_url(self, task: Task) -> str:
        """Where task's video is served."""
        return f"{self.public_url}{RESULTS_PATH_PREFIX}{task.task_id}.mp4"

    def housekeep(self) -> None:
        """Expire tasks, uploads and renders past the TTL; evict least recently used files
        while uploads + renders exceed the disk cap."""
        cutoff = self.tasks.now() - self.limits.ttl
        self.tasks.expire()
        self.uploads.expire(cutoff)
        self.renderer.expire(cutoff, keep=self.tasks.render_keys())
        files: list[tuple[float, int, object]] = []
        files += [(used, size, name) for used, size, name in self.uploads.files()]
        files += [(used, size, job) for used, size, job in self.renderer.files()]
        total = sum(size for _, size, _ in files)
        for _, size, item in sorted(files, key=lambda f: f[0]):
            if total <= self.limits.max_disk_bytes:
                break
            if isinstance(item, str):
                self.uploads.forget(item)
            elif isinstance(item, RenderJob):
                self.renderer.forget(item)
            total -= size
        self.disk_bytes = total


STATE: Final = web.AppKey("sandbox_state", SandboxState)


class UploadRefused(Exception):
    """An upload the spec allows but the service refuses (too large, empty, not a media type
    it takes): answered as the vendor documents, HTTP 200 with code != 0 and the text in
    message [OFF core/upload.py][KIT]. A request the spec refuses stays a 4xx (ApiError)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        message = errors.error_body(code, detail)["errorMessage"]
        self.body: dict[str, object] = {"code": int(code), "message": message, "data": None}


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


_HTTP_CODES: Final = {404: errors.INVALID_URL, 405: errors.METHOD_NOT_SUPPORTED}


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn ApiError into its JSON answer, aiohttp's own errors into JSON 4xx, a client gone
    mid-request into a count, anything unexpected into a JSON 500 (counted: a 500 is a bug)."""
    state = request.app[STATE]
    try:
        return await handler(request)
    except ApiError as exc:
        if exc.status >= 500:
            state.stats.answers_5xx += 1
        return exc.response()
    except web.HTTPException as exc:
        if exc.status >= 500:
            state.stats.answers_5xx += 1
        if exc.status < 400 or exc.content_type == "application/json":
            raise
        # The vendor's table: 1001 invalid URL, 1009 HTTP method not supported [DOC][KIT]; a
        # 405 names the methods the path takes (Allow, RFC 9110), as aiohttp set it.
        code = _HTTP_CODES.get(exc.status, errors.INVALID_PARAMETERS)
        code = code if exc.status < 500 else errors.INTERNAL_ERROR
        detail = (exc.text or exc.reason or "").strip()
        allow = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return ApiError(exc.status, code, detail, headers=allow).response()
    except ConnectionError:
        if not _client_gone(request):
            state.stats.answers_5xx += 1
            log.exception("unexpected error on %s %s", request.method, request.path)
            return ApiError(500, errors.INTERNAL_ERROR).response()
        # The client went away mid-request: its business, not a sandbox fault (no 5xx, no error
        # log); the answer below is never delivered.
        state.stats.client_disconnects += 1
        log.debug("client gone during %s %s", request.method, request.path)
        return ApiError(400, errors.INVALID_PARAMETERS, "client disconnected").response()
    except Exception:
        state.stats.answers_5xx += 1
        log.exception("unexpected error on %s %s", request.method, request.path)
        return ApiError(500, errors.INTERNAL_ERROR).response()


def _client_gone(request: web.Request) -> bool:
    """Whether request's connection is closed or closing (the client hung up)."""
    transport = request.transport
    return transport is None or transport.is_closing()


def check_auth(request: web.Request) -> None:
    """Require `Authorization: Bearer <key>`; the key INVALID_API_KEY is refused. Never logged."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise ApiError(401, errors.INVALID_KEY, "expected header 'Authorization: Bearer <API key>'")
    if token == INVALID_API_KEY:
        raise ApiError(401, errors.INVALID_KEY)


async def read_json_object(request: web.Request, operation: Operation) -> dict[str, object]:
    """The JSON body, validated against operation's request schema: 415 for another content
    type, 400 if unparsable, too large, too deep or too slow, 422 naming every spec violation."""
    state = request.app[STATE]
    if request.content_type != "application/json" and not request.content_type.endswith("+json"):
        raise ApiError(415, errors.INVALID_PARAMETERS, "Content-Type must be application/json")
    try:
        async with asyncio.timeout(state.limits.body_timeout):
            raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        limit = state.limits.max_json_bytes
        raise ApiError(400, errors.INVALID_PARAMETERS, f"body over {limit} bytes") from None
    except TimeoutError:
        raise ApiError(408, errors.INVALID_PARAMETERS, "request body too slow") from None
    opening = raw.count(b"[") + raw.count(b"{")  # fast; the byte loop only if it could matter
    if opening > state.limits.max_json_depth and json_depth(raw) > state.limits.max_json_depth:
        depth = state.limits.max_json_depth
        raise ApiError(400, errors.INVALID_PARAMETERS, f"JSON nested deeper than {depth}")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError(400, errors.INVALID_PARAMETERS, "request body is not valid JSON") from None
    problems = operation.validate_json(body)
    if problems:
        raise ApiError(422, errors.INVALID_PARAMETERS, "; ".join(problems[:10]))
    if not isinstance(body, dict):  # the spec's schema had no type: object
        raise ApiError(422, errors.INVALID_PARAMETERS, "request body must be a JSON object")
    return body


def json_depth(raw: bytes) -> int:
    """How deep brackets nest in raw JSON (outside strings): one linear pass, no parsing."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def start_render(state: SandboxState, request: VideoRequest, endpoint: str) -> RenderJob:
    """The (possibly shared, cached) render job for request's video: a zoom over the uploaded
    image, over the placeholder card for an image from elsewhere, or over endpoint's title card
    when the request has no image."""
    seconds = min(request.duration, state.limits.max_render_seconds)
    spec = VideoSpec(
        seconds,
        request.aspect_ratio,
        request.resolution,
        state.limits.max_render_short_side,
        dimensions=request.dimensions,
    )
    image = state.uploads.find_by_url(request.image_url) if request.image_url else None
    image_id = image.stem if image is not None else PLACEHOLDER_ID
    card = endpoint if request.image_url is None else None
    return state.renderer.render(image_id, image, spec, card=card)


def fallbacks(operation: Operation) -> Callable[[str], str]:
    """A resolution or aspect ratio a body does not give: the endpoint's schema default, else
    the render's own (FALLBACK_LABELS), whatever the endpoint."""
    return lambda name: operation.default(name) or FALLBACK_LABELS[name]


def task_handler(operation: Operation) -> Handler:
    """POST to a task endpoint: create a task (or answer 429 for the submit429 marker)."""

    async def submit(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE]
        state.stats.submit_attempts += 1
        check_auth(request)
        body = await read_json_object(request, operation)
        video = VideoRequest.from_body(body, state.limits.max_prompt_chars, fallbacks(operation))
        try:
            plan = parse_faults(video.prompt)
        except MarkerError as exc:
            raise ApiError(422, errors.INVALID_PARAMETERS, str(exc)) from None
        if plan.submit_429 and state.tasks.take_submit_429(video.prompt, plan.submit_429):
            log.info("submit answered 429 ([sandbox:submit429] marker)")
            raise ApiError(429, errors.RATE_LIMITED, headers={"Retry-After": "1"})
        if plan.queue_full or state.tasks.waiting(state.tasks.now()) >= state.limits.queue_limit:
            # The vendor queues tasks beyond the key's limit and refuses only once its queue is
            # full (errorCode 1520, HTTP 200, no task) [PYPI][LEGACY].
            log.info("submit refused: the key's queue is full")
            return _refused(errors.CONCURRENCY_LIMIT)
        cost = Decimal(operation.listed_price(body) or price(video.duration))
        if state.spent + cost > Decimal(str(state.limits.balance)):
            # The sources name no code for it (only that it is never retried [KIT]): 1000.
            log.info("submit refused: balance spent")
            left = Decimal(str(state.limits.balance)) - state.spent
            return _refused(
                errors.UNKNOWN_ERROR, f"insufficient balance: {left} CNY left, {cost} needed"
            )
        try:
            job = start_render(state, video, operation.path) if plan.succeeds else None
        except RenderQueueFull as exc:
            # 1011 "system busy", not 1003 "rate limit exceeded": the sandbox is full, whoever
            # asks; HTTP 429 makes clients (the vendor's and ours) retry after Retry-After.
            state.stats.submits_refused_busy += 1
            log.info("submit answered 429: %s", exc)
            headers = {"Retry-After": RENDER_QUEUE_RETRY_AFTER}
            raise ApiError(429, errors.SYSTEM_BUSY, str(exc), headers=headers) from None
        task = state.tasks.create(
            video, plan, job.key if job else None, limit=state.limits.concurrency_limit
        )
        task.cost = f"{cost:f}"
        state.stats.submits += 1
        state.spent += cost
        log.info("task %s created on %s (%s)", task.task_id, operation.path, _describe(video, plan))
        if plan.instant and job is not None:
            await state.renderer.wait(job)
        url = body.get("webhookUrl")
        if isinstance(url, str) and url:
            _schedule_webhook(state, task, url)
        return web.json_response(answer(state, task, detailed=False))

    return submit


def _refused(code: str, detail: str | None = None) -> web.Response:
    """A submit refused as the vendor refuses one: HTTP 200, errorCode, no task."""
    return web.json_response(errors.error_body(code, detail))


def _schedule_webhook(state: SandboxState, task: Task, url: str) -> None:
    """Deliver the task's end to url (loopback only unless allow_remote), in the background."""
    if not (state.allow_remote or is_loopback(url)):
        state.stats.webhooks_refused += 1
        log.warning(
            "task %s: webhookUrl not called (the sandbox posts to loopback only)", task.task_id
        )
        return

    def ended() -> bool:
        return task_state(task, state.tasks.now(), render_progress(state, task)).is_final

    def counted(ok: bool) -> None:
        state.stats.webhook_attempts += 1
        state.stats.webhooks_delivered += ok

    job = asyncio.ensure_future(
        deliver(
            url, task.task_id, ended, lambda: answer(state, task, detailed=True),
            attempts=state.limits.webhook_attempts, timeout=state.limits.webhook_timeout,
            counted=counted,
        )
    )  # fmt: skip
    state.deliveries.add(job)
    job.add_done_callback(state.deliveries.discard)


def query_handler(operation: Operation) -> Handler:
    """POST query: the task's state now (or 503 for the [sandbox:query5xx=N] marker)."""

    async def query(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE]
        state.stats.queries += 1
        check_auth(request)
        body = await read_json_object(request, operation)
        task_id = body.get("taskId")
        if not isinstance(task_id, str):  # only if the spec stops saying so
            raise ApiError(422, errors.INVALID_PARAMETERS, "taskId must be a string")
        task = state.tasks.get(task_id)
        if task is None:
            return web.json_response(task_not_found(task_id))
        if state.tasks.take_query_5xx(task):
            log.info("query of %s answered 503 ([sandbox:query5xx] marker)", task_id)
            raise ApiError(503, errors.UNAVAILABLE)
        return web.json_response(answer(state, task, detailed=True))

    return query


def queue_handler(operation: Operation) -> Handler:
    """GET queue status: the key's limit, and its tasks running and queued now."""
    del operation  # no body to validate

    async def queue(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE]
        check_auth(request)
        now = state.tasks.now()
        statuses = [task_state(t, now, render_progress(state, t)).status for t in state.tasks]
        running = statuses.count("RUNNING")
        queued = statuses.count("QUEUED") + statuses.count("CREATE")  # both wait for a slot
        return web.json_response(
            {
                "apiKeyType": "NORMAL",
                "concurrentLimit": state.limits.concurrency_limit,
                "runningCount": running,
                "queuedCount": queued,
                "totalCurrentTasks": running + queued,
            }
        )

    return queue


def price_handler(operation: Operation) -> Handler:
    """POST price preview: a task's body, validated as its submit's, priced as its render
    would be (nothing created, nothing charged)."""

    async def price_preview(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE]
        check_auth(request)
        body = await read_json_object(request, operation)
        video = VideoRequest.from_body(body, state.limits.max_prompt_chars, fallbacks(operation))
        amount = operation.listed_price(body) or price(video.duration)
        return web.json_response(
            {
                "errorCode": "",
                "errorMessage": "",
                "estimatedPrice": float(amount),
                "currency": "CNY",
                "priceText": f"{amount} 元",
                "priceTextEn": f"{amount} CNY",
                "isFreeThisCall": False,
            }
        )

    return price_preview


def _check_body_key(body: dict[str, object]) -> None:
    """The v1 calls take the key in the body too: the refused key is refused there as well."""
    if INVALID_API_KEY in (body.get("apiKey"), body.get("apikey")):
        raise ApiError(401, errors.INVALID_KEY)


def account_handler(operation: Operation) -> Handler:
    """POST account status (v1 envelope): the starting balance less every task's price
    (charged at submit)."""

    async def account(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE]
        check_auth(request)
        _check_body_key(await read_json_object(request, operation))
        now = state.tasks.now()
        running = [
            t for t in state.tasks if not task_state(t, now, render_progress(state, t)).is_final
        ]
        left = max(Decimal(0), Decimal(str(state.limits.balance)) - state.spent)
        data = {
            "remainCoins": "0",
            "currentTaskCounts": str(len(running)),
            "remainMoney": f"{left:.2f}",
            "currency": "CNY",
            "apiType": "NORMAL",
        }
        return web.json_response({"code": 0, "msg": "success", "data": data})

    return account


def cancel_handler(operation: Operation) -> Handler:
    """POST cancel (v1): a task not final yet ends CANCEL now; the v1 envelope answers, code
    807 for a task the key does not have."""

    async def cancel(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE]
        check_auth(request)
        body = await read_json_object(request, operation)
        _check_body_key(body)
        task = state.tasks.get(str(body.get("taskId")))
        if task is None:
            return web.json_response({"code": 807, "msg": "APIKEY_TASK_NOT_FOUND", "data": None})
        now = state.tasks.now()
        if not task_state(task, now, render_progress(state, task)).is_final:
            task.cancelled_at = now
            state.stats.cancels += 1
            log.info("task %s cancelled", task.task_id)
        return web.json_response({"code": 0, "msg": "success", "data": None})

    return cancel


def render_progress(state: SandboxState, task: Task) -> RenderProgress:
    """How task's render stands; kept on the task once final (the file may be evicted later)."""
    if task.render_outcome is not None:
        return task.render_outcome
    job = state.renderer.job(task.render_key) if task.render_key else None
    if job is None:
        if task.render_key is None:
            return RenderProgress()
        # Evicted before anyone asked: done, but its file is gone (the result URL answers 404).
        task.render_outcome = RenderProgress(ready_at=task.running_until)
        return task.render_outcome
    progress = job.progress
    if progress.ready_at is not None or progress.error is not None:
        task.render_outcome = progress
    return progress


def answer(state: SandboxState, task: Task, *, detailed: bool) -> dict[str, object]:
    """The TaskResult body for task as of now."""
    current = task_state(task, state.tasks.now(), render_progress(state, task))
    return task_result(task, current, state.result_url(task), speed=state.speed, detailed=detailed)


def upload_handler(operation: Operation) -> Handler:
    """POST upload: store one file per the spec's multipart schema, at most max_upload_bytes."""

    async def upload(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE]
        state.stats.upload_attempts += 1
        check_auth(request)
        if request.content_type != "multipart/form-data":
            raise ApiError(
                415, errors.INVALID_PARAMETERS, "Content-Type must be multipart/form-data"
            )
        try:
            async with asyncio.timeout(state.limits.body_timeout):
                await state.upload_slots.acquire()
        except TimeoutError:
            raise ApiError(503, errors.SYSTEM_BUSY, "too many uploads at once") from None
        incoming: IncomingFile | None = None
        state.uploads_in_flight += 1
        state.stats.uploads_in_flight_peak = max(
            state.stats.uploads_in_flight_peak, state.uploads_in_flight
        )
        limits = state.limits
        started = asyncio.get_running_loop().time()
        last_call = started + limits.body_timeout
        try:
            # A slot is held only while the body flows: every byte received moves the deadline
            # on by 1/upload_min_rate s, so a trickling client is cut off after upload_grace
            # (plus what it sent), not after body_timeout, and the next upload gets its slot.
            async with asyncio.timeout_at(started + limits.upload_grace) as deadline:

                def received(total: int) -> None:
                    flowing = started + limits.upload_grace + total / limits.upload_min_rate
                    deadline.reschedule(min(flowing, last_call))

                incoming, media_type = await _read_upload(request, operation, state, received)
            name = state.uploads.keep(incoming, media_type)
            incoming = None
        except UploadRefused as refused:
            log.info("upload refused: %s", refused.body["message"])
            return web.json_response(refused.body)
        except TimeoutError:
            detail = f"upload body too slow (under {limits.upload_min_rate} bytes/s)"
            raise ApiError(408, errors.INVALID_PARAMETERS, detail) from None
        finally:
            state.uploads_in_flight -= 1
            state.upload_slots.release()
            if incoming is not None:
                incoming.discard()
        state.stats.uploads += 1
        state.housekeep()
        size = (state.uploads.folder / name).stat().st_size
        log.info("upload %s stored (%d bytes)", name, size)
        url = f"{state.public_url}{UPLOAD_PATH_PREFIX}{name}"
        return web.json_response(
            upload_result(url, f"openapi/{name}", size, _upload_kind(media_type))
        )

    return upload


def _upload_kind(media_type: str) -> str:
    """data.type of an upload answer: image, audio, video, else file."""
    major = media_type.partition("/")[0]
    return major if major in ("image", "audio", "video") else "file"


async def _read_upload(
    request: web.Request,
    operation: Operation,
    state: SandboxState,
    received: Callable[[int], None],
) -> tuple[IncomingFile, str]:
    """Stream the multipart body: the file field to a temporary file (bounded), other fields
    checked against the spec's schema; received(total) is told the bytes read so far after
    every chunk. Returns the file and its media type; 4xx otherwise."""
    rules = operation.multipart
    assert rules is not None
    file_fields = rules.file_fields or ("file",)
    incoming: IncomingFile | None = None
    media_type = "application/octet-stream"
    seen: set[str] = set()
    total = 0
    try:
        try:
            reader = await request.multipart()
            parts = 0
            while (part := await reader.next()) is not None:
                parts += 1
                if parts > MAX_PARTS or not isinstance(part, BodyPartReader):
                    raise ApiError(400, errors.INVALID_PARAMETERS, "malformed multipart body")
                name = part.name or ""
                if name not in rules.properties and not rules.additional_allowed:
                    allowed = ", ".join(f"'{n}'" for n in rules.properties)
                    raise ApiError(
                        422,
                        errors.INVALID_PARAMETERS,
                        f"multipart field '{name[:40]}' is not allowed (the spec allows {allowed})",
                    )
                if name in seen:
                    raise ApiError(
                        422, errors.INVALID_PARAMETERS, f"multipart field '{name[:40]}' repeated"
                    )
                seen.add(name)
                if name in file_fields and incoming is None:
                    incoming = state.uploads.incoming()
                    while chunk := await part.read_chunk(READ_CHUNK):
                        incoming.write(chunk)
                        total += len(chunk)
                        received(total)
                        if incoming.size > state.limits.max_upload_bytes:
                            limit = state.limits.max_upload_bytes
                            raise UploadRefused(
                                errors.FILE_TOO_LARGE, f"file is over {limit} bytes"
                            )
                    # Read from the bytes, never from the declared type (a client can say anything).
                    media_type = sniff(incoming.head) or media_type
                else:
                    size = 0
                    while chunk := await part.read_chunk(READ_CHUNK):
                        size += len(chunk)
                        total += len(chunk)
                        received(total)
                        if size > MAX_FIELD_BYTES:
                            raise ApiError(
                                422, errors.INVALID_PARAMETERS, f"field '{name[:40]}' too large"
                            )
        except (ApiError, UploadRefused, TimeoutError, ConnectionError, asyncio.CancelledError):
            raise
        except Exception as exc:  # aiohttp raises many types for broken multipart
            detail = f"malformed multipart body ({type(exc).__name__})"
            raise ApiError(400, errors.INVALID_PARAMETERS, detail) from None
        missing = sorted(rules.required - seen)
        if missing or incoming is None:
            field_name = missing[0] if missing else file_fields[0]
            raise ApiError(
                422, errors.INVALID_PARAMETERS, f"multipart field '{field_name}' is required"
            )
        file_field = next(f for f in file_fields if f in seen)
        if incoming.size == 0:  # the spec allows it; the service cannot use it
            raise UploadRefused(errors.FILE_PROCESSING_FAILED, f"{file_field} is empty")
        if not rules.accepts_media_type(file_field, media_type):
            allowed = ", ".join(rules.media_types.get(file_field, ()))
            raise UploadRefused(
                errors.FILE_PROCESSING_FAILED,
                f"{file_field} must be one of the spec's media types ({allowed}), got {media_type}",
            )
    except BaseException:
        if incoming is not None:
            incoming.discard()
        raise
    return incoming, media_type


async def result_file(request: web.Request) -> web.StreamResponse:
    """GET a task's MP4, streamed from disk; 404 until SUCCESS, 403 for [sandbox:expire]."""
    state = request.app[STATE]
    _count_file_request(state, request)
    task = state.tasks.get(request.match_info["task_id"])
    if task is None or task.render_key is None:
        raise web.HTTPNotFound(text="no such result\n")
    # The state, not the answer: a [sandbox:shape] answer may leave fields out.
    if task_state(task, state.tasks.now(), render_progress(state, task)).status != "SUCCESS":
        raise web.HTTPNotFound(text="result not ready\n")
    if task.plan.expire:
        return web.Response(status=403, text=_EXPIRED_XML, content_type="application/xml")
    job = state.renderer.job(task.render_key)
    if job is None or not job.path.is_file():
        raise web.HTTPNotFound(text="result expired (removed by the TTL or the disk cap)\n")
    return _file_response(job.path, "video/mp4")


async def upload_file(request: web.Request) -> web.StreamResponse:
    """GET an uploaded image back (the download_url of the upload answer)."""
    state = request.app[STATE]
    _count_file_request(state, request)
    path = state.uploads.path(request.match_info["name"])
    if path is None:
        raise web.HTTPNotFound(text="no such upload\n")
    return _file_response(path, content_type(path.name))


async def index(request: web.Request) -> web.StreamResponse:
    """GET /: what this server is, what it serves and which prompt markers it understands."""
    state = request.app[STATE]
    return web.json_response(
        {
            "service": "runninghub-video sandbox",
            "spec": state.contract.path.name,
            "taskEndpoints": list(iter_task_paths(state.contract)),
            "markers": MARKERS,
            "invalidApiKey": INVALID_API_KEY,
        }
    )


async def stats(request: web.Request) -> web.StreamResponse:
    """GET /_sandbox/stats: sb.stats for a sandbox run as a process (not part of the API)."""
    return web.json_response(dataclasses.asdict(request.app[STATE].snapshot()))


def _count_file_request(state: SandboxState, request: web.Request) -> None:
    """Count a file request, and whether it carried an Authorization header (it should not)."""
    state.stats.file_requests += 1
    if "Authorization" in request.headers:
        state.stats.file_requests_with_authorization += 1
        log.warning("file request %s carried an Authorization header", request.path)


class _EarlyFileResponse(web.FileResponse):
    """A FileResponse that may be sent before the handler chain returns (the connection guard
    sends it while the connection counts as busy); aiohttp's own prepare() afterwards is then a
    no-op, not a second send (which fails an assertion inside aiohttp)."""

    async def prepare(self, request: web.BaseRequest) -> AbstractStreamWriter | None:
        """Send the file, unless it was sent already."""
        if self.prepared:
            return None
        return await super().prepare(request)


def _file_response(path: Path, content_type: str) -> web.FileResponse:
    """Stream path from disk with its Content-Length and content_type."""
    return _EarlyFileResponse(path, headers={"Content-Type": content_type})


def _describe(video: VideoRequest, plan: FaultPlan) -> str:
    """A short log description of a submit, without the prompt text."""
    faults = [f"{k}={v}" for k, v in vars(plan).items() if v]
    asked = video.dimensions or f"{video.aspect_ratio} {video.resolution}"
    return f"{video.duration}s {asked}" + (f", faults: {', '.join(faults)}" if faults else "")


_HANDLERS: Final[dict[str, Callable[[Operation], Handler]]] = {
    "task": task_handler,
    "query": query_handler,
    "upload": upload_handler,
    "queue": queue_handler,
    "cancel": cancel_handler,
    "account": account_handler,
    "price": price_handler,
}


def routes_of(state: SandboxState) -> dict[str, dict[str, Handler]]:
    """The spec's routes (path -> method -> handler), rebuilt when the spec file changes: a
    regenerated spec is served by a running sandbox at its next request. A spec that does not
    load (e.g. half-written) keeps the last one served, with a warning."""
    try:
        contract = reload_contract(state.contract)
    except Exception as exc:  # any load failure keeps serving the last spec
        log.warning("spec %s not reloaded, serving the last one: %s", state.contract.path, exc)
        contract = state.contract
    if state.routes_of is not contract:
        if state.routes_of is not None:
            log.info("spec %s changed: now serving %d operations", contract.path,
                     len(contract.operations))  # fmt: skip
        routes: dict[str, dict[str, Handler]] = {}
        for operation in contract.operations:
            handler = _HANDLERS[operation.kind](operation)
            methods = routes.setdefault(operation.path, {})
            methods[operation.method.upper()] = handler
            if operation.method.upper() == "GET":
                methods["HEAD"] = handler
        state.contract, state.routes, state.routes_of = contract, routes, contract
    return state.routes


async def dispatch(request: web.Request) -> web.StreamResponse:
    """Every API path: the handler of the spec's operation, else 404 saying the path is not in
    the spec the sandbox loaded (so a client does not blame its base URL), or 405 with Allow."""
    routes = routes_of(request.app[STATE])
    methods = routes.get(request.path)
    if methods is None:
        contract = request.app[STATE].contract
        detail = (
            f"{request.path} is not a path of the spec this sandbox loaded ({contract.path}, "
            f"{len(routes)} paths); a regenerated spec is served as soon as its file changes"
        )
        raise ApiError(404, errors.INVALID_URL, detail)
    handler = methods.get(request.method)
    if handler is None:
        allow = ", ".join(sorted(methods))
        detail = f"{request.path} takes {allow}, not {request.method}"
        raise ApiError(405, errors.METHOD_NOT_SUPPORTED, detail, headers={"Allow": allow})
    return await handler(request)


def create_app(state: SandboxState) -> web.Application:
    """The aiohttp application serving state."""
    app = web.Application(
        middlewares=[error_middleware], client_max_size=state.limits.max_json_bytes
    )
    app[STATE] = state
    app.router.add_get("/", index)
    app.router.add_get(STATS_PATH, stats)
    app.router.add_get(RESULTS_PATH_PREFIX + "{task_id:[0-9]+}.mp4", result_file)
    app.router.add_get(UPLOAD_PATH_PREFIX + "{name}", upload_file)
    routes_of(state)
    app.router.add_route("*", "/{path:.*}", dispatch)  # last: the spec's paths, reloaded
    return app
