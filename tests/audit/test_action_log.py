"""The action log: every kind of change records who, when, from which client, what and why; it holds
no personal data of holders, only grows, and auditors (only) list, filter and export it."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from certsvc.audit.actors import cli_actor, holder_actor, staff_actor
from certsvc.audit.models import ActionLogEntry
from certsvc.audit.services import ACTIONS
from certsvc.config import Settings
from certsvc.runtime import Runtime
from tests.accounts.fixtures import (
    COUNTY,
    PROVINCE,
    Person,
    holder_account,
    people,
    second_staff,
    sign_in,
    staff_account,
)
from tests.conftest import START, FakeClock, make_settings
from tests.holders.smtp import Inbox, smtp_server  # noqa: F401

DOC = "渝人社〔2026〕21号"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


@pytest.fixture
def settings(tmp_path: Path, database_url: str, smtp_server: tuple[Inbox, str]) -> Settings:  # noqa: F811
    """Mail is set up, so activation e-mails (a change the log records) can be sent."""
    return make_settings(tmp_path, database_url, CERTSVC_SMTP_URL=smtp_server[1])


def _rows(runtime: Runtime) -> list[ActionLogEntry]:
    with runtime.database.read() as session:
        rows = list(session.scalars(select(ActionLogEntry).order_by(ActionLogEntry.id)))
        session.expunge_all()
        return rows


def _client(app: Flask, login: str, address: str = "10.9.8.7") -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    client.environ_base["HTTP_USER_AGENT"] = CHROME
    sign_in(client, login)
    return client


def _every_change(runtime: Runtime, app: Flask) -> tuple[Person, Person]:
    """Make one change of every kind the log knows, through the console where staff act there."""
    alice, bob, carol = people(runtime, PROVINCE, 3)
    operator = _client(app, staff_account(runtime, PROVINCE, "operator"))
    reviewer = _client(app, staff_account(runtime, PROVINCE, "reviewer"))
    second = _client(app, second_staff(runtime, PROVINCE, "reviewer"))
    holder_account(runtime, alice)
    holder = app.test_client()
    sign_in(holder, alice.id_number)
    # reissues: a holder's requests (one approved, one rejected) and one at the counter
    holder.post(f"/me/certificates/{alice.number}/reissue", data={"reason": "lost"})
    reviewer.post("/issuer/requests/1/decision", data={"decision": "approve"})
    holder.post(f"/me/certificates/{alice.number}/reissue", data={"reason": "lost"})
    reviewer.post("/issuer/requests/2/decision", data={"decision": "reject", "reason": "材料不全"})
    operator.post(f"/issuer/certificates/{bob.number}/reissue", data={"reason": "damaged"})
    # proposals: approved (fraud revocation: an integrity record), rejected, withdrawn
    form = {"reason": "fraud", "doc_no": DOC, "step": "propose", "action": "revoke"}
    operator.post(f"/issuer/certificates/{bob.number}/proposal", data=form)
    second.post("/issuer/approvals/1/approve", data={"confirm": "1"})
    operator.post(
        f"/issuer/certificates/{carol.number}/proposal",
        data={**form, "action": "suspend", "reason": "complaint"},
    )
    reviewer.post("/issuer/approvals/2/reject", data={"reason": '=HYPERLINK("http://x")'})
    operator.post(
        f"/issuer/certificates/{carol.number}/proposal",
        data={**form, "action": "suspend", "reason": "complaint"},
    )
    operator.post("/issuer/approvals/3/withdraw", data={"confirm": "1"})
    # the suspension and reinstatement, by the command line
    from certsvc.certificates.revocation import change_status

    with runtime.database.write() as session:
        change_status(session, runtime, carol.number, "suspend", "investigation", DOC, actor=cli_actor())
        change_status(session, runtime, carol.number, "reinstate", "cleared", DOC, actor=cli_actor())
    # the integrity record ends by a reviewer's decision
    reviewer.post("/issuer/integrity/1/end", data={"doc_no": "渝人社〔2026〕22号"})
    # signing keys: a rotation proposed and approved, a compromise by the command line
    assert isinstance(runtime.clock, FakeClock)
    runtime.clock.advance(minutes=5)
    operator.post("/issuer/keys/proposal", data={"action": "key-rotate", "step": "propose"})
    second.post("/issuer/approvals/4/approve", data={"confirm": "1"})
    from certsvc.certificates.keys import compromise_key

    oldest = runtime.keys.history()[0]
    with runtime.database.write() as session:
        compromise_key(session, runtime, oldest.kid, runtime.now(), actor=cli_actor())
    # activation: link, printed code, e-mail
    operator.post(f"/issuer/certificates/{carol.number}/activation-link")
    operator.post(f"/issuer/certificates/{carol.number}/activation-code")
    operator.post(f"/issuer/certificates/{carol.number}/activation-email", data={"email": "c@example.org"})
    # an import and a token (the registry update and staff accounts came with the fixtures)
    from importlib import resources

    from certsvc.accounts.services import create_api_token
    from certsvc.certificates.issuing import import_results

    data = resources.files("certsvc.demo").joinpath("sample-421200.csv").read_bytes()
    report = import_results(runtime, data, "city.csv", dry_run=False, actor=cli_actor())
    assert report.ok and report.issued
    with runtime.database.write() as session:
        create_api_token(session, runtime, authority_code=COUNTY, role="operator", label="hr-system")
    return alice, bob


def test_every_kind_of_change_is_logged_with_who_when_where_what_and_why(
    issued: Runtime, portal_app: Flask
) -> None:
    """After one change of every kind, the log has a row for each action slug; staff rows carry the
    user, role, authority, pseudonym and coarse client; the command line is named as such."""
    _every_change(issued, portal_app)
    rows = _rows(issued)
    assert {row.action for row in rows} == set(ACTIONS)
    revoke = next(row for row in rows if row.action == "revoke")
    assert (revoke.actor_kind, revoke.actor_role, revoke.authority_code) == ("staff", "reviewer", PROVINCE)
    assert revoke.client_network == "10.9.8.0/24" and revoke.client_agent == "Chrome · computer"
    assert revoke.staff_pseudonym and revoke.staff_pseudonym.startswith("st-")
    assert (revoke.reason, revoke.doc_no) == ("fraud", DOC) and revoke.proposal_id == 1
    assert revoke.details == {"version": 2, "from": "valid", "to": "revoked", "effective": "2026-11-21"}
    approve = next(row for row in rows if row.action == "approve")
    propose = next(row for row in rows if row.action == "propose")
    assert approve.actor_user_id != propose.actor_user_id and approve.proposal_id == propose.proposal_id == 1
    suspend = next(row for row in rows if row.action == "suspend")
    assert (suspend.actor_kind, suspend.actor_role, suspend.staff_pseudonym) == (
        "cli",
        "server-operator",
        "cli",
    )
    assert suspend.actor_ref.startswith("cli:") and suspend.client_network == ""
    keys = [row for row in rows if row.action.startswith("key-")]
    assert keys and all(row.authority_code is None for row in keys)
    request = next(row for row in rows if row.action == "reissue-request")
    assert (request.actor_kind, request.actor_user_id, request.staff_pseudonym) == ("holder", None, None)
    imported = next(row for row in rows if row.action == "import" and row.actor_kind == "cli")
    assert imported.details is not None and imported.details["issued"] == imported.details["rows"] > 0
    assert all(START <= row.at <= issued.now() for row in rows)
    assert [row.at for row in rows] == sorted(row.at for row in rows)


def test_the_action_log_holds_no_personal_data_of_holders(issued: Runtime, portal_app: Flask) -> None:
    """No row names a holder or holds their ID number, and no full client address is kept."""
    alice, bob = _every_change(issued, portal_app)
    dump = json.dumps(
        [
            {column.name: str(getattr(row, column.name)) for column in ActionLogEntry.__table__.columns}
            for row in _rows(issued)
        ],
        ensure_ascii=False,
    )
    for person in (alice, bob):
        assert person.name not in dump and person.id_number not in dump
    assert "10.9.8.7" not in dump and "c@example.org" not in dump


def test_the_action_log_only_grows(issued: Runtime) -> None:
    """UPDATE and DELETE of a row are refused by the database on both engines."""
    from certsvc.audit.services import record_action

    with issued.database.write() as session:
        record_action(
            session,
            issued,
            holder_actor(),
            "reissue-request",
            target_kind="request",
            target="1",
            authority_code=None,
        )
    for statement in ("UPDATE action_log SET note = 'x'", "DELETE FROM action_log"):
        with pytest.raises(DBAPIError), issued.database.write() as session:
            session.execute(text(statement))
    assert len(_rows(issued)) >= 1


def _auditor(app: Flask, runtime: Runtime, authority: str = PROVINCE) -> FlaskClient:
    return _client(app, staff_account(runtime, authority, "auditor"), address="10.9.8.9")


def test_auditors_filter_the_log_and_export_exactly_the_filtered_rows(
    issued: Runtime, portal_app: Flask
) -> None:
    """Filtering by action, staff, target and dates lists the matching rows only; the .xlsx with the same
    query opens with openpyxl, has Chinese headers and exactly those rows, and no cell is a formula."""
    _every_change(issued, portal_app)
    auditor = _auditor(portal_app, issued)
    page = auditor.get("/issuer/audit?action=propose").get_data(as_text=True)
    assert page.count('data-action="propose"') == 4 and 'data-action="approve"' not in page
    by_staff = auditor.get(f"/issuer/audit?staff=rev-{PROVINCE}").get_data(as_text=True)
    assert 'data-action="reject"' in by_staff and 'data-action="withdraw"' not in by_staff
    today = issued.today()
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert "data-action=" not in auditor.get(f"/issuer/audit?since={tomorrow}").get_data(as_text=True)
    assert 'data-action="import"' in auditor.get(f"/issuer/audit?until={today.isoformat()}").get_data(
        as_text=True
    )
    assert auditor.get("/issuer/audit?since=yesterday").status_code == 400

    for query, expected in (
        ("action=reject", 1),
        ("action=propose", 4),
        ("target=1&action=approve", 1),
        ("", None),
    ):
        export = auditor.get(f"/issuer/audit.xlsx?{query}")
        assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
        sheet = openpyxl.load_workbook(io.BytesIO(export.data)).active
        assert sheet is not None
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("时间（北京时间）", "机构代码", "操作人账号")
        listed = auditor.get(f"/issuer/audit?{query}").get_data(as_text=True)
        count = int(listed.split("共 ", 1)[1].split(" 条", 1)[0])
        assert len(rows) - 1 == count == (expected if expected is not None else count)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                assert cell.data_type != "f"
                assert not (isinstance(cell.value, str) and cell.value[:1] in "=+-@")
    rejected = openpyxl.load_workbook(io.BytesIO(auditor.get("/issuer/audit.xlsx?action=reject").data)).active
    assert rejected is not None
    assert rejected.cell(row=2, column=14).value == '\'=HYPERLINK("http://x")'


def test_only_auditors_read_the_log_and_only_their_authoritys(issued: Runtime, portal_app: Flask) -> None:
    """Operators and reviewers get 403 on the log and its export; the county's auditor sees neither the
    province's rows nor its export rows, but does see what concerns every authority (keys)."""
    _every_change(issued, portal_app)
    for login in (f"ope-{PROVINCE}", f"rev-{PROVINCE}"):  # made by _every_change
        client = _client(portal_app, login)
        assert client.get("/issuer/audit").status_code == 403
        assert client.get("/issuer/audit.xlsx").status_code == 403
    county = _auditor(portal_app, issued, COUNTY)
    page = county.get("/issuer/audit").get_data(as_text=True)
    assert 'data-action="revoke"' not in page and 'data-action="key-rotate"' in page
    assert 'data-action="import"' in page  # the county's own batch (imported by the fixture)
    sheet = openpyxl.load_workbook(io.BytesIO(county.get("/issuer/audit.xlsx").data)).active
    assert sheet is not None
    assert all(row[1] in (COUNTY, None) for row in sheet.iter_rows(min_row=2, values_only=True))


