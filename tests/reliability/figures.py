"""Figures the reliability tests measure, collected for ``docs/reliability.md``.

A test calls ``record("section", **values)``; when ``CERTSVC_FIGURES_FILE`` names a file (set by
``scripts/reliability``) one JSON line is appended to it, otherwise nothing is written, so the
ordinary test run stays side-effect free. Lines are small single ``write`` calls on a file opened
for appending, so the two pytest-xdist workers can record at the same time.
"""

from __future__ import annotations

import json
import os
from typing import Any

from hypothesis import HealthCheck, settings

FIGURES_ENV = "CERTSVC_FIGURES_FILE"


def record(section: str, **values: Any) -> None:
    """Append one measurement of ``section`` (e.g. ``fuzz``, ``crash``, ``load``)."""
    path = os.environ.get(FIGURES_ENV)
    if not path:
        return
    line = json.dumps({"section": section, **values}, ensure_ascii=False, sort_keys=True, default=str) + "\n"
    with open(path, "a", encoding="utf-8") as stream:
        stream.write(line)


class Counter:
    """Counts the examples a hypothesis test really ran (hypothesis does not expose the number), and
    what they ended in, which shows whether a fuzzer reaches past the first check."""

    def __init__(self) -> None:
        self.examples = 0
        self.outcomes: dict[str, int] = {}

    def tick(self, outcome: str | None = None) -> None:
        self.examples += 1
        if outcome is not None:
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def fuzz_scale() -> float:
    """``CERTSVC_FUZZ_SCALE`` multiplies every fuzzer's example budget (scripts/reliability raises it)."""
    try:
        return max(0.1, float(os.environ.get("CERTSVC_FUZZ_SCALE", "1")))
    except ValueError:
        return 1.0


def fuzz_settings(max_examples: int) -> settings:
    """Hypothesis settings for a fuzzer: scaled budget, no deadline (CI machines stall)."""
    return settings(
        max_examples=max(1, int(max_examples * fuzz_scale())),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


class Tally:
    """Per-target counters for one test module, recorded as figures when the module finishes."""

    def __init__(self, section: str = "fuzz") -> None:
        self.section = section
        self.counters: dict[str, Counter] = {}

    def tick(self, target: str, outcome: str | None = None) -> None:
        self.counters.setdefault(target, Counter()).tick(outcome)

    def flush(self) -> None:
        for target, counter in self.counters.items():
            record(self.section, target=target, examples=counter.examples, outcomes=counter.outcomes)
