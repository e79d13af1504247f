"""Receive RunningHub's task-end webhooks safely. The vendor signs nothing, so a delivery is a
hint: `parse()` reads either shape (legacy: `eventData` as a JSON string; v2: an object) into a
`Delivery`, `rh.confirm(delivery)` queries the task (only that answer is trusted), a secret
token in the `webhookUrl` is checked in constant time, and `Deduper` drops redeliveries (the
vendor retries a slow receiver). `asgi_app()` answers at once and hands the work on.

    token = webhooks.new_token()
    url = webhooks.url_with_token("https://example.com/hooks/runninghub", token)
    rh.submit(prompt, image, webhook_url=url)
    app = webhooks.asgi_app(on_delivery, token=token)   # mount it in FastAPI / Starlette / any ASGI
"""

from __future__ import annotations

import asyncio
import hmac
import json
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
from runninghub_client.models import WebhookDelivery

from ._bounded_reads import MAX_ANSWER_BYTES
from ._errors import UnexpectedResponseError
from ._responses import RawAnswer, read_task
from ._task import Task

TOKEN_PARAMETER = "token"  # noqa: S105 (a parameter name, not a secret)
"""The query parameter of the webhookUrl that carries the secret token."""

__all__ = [
    "Deduper",
    "Delivery",
    "asgi_app",
    "new_token",
    "parse",
    "token_matches",
    "url_with_token",
]


@dataclass(frozen=True)
class Delivery:
    """One webhook delivery: the task as the delivery says it (a hint), and its event name."""

    task: Task
    event: str | None = None


def _refused(why: str) -> UnexpectedResponseError:
    return UnexpectedResponseError(f"not a RunningHub webhook delivery: {why}")


def parse(body: bytes | str) -> Delivery:
    """The Delivery of a webhook body, legacy or v2 shape; UnexpectedResponseError for a body
    that is neither (too large, not JSON, no task id)."""
    raw = body.encode() if isinstance(body, str) else bytes(body)
    if len(raw) > MAX_ANSWER_BYTES:
        raise _refused(f"more than {MAX_ANSWER_BYTES} bytes")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise _refused("not JSON") from None
    if not isinstance(data, dict):
        raise _refused("not a JSON object")
    try:
        delivery = WebhookDelivery.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise _refused(f"does not match the spec: {exc!r}") from None
    event_data = delivery.event_data
    if isinstance(event_data, str):  # legacy: the query answer as a JSON string
        inner = event_data.encode()
    elif isinstance(event_data, dict):  # v2: the object itself
        inner = json.dumps(event_data).encode()
    else:
        raise _refused("no eventData")
    named = delivery.task_id if isinstance(delivery.task_id, str) and delivery.task_id else None
    answer = RawAnswer(200, httpx.Headers({"content-type": "application/json"}), inner)
    task = read_task(answer, task_id=named, refusals=False)
    if not task.id:
        raise _refused("no task id")
    if named is not None and task.id != named:
        raise _refused(f"taskId {named} and eventData's {task.id} differ")
    return Delivery(task, delivery.event if isinstance(delivery.event, str) else None)


def new_token() -> str:
    """An unguessable token (256 bits) to put in the webhookUrl."""
    return secrets.token_urlsafe(32)


def url_with_token(url: str, token: str) -> str:
    """`url` with the token as its `token` query parameter (other parameters kept)."""
    parts = urlsplit(url)
    query = [(k, v) for k, values in parse_qs(parts.query).items() for v in values]
    query = [(k, v) for k, v in query if k != TOKEN_PARAMETER] + [(TOKEN_PARAMETER, token)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def token_matches(received: str | None, expected: str) -> bool:
    """Whether a delivery's token is the expected one, compared in constant time."""
    if not received or not expected:
        return False
    return hmac.compare_digest(received.encode(), expected.encode())


class Deduper:
    """Remembers the (task id, status) pairs seen, the newest `size`: a redelivery is seen."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()

    def seen(self, delivery: Delivery) -> bool:
        """True for a delivery of a task and status seen before; records it otherwise."""
        key = (delivery.task.id, delivery.task.status)
        if key in self._seen:
            self._seen.move_to_end(key)
            return True
        self._seen[key] = None
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return False


Handler = Callable[[Delivery], Awaitable[None]]
_Scope = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
_Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def asgi_app(
    handler: Handler, *, token: str, dedupe: Deduper | None = None
) -> Callable[[_Scope, _Receive, _Send], Awaitable[None]]:
    """An ASGI app for the webhookUrl: a POST with the right token and a delivery body answers
    200 at once and `handler(delivery)` runs afterwards (once per task and status); a wrong or
    missing token is 403, a body that is no delivery 400, anything but POST 405. The handler
    should confirm the task with `rh.confirm(delivery)` before acting on it."""
    dedupe = dedupe or Deduper()
    pending: set[asyncio.Task[None]] = set()

    async def answer(send: _Send, status: int) -> None:
        body = json.dumps({"status": status}).encode()
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def app(scope: _Scope, receive: _Receive, send: _Send) -> None:
        if scope["type"] != "http":
            return
        if scope["method"] != "POST":
            await answer(send, 405)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if not token_matches((query.get(TOKEN_PARAMETER) or [None])[0], token):
            await answer(send, 403)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                await answer(send, 413)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        try:
            delivery = parse(b"".join(chunks))
        except UnexpectedResponseError:
            await answer(send, 400)
            return
        await answer(send, 200)  # at once: a slow answer makes the vendor deliver again
        if not dedupe.seen(delivery):
            job = asyncio.ensure_future(handler(delivery))
            pending.add(job)
            job.add_done_callback(pending.discard)

    return app
