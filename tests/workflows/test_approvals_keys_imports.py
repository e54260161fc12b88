"""Signing-key rotation and compromise, and large imports, under the two-person rule: the effect on
the certificates already issued is shown before anyone confirms, and nothing happens until a second
staff member (a reviewer) approves."""

from __future__ import annotations

import io
import re
from importlib import resources
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from certsvc.certificates.models import Certificate, ImportBatch, Proposal
from certsvc.config import Settings
from certsvc.runtime import Runtime
from certsvc.timefmt import china_local_input
from tests.accounts.fixtures import COUNTY, PROVINCE, people, second_staff, sign_in, staff_account
from tests.conftest import FakeClock, make_settings
from tests.workflows.support import ledger_entries, ledger_size


def _client(app: Flask, login: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, login)
    return client


def _proposal_id(response_location: str) -> int:
    match = re.search(r"/issuer/approvals/(\d+)$", response_location)
    assert match, response_location
    return int(match.group(1))


def _count_certificates(runtime: Runtime) -> int:
    with runtime.database.read() as session:
        return int(session.scalar(select(func.count()).select_from(Certificate)) or 0)


def test_key_rotation_shows_its_effect_and_waits_for_a_second_person(
    issued: Runtime, portal_app: Flask
) -> None:
    """A province operator sees that a rotation leaves the certificates in use valid and renews the
    seals, proposes it; the key changes only when a reviewer approves; the ledger's key-rotate entry
    names both. County staff may look at the keys but not propose."""
    assert isinstance(issued.clock, FakeClock)
    issued.clock.advance(hours=1)
    operator = _client(portal_app, staff_account(issued, PROVINCE, "operator"))
    before = issued.keys.history()
    page = operator.get("/issuer/keys").get_data(as_text=True)
    assert 'id="form-rotate"' in page and before[-1].kid in page
    preview = operator.post("/issuer/keys/proposal", data={"action": "key-rotate"}).get_data(as_text=True)
    assert "200 张在用证书仍然有效，无需补发" in preview and "电子印章证书随新密钥一并更换" in preview
    response = operator.post("/issuer/keys/proposal", data={"action": "key-rotate", "step": "propose"})
    proposal_id = _proposal_id(response.headers["Location"])
    assert issued.keys.history() == before

    county = _client(portal_app, staff_account(issued, COUNTY, "operator"))
    assert 'id="form-rotate"' not in county.get("/issuer/keys").get_data(as_text=True)
    assert county.post("/issuer/keys/proposal", data={"action": "key-rotate"}).status_code == 403

    size = ledger_size(issued)
    reviewer = _client(portal_app, staff_account(issued, PROVINCE, "reviewer"))
    reviewer.post(f"/issuer/approvals/{proposal_id}/approve", data={"confirm": "1"})
    after = issued.keys.history()
    assert len(after) == len(before) + 1 and after[-2].not_after is not None
    [entry] = ledger_entries(issued, size)
    assert entry["type"] == "key-rotate" and entry["kid"] == after[-1].kid
    assert (entry["actor"]["role"], entry["proposed_by"]["role"], entry["proposal"]) == (
        "reviewer",
        "operator",
        proposal_id,
    )


def test_key_compromise_counts_the_certificates_it_invalidates(issued: Runtime, portal_app: Flask) -> None:
    """Marking the current key compromised from before the imports shows that every version it signed
    stops verifying, per authority, and that issuing continues with a new key; once approved, a
    verifier sees "key compromised" and a reissue verifies again."""
    from certsvc.certificates.reissue import reissue
    from certsvc.certificates.versions import verification_url
    from certsvc.verification.services import verify_target
    from tests.workflows.support import versions

    assert isinstance(issued.clock, FakeClock)
    since = issued.now()
    issued.clock.advance(hours=1)
    kid = issued.keys.history()[-1].kid
    form = {"action": "key-compromise", "kid": kid, "since": china_local_input(since)}
    operator = _client(portal_app, staff_account(issued, PROVINCE, "operator"))
    preview = operator.post("/issuer/keys/proposal", data=form).get_data(as_text=True)
    assert "200 个证书版本将无法通过查验" in preview and "其中在用证书 200 张需要补发" in preview
    assert "发证不会中断" in preview and "(421221)" in preview.replace("（", "(").replace("）", ")")
    future = {**form, "since": china_local_input(issued.now().replace(year=2030))}
    operator.post("/issuer/keys/proposal", data=future)
    assert "不能晚于现在" in operator.get("/issuer/keys").get_data(as_text=True)
    response = operator.post("/issuer/keys/proposal", data={**form, "step": "propose"})
    proposal_id = _proposal_id(response.headers["Location"])
    person = people(issued, PROVINCE, 1)[0]
    url = verification_url(issued, versions(issued, person.number)[0][2])
    assert verify_target(issued, url, channel="api").outcome == "valid"

    reviewer = _client(portal_app, staff_account(issued, PROVINCE, "reviewer"))
    page = reviewer.get(f"/issuer/approvals/{proposal_id}").get_data(as_text=True)
    assert "200 个证书版本将无法通过查验" in page  # the reviewer sees the effect again before approving
    reviewer.post(f"/issuer/approvals/{proposal_id}/approve", data={"confirm": "1"})
    verdict = verify_target(issued, url, channel="api")
    assert (verdict.outcome, verdict.step) == ("invalid", "key-compromised")
    assert issued.keys.history()[-1].kid != kid  # a new key took over at once
    with issued.database.write() as session:
        reissue(session, issued, person.number, "damaged")
    fresh = verification_url(issued, versions(issued, person.number)[1][2])
    assert verify_target(issued, fresh, channel="api").outcome == "valid"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Console imports of more than 60 certificates need a reviewer's approval."""
    return make_settings(tmp_path, database_url, CERTSVC_IMPORT_APPROVAL_ROWS="60")


