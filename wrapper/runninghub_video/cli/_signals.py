"""SIGTERM and SIGHUP take the CLI's Ctrl-C path: they raise `Terminated`, a KeyboardInterrupt,
so every command journals its task (or "unconfirmed"), prints the resume command, removes
its `.part` file and exits 128 + the signal number, exactly as it does for SIGINT (130).

A second SIGTERM/SIGHUP while that cleanup runs is ignored, so the cleanup completes.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

HANDLED = (signal.SIGTERM, signal.SIGHUP)
"""Signals turned into Terminated (SIGINT is Python's own KeyboardInterrupt)."""


class Terminated(KeyboardInterrupt):
    """The process got SIGTERM or SIGHUP (from `timeout`, `docker stop`, a closed terminal)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def signal_number(error: BaseException) -> int:
    """The signal behind an interrupt: SIGINT for a plain KeyboardInterrupt."""
    return error.signum if isinstance(error, Terminated) else int(signal.SIGINT)


def signal_name(error: BaseException) -> str:
    """SIGINT, SIGTERM or SIGHUP."""
    return signal.Signals(signal_number(error)).name


@contextlib.contextmanager
def signals_as_interrupts() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise Terminated (once); restored after."""
    raised: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        if raised:  # cleanup of the first one is running: let it finish
            return
        raised.append(signum)
        raise Terminated(signum)

    previous = {}
    for signum in HANDLED:
        with contextlib.suppress(ValueError, OSError):  # not the main thread
            previous[signum] = signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """While the block runs, SIGINT, SIGTERM and SIGHUP wait (they are delivered right after
    it): for the journal write of a paid task, which an interrupt must not cut short."""
    signals = {signal.SIGINT, *HANDLED}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, [])  # read the mask, change nothing
    except (ValueError, OSError):  # pragma: no cover - not available: run unprotected
        yield
        return
    try:
        # CPython raises a signal that was already pending from inside this call, once the
        # new mask is set: inside the try, so the mask is restored whatever happens.
        signal.pthread_sigmask(signal.SIG_BLOCK, signals)
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
