"""Reissue: the holder's request, the reviewer's decision, versions, ledger, notifications, flags."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from certsvc.accounts.models import OutboxMessage, User
from certsvc.accounts.notifications import email_subject
from certsvc.certificates.models import ReissueRequest
from certsvc.certificates.reissue import (
    Evidence,
    approve_request,
    queue,
    reissue,
    reject_request,
    submit_request,
)
from certsvc.certificates.services import render
from certsvc.certificates.versions import verification_url
from certsvc.errors import BadRequest, NotFound, WorkflowError
from certsvc.ledger.services import audit
from certsvc.runtime import Runtime
from certsvc.signing.credential import decode_unverified
from certsvc.verification.services import verify_target
from tests.accounts.fixtures import COUNTY, PROVINCE, Person, holder_account, people
from tests.conftest import FakeClock
from tests.workflows.support import certificate_state, ledger_entries, ledger_size, versions

PDF = b"%PDF-1.7\n% scanned police report\n"


def _submit(runtime: Runtime, person: Person, reason: str = "lost", **kwargs: Any) -> int:
    with runtime.database.write() as session:
        return submit_request(
            session,
            runtime,
            holder_id=person.holder_id,
            number=person.number,
            reason=reason,
            **kwargs,
        ).id


def _messages(runtime: Runtime) -> list[str]:
    """The holder's message subjects as an e-mail carries them (both languages, from the catalog)."""
    with runtime.database.read() as session:
        return [
            email_subject(m.subject)
            for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def test_approved_request_supersedes_the_old_version(issued: Runtime) -> None:
    """Approval makes version 2 current and valid, version 1 superseded for every verifier, with
    one ledger entry per step and a message for the holder."""
    person = people(issued, PROVINCE, 1)[0]
    holder_account(issued, person)
    start = ledger_size(issued)
    request_id = _submit(issued, person, evidence=Evidence("report.pdf", PDF))
    with issued.database.write() as session:
        created = approve_request(session, issued, request_id, actor="user:1", actor_authority=PROVINCE)
        assert created.version == 2
    (_, old_status, old_payload), (_, new_status, new_payload) = versions(issued, person.number)
    assert (old_status, new_status) == ("superseded", "valid")
    assert certificate_state(issued, person.number) == ("valid", 2)
    assert verify_target(issued, verification_url(issued, old_payload)).outcome == "superseded"
    assert verify_target(issued, verification_url(issued, new_payload)).outcome == "valid"
    entries = ledger_entries(issued, start)
    assert [(e["type"], e["version"]) for e in entries] == [("reissue-request", 1), ("reissue", 2)]
    assert entries[0]["request"] == entries[1]["request"] == request_id
    assert entries[1]["supersedes"] == 1
    assert all(person.name not in str(e) and person.id_number not in str(e) for e in entries)
    assert _messages(issued) == ["补发申请已批准 / Reissue approved"]
    assert b"%PDF" in render(issued, person.number, "pdf")[:8]


def test_rejected_request_keeps_the_version_and_tells_the_holder_why(issued: Runtime) -> None:
    """A rejection needs a reason, changes no version, is logged, and the holder is notified."""
    person = people(issued, PROVINCE, 1)[0]
    holder_account(issued, person)
    request_id = _submit(issued, person, reason="damaged")
    with issued.database.write() as session, pytest.raises(BadRequest):
        reject_request(session, issued, request_id, reason=" ", actor="user:1")
    with issued.database.write() as session:
        reject_request(session, issued, request_id, reason="请上传损毁证书的照片", actor="user:1")
    with issued.database.read() as session:
        stored = session.get(ReissueRequest, request_id)
        assert stored is not None and (stored.status, stored.decision_reason) == (
            "rejected",
            "请上传损毁证书的照片",
        )
    assert certificate_state(issued, person.number) == ("valid", 1)
    assert ledger_entries(issued, ledger_size(issued) - 1)[0]["type"] == "reissue-reject"
    assert _messages(issued) == ["补发申请未获批准 / Reissue request rejected"]
    with issued.database.write() as session, pytest.raises(WorkflowError):
        approve_request(session, issued, request_id, actor="user:1")


def test_correction_changes_the_new_version_only(issued: Runtime) -> None:
    """A name correction is signed into version 2; version 1 still says what it said."""
    person = people(issued, COUNTY, 1)[0]
    request_id = _submit(
        issued,
        person,
        reason="correction",
        corrected_field="name",
        corrected_value="雷俊仪",
        evidence=Evidence("改名证明.pdf", PDF),
    )
    with issued.database.write() as session:
        approve_request(session, issued, request_id, actor="cli")
    old = decode_unverified(render(issued, person.number, "jws", 1).decode())
    new = decode_unverified(render(issued, person.number, "jws", 2).decode())
    assert old["credentialSubject"]["name"] == person.name
    assert new["credentialSubject"]["name"] == "雷俊仪"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        (
            {"reason": "correction", "corrected_field": "name", "corrected_value": "王五"},
            BadRequest,
        ),  # no evidence
        (
            {
                "reason": "correction",
                "corrected_field": "title",
                "corrected_value": "x",
                "evidence": Evidence("a.pdf", PDF),
            },
            BadRequest,
        ),
        ({"reason": "stolen"}, BadRequest),
        ({"reason": "lost", "evidence": Evidence("a.txt", b"just text")}, BadRequest),
        (
            {"reason": "lost", "evidence": Evidence("big.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024))},
            BadRequest,
        ),
    ],
)
def test_malformed_requests_are_refused(
    issued: Runtime, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    """Missing evidence for a correction, uncorrectable fields, unknown reasons, wrong file types
    and oversize files are refused without writing anything."""
    person = people(issued, PROVINCE, 1)[0]
    before = ledger_size(issued)
    with pytest.raises(error):
        _submit(issued, person, **kwargs)
    assert ledger_size(issued) == before


def test_one_pending_request_per_certificate_and_only_for_ones_own(issued: Runtime) -> None:
    """A second request while one waits is refused; a request for someone else's certificate is 404."""
    alice, bob = people(issued, PROVINCE, 2)
    _submit(issued, alice)
    with pytest.raises(WorkflowError):
        _submit(issued, alice)
    with issued.database.write() as session, pytest.raises(NotFound):
        submit_request(session, issued, holder_id=alice.holder_id, number=bob.number, reason="lost")


def test_request_for_a_changed_certificate_cannot_be_approved(issued: Runtime) -> None:
    """If the issuer reissued meanwhile, approving the stale request would skip a version: refused."""
    person = people(issued, PROVINCE, 1)[0]
    request_id = _submit(issued, person)
    with issued.database.write() as session:
        reissue(session, issued, person.number, "damaged")
    with issued.database.write() as session, pytest.raises(WorkflowError):
        approve_request(session, issued, request_id, actor="cli")
    assert certificate_state(issued, person.number) == ("valid", 2)


def test_other_authorities_cannot_decide(issued: Runtime) -> None:
    """The county cannot see or decide a province request."""
    request_id = _submit(issued, people(issued, PROVINCE, 1)[0])
    with issued.database.write() as session, pytest.raises(NotFound):
        approve_request(session, issued, request_id, actor="x", actor_authority=COUNTY)
    with issued.database.read() as session:
        assert queue(session, issued, COUNTY) == []
        assert [item.request.id for item in queue(session, issued, PROVINCE)] == [request_id]


def test_old_requests_are_flagged_after_the_configured_working_days(
    issued: Runtime, clock: FakeClock
) -> None:
    """A request waiting more than `reissue_flag_working_days` working days is flagged; a fresh one not."""
    old = _submit(issued, people(issued, PROVINCE, 1)[0])
    clock.advance(days=21)
    fresh = _submit(issued, people(issued, COUNTY, 1)[0])
    with issued.database.read() as session:
        flags = {item.request.id: item.flagged for item in queue(session, issued, None)}
        ages = {item.request.id: item.age_working_days for item in queue(session, issued, None)}
    assert flags == {old: True, fresh: False}
    assert ages[old] > issued.settings.reissue_flag_working_days >= ages[fresh]


def test_ledger_audit_passes_after_every_workflow(issued: Runtime) -> None:
    """Requests, approvals, rejections, reissues and status changes keep the ledger consistent."""
    from certsvc.certificates.revocation import change_status

    a, b, c = people(issued, PROVINCE, 3)
    approve_id, reject_id = _submit(issued, a), _submit(issued, b)
    with issued.database.write() as session:
        approve_request(session, issued, approve_id, actor="cli")
        reject_request(session, issued, reject_id, reason="材料不全", actor="cli")
        reissue(session, issued, c.number, "lost")
    with issued.database.write() as session:
        change_status(session, issued, b.number, "suspend", "investigation", "x〔2026〕1号")
        change_status(session, issued, c.number, "revoke", "fraud", "x〔2026〕2号")
    report = audit(issued, None)
    assert report.ok, report.mismatch
    with issued.database.read() as session:
        assert session.scalars(select(User)).all() == []  # no side effects on accounts
