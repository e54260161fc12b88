"""Helpers for the workflow tests: ledger entries and version rows as plain values."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from certsvc.certificates.models import Certificate, CertificateVersion
from certsvc.ledger.models import LedgerEntry
from certsvc.runtime import Runtime


def ledger_entries(runtime: Runtime, since: int = 0) -> list[dict[str, Any]]:
    with runtime.database.read() as session:
        rows = session.scalars(
            select(LedgerEntry.content).where(LedgerEntry.idx >= since).order_by(LedgerEntry.idx)
        )
        return [json.loads(content) for content in rows]


def ledger_size(runtime: Runtime) -> int:
    with runtime.database.read() as session:
        return len(session.scalars(select(LedgerEntry.idx)).all())


def versions(runtime: Runtime, number: str) -> list[tuple[int, str, str]]:
    """(version, status, qr_payload) of every version, oldest first."""
    with runtime.database.read() as session:
        rows = session.execute(
            select(CertificateVersion.version, CertificateVersion.status, CertificateVersion.qr_payload)
            .join(Certificate, Certificate.id == CertificateVersion.certificate_id)
            .where(Certificate.number == number)
            .order_by(CertificateVersion.version)
        ).all()
        return [(v, s, p) for v, s, p in rows]


def certificate_state(runtime: Runtime, number: str) -> tuple[str, int]:
    with runtime.database.read() as session:
        certificate = session.scalars(select(Certificate).where(Certificate.number == number)).one()
        return certificate.status, certificate.current_version
