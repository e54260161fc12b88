"""Per-day verification counts, aggregated in memory and upserted in batches.

A verification is a read; turning each one into a database write would make every scan wait for
the writer lock (SQLite) and multiply write traffic. Counts are therefore kept per process and
added to ``verification_counts`` by the first verification after ``flush_interval`` seconds (and on
demand), and what is still pending when the process exits normally (a worker's graceful shutdown)
is stored then, so only a crashed worker loses statistics — a few seconds' worth, never a verdict.
"""

from __future__ import annotations

import atexit
import collections
import datetime as dt
import threading
import time
import weakref
from typing import cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from certsvc.db.session import Database
from certsvc.log import get_logger
from certsvc.verification.models import VerificationCount

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


_buffers: weakref.WeakKeyDictionary[Database, CountBuffer] = weakref.WeakKeyDictionary()
_buffers_lock = threading.Lock()


def buffer_for(database: Database) -> CountBuffer:
    with _buffers_lock:
        buffer = _buffers.get(database)
        if buffer is None:
            buffer = _buffers[database] = CountBuffer()
        return buffer


@atexit.register
def flush_all() -> None:
    """Store every database's pending counts (at interpreter exit: a worker's clean shutdown)."""
    with _buffers_lock:
        databases = list(_buffers.keys())
    for database in databases:
        try:
            flush(database)
        except Exception as error:
            log.warning("verification counts not stored", extra={"fields": {"error": type(error).__name__}})


def count(database: Database, day: dt.date, channel: str, outcome: str) -> None:
    """Count one verification; store the pending counts when the flush interval has passed."""
    buffer = buffer_for(database)
    buffer.add(day, channel, outcome)
    if buffer.due():
        try:
            flush(database)
        except Exception as error:
            # Statistics must never break a verification; the counts wait for the next flush.
            log.warning("verification counts not stored", extra={"fields": {"error": type(error).__name__}})


def flush(database: Database) -> None:
    """Add every pending count to the table (one upsert per key, one transaction)."""
    buffer = buffer_for(database)
    counts = buffer.take()
    if not counts:
        return
    try:
        with database.write() as session:
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
