"""Benchmarks: ``python -m bench [NAME_FILTER]`` runs every case and prints one table.

A case module under ``bench/cases/`` defines ``CASES: list[Case]``. A case function returns rows:
dicts with at least ``metric`` and ``value`` (and ``unit``; optionally ``ratio_to`` and ``ratio``),
so that figures taken side by side in one run can be compared as ratios on a noisy machine.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
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


POSTGRES_URL = os.environ.get(
    "CERTSVC_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def scratch_postgres() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"certsvc_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def bench_environment(workdir: Path, database_url: str) -> dict[str, str]:
    """CERTSVC_* settings for a throw-away installation under ``workdir``."""
    return {
        "CERTSVC_ENV": "test",
        "CERTSVC_INSTANCE_DIR": str(workdir / "instance"),
        "CERTSVC_DATABASE_URL": database_url,
        "CERTSVC_KEYS_DIR": str(workdir / "keys"),
        "CERTSVC_BASE_URL": "https://certs.example.test",
        "CERTSVC_SECRET_KEY": "bench-secret-" + "x" * 32,
        "CERTSVC_LOG_LEVEL": "WARNING",
    }
