"""AsyncRunningHub: a thin driver of the shared policy (params, responses, policy, download)
over the generated runninghub_client functions and one connection pool.

The client is written once: scripts/unasync.py generates sync_client.py from async_client.py
(`make unasync`; `make lint` fails when they differ).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import logging
import os
import ssl
import time
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import tenacity
from runninghub_client import AuthenticatedClient
from runninghub_client.api.account import cancel_task, get_account_status, get_queue_status
from runninghub_client.api.video import query_task, upload_media
from runninghub_client.models import (
    AccountStatusRequest,
    AspectRatio,
    CancelTaskRequest,
    Duration,
    QueryTaskRequest,
    Resolution,
    UploadMediaRequest,
)
from runninghub_client.types import File

from . import _async_backend as backend
from . import _endpoints as endpoints
from . import _params as checks
from ._account import Account, Price, Queue, read_account, read_cancel, read_price, read_queue
from ._answers import acap_response, answer_of
from ._bounded_reads import BoundedBody, answer_deadline
from ._download import (
    DownloadSink,
    ProgressCallback,
    check_destination,
    content_error,
    download_target,
    expected_length,
    result_url,
    status_error,
    too_large,
)
from ._errors import (
    APIConnectionError,
    ConfigurationError,
    DownloadError,
    InvalidInputError,
    RunningHubError,
)
from ._journal import Journal, journal_dir
from ._params import CheckedRequest, ImageInput, LocalImage, RequestModel
from ._policy import (
    Policy,
    Poller,
    connection_error,
    describe,
    submit_retry_settings,
    upload_retry_settings,
)
from ._responses import RawAnswer, read_query, read_submit, read_upload, task_failed
from ._settings import HEADERS, Settings
from ._task import Task, Video
from .types import UploadCallback

if TYPE_CHECKING:
    from ._endpoints import Endpoint
    from .webhooks import Delivery

logger = logging.getLogger("runninghub_video")

_T = TypeVar("_T")
UPLOAD_REUSE_SECONDS = 6 * 3600.0
"""An uploaded image's URL is used again this long (the link lives about a day [OFF][SJ])."""
MAX_REUSED_UPLOADS = 4096
"""Upload URLs kept for reuse; the oldest go first."""
_MAY_EXIST = "a paid task may exist: check your RunningHub task list before submitting again"


