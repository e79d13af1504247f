"""`doctor`: a live check that costs nothing. Through the library's own free calls it checks
the site and the key (queue status), the balance, the clock and the proxy settings, prices one
call per task endpoint and queries a made-up task id; every answer is checked against the
merged spec and the report says what differs. `--save DIR` keeps the answers, redacted, as
fixtures. It submits and uploads nothing (price previews take image URLs)."""

from __future__ import annotations

import argparse
import email.utils
import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from ._exit_codes import ERROR, OK
from ._output import print_json, print_line, write_whole
from ._parsing import Command, add_json

if TYPE_CHECKING:
    import httpx

    from .._endpoints import Endpoint
    from .._responses import RawAnswer
    from ._context import Context

MADE_UP_TASK_ID = "1999999999999999999"
"""A task id no key has: the query should answer errorCode 1004."""
EXAMPLE_IMAGE = "https://example.com/runninghub-video-doctor.png"
"""The image URL a price preview is asked for (prices are not expected to fetch it)."""
EXAMPLE_TEXT = "a price check by runninghub-video doctor"
MAX_CLOCK_SKEW = 60.0
"""Seconds of difference with the server's clock beyond which the check warns."""
MAX_DIFFERENCES = 5
"""Schema violations listed per answer."""

Verdict = Literal["ok", "warn", "fail"]


@dataclass
class Check:
    """One line of the report."""

    name: str
    verdict: Verdict
    detail: str


@dataclass
class Answer:
    """One answer seen, with the request it answered."""

    method: str
    path: str
    raw: RawAnswer


def build(parser: argparse.ArgumentParser) -> None:
    """[--save DIR] [--json]."""
    parser.add_argument(
        "--save",
        metavar="DIR",
        type=Path,
        help="write every answer, redacted, as a JSON fixture in DIR (a new or empty folder)",
    )
    add_json(parser)


def handle(ctx: Context) -> int:
    """The checks, the spec's verdict on every answer, the fixtures, the report."""
    from .._answers import OBSERVER
    from .._errors import AuthenticationError, ConfigurationError, RunningHubError
    from .._spec import locate_spec, read_spec

    save: Path | None = ctx.args.save
    if save is not None:
        _check_folder(save)
    spec = read_spec(locate_spec())
    seen: list[Answer] = []
    checks: list[Check] = []

    def observe(request: httpx.Request, raw: RawAnswer) -> None:
        seen.append(Answer(request.method, request.url.path, raw))

    token = OBSERVER.set(observe)
    stopped: RunningHubError | None = None
    try:
        with ctx.client() as rh:
            base = urlsplit(rh.base_url)
            checks.append(_proxy(rh.base_url))
            try:
                checks.append(_key(rh, base.hostname or ""))
            except (AuthenticationError, ConfigurationError) as error:
                stopped = error  # every other call would be refused too: report, then say so
            if seen:
                checks.append(_clock(seen[0].raw))
            if stopped is None:
                checks.append(_attempt("balance", lambda: _balance(rh.account())))
                for endpoint in _endpoints():
                    checks.append(_attempt(f"price of {endpoint.name}", _pricer(rh, endpoint)))
                checks.append(_attempt("query of a made-up task", lambda: _not_found(rh)))
    finally:
        OBSERVER.reset(token)
    prefix = base.path.rstrip("/")
    checks += [_conformance(spec, answer, prefix) for answer in seen]
    if save is not None:
        _save(save, spec, seen, prefix)
    _report(ctx, checks, save)
    if stopped is not None:
        raise stopped
    return ERROR.code if any(check.verdict == "fail" for check in checks) else OK.code


def _key(rh: Any, host: str) -> Check:
    """Queue status: the site answers and accepts the key (a refusal is raised)."""
    from .._errors import AuthenticationError, ConfigurationError, RunningHubError

    try:
        queue = rh.queue()
    except (AuthenticationError, ConfigurationError):
        raise
    except RunningHubError as error:
        return Check("site and key", "fail", f"{type(error).__name__}: {error}")
    limit = "unknown" if queue.concurrency_limit is None else queue.concurrency_limit
    detail = f"{host} accepts the key: {queue.running} running, {queue.queued} queued, limit "
    return Check("site and key", "ok", f"{detail}{limit} at once")


