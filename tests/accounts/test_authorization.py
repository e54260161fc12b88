"""Authorization boundaries: holders see only their own, staff only their authority's, auditors
change nothing, and ids in URLs reach nobody else's data (404, as if absent)."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from certsvc.certificates.models import Certificate, ReissueRequest
from certsvc.certificates.reissue import Evidence, submit_request
from certsvc.ledger.models import LedgerEntry
from certsvc.runtime import Runtime
from tests.accounts.fixtures import COUNTY, PROVINCE, Person, holder_account, people, sign_in, staff_account

PDF = b"%PDF-1.4\n% evidence\n"


def _request_for(runtime: Runtime, person: Person) -> int:
    with runtime.database.write() as session:
        return submit_request(
            session,
            runtime,
            holder_id=person.holder_id,
            number=person.number,
            reason="lost",
            evidence=Evidence("police-report.pdf", PDF),
        ).id


def _state(runtime: Runtime) -> tuple[int, int, list[tuple[str, str, int]]]:
    with runtime.database.read() as session:
        ledger = session.scalar(select(func.count()).select_from(LedgerEntry)) or 0
        pending = session.scalar(select(func.count()).where(ReissueRequest.status == "pending")) or 0
        certificates = [
            (c.number, c.status, c.current_version)
            for c in session.scalars(select(Certificate).order_by(Certificate.id))
        ]
    return ledger, pending, certificates


def test_holder_cannot_reach_another_holders_certificate_or_request(
    issued: Runtime, portal_app: Flask
) -> None:
    """Holder A guessing B's certificate number or request id gets 404 on every page and download."""
    alice, bob = people(issued, PROVINCE, 2)
    holder_account(issued, alice)
    bobs_request = _request_for(issued, bob)
    client = portal_app.test_client()
    sign_in(client, alice.id_number)
    assert client.get(f"/me/certificates/{alice.number}").status_code == 200
    for path in (
        f"/me/certificates/{bob.number}",
        f"/me/certificates/{bob.number}/download/pdf",
        f"/me/certificates/{bob.number}/download/jws",
        f"/me/certificates/{bob.number}/reissue",
        f"/me/requests/{bobs_request}",
        f"/me/requests/{bobs_request + 1000}",
    ):
        assert client.get(path).status_code == 404, path
    response = client.post(f"/me/certificates/{bob.number}/reissue", data={"reason": "lost"})
    assert response.status_code == 404
    assert bob.name not in client.get("/me/requests").get_data(as_text=True)


def test_county_staff_cannot_see_or_act_on_province_certificates(issued: Runtime, portal_app: Flask) -> None:
    """A county reviewer gets 404 for a province certificate and request, and nothing changes."""
    province_holder = people(issued, PROVINCE, 1)[0]
    request_id = _request_for(issued, province_holder)
    reviewer = staff_account(issued, COUNTY, "reviewer")
    before = _state(issued)
    client = portal_app.test_client()
    sign_in(client, reviewer)
    number = province_holder.number
    assert client.get(f"/issuer/certificates/{number}").status_code == 404
    assert client.get(f"/issuer/requests/{request_id}").status_code == 404
    assert client.get(f"/issuer/requests/{request_id}/evidence").status_code == 404
    status_form = {"action": "revoke", "reason": "fraud", "doc_no": "县人社〔2026〕1号"}
    assert client.post(f"/issuer/certificates/{number}/status", data=status_form).status_code == 404
    assert (
        client.post(f"/issuer/requests/{request_id}/decision", data={"decision": "approve"}).status_code
        == 404
    )
    found = client.post("/issuer/certificates", data={"q": province_holder.id_number}).get_data(as_text=True)
    assert number not in found and province_holder.id_number not in found
    assert f"#{request_id}" not in client.get("/issuer/requests").get_data(as_text=True)
    assert _state(issued) == before