class AsyncRunningHub:
    """The RunningHub image-to-video client; use it as an async context manager.

    The key comes from `api_key` or RUNNINGHUB_API_KEY, the base URL from `base_url` or
    RUNNINGHUB_BASE_URL (default https://www.runninghub.cn). `verify` is passed to httpx
    (a CA bundle path or an SSLContext, e.g. behind a corporate proxy); `transport` replaces
    the default one, named by `http_transport` (see _transport.py). `clock` and `sleep` are
    injectable so that polling can be tested without waiting. Plain http:// is refused for a
    host beyond loopback (the key would travel in clear) unless `allow_insecure_http=True`.
    After a fork, or on another event loop, the client opens fresh connections of its own.
    With `journal=True`, each paid task (the moment its submit answers), its final status and
    its download are written to the task journal, so `runninghub-video tasks` lists a
    script's tasks too (`tasks --refresh` updates them).
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        policy: Policy | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: backend.Sleep = backend.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
        verify: ssl.SSLContext | str | bool = True,
        allow_insecure_http: bool = False,
        journal: bool = False,
    ) -> None:
        self._settings = Settings.resolve(
            api_key, base_url, policy, allow_insecure_http=allow_insecure_http
        )
        self._journal = Journal() if journal else None
        """With journal=True, every paid task is journaled (`runninghub-video tasks` lists it)."""
        self.policy = self._settings.policy
        self._clock = clock
        self._sleep = sleep
        self._transport = transport
        self._verify = verify
        self._closed = False
        self._uploaded: dict[str, tuple[str, float]] = {}
        """Upload URLs by the image's SHA-256, with when: the same image is uploaded once."""
        self._connect()

    def _connect(self) -> None:
        """Make the connection pools (and the semaphore bounding them), owned by this process
        and, once used, by one event loop (see _check_open). A `transport=` given is the
        caller's: it is used again as it is."""
        timeout = self.policy.httpx_timeout()
        transports = backend.transports(self._transport, self._verify)
        self.http_transport = transports.name
        """Which transport carries the API calls: "aiohttp", "httpx" or "custom"."""
        self._api = self._generated(transports.api, timeout)
        self._queries = (
            self._api
            if transports.queries is transports.api
            else self._generated(transports.queries, timeout)
        )  # task queries: a pool of their own where they go over aiohttp (see _transport)
        self._in_flight = backend.Semaphore(self.policy.max_in_flight)
        # Result files live on another host: a separate pool that never carries the key.
        self._files = httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=True,
            headers=dict(HEADERS),
            transport=transports.files,
            verify=self._verify,
        )
        self._pid = os.getpid()
        self._loop: object | None = None

    def _generated(
        self, transport: httpx.AsyncBaseTransport | None, timeout: httpx.Timeout
    ) -> AuthenticatedClient:
        """A generated client on the API host (on httpx's own transport when None)."""
        extra: dict[str, Any] = {"event_hooks": {"response": [acap_response]}}
        if transport is not None:
            extra["transport"] = transport
        client = AuthenticatedClient(
            base_url=self._settings.base_url,
            token=self._settings.api_key,
            timeout=timeout,
            headers=dict(HEADERS),
            verify_ssl=self._verify,
            httpx_args=extra,
        )
        client.get_async_httpx_client()
        return client

    @property
    def base_url(self) -> str:
        """The API base URL in use."""
        return self._settings.base_url

    def __repr__(self) -> str:
        return f"AsyncRunningHub(base_url={self.base_url!r})"

    async def __aenter__(self) -> AsyncRunningHub:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close both connection pools; a later call raises ConfigurationError."""
        self._closed = True
        try:
            await self._api.get_async_httpx_client().aclose()
        finally:
            try:
                if self._queries is not self._api:
                    await self._queries.get_async_httpx_client().aclose()
            finally:
                await self._files.aclose()

    # ------------------------------------------------------------ one HTTP call

    def _check_open(self) -> None:
        """A closed client says so (httpx's own error would be a bare RuntimeError). Before
        anything is sent, pools made in another process (a fork: their sockets are shared with
        the parent, so answers would be lost or swapped) or on another event loop (the aiohttp
        session is bound to its loop, closed after a first run) are dropped, not closed (not
        ours to close), and fresh ones made."""
        if self._closed:
            raise ConfigurationError("this client is closed: make a new one (or use `with`)")
        loop = backend.running_loop()
        if self._pid != os.getpid() or (self._loop is not None and self._loop is not loop):
            self._connect()
        self._loop = loop

    async def _call(
        self,
        endpoint: ModuleType,
        body: Any,
        read: Callable[[RawAnswer], _T],
        *,
        is_submit: bool = False,
    ) -> _T:
        """One request, its answer read once by `read`. A submit stopped once it may have been
        sent (an error of ours, a bug, Ctrl-C, a cancel) says that a paid task may exist, or,
        stopped once its answer was read (as the semaphore is released), names that task."""
        self._check_open()
        sent, result = False, None
        try:
            async with self._in_flight:
                client = self._queries if endpoint is query_task else self._api
                kwargs = {} if body is None else {"body": body}
                sent = True  # from here on the request may leave at any moment
                result = read(answer_of(await endpoint.asyncio_raw(client=client, **kwargs)))
            return result
        except BaseException as exc:
            if is_submit and sent and not isinstance(exc, Exception):  # Ctrl-C, a cancel
                if isinstance(result, Task):
                    _name_submitted_task(exc, result.id)
                else:
                    _may_exist(exc)
            if not isinstance(exc, Exception) or isinstance(exc, RunningHubError):
                raise  # a RunningHubError: the answer read, what it says stands
            if isinstance(exc, httpx.HTTPError):
                error = connection_error(exc, sent_may_matter=is_submit)
            elif not is_submit:
                raise  # MemoryError, a bug: as it is, unless a submit may be out
            else:
                error = APIConnectionError(
                    f"the submit failed once it may have been sent ({type(exc).__name__}), so "
                    f"{_MAY_EXIST}",
                    task_may_exist=True,
                )
        # Outside the except block, so neither __cause__ nor __context__ holds the httpx
        # error: its text can hold the key (a server echoing it into a malformed answer),
        # and every traceback prints the chain. Our message has its redacted description.
        raise error

    # ------------------------------------------------------------ the API

    async def upload(self, path: str | Path) -> str:
        """Upload a local JPG/PNG (at most 10 MB); return its URL for `imageUrl` (lives ~1 day)."""
        return await self._upload(checks.check_local_image(path))

    async def _upload(self, image: LocalImage, on_uploaded: UploadCallback | None = None) -> str:
        """Upload an image checked already (once: what is sent is what was checked, or an
        InvalidInputError if the file changed since)."""
        data = checks.read_checked_image(image)
        digest = hashlib.sha256(data).hexdigest()
        reused = self._uploaded.get(digest)
        if reused is not None and self._clock() - reused[1] < UPLOAD_REUSE_SECONDS:
            logger.info("reused the upload of %s", image.path.name)
            url = reused[0]
        else:
            settings = upload_retry_settings(self.policy, self._clock)
            async for attempt in tenacity.AsyncRetrying(sleep=self._sleep, **settings):
                with attempt:
                    body = UploadMediaRequest(
                        file=File(
                            io.BytesIO(data), file_name=image.path.name, mime_type=image.mime_type
                        )
                    )
                    url = await self._call(upload_media, body, read_upload)
            logger.info("uploaded %s", image.path.name)
            self._uploaded[digest] = (url, self._clock())
            while len(self._uploaded) > MAX_REUSED_UPLOADS:
                del self._uploaded[next(iter(self._uploaded))]
        if on_uploaded is not None:
            on_uploaded(image.path, url)
        return url

    async def submit(
        self,
        prompt: str,
        image: str | Path,
        *,
        resolution: Resolution = checks.DEFAULT_RESOLUTION,
        aspect_ratio: AspectRatio = checks.DEFAULT_ASPECT_RATIO,
        duration: Duration = checks.DEFAULT_DURATION,
        webhook_url: str | None = None,
        on_submitted: Callable[[Task], None] | None = None,
    ) -> Task:
        """The seed endpoint's face of submit_to(): check the input, upload a local image,
        submit the (paid) task; return it. Typed by the generated Literals (the number 4 is
        taken for "4" at run time).

        Retried only when provably no task was created; see Policy.submit_attempts. Stopped
        once the answer named the task (Ctrl-C, a cancellation, a logging handler's error),
        the exception gets `task_id` and a note naming the paid task, as in run().
        `on_submitted(task)` is called as soon as the answer is read, before submit returns:
        a caller that records the task there loses no id to an interrupt that lands between
        the return and its next line (the CLI journals from it).
        """
        on_submitted = checks.check_callback("on_submitted", on_submitted)
        checked = checks.check_seed(
            prompt=prompt, image=image, resolution=resolution, aspect_ratio=aspect_ratio,
            duration=duration, webhook_url=webhook_url,
        )  # fmt: skip
        return await self._submit_checked(checked, on_submitted)

    async def submit_request(
        self, body: RequestModel, *, on_submitted: Callable[[Task], None] | None = None
    ) -> Task:
        """Submit any task endpoint of the spec: `body` is its generated request model
        (e.g. runninghub_client.models.TextToVideoRequest, typed by its Literal values).

        Its values are checked as submit_to() checks them; an image field holding a local
        path (or a list of them) is uploaded first. Retried only when provably no task was
        created. `on_submitted` as in submit().
        """
        on_submitted = checks.check_callback("on_submitted", on_submitted)
        return await self._submit_checked(_checked_model(body), on_submitted)

    def check(self, endpoint: str, /, **fields: object) -> CheckedRequest:
        """The keyword fields of the task endpoint named `endpoint` checked as submit_to()
        checks them, sending nothing: InvalidInputError for the first bad one. The result can
        be given to submit_to() instead of the name and the fields, and is not checked again."""
        return _checked_fields(endpoint, fields)

    async def submit_to(
        self,
        endpoint: str | CheckedRequest,
        /,
        *,
        on_uploaded: UploadCallback | None = None,
        on_sending: Callable[[], None] | None = None,
        on_submitted: Callable[[Task], None] | None = None,
        **fields: object,
    ) -> Task:
        """Submit to the task endpoint named `endpoint` (its CLI command: "text-to-video"),
        with keyword fields checked against its generated request model: unknown, missing
        and disallowed values are an InvalidInputError before any request. Values keep the
        model's types (an integer enum is sent as an integer; its text "8" is taken too); an
        array takes a list, each element checked; an image field (image_url, first_frame_url,
        image_urls: see Field.takes_image) takes a local JPG/PNG (or a list of URLs and
        files), each uploaded first, then reported to `on_uploaded(path, url)`. `endpoint` may
        instead be what check() returned (then without fields). `on_sending()` is called once
        every upload is done, just before the paid request goes out (record the intent there;
        raising stops the submit, nothing sent). `on_submitted` as in submit() (a field of
        either name needs submit_request())."""
        on_uploaded = checks.check_callback("on_uploaded", on_uploaded)
        on_sending = checks.check_callback("on_sending", on_sending)
        on_submitted = checks.check_callback("on_submitted", on_submitted)
        return await self._submit_checked(
            _request(endpoint, fields), on_submitted, on_uploaded, on_sending
        )

    async def generate(
        self,
        endpoint: str | CheckedRequest,
        /,
        *,
        output: str | Path | None = None,
        overwrite: bool = False,
        timeout: float | None = None,
        poll_interval: float | None = None,
        on_uploaded: UploadCallback | None = None,
        on_sending: Callable[[], None] | None = None,
        on_submitted: Callable[[Task], None] | None = None,
        on_update: Callable[[Task], None] | None = None,
        on_progress: ProgressCallback | None = None,
        **fields: object,
    ) -> Video:
        """The whole job: submit_to() (its `endpoint`, fields and callbacks), wait for the
        task, download its video to `output` as download() does; return the Video.

        Everything that can be refused is checked before the upload: the fields, and the
        destination (never an input image, nor a file in the task journal's folder). Each step
        is reported: `on_uploaded(path, url)`, `on_sending()` (as in submit_to()),
        `on_submitted(task)` (before anything else
        happens: record the paid task there), `on_update(task)` after every query (the submit's
        task first), `on_progress(received, total)` while downloading. `timeout` bounds the
        wait, counted from the submit's answer (the upload and the submit are never cut short:
        a submit answer dropped would leave a paid task unknown). A failure after the submit
        names the task (`task_id`), as in run(). (A field named like an argument here needs
        check().)"""
        checked = _request(endpoint, fields)
        on_uploaded = checks.check_callback("on_uploaded", on_uploaded)
        on_sending = checks.check_callback("on_sending", on_sending)
        on_submitted = checks.check_callback("on_submitted", on_submitted)
        on_update = checks.check_callback("on_update", on_update)
        on_progress = checks.check_callback("on_progress", on_progress)
        policy = self.policy.for_call(timeout=timeout, poll_interval=poll_interval)
        protected = checked.local_paths
        check_destination(None, output, overwrite=overwrite, protected=protected)
        with _Submitted(on_submitted) as submitted:
            task = await self._submit_checked(checked, submitted, on_uploaded, on_sending)
            task = await self._follow(task, self._clock(), policy, on_update)
            path = await self._save(task, output, on_progress, overwrite, protected)
        return Video(task, path)

    async def finish(
        self,
        task: Task | str,
        /,
        *,
        output: str | Path | None = None,
        overwrite: bool = False,
        wait: bool = True,
        timeout: float | None = None,
        poll_interval: float | None = None,
        on_update: Callable[[Task], None] | None = None,
        on_progress: ProgressCallback | None = None,
        protected: Iterable[str | Path] = (),
    ) -> Video:
        """Wait for a task (unless `wait=False`: a task id is then queried once), then download
        its video to `output` as download() does; return the Video. The destination is checked
        before the first query; it is never a `protected` file (the task's input images: the
        CLI passes those its journal kept), nor a file in the task journal's folder.
        `on_update` and `on_progress` as in generate(), `timeout` and `poll_interval` as in
        wait()."""
        task_id = checks.check_task_id(task if isinstance(task, str) else task.id)
        policy = self.policy.for_call(timeout=timeout, poll_interval=poll_interval)
        on_update = checks.check_callback("on_update", on_update)
        on_progress = checks.check_callback("on_progress", on_progress)
        inputs = tuple(Path(path) for path in protected)
        check_destination(task_id, output, overwrite=overwrite, protected=inputs)
        if isinstance(task, str) and wait:
            poller = Poller(task_id, policy=policy, clock=self._clock, on_update=on_update)
            task = await self._until_final(poller)
        elif isinstance(task, str):
            task = await self.get(task_id)
            if on_update is not None:
                on_update(task)
        elif wait:
            task = await self._follow(task, self._clock(), policy, on_update)
        return Video(task, await self._save(task, output, on_progress, overwrite, inputs))

    async def price(self, endpoint: str | CheckedRequest, /, **fields: object) -> Price:
        """What submit_to(endpoint, **fields) would cost, asked first (free; nothing is
        submitted): checked as submit_to() checks, a local image uploaded (free) for its URL.
        Returns a Price (`amount` a Decimal, `currency`, `free`)."""
        checked = _request(endpoint, fields)
        body = await self._body(checked, None)
        return await self._call(checked.endpoint.price_api, body, read_price)

    async def _body(self, checked: CheckedRequest, on_uploaded: UploadCallback | None) -> Any:
        """The request body of a checked request, its local images uploaded (in order)."""
        urls: dict[str, str | list[str]] = {}
        for name, image in checked.images.items():
            if isinstance(image, list):
                urls[name] = [await self._url_of(item, on_uploaded) for item in image]
            else:
                urls[name] = await self._url_of(image, on_uploaded)
        return checked.request(urls)

    async def _submit_checked(
        self,
        checked: CheckedRequest,
        on_submitted: Callable[[Task], None] | None = None,
        on_uploaded: UploadCallback | None = None,
        on_sending: Callable[[], None] | None = None,
    ) -> Task:
        body = await self._body(checked, on_uploaded)
        if on_sending is not None:
            on_sending()
        return await self._submit_body(checked.endpoint, body, on_submitted)

    async def _url_of(self, image: ImageInput, on_uploaded: UploadCallback | None) -> str:
        """An image's URL: as given, or a local image's once uploaded."""
        return image if isinstance(image, str) else await self._upload(image, on_uploaded)

    async def _submit_body(
        self,
        endpoint: Endpoint,
        body: Any,
        on_submitted: Callable[[Task], None] | None = None,
    ) -> Task:
        """The paid call, retried only when provably no task was created; on_submitted(task)
        runs once the answer is read (after the journal line, with journal=True), inside the
        block that names the task on any exception."""
        settings = submit_retry_settings(self.policy, self._clock)
        task: Task | None = None
        try:
            async for attempt in tenacity.AsyncRetrying(sleep=self._sleep, **settings):
                with attempt:
                    task = await self._call(endpoint.api, body, read_submit, is_submit=True)
            assert task is not None  # tenacity returns after a try that read the task
            prompt = getattr(body, "prompt", None)
            self._journaled("submitted", task.id, status=task.status, endpoint=endpoint.info.path,
                            base_url=self.base_url, request="library",
                            prompt=prompt if isinstance(prompt, str) else None)  # fmt: skip
            if on_submitted is not None:
                on_submitted(task)
            logger.info("submitted task %s (%s)", task.id, task.status)
            return task
        except BaseException as exc:  # once the task is known, no exception may lose its id
            if task is not None:
                _name_submitted_task(exc, task.id)
            raise

    async def get(self, task_id: str) -> Task:
        """Query a task once; any status comes back (FAILED and CANCEL too)."""
        task_id = checks.check_task_id(task_id)
        try:
            read = functools.partial(read_query, task_id=task_id)
            return await self._call(query_task, QueryTaskRequest(task_id=task_id), read)
        except RunningHubError as error:
            raise error.with_task_id(task_id) from None

    async def queue(self) -> Queue:
        """The key's queue status (free): how many tasks it may run at once, and how many run
        and wait now. A refused key is an AuthenticationError."""
        return await self._call(get_queue_status, None, read_queue)

    async def account(self) -> Account:
        """What is left on the account (free): money and its currency, or coins. (The vendor's
        v1 call takes the key in its body; it is redacted like the header.)"""
        key = self._settings.api_key
        return await self._call(
            get_account_status, AccountStatusRequest(apikey=key, api_key=key), read_account
        )

    async def check_key(self) -> None:
        """A cheap validity check of the key and the base URL (one free queue status call):
        AuthenticationError for a refused key, ConfigurationError for a base URL with no API."""
        await self.queue()

    async def cancel(self, task_id: str) -> None:
        """Ask RunningHub to stop a task (free); a query then answers CANCEL, and wait() raises
        TaskFailedError. TaskNotFoundError when the key has no such task. (The vendor's v1
        call takes the key in its body; it is redacted like the header.)"""
        task_id = checks.check_task_id(task_id)
        body = CancelTaskRequest(api_key=self._settings.api_key, task_id=task_id)
        await self._call(cancel_task, body, functools.partial(read_cancel, task_id=task_id))

    async def confirm(self, delivery: Delivery) -> Task:
        """The task a webhook delivery names, as a query answers it now: only that is trusted
        (the vendor signs nothing; see runninghub_video.webhooks)."""
        return await self.get(delivery.task.id)

    async def wait(
        self,
        task_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float | None = None,
        on_update: Callable[[Task], None] | None = None,
    ) -> Task:
        """Poll until SUCCESS (returned) or FAILED / CANCEL (TaskFailedError raised).

        `timeout` bounds the whole wait (default Policy.wait_timeout, 30 minutes) and
        `poll_interval` spaces the queries (default Policy.poll_interval), for this call only.
        Past the deadline, WaitTimeoutError carries the last status and the task goes on.
        `on_update` is called with the task after every query.
        """
        task_id = checks.check_task_id(task_id)
        policy = self.policy.for_call(timeout=timeout, poll_interval=poll_interval)
        on_update = checks.check_callback("on_update", on_update)
        poller = Poller(task_id, policy=policy, clock=self._clock, on_update=on_update)
        return await self._until_final(poller)

    def watch(
        self,
        task_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float | None = None,
    ) -> AsyncIterator[Task]:
        """Iterate over a task's status changes: the task as first seen, then each time its
        status changes, ending after the final status (FAILED and CANCEL are yielded, not raised).

        The iterator alternative to wait()'s on_update, with the same deadline
        (WaitTimeoutError), tolerance of transient query failures, `timeout` and
        `poll_interval`; the arguments are checked here, before any request.
        """
        task_id = checks.check_task_id(task_id)
        policy = self.policy.for_call(timeout=timeout, poll_interval=poll_interval)
        return self._changes(Poller(task_id, policy=policy, clock=self._clock))

    async def _changes(self, poller: Poller) -> AsyncIterator[Task]:
        """The polling loop of wait, run and watch: query (transient failures retried), yield
        the task when its status changed, sleep; ends after the final status."""
        while True:
            try:
                async for attempt in tenacity.AsyncRetrying(
                    sleep=self._sleep, **poller.query_retry_settings()
                ):
                    with attempt:
                        task = await self._query(poller)
            except RunningHubError as error:
                raise poller.after_error(error) from None
            if poller.observe(task):
                yield task
            delay = poller.next_delay(task)
            if delay is None:
                return
            await self._sleep(delay)

    async def _query(self, poller: Poller) -> Task:
        """One query of a wait, bounded by its deadline: an answer still arriving at it is cut
        (a timeout, then WaitTimeoutError) and, where the backend can, the whole query by
        Poller.query_time_limit."""
        with answer_deadline(poller.clock, poller.deadline):
            try:
                async with backend.time_limit(poller.query_time_limit()):
                    return await self.get(poller.task_id)
            except TimeoutError:
                pass
        raise poller.timed_out()  # outside the except block: nothing chained

    async def _until_final(self, poller: Poller) -> Task:
        """Poll to the final status (the last change): SUCCESS returned, FAILED/CANCEL raised."""
        changes = [task async for task in self._changes(poller)]
        self._journaled("status", changes[-1].id, status=changes[-1].status)
        return _succeeded(changes[-1])

    def _journaled(self, event: str, task_id: str, **fields: Any) -> None:
        """A journal line with journal=True; one that cannot be written is a WARNING naming
        the task, never an error (the paid task must reach the caller)."""
        if self._journal is None:
            return
        try:
            self._journal.append(event, task_id, **fields)
        except Exception as error:  # a full disk, a FIFO: the caller still gets the task
            logger.warning("task %s: could not write the task journal (%s)", task_id, error)

    async def run(
        self,
        prompt: str,
        image: str | Path,
        *,
        resolution: Resolution = checks.DEFAULT_RESOLUTION,
        aspect_ratio: AspectRatio = checks.DEFAULT_ASPECT_RATIO,
        duration: Duration = checks.DEFAULT_DURATION,
        webhook_url: str | None = None,
        timeout: float | None = None,
        poll_interval: float | None = None,
        on_update: Callable[[Task], None] | None = None,
    ) -> Task:
        """submit() then wait(); a submit that already answers SUCCESS is not polled.

        `timeout` (default Policy.wait_timeout) bounds the whole call, upload and submit
        included (a submit answer still arriving at the deadline is dropped: the task may
        exist); `poll_interval` as in wait(). Both are checked before anything is sent.
        Stopped after the submit (Ctrl-C, a cancellation, a callback's error), the exception
        gets `task_id` and a note naming the paid task, and a WARNING is logged.
        """
        checked = checks.check_seed(
            prompt=prompt, image=image, resolution=resolution, aspect_ratio=aspect_ratio,
            duration=duration, webhook_url=webhook_url,
        )  # fmt: skip
        return await self._run(checked, timeout, poll_interval, on_update)

    async def run_request(
        self,
        body: RequestModel,
        *,
        timeout: float | None = None,
        poll_interval: float | None = None,
        on_update: Callable[[Task], None] | None = None,
    ) -> Task:
        """submit_request() then wait(), as run() does for the seed endpoint."""
        return await self._run(_checked_model(body), timeout, poll_interval, on_update)

    async def run_to(
        self,
        endpoint: str,
        /,
        *,
        timeout: float | None = None,
        poll_interval: float | None = None,
        on_update: Callable[[Task], None] | None = None,
        **fields: object,
    ) -> Task:
        """submit_to() then wait(), as run() does for the seed endpoint (a field named
        timeout, poll_interval or on_update needs run_request())."""
        return await self._run(_checked_fields(endpoint, fields), timeout, poll_interval, on_update)

    async def _run(
        self,
        checked: CheckedRequest,
        timeout: float | None,
        poll_interval: float | None,
        on_update: Callable[[Task], None] | None,
    ) -> Task:
        """The one run of every endpoint: submit the checked request, then wait, all within
        `timeout` counted from here."""
        started = self._clock()
        policy = self.policy.for_call(timeout=timeout, poll_interval=poll_interval)
        on_update = checks.check_callback("on_update", on_update)
        with _Submitted() as submitted, answer_deadline(self._clock, started + policy.wait_timeout):
            task = await self._submit_checked(checked, submitted)
            return await self._follow(task, started, policy, on_update)

    async def _follow(
        self,
        task: Task,
        started: float,
        policy: Policy,
        on_update: Callable[[Task], None] | None,
    ) -> Task:
        """The rest of a run after its submit: wait to the deadline counted from `started`
        (inside the run's _Submitted block, which names the task on any exception)."""
        if on_update is not None:
            on_update(task)
        if task.is_final:
            return _succeeded(task)
        deadline = started + policy.wait_timeout
        await self._sleep(min(policy.poll_interval, max(0.0, deadline - self._clock())))
        poller = Poller(
            task.id,
            policy=policy,
            clock=self._clock,
            timeout=deadline - self._clock(),
            on_update=on_update,
        )
        return await self._until_final(poller)

    async def download(
        self,
        task: Task | str,
        destination: str | Path | None = None,
        *,
        on_progress: ProgressCallback | None = None,
        overwrite: bool = False,
    ) -> Path:
        """Stream the result video to `destination` (default ./<task id>.mp4); return the path.

        A task id is queried first. The file appears under its name only when complete. A
        destination ending in '/' or naming a folder gets <task id>.mp4 inside. An existing
        file is replaced only with `overwrite=True`; symlinks and non-regular files never
        (InvalidInputError, before the download starts).
        """
        if isinstance(task, str):
            task = await self.get(task)
        on_progress = checks.check_callback("on_progress", on_progress)
        return await self._save(task, destination, on_progress, overwrite)

    async def _save(
        self,
        task: Task,
        destination: str | Path | None,
        on_progress: ProgressCallback | None,
        overwrite: bool,
        protected: tuple[Path, ...] = (),
    ) -> Path:
        """download() of a task seen already; `protected` files are never overwritten, nor
        a file in the task journal's folder."""
        self._check_open()
        url = result_url(task)
        folders = (journal_dir(),)
        target = download_target(
            task, destination, overwrite=overwrite, protected=protected, protected_folders=folders
        )
        try:
            async with self._files.stream("GET", url) as response:
                if response.status_code != 200:
                    raise status_error(response.status_code, url, task.id)
                content_error(response.headers, url, task.id)
                total = expected_length(response.headers)
                body = BoundedBody(response.headers, self.policy.max_download_bytes)
                with DownloadSink(
                    target,
                    url=url,
                    total=total,
                    task_id=task.id,
                    on_progress=on_progress,
                    overwrite=overwrite,
                    protected=protected,
                    protected_folders=folders,
                ) as sink:
                    # As the socket delivers them (about 64 KiB), decoded here in bounded steps
                    # (_bounded_reads): httpx would inflate a compressed chunk whole.
                    async for raw in response.aiter_raw():
                        for chunk in body.take(raw):
                            sink.write(chunk)
                        if body.truncated:
                            raise too_large(url, task.id, body.limit)
        except httpx.HTTPError as exc:
            error = DownloadError(
                f"download of the result of task {task.id} failed ({describe(exc)})",
                task_id=task.id,
            )
        else:
            self._journaled("downloaded", task.id, status=task.status, output=str(target))
            return target
        raise error  # outside the except block: no unredacted httpx text in the chain


def _checked_model(body: RequestModel) -> CheckedRequest:
    """A generated request model's values, checked (submit_request, run_request)."""
    return checks.check_model(endpoints.of_model(body), body)


def _checked_fields(endpoint: str, fields: dict[str, object]) -> CheckedRequest:
    """An endpoint's keyword fields, checked (submit_to, run_to)."""
    return checks.check_fields(endpoints.load(endpoints.find(endpoint)), fields)


def _request(endpoint: str | CheckedRequest, fields: dict[str, object]) -> CheckedRequest:
    """What submit_to() and generate() take: a name and its fields, or check()'s result."""
    if not isinstance(endpoint, CheckedRequest):
        return _checked_fields(endpoint, fields)
    if fields:
        raise InvalidInputError(
            "fields", sorted(fields), "none beside a request checked by check()"
        )
    return endpoint


class _Submitted:
    """A run's record of its paid task: passed as on_submitted, it holds the task from the
    moment the submit answered (then calls the caller's `then`); as a context manager it names
    that task on any exception leaving the block (Ctrl-C even as submit returns, a
    cancellation, a callback's error)."""

    def __init__(self, then: Callable[[Task], None] | None = None) -> None:
        self.task: Task | None = None
        self._then = then

    def __call__(self, task: Task) -> None:
        self.task = task
        if self._then is not None:
            self._then(task)

    def __enter__(self) -> _Submitted:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc is not None and self.task is not None:
            _name_submitted_task(exc, self.task.id)


def _may_exist(exc: BaseException) -> None:
    """A submit interrupted in flight (KeyboardInterrupt, CancelledError) may have created a
    task no answer named: mark the exception (`task_may_exist`), add a note, log a WARNING."""
    with contextlib.suppress(AttributeError):  # an exception type without a __dict__
        exc.task_may_exist = True  # type: ignore[attr-defined]
    exc.add_note(f"the submit was interrupted once it may have been sent, so {_MAY_EXIST}")
    with contextlib.suppress(Exception):
        logger.warning("the submit was interrupted by %s once it may have been sent, so %s",
                       type(exc).__name__, _MAY_EXIST)  # fmt: skip


def _name_submitted_task(exc: BaseException, task_id: str) -> None:
    """A paid task must not be lost with an exception that does not name it (KeyboardInterrupt,
    CancelledError, a callback's error): give it `task_id` and a note, and log a WARNING."""
    if getattr(exc, "task_id", None):  # our errors name their task already
        return
    with contextlib.suppress(AttributeError):  # an exception type without a __dict__
        exc.task_id = task_id  # type: ignore[attr-defined]
    exc.add_note(f"task {task_id} was submitted and goes on; resume with wait({task_id!r})")
    try:
        logger.warning(
            "task %s was submitted and goes on after %s; resume with wait(%r)",
            task_id,
            type(exc).__name__,
            task_id,
        )
    except BaseException as again:  # a handler interrupted too: that exception names it
        if not getattr(again, "task_id", None):
            with contextlib.suppress(AttributeError):
                again.task_id = task_id  # type: ignore[attr-defined]
        raise


def _succeeded(task: Task) -> Task:
    if not task.succeeded:
        raise task_failed(task)
    return task
