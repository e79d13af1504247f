"""Figures the reliability suite collects while it runs (fuzz examples, concurrency counts),
printed in pytest's terminal summary by tests/reliability/conftest.py. Nothing is written to disk.
"""

from __future__ import annotations

from collections import Counter

FIGURES: dict[str, object] = {}
COUNTERS: Counter[str] = Counter()


def record(name: str, value: object) -> None:
    """Remember one figure for the summary."""
    FIGURES[name] = value


def count(name: str, by: int = 1) -> None:
    """Add to a counter shown in the summary."""
    COUNTERS[name] += by
