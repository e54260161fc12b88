"""verification.lookup.first_row: the registry read of a verification, typed like the ORM."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from certsvc.certificates.models import Certificate, CertificateVersion
from certsvc.certificates.revocation import change_status
from certsvc.runtime import Runtime
from certsvc.verification import services as verification
from certsvc.verification.lookup import RegistryUnavailable, first_row
from tests.verification.conftest import Issued, unreachable_database


def test_row_values_have_the_column_types_the_orm_gives(runtime: Runtime, issued: list[Issued]) -> None:
    """Dates are dates and times are aware UTC datetimes on every engine, as through a Session."""
    number = issued[0].number
    row = first_row(
        runtime.database.engine, verification._BY_NUMBER_AND_VERSION, {"number": number, "version": 1}
    )
    assert row is not None
    with runtime.database.read() as session:
        certificate, version = session.execute(
            select(Certificate, CertificateVersion)
            .join(CertificateVersion)
            .where(Certificate.number == number, CertificateVersion.version == 1)
        ).one()
        assert (row.number, row.v_version, row.v_qr_payload) == (number, 1, version.qr_payload)
        assert row.confirmation_date == certificate.confirmation_date
        assert isinstance(row.confirmation_date, dt.date)
        assert row.v_issued_at == version.issued_at and row.v_issued_at.tzinfo == dt.UTC
        assert row.cur_version == certificate.current_version


def test_no_row_is_none(runtime: Runtime, issued: list[Issued]) -> None:
    """A number the registry does not hold gives None, not an error."""
    params = {"number": "no-such-number", "version": 1}
    assert first_row(runtime.database.engine, verification._BY_NUMBER_AND_VERSION, params) is None


def test_an_unreadable_database_is_registry_unavailable(tmp_path: Path) -> None:
    """Any failure to read (here: the file cannot be opened) comes out as RegistryUnavailable."""
    database = unreachable_database(tmp_path)
    with pytest.raises(RegistryUnavailable):
        first_row(database.engine, verification._BY_NUMBER_AND_VERSION, {"number": "x", "version": 1})


def test_a_pooled_connection_that_died_costs_no_verdict(runtime: Runtime, issued: list[Issued]) -> None:
    """A connection kept in the pool may die between requests (server restart, handle closed): the
    next registry read still answers, on another connection."""
    engine = runtime.database.engine
    params = {"number": issued[0].number, "version": 1}
    assert first_row(engine, verification._BY_NUMBER_AND_VERSION, params) is not None
    with engine.connect() as connection:
        connection.connection.dbapi_connection.close()  # type: ignore[union-attr]
    row = first_row(engine, verification._BY_NUMBER_AND_VERSION, params)
    assert row is not None and row.number == issued[0].number


def test_reads_leave_no_transaction_open(runtime: Runtime, issued: list[Issued]) -> None:
    """Between requests no connection holds a transaction (PostgreSQL: none "idle in transaction",
    so no stale snapshot and no vacuum held back), and a status change committed after one read
    is seen by the next."""
    engine = runtime.database.engine
    params = {"number": issued[0].number, "version": 1}
    before = first_row(engine, verification._BY_NUMBER_AND_VERSION, params)
    assert before is not None and before.v_status == "valid"
    if engine.dialect.name == "postgresql":
        with engine.connect() as other:
            states = (
                other.exec_driver_sql(
                    "SELECT state FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                )
                .scalars()
                .all()
            )
        assert "idle in transaction" not in states
    with runtime.database.write() as session:
        change_status(session, runtime, issued[0].number, "revoke", "fraud", "人社职改〔2026〕7号")
    after = first_row(engine, verification._BY_NUMBER_AND_VERSION, params)
    assert after is not None and after.v_status == "revoked"