def _upload(client: FlaskClient, authority: str) -> str:
    data = resources.files("certsvc.demo").joinpath(f"sample-{authority}.csv").read_bytes()
    page = client.post(
        "/issuer/import", data={"file": (io.BytesIO(data), "results.csv")}, content_type="multipart/form-data"
    ).get_data(as_text=True)
    # the check says before confirming whether the import will wait for a reviewer
    assert ('id="needs-approval"' in page) == (data.count(b"\n") - 1 > 60)
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token is not None
    return token.group(1)


def test_a_large_import_waits_for_a_reviewer_and_a_small_one_does_not(runtime: Runtime, app: Flask) -> None:
    """With the limit at 60, a 100-row file becomes a proposal (nothing issued, the operator cannot
    approve it); the reviewer's approval issues it as one batch whose ledger entries name both people.
    The setting is read from CERTSVC_IMPORT_APPROVAL_ROWS."""
    assert runtime.settings.import_approval_rows == 60
    app.config.update(WTF_CSRF_ENABLED=False)
    operator = _client(app, staff_account(runtime, PROVINCE, "operator"))
    before = ledger_size(runtime)
    response = operator.post("/issuer/import/confirm", data={"token": _upload(operator, PROVINCE)})
    assert response.status_code == 302
    proposal_id = _proposal_id(response.headers["Location"])
    assert _count_certificates(runtime) == 0 and ledger_size(runtime) == before
    page = operator.get(f"/issuer/approvals/{proposal_id}").get_data(as_text=True)
    assert "results.csv" in page and ">100<" in page and 'id="approve"' not in page
    assert operator.post(f"/issuer/approvals/{proposal_id}/approve", data={"confirm": "1"}).status_code == 403

    reviewer = _client(app, staff_account(runtime, PROVINCE, "reviewer"))
    reviewer.post(f"/issuer/approvals/{proposal_id}/approve", data={"confirm": "1"})
    assert _count_certificates(runtime) == 100
    with runtime.database.read() as session:
        proposal = session.get(Proposal, proposal_id)
        assert proposal is not None
        assert (proposal.status, proposal.file_data) == ("approved", None)
        batch = session.scalars(select(ImportBatch)).one()
        assert proposal.outcome and proposal.outcome["batch"] == batch.id and batch.issued_count == 100
    issues = ledger_entries(runtime, before)
    assert len(issues) == 100
    assert all(
        (e["actor"]["role"], e["proposed_by"]["role"], e["proposal"]) == ("reviewer", "operator", proposal_id)
        for e in issues
    )
    # approving again does nothing more
    reviewer.post(f"/issuer/approvals/{proposal_id}/approve", data={"confirm": "1"})
    assert _count_certificates(runtime) == 100

    # a file below the limit is issued at once, as before
    district = _client(app, staff_account(runtime, "500112", "operator"))
    result = district.post("/issuer/import/confirm", data={"token": _upload(district, "500112")})
    assert result.status_code == 200 and _count_certificates(runtime) == 103


def test_an_approved_import_never_issues_twice(runtime: Runtime, app: Flask) -> None:
    """If the rows of a proposed import were issued meanwhile (here by the command line), approving it
    issues nothing twice: the file is checked again at approval and its rows are already issued."""
    from certsvc.certificates.issuing import import_results

    app.config.update(WTF_CSRF_ENABLED=False)
    operator = _client(app, staff_account(runtime, PROVINCE, "operator"))
    response = operator.post("/issuer/import/confirm", data={"token": _upload(operator, PROVINCE)})
    proposal_id = _proposal_id(response.headers["Location"])
    data = resources.files("certsvc.demo").joinpath(f"sample-{PROVINCE}.csv").read_bytes()
    assert len(import_results(runtime, data, "same.csv", dry_run=False, actor="cli").issued) == 100
    reviewer = _client(app, second_staff(runtime, PROVINCE, "reviewer"))
    reviewer.post(f"/issuer/approvals/{proposal_id}/approve", data={"confirm": "1"})
    assert _count_certificates(runtime) == 100
    with runtime.database.read() as session:
        proposal = session.get(Proposal, proposal_id)
        assert proposal is not None and proposal.status == "approved"
        assert proposal.outcome is not None and proposal.outcome["issued"] == 0
