"""Per-day verification counts, aggregated in memory and upserted in batches.

A verification is a read; turning each one into a database write would make every scan wait for
the writer lock (SQLite) and multiply write traffic. Counts are therefore kept per process and
added to ``verification_counts`` by the first verification after ``flush_interval`` seconds (and on
demand). The buffer belongs to the ``Runtime``; ``Runtime.close()`` (a gunicorn worker's graceful
exit, the dev server stopping, the command line after its verdict) stores what is still pending, so
only a crashed worker loses statistics — a few seconds' worth, never a verdict.
"""

from __future__ import annotations

import collections
import datetime as dt
import threading
import time
from typing import TYPE_CHECKING, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from certsvc.log import get_logger
from certsvc.verification.models import VerificationCount

if TYPE_CHECKING:
    from certsvc.runtime import Runtime

log = get_logger("certsvc.verification")
CHANNELS = ("page", "number", "upload", "bulk", "api", "api-batch", "cli", "share")
DEFAULT_FLUSH_INTERVAL = 2.0

Key = tuple[dt.date, str, str]


class CountBuffer:
    """Counts not yet stored, per (day, channel, outcome)."""

    def __init__(self, flush_interval: float = DEFAULT_FLUSH_INTERVAL) -> None:
        self.flush_interval = flush_interval
        self._pending: collections.Counter[Key] = collections.Counter()
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()

    def add(self, day: dt.date, channel: str, outcome: str) -> None:
        if channel not in CHANNELS:
            raise ValueError(f"unknown verification channel {channel!r}")
        with self._lock:
            self._pending[(day, channel, outcome)] += 1

    def due(self) -> bool:
        return bool(self._pending) and time.monotonic() - self._last_flush >= self.flush_interval

    def take(self) -> dict[Key, int]:
        with self._lock:
            taken = dict(self._pending)
            self._pending.clear()
            self._last_flush = time.monotonic()
        return taken

    def give_back(self, counts: dict[Key, int]) -> None:
        with self._lock:
            self._pending.update(counts)


def buffer_for(runtime: Runtime) -> CountBuffer:
    """The runtime's pending counts."""
    cache = runtime.cache
    with cache.lock:
        if cache.verification_counts is None:
            cache.verification_counts = CountBuffer()
        return cache.verification_counts


def count(runtime: Runtime, day: dt.date, channel: str, outcome: str) -> None:
    """Count one verification; store the pending counts when the flush interval has passed."""
    buffer = buffer_for(runtime)
    buffer.add(day, channel, outcome)
    if buffer.due():
        flush_pending(runtime)


def flush_pending(runtime: Runtime) -> None:
    """``flush``, logging instead of raising: statistics must never break a verification or a shutdown."""
    try:
        flush(runtime)
    except Exception as error:
        # The counts stay pending for the next flush.
        log.warning("verification counts not stored", extra={"fields": {"error": type(error).__name__}})


def flush(runtime: Runtime) -> None:
    """Add every pending count to the table (one upsert per key, one transaction)."""
    buffer = buffer_for(runtime)
    counts = buffer.take()
    if not counts:
        return
    try:
        with runtime.database.write() as session:
            for (day, channel, outcome), amount in sorted(counts.items()):
                _upsert(session, day, channel, outcome, amount)
    except Exception:
        buffer.give_back(counts)
        raise


def _upsert(session: Session, day: dt.date, channel: str, outcome: str, amount: int) -> None:
    table = cast(Table, VerificationCount.__table__)
    values = {"day": day, "channel": channel, "outcome": outcome, "count": amount}
    statement = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(
        table
    )
    statement = statement.values(values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["day", "channel", "outcome"],
            set_={"count": table.c["count"] + statement.excluded["count"]},
        )
    )


def totals(session: Session, day: dt.date) -> dict[tuple[str, str], int]:
    """Stored counts of one day by (channel, outcome)."""
    rows = session.query(VerificationCount).filter(VerificationCount.day == day).all()
    return {(row.channel, row.outcome): row.count for row in rows}