def _check_folder(folder: Path) -> None:
    """--save's folder: new or empty, so no file of the user's is overwritten (UsageError)."""
    from ._errors import UsageError

    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"--save {folder}: not a new or empty folder (nothing is overwritten)")


def _attempt(name: str, check: Callable[[], tuple[Verdict, str]]) -> Check:
    """A check that an API error fails (with the error's text), not the whole report."""
    from .._errors import RunningHubError

    try:
        verdict, detail = check()
    except RunningHubError as error:
        return Check(name, "fail", f"{type(error).__name__}: {error}")
    return Check(name, verdict, detail)


def _proxy(base_url: str) -> Check:
    """The proxy the environment sets for the base URL (httpx applies it), credentials hidden."""
    from .._redaction import safe_url

    parts = urlsplit(base_url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy:
        return Check("proxy", "ok", "none set in the environment: direct connections")
    if urllib.request.proxy_bypass(parts.hostname or ""):  # NO_PROXY, as httpx reads it
        return Check("proxy", "ok", f"{parts.hostname} bypasses {safe_url(proxy)} (NO_PROXY)")
    return Check("proxy", "ok", f"calls go through {safe_url(proxy)} (from the environment)")


def _clock(raw: RawAnswer) -> Check:
    """This machine's clock against the server's Date header (signed URLs and TLS need it)."""
    header = raw.headers.get("date")
    try:
        server = email.utils.parsedate_to_datetime(header).timestamp() if header else None
    except (TypeError, ValueError):
        server = None
    if server is None:
        return Check("clock", "warn", "the server sent no readable Date header")
    skew = time.time() - server
    if abs(skew) < 2:  # the header counts whole seconds
        return Check("clock", "ok", "in step with the server's (within its 1 s resolution)")
    detail = f"{abs(skew):.0f} s {'ahead of' if skew > 0 else 'behind'} the server's"
    return Check("clock", "ok" if abs(skew) <= MAX_CLOCK_SKEW else "warn", detail)


def _balance(account: Any) -> tuple[Verdict, str]:
    if account.money is not None:
        return "ok", f"{account.money} {account.currency or ''}".rstrip()
    if account.coins is not None:
        return "ok", f"{account.coins} coins"
    return "warn", "the answer states no balance"


def _endpoints() -> Iterator[Endpoint]:
    from .. import _endpoints

    for info in _endpoints.infos():
        yield _endpoints.load(info)


def example_fields(endpoint: Endpoint) -> dict[str, object]:
    """A small valid request for endpoint: its required fields, each its default, first
    allowed value, an image URL or a short text."""
    fields: dict[str, object] = {}
    for field in endpoint.fields:
        if not field.required:
            continue
        value: object
        if field.takes_image:
            value = EXAMPLE_IMAGE
        elif field.default is not None:
            value = field.default
        elif field.choices:
            value = field.choices[0]
        elif field.kind in (int, float):
            value = field.kind(field.limits.get("minimum", 1))
        elif field.kind is bool:
            value = False
        else:
            value = EXAMPLE_TEXT
        fields[field.name] = [value] if field.array and not isinstance(value, list) else value
    return fields


def _pricer(rh: Any, endpoint: Endpoint) -> Callable[[], tuple[Verdict, str]]:
    def price() -> tuple[Verdict, str]:
        from .._errors import InvalidInputError

        try:
            fields = example_fields(endpoint)
            checked = rh.check(endpoint.name, **fields)
        except InvalidInputError as error:
            return "warn", f"no example request could be made ({error}); not priced"
        price = rh.price(checked)
        free = ", free this call" if price.free else ""
        return "ok", f"{price.amount} {price.currency or ''}{free}".rstrip()

    return price


def _not_found(rh: Any) -> tuple[Verdict, str]:
    from .._errors import TaskNotFoundError

    try:
        task = rh.get(MADE_UP_TASK_ID)
    except TaskNotFoundError as error:
        return "ok", f"not found, as expected (errorCode {error.error_code or 'none'})"
    return "fail", f"answered as a task ({task.status}): a made-up id should be errorCode 1004"


def _operation(spec: dict[str, Any], answer: Answer, prefix: str) -> tuple[str, Any] | None:
    """(operationId, operation) of the spec that answer answered, if any."""
    item = spec["paths"].get(answer.path.removeprefix(prefix))
    operation = item.get(answer.method.lower()) if isinstance(item, dict) else None
    if not isinstance(operation, dict):
        return None
    return str(operation.get("operationId", answer.path)), operation


def _conformance(spec: dict[str, Any], answer: Answer, prefix: str) -> Check:
    """What in answer differs from what the spec documents for it."""
    from .._redaction import redact
    from .._spec import resolve, validator_class

    status = answer.raw.status_code
    name = f"spec: {answer.method} {answer.path.removeprefix(prefix)} -> {status}"
    found = _operation(spec, answer, prefix)
    if found is None:
        return Check(name, "fail", "a path or method the spec lacks")
    responses = found[1].get("responses", {})
    response = responses.get(str(status)) or responses.get("default")
    if response is None:
        return Check(name, "fail", f"HTTP {status} is not an answer the spec documents")
    content = resolve(spec, response).get("content", {})
    media = next((m for t, m in content.items() if t.endswith("json")), None)
    data = answer.raw.json
    if media is None:
        return Check(name, "ok", "no body documented")
    if data is None:
        return Check(name, "fail", "the body is not a JSON object")
    schema = resolve(spec, media.get("schema", {}))
    errors = sorted(validator_class(spec)(schema).iter_errors(data), key=lambda e: list(e.path))
    problems = [
        f"{'/'.join(str(p) for p in error.path) or 'body'}: {error.message}" for error in errors
    ]
    declared = schema.get("properties")
    extra = sorted(set(data) - set(declared)) if isinstance(declared, dict) else []
    if extra:
        problems.append(f"fields the spec does not declare: {', '.join(extra)}")
    if not problems:
        return Check(name, "ok", "as the spec documents")
    shown = "; ".join(problems[:MAX_DIFFERENCES])
    return Check(name, "fail" if errors else "warn", redact(shown))


def _save(folder: Path, spec: dict[str, Any], seen: list[Answer], prefix: str) -> None:
    """Every answer as DIR/<operationId>.json (redacted), each written whole or not at all."""
    from .._redaction import redact, redact_body

    folder.mkdir(parents=True, exist_ok=True)
    for index, answer in enumerate(seen, 1):
        found = _operation(spec, answer, prefix)
        name = found[0] if found else f"answer-{index}"
        data = answer.raw.json
        fixture = {
            "operationId": name,
            "method": answer.method,
            "path": answer.path.removeprefix(prefix),
            "status": answer.raw.status_code,
            "contentType": answer.raw.headers.get("content-type"),
            "body": data if data is not None else redact_body(answer.raw.content),
        }
        text = redact(json.dumps(fixture, ensure_ascii=False, indent=2))
        write_whole(folder / f"{name}.json", text + "\n", replace=False)


def _report(ctx: Context, checks: list[Check], save: Path | None) -> None:
    if ctx.options.json:
        print_json(
            {
                "ok": not any(check.verdict == "fail" for check in checks),
                "checks": [vars(check) for check in checks],
                "saved": None if save is None else str(save),
            }
        )
        return
    for check in checks:
        print_line(f"{check.verdict:<4}  {check.name}: {check.detail}")
    if save is not None:
        print_line(f"answers saved in {save}")


COMMAND = Command(
    name="doctor",
    summary="check the site, the key and the API's answers (free)",
    description="Check the site and the key, the clock and the proxy; price one call per "
    "endpoint and query a made-up task; check every answer against the spec. Free: nothing is "
    "submitted or uploaded. --save DIR keeps the answers, redacted, as test fixtures.",
    build=build,
    handle=handle,
)
