"""How the clients get one answer from a generated call: the body is capped by a response hook
(decoded and bounded before httpx reads it), the generated client's raw call hands back the
HTTP answer unparsed, and an API path the server does not have (HTTP 404 without errorCode
1004) is a ConfigurationError naming the URL. The answer is then read once, by _responses.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

import httpx

from ._bounded_reads import cap_answer, was_truncated
from ._error_codes import TASK_NOT_FOUND
from ._errors import ConfigurationError
from ._redaction import safe_url
from ._responses import RawAnswer, describe, named_error_code, named_error_message, named_task_id
from ._settings import ENV_BASE_URL

OBSERVER: ContextVar[Callable[[httpx.Request, RawAnswer], None] | None] = ContextVar(
    "runninghub_answer_observer", default=None
)
"""Called with every answer before it is read (`doctor` keeps them to check against the spec)."""


def cap_response(response: httpx.Response) -> None:
    """httpx response hook (sync): cap the answer's body."""
    cap_answer(response)


async def acap_response(response: httpx.Response) -> None:
    """httpx response hook (async): cap the answer's body."""
    cap_answer(response)


def answer_of(response: httpx.Response) -> RawAnswer:
    """The HTTP answer of a generated raw call as a RawAnswer; ConfigurationError for an API
    path the server does not have (HTTP 404, unless its body says errorCode 1004, task not
    found), naming the URL that answered and quoting the server's reason; with no reason given,
    the likely cause is a wrong base URL, and the error says so."""
    answer = RawAnswer(
        status_code=response.status_code,
        headers=response.headers,
        content=response.content,
        truncated=was_truncated(response),
    )
    if (observe := OBSERVER.get()) is not None:
        observe(response.request, answer)
    if (
        answer.status_code == 404
        and named_error_code(answer) != TASK_NOT_FOUND
        and named_task_id(answer) is None  # a submit answer naming its task is read as one
    ):
        url = safe_url(str(response.request.url))
        if message := named_error_message(answer):
            said = describe(named_error_code(answer), message)
            raise ConfigurationError(f"{url} answered HTTP 404 Not Found ({said})")
        raise ConfigurationError(
            f"{url} answered HTTP 404 Not Found: is the base URL "
            f"right? Check --base-url / {ENV_BASE_URL} / base_url= (https://www.runninghub.cn "
            "or https://www.runninghub.ai)"
        )
    return answer
