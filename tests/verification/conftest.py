"""Fixtures for the verification tests: a runtime with issued certificates, an app with known limits."""

from __future__ import annotations

import csv
import dataclasses
import io
from importlib import resources
from pathlib import Path
from typing import NoReturn

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from certsvc.certificates.models import Certificate, CertificateVersion
from certsvc.db.session import Database
from certsvc.runtime import Runtime
from certsvc.verification import counters

SAMPLE = "sample-421200.csv"


@dataclasses.dataclass(frozen=True)
class Issued:
    """One issued certificate as a test knows it (the full name and ID number stay in the test)."""

    number: str
    name: str
    id_number: str
    qr_payload: str
    credential: str


def sample_rows() -> list[dict[str, str]]:
    data = resources.files("certsvc.demo").joinpath(SAMPLE).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(data)))


@pytest.fixture
def issued(runtime: Runtime) -> list[Issued]:
    """The packaged sample batch of authority 421200, issued through the real import."""
    from certsvc.certificates.issuing import import_results

    data = resources.files("certsvc.demo").joinpath(SAMPLE).read_bytes()
    report = import_results(runtime, data, SAMPLE, dry_run=False, actor="test")
    assert report.ok, report.to_json()
    rows = sample_rows()
    by_row = dict(report.issued)
    result = []
    with runtime.database.read() as session:
        for row_number, number in sorted(by_row.items()):
            version = session.execute(
                select(CertificateVersion)
                .join(Certificate)
                .where(Certificate.number == number, CertificateVersion.version == 1)
            ).scalar_one()
            row = rows[row_number - 2]
            result.append(
                Issued(number, row["name"], row["id_number"], version.qr_payload, version.credential)
            )
    return result


@pytest.fixture
def verify_app(app: Flask) -> Flask:
    """The app with generous limits (tests of the limits tighten them) and counts stored at once."""
    app.config.update(
        CERTSVC_VERIFY_RATE="100000/minute",
        CERTSVC_VERIFY_NUMBER_RATE="100000/minute",
        WTF_CSRF_ENABLED=False,
    )
    counters.buffer_for(app.extensions["certsvc"]).flush_interval = 0
    return app


@pytest.fixture
def verify_client(verify_app: Flask) -> FlaskClient:
    return verify_app.test_client()


def unreachable_database(directory: Path) -> Database:
    """A database that cannot be opened (its directory does not exist): the registry is down."""
    return Database(f"sqlite:///{directory / 'missing-dir' / 'db.sqlite3'}")


class UntouchableDatabase:
    """Stands in for the database where a test asserts that nothing is looked up."""

    def __getattr__(self, name: str) -> NoReturn:
        pytest.fail(f"the database was used ({name})")
