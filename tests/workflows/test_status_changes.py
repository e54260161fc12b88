"""Suspension, reinstatement and revocation: the state machine, the ledger and the status list."""

from __future__ import annotations

import datetime as dt

import pytest

from certsvc.certificates.reissue import reissue
from certsvc.certificates.revocation import change_status
from certsvc.certificates.versions import verification_url
from certsvc.errors import BadRequest, NotFound, WorkflowError
from certsvc.runtime import Runtime
from certsvc.verification.services import verify_target
from tests.accounts.fixtures import COUNTY, PROVINCE, people
from tests.workflows.support import certificate_state, ledger_entries, ledger_size, versions

DOC = "渝人社〔2026〕12号"


def _change(runtime: Runtime, number: str, action: str, reason: str, **kwargs: object) -> None:
    with runtime.database.write() as session:
        change_status(session, runtime, number, action, reason, DOC, **kwargs)  # type: ignore[arg-type]


def _outcome(runtime: Runtime, payload: str) -> str:
    return verify_target(runtime, verification_url(runtime, payload)).outcome


def test_suspend_reinstate_revoke_each_update_status_ledger_and_verification(issued: Runtime) -> None:
    """Each change shows at once to verifiers and appends one ledger entry without personal data."""
    person = people(issued, PROVINCE, 1)[0]
    payload = versions(issued, person.number)[0][2]
    start = ledger_size(issued)
    _change(issued, person.number, "suspend", "investigation")
    assert certificate_state(issued, person.number) == ("suspended", 1)
    assert _outcome(issued, payload) == "suspended"
    _change(issued, person.number, "reinstate", "cleared")
    assert _outcome(issued, payload) == "valid"
    _change(issued, person.number, "revoke", "fraud", effective=issued.today() - dt.timedelta(days=3))
    assert certificate_state(issued, person.number) == ("revoked", 1)
    assert _outcome(issued, payload) == "revoked"
    entries = ledger_entries(issued, start)
    # A revocation for fraud also opens an integrity record (its own entry, rule 10).
    assert [e["type"] for e in entries] == ["suspend", "reinstate", "revoke", "integrity-open"]
    assert entries[2]["reason"] == "fraud" and entries[2]["doc_no"] == DOC
    for entry in entries[:3]:
        assert entry["certificate_number"] == person.number and entry["version"] == 1
    assert entries[3]["doc_no"] == DOC and "certificate_number" not in entries[3]
    for entry in entries:
        assert person.name not in str(entry) and person.id_number not in str(entry)


@pytest.mark.parametrize(
    ("setup", "action", "reason"),
    [
        ([], "reinstate", "cleared"),  # nothing to reinstate
        ([("suspend", "investigation")], "suspend", "investigation"),  # already suspended
        ([("revoke", "fraud")], "reinstate", "cleared"),  # a revocation is reversed only as overturned
        ([("revoke", "fraud")], "suspend", "investigation"),
        ([("revoke", "fraud")], "revoke", "error"),
    ],
)
def test_invalid_transitions_are_refused_and_leave_no_trace(
    issued: Runtime, setup: list[tuple[str, str]], action: str, reason: str
) -> None:
    """A transition the state machine does not allow raises WorkflowError and writes nothing."""
    number = people(issued, COUNTY, 1)[0].number
    for earlier_action, earlier_reason in setup:
        _change(issued, number, earlier_action, earlier_reason)
    before = (certificate_state(issued, number), ledger_size(issued))
    with pytest.raises(WorkflowError):
        _change(issued, number, action, reason)
    assert (certificate_state(issued, number), ledger_size(issued)) == before


def test_a_superseded_version_cannot_be_suspended(issued: Runtime) -> None:
    """Naming version 1 after a reissue made version 2 current is refused, not redirected to v2."""
    number = people(issued, PROVINCE, 1)[0].number
    with issued.database.write() as session:
        reissue(session, issued, number, "damaged")
    with pytest.raises(WorkflowError):
        _change(issued, number, "suspend", "investigation", version=1)
    _change(issued, number, "suspend", "investigation", version=2)
    assert [status for _, status, _ in versions(issued, number)] == ["superseded", "suspended"]


def test_reason_document_number_and_date_are_checked(issued: Runtime) -> None:
    """Unknown reasons, a missing document number and future dates are refused before anything changes."""
    number = people(issued, PROVINCE, 1)[0].number
    with pytest.raises(BadRequest):
        _change(issued, number, "revoke", "investigation")  # a suspension reason
    with issued.database.write() as session, pytest.raises(BadRequest):
        change_status(session, issued, number, "revoke", "fraud", "  ")
    with pytest.raises(BadRequest):
        _change(issued, number, "revoke", "fraud", effective=issued.today() + dt.timedelta(days=1))
    assert certificate_state(issued, number) == ("valid", 1)


def test_an_authority_cannot_change_another_authoritys_certificate(issued: Runtime) -> None:
    """The county acting on a province certificate is told it does not exist."""
    number = people(issued, PROVINCE, 1)[0].number
    with pytest.raises(NotFound):
        _change(issued, number, "revoke", "fraud", actor_authority=COUNTY)
    assert certificate_state(issued, number) == ("valid", 1)
