"""Ledger: append rate (SQLite, PostgreSQL), proof times and full audit time at 1,000,000 entries.

The million-entry ledger is built on SQLite through the store's bulk path, in batches of 20,000
issue entries (one lock, one signed checkpoint per batch), as an intake of that size would.
PostgreSQL: ``CERTSVC_BENCH_POSTGRES_URL`` (a scratch database is created and dropped).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import tempfile
import time
from pathlib import Path

from bench import Case, Row, bench_environment, scratch_postgres, timed_ms
from certsvc.config import load_settings
from certsvc.db.migrate import upgrade
from certsvc.db.session import Database
from certsvc.domain.certno import make_certificate_number
from certsvc.domain.levels import Level
from certsvc.ledger import entries, merkle
from certsvc.ledger import services as ledger
from certsvc.ledger.store import LedgerStore
from certsvc.runtime import Runtime

BATCH = 20_000
MILLION = 1_000_000
NOW = dt.datetime(2026, 11, 21, 2, 0, tzinfo=dt.UTC)


def issue_entries(count: int, start: int) -> list[bytes]:
    """Realistic issue events (~200 bytes each), as the issuing service writes them."""
    return [
        entries.certificate_event(
            "issue",
            make_certificate_number("500000", 2026, Level.ZHONG, serial),
            1,
            hashlib.sha256(serial.to_bytes(8, "big")).hexdigest(),
            NOW,
        )
        for serial in range(start, start + count)
    ]


def _runtime(workdir: Path, database_url: str) -> Runtime:
    settings = load_settings(bench_environment(workdir, database_url))
    upgrade(database_url)
    return Runtime(settings=settings, database=Database(database_url))


def _append_rate(runtime: Runtime, start: int = 0) -> float:
    """Entries per second for one 20,000-entry batch through ``services.ledger.record``, commit included."""
    batch = issue_entries(BATCH, start)
    started = time.perf_counter()
    with runtime.database.write() as session:
        ledger.record(session, runtime, batch)
    return BATCH / (time.perf_counter() - started)


def append_rates() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        runtime = _runtime(Path(tmp), f"sqlite:///{tmp}/ledger.sqlite3")
        _append_rate(runtime)  # warm up (imports, key creation)
        sqlite_rate = max(_append_rate(runtime, BATCH * (n + 1)) for n in range(3))
        runtime.database.dispose()
    rows.append({"metric": "append 20,000 entries (sqlite)", "value": sqlite_rate, "unit": "entries/s"})
    rows.append(
        {
            "metric": "append share of a 5,000 cert/s budget (sqlite)",
            "value": 100 * 5_000 / sqlite_rate,
            "unit": "%",
        }
    )
    with tempfile.TemporaryDirectory() as tmp, scratch_postgres() as url:
        runtime = _runtime(Path(tmp), url)
        _append_rate(runtime)
        postgres_rate = max(_append_rate(runtime, BATCH * (n + 1)) for n in range(3))
        runtime.database.dispose()
    rows.append(
        {
            "metric": "append 20,000 entries (postgresql)",
            "value": postgres_rate,
            "unit": "entries/s",
            "ratio_to": "sqlite",
            "ratio": postgres_rate / sqlite_rate,
        }
    )
    return rows


def million() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        runtime = _runtime(Path(tmp), f"sqlite:///{tmp}/ledger.sqlite3")
        sign = ledger.checkpoint_signer(runtime)
        started = time.perf_counter()
        for start in range(0, MILLION, BATCH):
            batch = issue_entries(BATCH, start)
            with runtime.database.write() as session:
                LedgerStore(session).append(batch, now=NOW, sign_checkpoint=sign)
        build = time.perf_counter() - started
        rows.append(
            {"metric": "build 1,000,000 entries (sqlite, incl. entry creation)", "value": build, "unit": "s"}
        )

        rng = random.Random(1)
        with runtime.database.read() as session:
            store = LedgerStore(session)
            size = store.size()
            root = store.root(size)

            def inclusion() -> None:
                index = rng.randrange(size)
                proof = store.inclusion_proof(index, size)
                leaf = store.entry(index)
                assert leaf is not None
                merkle.verify_inclusion(index, size, leaf.leaf_hash, proof, root)

            def consistency() -> None:
                first = rng.randrange(1, size)
                proof = store.consistency_proof(first, size)
                assert proof

            def evidence() -> None:
                ledger.evidence(session, runtime, rng.randrange(size))

            rows.append(
                {
                    "metric": "inclusion proof at 1M (+ verify)",
                    "value": timed_ms(inclusion, repeat=200),
                    "unit": "ms",
                }
            )
            rows.append(
                {
                    "metric": "consistency proof at 1M",
                    "value": timed_ms(consistency, repeat=200),
                    "unit": "ms",
                }
            )
            rows.append(
                {
                    "metric": "services.ledger.evidence at 1M",
                    "value": timed_ms(evidence, repeat=200),
                    "unit": "ms",
                }
            )

        rows.append(
            {
                "metric": "append 20,000 onto 1M (sqlite)",
                "value": _append_rate(runtime, MILLION),
                "unit": "entries/s",
            }
        )

        started = time.perf_counter()
        report = ledger.audit(runtime, None)
        seconds = time.perf_counter() - started
        if not report.ok:
            raise AssertionError(f"benchmark ledger failed its audit: {report.mismatch}")
        rows.append({"metric": f"full audit of {report.entries:,} entries", "value": seconds, "unit": "s"})
        runtime.database.dispose()
    return rows


CASES = [Case("ledger-append", append_rates), Case("ledger-1m", million)]
