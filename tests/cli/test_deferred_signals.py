"""_signals.deferred() holds SIGINT/SIGTERM/SIGHUP around the journal write of a paid task. A
signal that arrived just before (its C handler ran, its Python handler not yet) is raised by
CPython from inside signal.pthread_sigmask, after the new mask is already in place
(Modules/signalmodule.c: pthread_sigmask, then PyErr_CheckSignals). The mask must not stay
blocked: the rest of the process (an in-process cli.run() caller, the cleanup) would ignore
every later Ctrl-C and SIGTERM."""

from __future__ import annotations

import signal
from collections.abc import Iterable

import pytest
from runninghub_video.cli._signals import deferred

REAL = signal.pthread_sigmask


def test_an_interrupt_raised_as_the_mask_is_set_leaves_the_mask_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def interrupted_on_block(how: int, mask: Iterable[int]) -> set[int | signal.Signals]:
        old = REAL(how, mask)
        if how == signal.SIG_BLOCK:
            raise KeyboardInterrupt  # what PyErr_CheckSignals raises for a pending SIGINT
        return old

    before = REAL(signal.SIG_BLOCK, [])
    monkeypatch.setattr(signal, "pthread_sigmask", interrupted_on_block)
    try:
        with pytest.raises(KeyboardInterrupt), deferred():
            pass
        after = REAL(signal.SIG_BLOCK, [])
    finally:
        REAL(signal.SIG_SETMASK, before)  # never leave this test process blocked
    assert after == before, f"left blocked: {sorted(after - before)}"