def test_dashboards_show_each_role_its_own(issued: Runtime, portal_app: Flask) -> None:
    """The auditor's dashboard lists the latest actions and links the log; a reviewer sees what waits
    for their approval; an operator sees neither the log nor its link."""
    person = people(issued, PROVINCE, 1)[0]
    operator = _client(portal_app, staff_account(issued, PROVINCE, "operator"))
    operator.post(
        f"/issuer/certificates/{person.number}/proposal",
        data={"action": "suspend", "reason": "complaint", "doc_no": DOC, "step": "propose"},
    )
    auditor = _auditor(portal_app, issued).get("/issuer/").get_data(as_text=True)
    assert 'id="recent-actions"' in auditor and "/issuer/audit" in auditor
    reviewer = (
        _client(portal_app, staff_account(issued, PROVINCE, "reviewer"))
        .get("/issuer/")
        .get_data(as_text=True)
    )
    assert 'id="tile-awaiting"' in reviewer and 'id="recent-actions"' not in reviewer
    operator_page = operator.get("/issuer/").get_data(as_text=True)
    assert "/issuer/audit" not in operator_page and 'id="tile-awaiting"' not in operator_page


def test_cli_audit_log_prints_the_log_as_json(
    issued: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`certsvc audit-log --json` prints every row (here the fixture's imports and registry load, and a
    revocation by the command line itself), filtered like the console."""
    from certsvc.cli import main

    settings = issued.settings
    for name, value in {
        "CERTSVC_ENV": "test",
        "CERTSVC_INSTANCE_DIR": str(settings.instance_dir),
        "CERTSVC_DATABASE_URL": settings.database_url,
        "CERTSVC_KEYS_DIR": str(settings.keys_dir),
        "CERTSVC_BASE_URL": settings.base_url,
        "CERTSVC_SECRET_KEY": settings.secret_key,
    }.items():
        monkeypatch.setenv(name, value)
    number = people(issued, PROVINCE, 1)[0].number
    assert main(["revoke", number, "--reason", "error", "--doc-no", DOC]) == 0
    capsys.readouterr()
    assert main(["audit-log", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["action"] for row in rows].count("import") == 2 and rows[0]["action"] == "registry-update"
    revoke = rows[-1]
    assert revoke["action"] == "revoke" and revoke["target"] == {"kind": "certificate", "id": number}
    assert revoke["actor"]["kind"] == "cli" and revoke["actor"]["staff_id"] == "cli"
    assert main(["audit-log", "--json", "--action", "revoke", "--authority", COUNTY]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["audit-log", "--since", "not-a-date"]) == 2


def test_staff_pseudonyms_are_stable_keyed_digests(issued: Runtime) -> None:
    """The same staff member always gets the same ledger pseudonym, another member another one; it is a
    keyed digest of the user id (not the login), so the public cannot link it to a person."""
    import hashlib
    import hmac
    import re

    from certsvc.audit.actors import staff_pseudonym

    one = staff_actor(user_id=7, login="rev-500000", role="reviewer", authority_code=PROVINCE)
    renamed = staff_actor(user_id=7, login="renamed", role="operator", authority_code=PROVINCE)
    two = staff_actor(user_id=8, login="rev2-500000", role="reviewer", authority_code=PROVINCE)
    first, again, other = (staff_pseudonym(issued, actor) for actor in (one, renamed, two))
    assert first is not None and re.fullmatch(r"st-[0-9a-f]{12}", first)
    assert first == again != other
    key = issued.keys.data_keys().derive("staff-pseudonym")
    assert first == "st-" + hmac.new(key, b"user:7", hashlib.sha256).hexdigest()[:12]
    assert first[3:] != hashlib.sha256(b"user:7").hexdigest()[:12]


def test_the_command_line_acts_directly_and_records_that_it_did(
    issued: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`certsvc keys rotate` needs no second person: the key changes at once, the ledger entry names the
    server's operator ("cli") and the action log the OS account; `audit-log` prints it as text too."""
    from certsvc.cli import main
    from tests.workflows.support import ledger_entries, ledger_size

    settings = issued.settings
    for name, value in {
        "CERTSVC_ENV": "test",
        "CERTSVC_INSTANCE_DIR": str(settings.instance_dir),
        "CERTSVC_DATABASE_URL": settings.database_url,
        "CERTSVC_KEYS_DIR": str(settings.keys_dir),
        "CERTSVC_BASE_URL": settings.base_url,
        "CERTSVC_SECRET_KEY": settings.secret_key,
    }.items():
        monkeypatch.setenv(name, value)
    before, size = len(issued.keys.history()), ledger_size(issued)
    assert main(["keys", "rotate"]) == 0
    assert len(issued.keys.history()) == before + 1
    [entry] = ledger_entries(issued, size)
    assert entry["type"] == "key-rotate" and entry["actor"] == {"role": "server-operator", "staff": "cli"}
    [row] = [row for row in _rows(issued) if row.action == "key-rotate"]
    assert row.actor_kind == "cli" and row.actor_ref.startswith("cli:") and row.ledger_index == size
    capsys.readouterr()
    assert main(["audit-log", "--action", "key-rotate"]) == 0
    assert "key-rotate key:" in capsys.readouterr().out
