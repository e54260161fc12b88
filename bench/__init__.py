"""Benchmarks: ``python -m bench [NAME_FILTER]`` runs every case and prints one table.

A case module under ``bench/cases/`` defines ``CASES: list[Case]``. A case function returns rows:
dicts with at least ``metric`` and ``value`` (and ``unit``; optionally ``ratio_to`` and ``ratio``),
so that figures taken side by side in one run can be compared as ratios on a noisy machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Row = dict[str, Any]


@dataclass(frozen=True)
class Case:
    name: str
    run: Callable[[], list[Row]]


def rate(fn: Callable[[], object], *, min_seconds: float = 0.5, min_calls: int = 50) -> float:
    """Calls per second of ``fn``, measured over at least ``min_seconds`` and ``min_calls``."""
    calls = 0
    started = time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - started
        if elapsed >= min_seconds and calls >= min_calls:
            return calls / elapsed


def timed_ms(fn: Callable[[], object], *, repeat: int = 20) -> float:
    """Median wall-clock milliseconds of ``fn`` over ``repeat`` calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return samples[len(samples) // 2]
