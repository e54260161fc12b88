"""verification.registry.first_row: one compiled select on a pooled DBAPI connection, typed like the ORM."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from certsvc.db.models import Certificate, CertificateVersion
from certsvc.runtime import Runtime
from certsvc.services import verification
from certsvc.verification.registry import RegistryUnavailable, first_row
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
