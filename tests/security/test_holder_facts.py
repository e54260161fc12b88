"""Issue 16, finding 1: a certificate's holder facts belong to the authority that issued it.

All authorities share one holder row per ID number. Before the fix, an import by another authority
with another spelling (or its correction reissue) rewrote that row, so the first authority's
certificate stopped verifying by number with the name it registered and its console showed the
other spelling.
"""

from __future__ import annotations

import csv
import io
from importlib import resources

from flask.testing import FlaskClient
from sqlalchemy import select

from certsvc.certificates.issuing import import_results
from certsvc.certificates.models import Certificate
from certsvc.certificates.reissue import Correction, reissue
from certsvc.runtime import Runtime
from certsvc.verification.services import verify_by_number
from tests.accounts.fixtures import (  # noqa: F401 - fixtures
    COUNTY,
    PROVINCE,
    issued,
    people,
    portal_app,
    sign_in,
    staff_account,
    web,
)


def _province_row_for(runtime: Runtime, id_number: str, name: str, avoid_title: str) -> bytes:
    """A one-row province results file for the holder ``id_number`` under ``name``."""
    text = resources.files("certsvc.demo").joinpath(f"sample-{PROVINCE}.csv").read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    row = next(r for r in rows if r["title"] != avoid_title)
    row.update(id_number=id_number, name=name)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue().encode("utf-8")


def _title_of(runtime: Runtime, number: str) -> str:
    with runtime.database.read() as session:
        return session.scalars(select(Certificate.title).where(Certificate.number == number)).one()


def _other_spelling(name: str) -> str:
    return name[:-1] + ("伟" if name[-1] != "伟" else "玮")


def test_another_authoritys_spelling_is_refused_and_changes_nothing(issued: Runtime) -> None:  # noqa: F811
    """A province import with another spelling for a county holder's ID number is refused with a
    bilingual message naming file, row, field and rule, and the county certificate still verifies
    by number with the name the county registered."""
    person = people(issued, COUNTY, 1)[0]
    data = _province_row_for(
        issued, person.id_number, _other_spelling(person.name), _title_of(issued, person.number)
    )

    report = import_results(
        issued, data, "province.csv", dry_run=False, actor="test", acting_authority=PROVINCE
    )

    assert not report.ok and not report.issued
    [violation] = report.refused
    assert (violation.row, violation.field, violation.rule) == (2, "name", "identity")
    assert person.number in violation.message_en and person.number in violation.message_zh
    assert COUNTY in violation.message_en and "姓名" in violation.message_zh
    assert person.id_number not in violation.message_en + violation.message_zh
    assert report.to_json()["file"] == "province.csv"
    assert verify_by_number(issued, person.number, person.name).outcome == "valid"
    assert verify_by_number(issued, person.number, _other_spelling(person.name)).outcome == "invalid"


def test_only_the_owners_correction_changes_its_own_certificates_name(issued: Runtime) -> None:  # noqa: F811
    """When a holder has certificates of two authorities, the province's name correction changes
    only the province certificate: the county one keeps verifying with the county's spelling."""
    person = people(issued, COUNTY, 1)[0]
    data = _province_row_for(issued, person.id_number, person.name, _title_of(issued, person.number))
    report = import_results(
        issued, data, "province.csv", dry_run=False, actor="test", acting_authority=PROVINCE
    )
    assert report.ok, report.to_json()
    [(_, province_number)] = list(report.issued)
    corrected = _other_spelling(person.name)

    with issued.database.write() as session:
        reissue(
            session, issued, province_number, "correction", PROVINCE, correction=Correction("name", corrected)
        )

    assert verify_by_number(issued, province_number, corrected).outcome == "valid"
    assert verify_by_number(issued, person.number, person.name).outcome == "valid"
    assert verify_by_number(issued, person.number, corrected).outcome == "invalid"


def test_console_shows_the_name_its_own_authority_registered(issued: Runtime, web: FlaskClient) -> None:  # noqa: F811
    """The county console and the holder's document show the county's spelling even after the
    province corrected the name on its own certificate of the same holder."""
    person = people(issued, COUNTY, 1)[0]
    data = _province_row_for(issued, person.id_number, person.name, _title_of(issued, person.number))
    report = import_results(
        issued, data, "province.csv", dry_run=False, actor="test", acting_authority=PROVINCE
    )
    [(_, province_number)] = list(report.issued)
    corrected = _other_spelling(person.name)
    with issued.database.write() as session:
        reissue(
            session, issued, province_number, "correction", PROVINCE, correction=Correction("name", corrected)
        )

    sign_in(web, staff_account(issued, COUNTY, "operator"))
    page = web.get(f"/issuer/certificates/{person.number}").get_data(as_text=True)
    assert person.name in page and corrected not in page


def test_every_route_answers_invalid_after_the_signing_key_is_compromised(
    issued: Runtime,  # noqa: F811
    web: FlaskClient,  # noqa: F811
) -> None:
    """Issue 16, finding 8: once the key that signed a certificate is reported compromised from
    before its issue, the QR, the credential and verify-by-number (service and API) all answer
    ``invalid`` with step ``key-compromised``; before the fix the number route said ``valid``."""
    from certsvc.verification.services import verify_target

    person = people(issued, COUNTY, 1)[0]
    with issued.database.read() as session:
        certificate = session.scalars(select(Certificate).where(Certificate.number == person.number)).one()
        version = certificate.versions[-1]
        kid, payload, credential = version.kid, version.qr_payload, version.credential
        issued_at = version.issued_at
    import datetime as dt

    issued.keys.mark_compromised(kid, issued_at - dt.timedelta(hours=1))

    answers = [
        verify_target(issued, payload),
        verify_target(issued, credential),
        verify_by_number(issued, person.number, person.name),
    ]
    assert [(v.outcome, v.step) for v in answers] == [("invalid", "key-compromised")] * 3
    response = web.post("/api/v1/verify", json={"certificate_number": person.number, "name": person.name})
    assert response.status_code == 200
    assert (response.json["outcome"], response.json["step"]) == ("invalid", "key-compromised")


def test_migration_fills_each_version_with_the_name_it_verified_against(issued: Runtime) -> None:  # noqa: F811
    """Upgrading a database from before the per-version names (0004) keeps every existing
    certificate verifying by number: the new column is filled from the holder rows of the time."""
    from alembic import command

    from certsvc.db.migrate import alembic_config, upgrade

    person = people(issued, COUNTY, 1)[0]
    url = issued.database.url
    issued.database.dispose()
    command.downgrade(alembic_config(url), "0004_verification")
    upgrade(url)

    assert verify_by_number(issued, person.number, person.name).outcome == "valid"
    with issued.database.read() as session:
        certificate = session.scalars(select(Certificate).where(Certificate.number == person.number)).one()
        assert certificate.holder_name == person.name == certificate.holder.name
