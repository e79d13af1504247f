"""`account`: the account's balance and the key's concurrency (two free calls)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._exit_codes import OK
from ._output import print_json, print_line
from ._parsing import Command, add_json

if TYPE_CHECKING:
    from ._context import Context


def build(parser: argparse.ArgumentParser) -> None:
    """[--json]."""
    add_json(parser)


def handle(ctx: Context) -> int:
    """account() and queue(), then their display."""
    with ctx.client() as rh:
        account, queue = rh.account(), rh.queue()
    shown: dict[str, Any] = {
        "money": None if account.money is None else str(account.money),
        "currency": account.currency,
        "coins": None if account.coins is None else str(account.coins),
        "concurrency_limit": queue.concurrency_limit,
        "running": queue.running,
        "queued": queue.queued,
        "key_type": queue.key_type or account.key_type,
    }
    if ctx.options.json:
        print_json(shown)
        return OK.code
    if account.money is not None:
        print_line(f"balance: {account.money} {account.currency or ''}".rstrip())
    if account.coins is not None:
        print_line(f"coins: {account.coins}")
    limit = "unknown" if queue.concurrency_limit is None else queue.concurrency_limit
    print_line(f"tasks: {queue.running} running, {queue.queued} queued (limit {limit} at once)")
    return OK.code


COMMAND = Command(
    name="account",
    summary="show the balance and the key's concurrency",
    description="Show what is left on the account and how many tasks the key runs and may run "
    "at once (free calls).",
    build=build,
    handle=handle,
)
