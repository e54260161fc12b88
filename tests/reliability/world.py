"""A populated certsvc for attack tests: demo batches issued, and the invariants a healthy store keeps.

``populate`` issues the packaged demo batches into a runtime from ``tests/conftest.py``; the
``check_store`` invariants are what the crash, concurrency and fuzz tests assert afterwards
("zero partial writes"): every certificate version has its ledger entry and status slot and vice
versa, exactly one current version per certificate, no duplicate numbers, and the audit is clean.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from certsvc.certificates.issuing import import_results
from certsvc.certificates.models import Certificate, CertificateVersion, StatusList
from certsvc.ledger.models import LedgerEntry
from certsvc.runtime import Runtime

DEMO_BATCHES = ("421200", "421221", "450000", "500000")
# Rates high enough that a fuzzer or a load generator measures the service, not the limiter;
# the limiter itself is tested separately with the shipped rates.
UNLIMITED_RATES = {
    "CERTSVC_VERIFY_RATE": "1000000/minute",
    "CERTSVC_VERIFY_NUMBER_RATE": "1000000/minute",
    "CERTSVC_STATUS_RATE": "1000000/minute",
}


_database_names = itertools.count()


def fresh_database_url(kind: str, request: pytest.FixtureRequest, directory: Path) -> Iterator[str]:
    """A migrated, empty database of ``kind`` for a module-scoped fixture: yields its URL, then drops
    it when resumed (uses the session templates of tests/conftest.py)."""
    from tests.conftest import _admin_engine, _url_for_database

    if kind == "sqlite":
        path = directory / f"certsvc-{next(_database_names)}.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"{template}_r{os.getpid()}_{next(_database_names)}"
    engine = _admin_engine()  # type: ignore[no-untyped-call]
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield _url_for_database(name)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def demo_batch(authority: str) -> bytes:
    return resources.files("certsvc.demo").joinpath(f"sample-{authority}.csv").read_bytes()


def populate(runtime: Runtime, authorities: tuple[str, ...] = DEMO_BATCHES) -> int:
    """Issue the demo batches; the number of certificates issued."""
    issued = 0
    for authority in authorities:
        report = import_results(
            runtime, demo_batch(authority), f"sample-{authority}.csv", dry_run=False, actor="test"
        )
        assert report.ok, report.refused[:3]
        issued += len(report.issued)
    return issued


def fuzzable_app(runtime: Runtime) -> Flask:
    from certsvc import create_app

    app = create_app(runtime=runtime)
    app.config.update(TESTING=True, **UNLIMITED_RATES)
    return app


@dataclass(frozen=True)
class StoreFacts:
    certificates: int
    versions: int
    ledger_entries: int


def check_store(runtime: Runtime) -> StoreFacts:
    """Assert the invariants of a consistent store; return its counts."""
    from certsvc.ledger.services import audit

    with runtime.database.read() as session:
        numbers = session.scalars(select(Certificate.number)).all()
        duplicates = [n for n, c in Counter(numbers).items() if c > 1]
        assert not duplicates, f"duplicate certificate numbers: {duplicates[:5]}"
        versions = session.execute(
            select(
                Certificate.number,
                Certificate.current_version,
                CertificateVersion.version,
                CertificateVersion.status_list_id,
                CertificateVersion.status_index,
            ).join(CertificateVersion, CertificateVersion.certificate_id == Certificate.id)
        ).all()
        per_certificate = Counter(number for number, *_ in versions)
        assert set(per_certificate) == set(numbers), "a certificate without any version"
        current = Counter(number for number, current, version, *_ in versions if version == current)
        assert all(current[n] == 1 for n in numbers), "a certificate without exactly one current version"
        slots = Counter((list_id, index) for *_, list_id, index in versions)
        assert all(v == 1 for v in slots.values()), "two versions share a status-list slot"
        assert all(list_id is not None and index is not None for *_, list_id, index in versions)
        allocated = {
            list_id: count for list_id, count in session.execute(select(StatusList.id, StatusList.allocated))
        }
        per_list = Counter(list_id for *_, list_id, _ in versions)
        assert {k: v for k, v in allocated.items() if v} == dict(per_list), (
            "status-list slots allocated and slots held by versions differ"
        )
        linked = session.execute(
            select(Certificate.number, CertificateVersion.version, LedgerEntry.content)
            .join(CertificateVersion, CertificateVersion.certificate_id == Certificate.id)
            .join(LedgerEntry, LedgerEntry.idx == CertificateVersion.ledger_index)
        ).all()
        entries = session.scalars(select(LedgerEntry.content)).all()
        entry_count = session.scalar(select(func.count()).select_from(LedgerEntry)) or 0
        top = session.scalar(select(func.max(LedgerEntry.idx)))
        assert entry_count == (0 if top is None else top + 1), "the ledger has gaps"
    assert len(linked) == len(versions), "a version whose ledger_index points at no entry"
    for number, version, content in linked:
        entry = json.loads(content)
        assert (entry.get("certificate_number"), entry.get("version")) == (number, version), entry
    issue_events: Counter[tuple[str, int]] = Counter()
    for content in entries:
        entry = json.loads(content)
        if entry.get("type") in ("issue", "reissue"):
            issue_events[(entry["certificate_number"], entry["version"])] += 1
    version_keys = Counter((number, version) for number, _, version, *_ in versions)
    assert issue_events == version_keys, (
        "ledger issue/reissue entries and certificate versions differ: "
        f"{len(set(issue_events) - set(version_keys))} entries without a version, "
        f"{len(set(version_keys) - set(issue_events))} versions without an entry"
    )
    report = audit(runtime, None)
    assert report.ok, report
    return StoreFacts(len(numbers), len(versions), entry_count)
