"""Shared helpers for the ledger's database tests (store, API, audit)."""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from sqlalchemy import text

from certsvc.certificates.models import Certificate, CertificateVersion, Holder, StatusList
from certsvc.config import Settings
from certsvc.db.session import Database
from certsvc.domain.certno import make_certificate_number
from certsvc.domain.levels import Level
from certsvc.ledger import entries
from certsvc.ledger import services as ledger
from certsvc.runtime import Runtime

T0 = dt.datetime(2026, 11, 21, 2, 0, tzinfo=dt.UTC)
APPEND_ONLY_TABLES = ("ledger_entries", "ledger_nodes", "ledger_checkpoints")


def key_entries(count: int, start: int = 0) -> list[bytes]:
    """``count`` distinct, valid ledger entries (key rotations carry no certificate to set up)."""
    return [entries.key_event("key-rotate", f"kid-{start + i}", T0) for i in range(count)]


def append(runtime: Runtime, batch: list[bytes]) -> list[int]:
    with runtime.database.write() as session:
        return ledger.record(session, runtime, batch)


def append_batches(runtime: Runtime, sizes: list[int]) -> list[bytes]:
    """Append batches of these sizes; return every entry in log order."""
    log: list[bytes] = []
    for size in sizes:
        batch = key_entries(size, start=len(log))
        assert append(runtime, batch) == list(range(len(log), len(log) + size))
        log += batch
    return log


def certificate_number(serial: int) -> str:
    return make_certificate_number("500000", 2026, Level.ZHENG_GAO, serial)


def certificate_event(kind: str, serial: int, version: int) -> bytes:
    digest = hashlib.sha256(f"jws-{serial}-{version}".encode()).hexdigest()
    return entries.certificate_event(kind, certificate_number(serial), version, digest, T0)


def add_certificate(runtime: Runtime, serial: int, *, status: str, version: int) -> None:
    """Certificate rows as issuing leaves them: versions 1..n, older ones superseded."""
    with runtime.database.write() as session:
        holder = Holder(
            id_index=f"holder-{serial}",
            id_ciphertext=b"\x00",
            name="测试",
            birth_date=dt.date(1980, 1, 1),
            sex="F",
            created_at=T0,
        )
        status_list = StatusList(size=131072, allocated=0, created_at=T0)
        session.add_all([holder, status_list])
        session.flush()
        certificate = Certificate(
            number=certificate_number(serial),
            result_key=f"result-{serial}",
            authority_code="500000",
            holder_id=holder.id,
            committee_code="c",
            committee_name="c",
            series="工程技术",
            specialty="数字技术",
            title="正高级工程师",
            level="正高级",
            employer="e",
            confirmation_doc_no="d",
            confirmation_date=dt.date(2026, 1, 1),
            meeting_date=dt.date(2025, 12, 1),
            obtained_date=dt.date(2026, 1, 1),
            status=status,
            current_version=version,
            created_at=T0,
        )
        session.add(certificate)
        session.flush()
        for number in range(1, version + 1):
            session.add(
                CertificateVersion(
                    certificate_id=certificate.id,
                    version=number,
                    status=status if number == version else "superseded",
                    issued_at=T0,
                    kid="kid",
                    credential="jws",
                    qr_payload="QR",
                    status_list_id=status_list.id,
                    status_index=number,
                    holder_name=holder.name,
                )
            )


def drop_immutability_triggers(database: Database) -> None:
    """What an attacker with database access can do; the audit must still notice the tampering."""
    with database.engine.begin() as connection:
        if database.dialect == "sqlite":
            names = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            for name in list(names):
                connection.execute(text(f'DROP TRIGGER "{name}"'))
            return
        rows = connection.execute(
            text(
                "SELECT tgname, relname FROM pg_trigger JOIN pg_class ON pg_class.oid = tgrelid "
                "WHERE NOT tgisinternal AND relname LIKE 'ledger%'"
            )
        ).all()
        for name, table in rows:
            connection.execute(text(f'DROP TRIGGER "{name}" ON "{table}"'))


def tamper(database: Database, *statements: str) -> None:
    drop_immutability_triggers(database)
    with database.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def concurrent_appender(settings: Settings, worker: int, batches: int, seed: int) -> list[int]:
    """One process of the concurrency test: its own engine, appending batches of random size."""
    runtime = Runtime(settings=settings, database=Database(settings.database_url))
    rng = random.Random(seed)
    indexes: list[int] = []
    try:
        for batch_number in range(batches):
            size = rng.randint(1, 25)
            batch = [
                entries.key_event("key-rotate", f"w{worker}-b{batch_number}-{i}", T0) for i in range(size)
            ]
            indexes += append(runtime, batch)
    finally:
        runtime.database.dispose()
    return indexes