def test_auditor_can_read_but_not_change_anything(issued: Runtime, portal_app: Flask) -> None:
    """Every state-changing console action answers 403 to an auditor and leaves the data unchanged."""
    holder = people(issued, PROVINCE, 1)[0]
    request_id = _request_for(issued, holder)
    auditor = staff_account(issued, PROVINCE, "auditor")
    before = _state(issued)
    client = portal_app.test_client()
    sign_in(client, auditor)
    assert client.get(f"/issuer/certificates/{holder.number}").status_code == 200
    assert client.get(f"/issuer/requests/{request_id}").status_code == 200
    attempts = {
        f"/issuer/certificates/{holder.number}/proposal": {
            "action": "suspend",
            "reason": "investigation",
            "doc_no": "x1",
            "step": "propose",
        },
        "/issuer/approvals/1/approve": {"confirm": "1"},
        "/issuer/approvals/1/reject": {"reason": "x"},
        "/issuer/approvals/1/withdraw": {"confirm": "1"},
        "/issuer/keys/proposal": {"action": "key-rotate", "step": "propose"},
        f"/issuer/certificates/{holder.number}/reissue": {"reason": "lost"},
        f"/issuer/certificates/{holder.number}/activation-link": {},
        f"/issuer/requests/{request_id}/decision": {"decision": "approve"},
        "/issuer/import/confirm": {"token": "anything"},
    }
    for path, form in attempts.items():
        assert client.post(path, data=form).status_code == 403, path
    upload = {"file": (io.BytesIO(b"name\n"), "results.csv")}
    assert client.post("/issuer/import", data=upload, content_type="multipart/form-data").status_code == 403
    assert _state(issued) == before


def test_roles_are_separated_between_operator_and_reviewer(issued: Runtime, portal_app: Flask) -> None:
    """An operator may not decide requests or approve status changes; a reviewer may not import or reissue."""
    holder = people(issued, PROVINCE, 1)[0]
    request_id = _request_for(issued, holder)
    operator = staff_account(issued, PROVINCE, "operator")
    reviewer = staff_account(issued, PROVINCE, "reviewer")
    as_operator, as_reviewer = portal_app.test_client(), portal_app.test_client()
    sign_in(as_operator, operator)
    sign_in(as_reviewer, reviewer)
    assert (
        as_operator.post(f"/issuer/requests/{request_id}/decision", data={"decision": "approve"}).status_code
        == 403
    )
    assert as_operator.post("/issuer/approvals/1/approve", data={"confirm": "1"}).status_code == 403
    assert as_operator.post("/issuer/approvals/1/reject", data={"reason": "x"}).status_code == 403
    assert as_reviewer.get("/issuer/import").status_code == 403
    assert (
        as_reviewer.post(f"/issuer/certificates/{holder.number}/reissue", data={"reason": "lost"}).status_code
        == 403
    )


def test_portals_are_closed_to_the_wrong_kind_of_user(issued: Runtime, portal_app: Flask) -> None:
    """Anonymous visitors are sent to sign in; holders get 403 in the console and staff in the portal."""
    holder = people(issued, PROVINCE, 1)[0]
    holder_account(issued, holder)
    operator = staff_account(issued, PROVINCE, "operator")
    anonymous = portal_app.test_client()
    for path in ("/me/", "/issuer/", f"/me/certificates/{holder.number}"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    as_holder, as_staff = portal_app.test_client(), portal_app.test_client()
    sign_in(as_holder, holder.id_number)
    sign_in(as_staff, operator)
    assert as_holder.get("/issuer/").status_code == 403
    assert as_staff.get("/me/").status_code == 403


def test_search_by_id_number_never_shows_the_number(issued: Runtime, web: FlaskClient) -> None:
    """Staff find a holder's certificates by ID number (blind index); the page never prints it."""
    holder = people(issued, PROVINCE, 1)[0]
    sign_in(web, staff_account(issued, PROVINCE, "auditor"))
    page = web.post("/issuer/certificates", data={"q": holder.id_number}).get_data(as_text=True)
    assert holder.number in page
    assert holder.id_number not in page
