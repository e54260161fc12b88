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


# --- employers ---------------------------------------------------------------------------------------
EMPLOYER_PASSWORD = "correct horse battery staple"


@dataclasses.dataclass(frozen=True)
class EmployerAccount:
    """An employer as a test knows it: its user's login and password, and one API key."""

    id: int
    name: str
    uscc: str
    login: str
    key: str
    key_id: int


def valid_uscc(body: str) -> str:
    """A Unified Social Credit Code with the right GB 32100 check character for ``body`` (17 chars)."""
    from certsvc.domain.checkdigits import uscc_check_char

    return body + uscc_check_char(body)


def make_employer(
    runtime: Runtime, login: str, body: str, name: str = "重庆某某科技有限公司", quota: str | None = None
) -> EmployerAccount:
    """An employer with a user (password EMPLOYER_PASSWORD) and one API key."""
    from certsvc.accounts.employers import add_employer, create_key

    with runtime.database.write() as session:
        employer, user, _ = add_employer(
            session,
            runtime,
            name=name,
            uscc=valid_uscc(body),
            username=login,
            quota=quota,
            password=EMPLOYER_PASSWORD,
        )
        key, token = create_key(session, runtime, employer_id=employer.id, name="人事系统", created_by="test")
        return EmployerAccount(employer.id, employer.name, employer.uscc, user.login, token, key.id)


def sign_in_employer(client: FlaskClient, account: EmployerAccount) -> None:
    response = client.post("/auth/login", data={"account": account.login, "password": EMPLOYER_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/employer/"


def bulk_lines(issued: list[Issued], count: int) -> tuple[list[str], list[str]]:
    """``count`` number,name lines cycling through ``issued`` (every 7th with a wrong name, every
    50th with a mistyped check character), and the outcome each must get."""
    lines, outcomes = [], []
    for position in range(count):
        certificate = issued[position % len(issued)]
        if position % 50 == 49:
            lines.append(
                f"{certificate.number[:-1]}{'A' if certificate.number[-1] != 'A' else 'B'},{certificate.name}"
            )
            outcomes.append("error")
        elif position % 7 == 6:
            lines.append(f"{certificate.number},某某某")
            outcomes.append("invalid")
        else:
            lines.append(f"{certificate.number},{certificate.name}")
            outcomes.append("valid")
    return lines, outcomes
