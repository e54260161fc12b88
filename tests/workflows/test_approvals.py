"""The two-person rule (maker–checker) through the console: a status change proposed by one staff
member takes effect only when a second one, a reviewer, approves it; the proposer's own approval is
refused; a rejection changes nothing; forms start valid and offer only the reasons of their action."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from certsvc.audit.actors import Actor
from certsvc.certificates import approvals
from certsvc.certificates.models import IntegrityRecord, Proposal
from certsvc.certificates.revocation import REASONS, StatusChange
from certsvc.errors import SelfApproval, WorkflowError
from certsvc.ledger.entries import parse_entry
from certsvc.runtime import Runtime
from tests.accounts.fixtures import PROVINCE, people, second_staff, sign_in, staff_account
from tests.workflows.support import certificate_state, ledger_entries, ledger_size

DOC = "渝人社〔2026〕88号"


def _client(app: Flask, login: str, lang: str | None = None) -> FlaskClient:
    client = app.test_client()
    sign_in(client, login)
    if lang:
        client.get(f"/issuer/?lang={lang}")
    return client


def _propose(client: FlaskClient, number: str, **form: str) -> int:
    data = {"action": "revoke", "reason": "fraud", "doc_no": DOC, "version": "1", "step": "propose", **form}
    response = client.post(f"/issuer/certificates/{number}/proposal", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    match = re.search(r"/issuer/approvals/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def _proposal(runtime: Runtime, proposal_id: int) -> Proposal:
    with runtime.database.read() as session:
        row = session.get(Proposal, proposal_id)
        assert row is not None
        session.expunge(row)
        return row


def _flashed(client: FlaskClient, proposal_id: int) -> str:
    return client.get(f"/issuer/approvals/{proposal_id}").get_data(as_text=True)


def test_revocation_proposed_by_one_and_approved_by_another_takes_effect(
    issued: Runtime, portal_app: Flask
) -> None:
    """An operator checks what a fraud revocation will do (the confirmation page says so) and proposes
    it; nothing changes until a reviewer approves; then the certificate is revoked, the integrity record
    opened, and the ledger entry names both people by role and pseudonym and the proposal."""
    person = people(issued, PROVINCE, 1)[0]
    operator = _client(portal_app, staff_account(issued, PROVINCE, "operator"))
    reviewer = _client(portal_app, staff_account(issued, PROVINCE, "reviewer"))

    preview = operator.post(
        f"/issuer/certificates/{person.number}/proposal",
        data={"action": "revoke", "reason": "fraud", "doc_no": DOC, "version": "1"},
    )
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'name="step" value="propose"' in page
    assert "诚信档案" in page and "已撤销" in page and "须由另一名审核员批准" in page
    size = ledger_size(issued)
    proposal_id = _propose(operator, person.number)
    assert certificate_state(issued, person.number) == ("valid", 1)
    assert ledger_size(issued) == size  # a proposal is not a change of the certificate

    response = reviewer.post(f"/issuer/approvals/{proposal_id}/approve", data={"confirm": "1"})
    assert response.status_code == 302
    assert certificate_state(issued, person.number) == ("revoked", 1)
    assert _proposal(issued, proposal_id).status == "approved"
    with issued.database.read() as session:
        records = session.scalar(select(func.count()).select_from(IntegrityRecord))
    assert records == 1
    revoke, opened = ledger_entries(issued, size)
    assert revoke["type"] == "revoke" and opened["type"] == "integrity-open"
    assert revoke["actor"]["role"] == "reviewer" and revoke["proposed_by"]["role"] == "operator"
    assert revoke["proposal"] == proposal_id
    assert re.fullmatch(r"st-[0-9a-f]{12}", revoke["actor"]["staff"])
    assert revoke["actor"]["staff"] != revoke["proposed_by"]["staff"]
    assert person.name not in json.dumps(revoke, ensure_ascii=False)
    assert "已批准" in _flashed(reviewer, proposal_id)


def test_the_proposer_cannot_approve_their_own_proposal(issued: Runtime, portal_app: Flask) -> None:
    """A reviewer who proposed a suspension is shown no approve button, and an approval sent anyway is
    refused with a message in Chinese and in English; the certificate does not change."""
    person = people(issued, PROVINCE, 1)[0]
    login = staff_account(issued, PROVINCE, "reviewer")
    reviewer = _client(portal_app, login)
    proposal_id = _propose(reviewer, person.number, action="suspend", reason="investigation")
    page = _flashed(reviewer, proposal_id)
    assert 'id="approve"' not in page and "您不能批准自己的申请" in page

    refused = reviewer.post(f"/issuer/approvals/{proposal_id}/approve", data={"confirm": "1"})
    assert refused.status_code == 302
    assert "不能由您本人批准" in _flashed(reviewer, proposal_id)
    english = _client(portal_app, login, lang="en")
    english.post(f"/issuer/approvals/{proposal_id}/approve", data={"confirm": "1"})
    assert "a second reviewer must approve" in _flashed(english, proposal_id)
    assert certificate_state(issued, person.number) == ("valid", 1)
    assert _proposal(issued, proposal_id).status == "pending"

    from certsvc.audit.actors import staff_actor

    proposal = _proposal(issued, proposal_id)
    me = staff_actor(user_id=proposal.proposed_by_user, login=login, role="reviewer", authority_code=PROVINCE)
    with pytest.raises(SelfApproval):
        approvals.approve(issued, me, proposal_id)


def test_a_rejection_changes_nothing(issued: Runtime, portal_app: Flask) -> None:
    """A second reviewer rejects with a reason: the certificate, the ledger and the integrity record are
    untouched; a rejection without a reason is refused; a rejected proposal can no longer be approved."""
    person = people(issued, PROVINCE, 1)[0]
    operator = _client(portal_app, staff_account(issued, PROVINCE, "operator"))
    reviewer = _client(portal_app, staff_account(issued, PROVINCE, "reviewer"))
    proposal_id = _propose(operator, person.number)
    size = ledger_size(issued)

    reviewer.post(f"/issuer/approvals/{proposal_id}/reject", data={"reason": "  "})
    assert _proposal(issued, proposal_id).status == "pending"
    reviewer.post(f"/issuer/approvals/{proposal_id}/reject", data={"reason": "文号有误，请核对"})
    proposal = _proposal(issued, proposal_id)
    assert (proposal.status, proposal.decision_note) == ("rejected", "文号有误，请核对")
    assert certificate_state(issued, person.number) == ("valid", 1)
    assert ledger_size(issued) == size
    reviewer.post(f"/issuer/approvals/{proposal_id}/approve", data={"confirm": "1"})
    assert "已处理" in _flashed(reviewer, proposal_id)
    assert certificate_state(issued, person.number) == ("valid", 1)
    with issued.database.read() as session:
        assert session.scalar(select(func.count()).select_from(IntegrityRecord)) == 0


def test_forms_start_valid_and_offer_only_the_reasons_of_their_action(
    issued: Runtime, portal_app: Flask
) -> None:
    """A valid certificate offers suspend and revoke, each with only its own reasons (first one chosen);
    a suspended one reinstate (not "overturned") and revoke; a revoked one only reinstate "overturned".
    Sending a form as it starts, with a document number, reaches the confirmation step."""
    person = people(issued, PROVINCE, 1)[0]
    operator = _client(portal_app, staff_account(issued, PROVINCE, "operator"))
    reviewer = _client(portal_app, second_staff(issued, PROVINCE, "reviewer"))

    def offered() -> dict[str, list[str]]:
        page = operator.get(f"/issuer/certificates/{person.number}").get_data(as_text=True)
        forms = re.findall(r'<form[^>]*id="status-(\w+)"(.*?)</form>', page, re.S)
        return {action: re.findall(r'<option value="([\w-]+)"', body) for action, body in forms}

    assert offered() == {"suspend": list(REASONS["suspend"]), "revoke": list(REASONS["revoke"])}
    page = operator.get(f"/issuer/certificates/{person.number}").get_data(as_text=True)
    suspend_form = re.search(r'id="status-suspend"(.*?)</form>', page, re.S)
    assert suspend_form is not None
    defaults = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', suspend_form.group(1)))
    defaults.pop("csrf_token", None)
    confirm = operator.post(
        f"/issuer/certificates/{person.number}/proposal",
        data={**defaults, "reason": REASONS["suspend"][0], "doc_no": DOC},
    )
    assert confirm.status_code == 200 and 'id="propose"' in confirm.get_data(as_text=True)

    for action, reason, expected in (
        (
            "suspend",
            "investigation",
            {"reinstate": ["cleared", "mistaken", "other"], "revoke": list(REASONS["revoke"])},
        ),
        ("revoke", "error", {"reinstate": ["overturned"]}),
    ):
        proposal_id = _propose(operator, person.number, action=action, reason=reason)
        reviewer.post(f"/issuer/approvals/{proposal_id}/approve", data={"confirm": "1"})
        assert offered() == expected


def test_one_pending_proposal_per_certificate_and_withdrawal(issued: Runtime, portal_app: Flask) -> None:
    """While a proposal waits, no second one can be made for the certificate; its proposer (only) may
    withdraw it, which changes nothing else and frees the certificate for a new proposal."""
    person = people(issued, PROVINCE, 1)[0]
    operator = _client(portal_app, staff_account(issued, PROVINCE, "operator"))
    other = _client(portal_app, second_staff(issued, PROVINCE, "operator"))
    proposal_id = _propose(operator, person.number)
    again = operator.post(
        f"/issuer/certificates/{person.number}/proposal",
        data={"action": "suspend", "reason": "complaint", "doc_no": DOC, "step": "propose"},
    )
    assert again.status_code == 302 and again.headers["Location"].endswith(person.number)
    with issued.database.read() as session:
        assert session.scalar(select(func.count()).select_from(Proposal)) == 1
    assert other.post(f"/issuer/approvals/{proposal_id}/withdraw", data={"confirm": "1"}).status_code == 403
    operator.post(f"/issuer/approvals/{proposal_id}/withdraw", data={"confirm": "1"})
    assert _proposal(issued, proposal_id).status == "withdrawn"
    assert certificate_state(issued, person.number) == ("valid", 1)
    assert _propose(operator, person.number) != proposal_id


def test_an_approval_acts_on_the_certificate_as_it_is_then(issued: Runtime, portal_app: Flask) -> None:
    """If the certificate changed after the proposal (the command line suspended it meanwhile), the
    approval is refused with the reason, nothing changes and the proposal still waits."""
    from certsvc.audit.actors import cli_actor
    from certsvc.certificates.reissue import reissue

    person = people(issued, PROVINCE, 1)[0]
    operator = _client(portal_app, staff_account(issued, PROVINCE, "operator"))
    reviewer = _client(portal_app, staff_account(issued, PROVINCE, "reviewer"))
    proposal_id = _propose(operator, person.number, action="suspend", reason="investigation")
    with issued.database.write() as session:
        reissue(session, issued, person.number, "damaged", actor=cli_actor())
    reviewer.post(f"/issuer/approvals/{proposal_id}/approve", data={"confirm": "1"})
    assert certificate_state(issued, person.number) == ("valid", 2)
    assert _proposal(issued, proposal_id).status == "pending"
    page = _flashed(reviewer, proposal_id)
    assert "目前无法执行" in page and "第 1 版已被取代" in page


def test_unconfirmed_approval_and_other_roles_change_nothing(issued: Runtime, portal_app: Flask) -> None:
    """An approval without its confirmation box is sent back; operators and auditors may not approve."""
    person = people(issued, PROVINCE, 1)[0]
    operator = _client(portal_app, staff_account(issued, PROVINCE, "operator"))
    auditor = _client(portal_app, staff_account(issued, PROVINCE, "auditor"))
    reviewer = _client(portal_app, staff_account(issued, PROVINCE, "reviewer"))
    proposal_id = _propose(operator, person.number)
    assert reviewer.post(f"/issuer/approvals/{proposal_id}/approve").status_code == 302
    assert "请勾选确认" in _flashed(reviewer, proposal_id)
    other_operator = _client(portal_app, second_staff(issued, PROVINCE, "operator"))
    for client in (other_operator, auditor):
        assert (
            client.post(f"/issuer/approvals/{proposal_id}/approve", data={"confirm": "1"}).status_code == 403
        )
    assert certificate_state(issued, person.number) == ("valid", 1)
    with pytest.raises(WorkflowError), issued.database.read() as session:
        approvals.preview_status_change(
            session, issued, _operator_actor(issued), StatusChange(person.number, "revoke", "fraud", DOC)
        )


def _operator_actor(runtime: Runtime) -> Actor:
    from certsvc.accounts.models import User
    from certsvc.audit.actors import staff_actor

    with runtime.database.read() as session:
        user = session.scalars(select(User).where(User.login == f"ope-{PROVINCE}")).one()
        return staff_actor(user_id=user.id, login=user.login, role="operator", authority_code=PROVINCE)


def test_ledger_entries_of_every_kind_name_the_actor(issued: Runtime, portal_app: Flask) -> None:
    """Issue entries (the import), reissue and status entries name the acting role and a pseudonymous
    staff id, never a login or a holder's data; the command line appears as server-operator "cli"."""
    entries = ledger_entries(issued)
    issues = [entry for entry in entries if entry["type"] == "issue"]
    assert issues and all(entry["actor"] == {"role": "system"} for entry in issues)  # fixture imports
    person = people(issued, PROVINCE, 1)[0]
    from certsvc.audit.actors import cli_actor
    from certsvc.certificates.revocation import change_status

    size = ledger_size(issued)
    with issued.database.write() as session:
        change_status(session, issued, person.number, "suspend", "investigation", DOC, actor=cli_actor())
    [entry] = ledger_entries(issued, size)
    assert entry["actor"] == {"role": "server-operator", "staff": "cli"}
    for raw in entries:
        parse_entry(json.dumps(raw, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode())
