"""verification.registry.first_row: one compiled select on a connection kept per thread, typed like the ORM."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from certsvc.certificates.models import Certificate, CertificateVersion
from certsvc.runtime import Runtime
from certsvc.verification import lookup as registry
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


def _the_threads_reader(runtime: Runtime) -> Any:
    """The connection this thread's registry reads go through (read once to make sure it exists)."""
    first_row(runtime.database.engine, verification._BY_NUMBER_AND_VERSION, {"number": "x", "version": 1})
    return registry._readers[runtime.database.engine][threading.get_ident()]


def test_a_reader_connection_that_died_is_replaced_without_a_failed_verdict(
    runtime: Runtime, issued: list[Issued]
) -> None:
    """The connection kept between requests may die (server restart, file handle closed): the next
    read still answers, on a new connection."""
    kept = _the_threads_reader(runtime)
    kept.dbapi_connection.close()
    params = {"number": issued[0].number, "version": 1}
    row = first_row(runtime.database.engine, verification._BY_NUMBER_AND_VERSION, params)
    assert row is not None and row.number == issued[0].number
    assert _the_threads_reader(runtime) is not kept


def test_reads_leave_no_transaction_open_and_dispose_closes_them(
    runtime: Runtime, issued: list[Issued]
) -> None:
    """Between requests the kept connection holds no transaction (PostgreSQL: not "idle in
    transaction", so no stale snapshot and no vacuum held back), and engine.dispose() closes it."""
    engine = runtime.database.engine
    params = {"number": issued[0].number, "version": 1}
    assert first_row(engine, verification._BY_NUMBER_AND_VERSION, params) is not None
    kept = _the_threads_reader(runtime)
    dbapi_connection = kept.dbapi_connection
    if engine.dialect.name == "postgresql":
        with engine.connect() as other:
            states = (
                other.exec_driver_sql(
                    "SELECT state FROM pg_stat_activity WHERE pid = %(pid)s",
                    {"pid": kept.dbapi_connection.info.backend_pid},
                )
                .scalars()
                .all()
            )
        assert states == ["idle"]
    else:
        assert not kept.dbapi_connection.in_transaction
    engine.dispose()
    assert engine not in registry._readers
    with pytest.raises(Exception, match="closed"):
        dbapi_connection.cursor().execute("SELECT 1")
