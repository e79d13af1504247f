"""How the clients get one answer from a generated call: a response hook caps the body (and
remembers the response of the current thread or asyncio task, for when a generated parser
raises on a body that is not what the spec says), and an API path the server does not have
(HTTP 404 without errorCode 1004) is a ConfigurationError naming the URL.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import httpx
from runninghub_client.types import Response

from ._bounded_reads import cap_answer, was_truncated
from ._error_codes import TASK_NOT_FOUND
from ._errors import ConfigurationError
from ._redaction import safe_url
from ._responses import RawAnswer, named_error_code
from ._settings import ENV_BASE_URL

# What the generated parsers raise on a body that is not what the spec says (RecursionError:
# JSON nested deeper than the interpreter's recursion limit).
PARSE_ERRORS = (ValueError, KeyError, TypeError, AttributeError, RecursionError)


# The last HTTP response of the current thread / asyncio task, recorded by an httpx event
# hook: when a generated parser raises on a malformed body, the clients still need the
# status, headers and body to report it. Context variables keep concurrent calls apart.
LAST_RESPONSE: ContextVar[httpx.Response | None] = ContextVar("LAST_RESPONSE", default=None)


def record_response(response: httpx.Response) -> None:
    """httpx response hook (sync): remember the response and cap its body."""
    LAST_RESPONSE.set(response)
    cap_answer(response)


async def arecord_response(response: httpx.Response) -> None:
    """httpx response hook (async): remember the response and cap its body."""
    LAST_RESPONSE.set(response)
    cap_answer(response)


def _checked(answer: RawAnswer, response: httpx.Response | None) -> RawAnswer:
    """The answer, or ConfigurationError for an API path the server does not have (HTTP 404,
    unless its body says errorCode 1004, task not found: the base URL is wrong), naming the
    URL that answered."""
    if answer.status_code == 404 and named_error_code(answer) != TASK_NOT_FOUND:
        url = safe_url(str(response.request.url)) if response is not None else "the API"
        raise ConfigurationError(
            f"{url} answered HTTP 404 Not Found: is the base URL right? Check --base-url / "
            f"{ENV_BASE_URL} / base_url= (https://www.runninghub.cn or https://www.runninghub.ai)"
        )
    return answer


def answer_of(response: Response[Any]) -> RawAnswer:
    """A generated Response as a RawAnswer."""
    recorded = LAST_RESPONSE.get()
    answer = RawAnswer(
        status_code=int(response.status_code),
        headers=response.headers,
        content=response.content,
        parsed=None if was_truncated(recorded) else response.parsed,
        truncated=was_truncated(recorded),
    )
    return _checked(answer, recorded)


def answer_after_parse_error(error: BaseException) -> RawAnswer:
    """The answer whose parsing raised `error` (re-raised if no response was recorded)."""
    response = LAST_RESPONSE.get()
    if response is None:
        raise error
    answer = RawAnswer(
        status_code=response.status_code,
        headers=response.headers,
        content=response.content,
        truncated=was_truncated(response),
    )
    return _checked(answer, response)
