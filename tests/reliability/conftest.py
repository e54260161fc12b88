"""Slow reliability tests (crash, multi-process concurrency, load) run only with ``CERTSVC_SLOW=1``.

``scripts/reliability`` sets it; the ordinary ``pytest`` run keeps them deselected so it stays fast.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def slow_enabled() -> bool:
    return os.environ.get("CERTSVC_SLOW") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if slow_enabled():
        return
    skip = pytest.mark.skip(reason="slow: run scripts/reliability (sets CERTSVC_SLOW=1)")
    for item in items:
        if "slow" in item.keywords and HERE in item.path.parents:
            item.add_marker(skip)
