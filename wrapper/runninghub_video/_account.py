"""The account side of the API, read from its answers: the account's balance (v1 envelope,
amounts as strings) [LEGACY][PYPI], the key's queue status (its concurrency
limit, running and queued counts), bare or in a {code, msg, data} envelope, numbers as numbers
or as strings, as the public clients show them [PYPI][GO][SJ]; and the v1 cancel call's
envelope [LEGACY][PYPI]."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from runninghub_client.models import (
    AccountStatus,
    AccountStatusDataType0,
    CancelResult,
    PricePreview,
    QueueStatus,
    QueueStatusDataType0,
)
from runninghub_client.types import Unset

from ._responses import (
    RawAnswer,
    _not_found,
    _text,
    _unexpected,
    error_for_code,
    error_for_status,
    named_error_code,
)

NOT_FOUND_CODES = frozenset({"807", "1004"})
"""A cancel's "no such task": the v1 call's 807 APIKEY_TASK_NOT_FOUND [LEGACY][PYPI], or the
v2 errorCode 1004."""

_M = TypeVar("_M")


@dataclass(frozen=True)
class Queue:
    """What the key may run at once and what it runs and waits for now."""

    concurrency_limit: int | None
    """Tasks the key may run at once (the vendor's default is 50); None when not said."""
    running: int
    queued: int
    key_type: str | None = None
    """NORMAL, SHARED or EXCLUSIVE, when said."""


@dataclass(frozen=True)
class Account:
    """What is left on the account: money (with its currency) and coins, as said."""

    money: Decimal | None
    """The money left, where the account has money (None on a coin account)."""
    currency: str | None
    coins: Decimal | None
    """RunningHub coins left, where said."""
    tasks: int | None = None
    """The key's tasks now, where said."""
    key_type: str | None = None


def _amount(value: object, name: str, answer: RawAnswer) -> Decimal | None:
    """An amount sent as a number or a string ("177814", "96.80"); None when absent or null."""
    if value is None or isinstance(value, Unset) or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _unexpected(answer, f"{name} is not an amount", None)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise _unexpected(answer, f"{name} is not an amount: {str(value)[:20]!r}", None) from None
    if not amount.is_finite():
        raise _unexpected(answer, f"{name} is not a finite amount", None)
    return amount


@dataclass(frozen=True)
class Price:
    """What a task call would cost, asked before paying for it."""

    amount: Decimal
    currency: str | None
    free: bool
    """True only when the API says this call is free (an amount of 0 alone is not)."""
    text: str | None = None
    """The API's own wording (priceTextEn, else priceText)."""


def _typed(answer: RawAnswer, from_dict: Callable[[dict[str, Any]], _M], task_id: str | None) -> _M:
    """An answer's generated model: an HTTP error, a body that is no JSON object, or one the
    spec does not allow is the matching error (naming `task_id`, if any)."""
    if answer.status_code != 200:
        raise error_for_status(answer, task_id=task_id)
    data = answer.json
    if data is None or answer.truncated:
        raise _unexpected(answer, "not a JSON object", task_id)
    try:
        return from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise _unexpected(answer, f"does not match the spec: {exc!r}", task_id) from None


def _envelope_code(answer: RawAnswer, code: object, msg: object, task_id: str | None) -> str | None:
    """The code of a v1 envelope (or the answer's errorCode), None when absent; a refusal
    (anything but 0 or 200) raises the matching error. A code that is no integer or string
    (5.0, an object, false) is an unexpected answer, never read as success."""
    found = named_error_code(answer)
    if found is None and code is not None and not isinstance(code, Unset):
        if isinstance(code, bool) or not isinstance(code, int | str):
            raise _unexpected(answer, f"code is not a code: {str(code)[:20]!r}", task_id)
        found = _text(str(code))
    if found in (None, "0", "200") or (task_id is not None and found in NOT_FOUND_CODES):
        return found
    data = answer.json or {}
    message = (_text(msg) if isinstance(msg, str) else None) or _text(data.get("errorMessage"))
    raise error_for_code(found, message, status_code=200, task_id=task_id, body=answer.content)


def read_price(answer: RawAnswer) -> Price:
    """The Price of a price preview answer, or the matching error (a refused body is the same
    InvalidRequestError the submit would get, before anything is paid)."""
    preview = _typed(answer, PricePreview.from_dict, None)
    _envelope_code(answer, None, preview.error_message, None)
    amount = _amount(preview.estimated_price, "estimatedPrice", answer)
    if amount is None or amount < 0:
        raise _unexpected(answer, "no estimatedPrice", None)
    texts = (preview.price_text_en, preview.price_text)
    return Price(
        amount=amount,
        currency=preview.currency if isinstance(preview.currency, str) else None,
        free=preview.is_free_this_call is True,
        text=next((t for t in texts if isinstance(t, str) and t), None),
    )


def _count(value: object, name: str, answer: RawAnswer) -> int | None:
    """A count sent as a number or as a string of digits; None when absent."""
    if value is None or isinstance(value, Unset):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _unexpected(answer, f"{name} is not a number", None)
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise _unexpected(answer, f"{name} is not a count: {text[:20]!r}", None)
    return int(text)


def read_queue(answer: RawAnswer) -> Queue:
    """The Queue of a queue status answer, or the matching error (a refused key is an
    AuthenticationError, as everywhere)."""
    status = _typed(answer, QueueStatus.from_dict, None)
    _envelope_code(answer, status.code, status.msg, None)
    fields: QueueStatus | QueueStatusDataType0 = (
        status.data if isinstance(status.data, QueueStatusDataType0) else status
    )
    running = _count(fields.running_count, "runningCount", answer)
    queued = _count(fields.queued_count, "queuedCount", answer)
    if running is None and queued is None:
        raise _unexpected(answer, "neither runningCount nor queuedCount", None)
    key_type = fields.api_key_type if isinstance(fields.api_key_type, str) else None
    return Queue(
        concurrency_limit=_count(fields.concurrent_limit, "concurrentLimit", answer),
        running=running or 0,
        queued=queued or 0,
        key_type=key_type,
    )


def read_cancel(answer: RawAnswer, *, task_id: str) -> None:
    """None when the cancel was taken (code 0), else the matching error: TaskNotFoundError for
    code 807 (or errorCode 1004), each naming the task."""
    result = _typed(answer, CancelResult.from_dict, task_id)
    code = _envelope_code(answer, result.code, result.msg, task_id)
    if code is None:
        raise _unexpected(answer, "no code", task_id)
    if code in NOT_FOUND_CODES:
        raise _not_found(task_id, answer.status_code)


def read_account(answer: RawAnswer) -> Account:
    """The Account of an account status answer (v1 envelope), or the matching error."""
    status = _typed(answer, AccountStatus.from_dict, None)
    _envelope_code(answer, status.code, status.msg, None)
    fields = status.data
    if not isinstance(fields, AccountStatusDataType0):
        raise _unexpected(answer, "no data", None)
    return Account(
        money=_amount(fields.remain_money, "remainMoney", answer),
        currency=fields.currency if isinstance(fields.currency, str) else None,
        coins=_amount(fields.remain_coins, "remainCoins", answer),
        tasks=_count(fields.current_task_counts, "currentTaskCounts", answer),
        key_type=fields.api_type if isinstance(fields.api_type, str) else None,
    )
