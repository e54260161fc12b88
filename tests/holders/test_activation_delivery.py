"""How the issuing body hands a holder the secret that activates their account: a printed notice
with a one-time code (console or CLI), or a one-time link mailed through real SMTP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from certsvc.config import Settings
from certsvc.runtime import Runtime
from tests.accounts.fixtures import COUNTY, PROVINCE, Person, people, sign_in, staff_account
from tests.conftest import make_settings
from tests.holders.smtp import Inbox, smtp_server  # noqa: F401

NEW_PASSWORD = "another long password"


@pytest.fixture
def settings(tmp_path: Path, database_url: str, smtp_server: tuple[Inbox, str]) -> Settings:  # noqa: F811
    return make_settings(tmp_path, database_url, CERTSVC_SMTP_URL=smtp_server[1])


def _operator(portal_app: Flask, authority: str) -> FlaskClient:
    client = portal_app.test_client()
    sign_in(client, staff_account(portal_app.extensions["certsvc"], authority, "operator"))
    return client


def _activate(client: FlaskClient, person: Person, code: str) -> int:
    form = {
        "code": code,
        "id_number": person.id_number,
        "name": person.name,
        "password": NEW_PASSWORD,
        "confirmation": NEW_PASSWORD,
    }
    return client.post("/auth/activate", data=form).status_code


def test_console_prints_a_notice_whose_code_activates(issued: Runtime, portal_app: Flask) -> None:
    """The operator's notice shows a code once (masked name, no ID number); the holder activates with it."""
    person = people(issued, PROVINCE, 1)[0]
    operator = _operator(portal_app, PROVINCE)
    response = operator.post(f"/issuer/certificates/{person.number}/activation-code")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    match = re.search(r'id="activation-code">([0-9A-Z-]{19})<', page)
    assert match, page[:500]
    assert person.id_number not in page and person.name not in page
    assert _activate(portal_app.test_client(), person, match.group(1)) == 302


def test_operator_of_another_authority_gets_no_code(issued: Runtime, portal_app: Flask) -> None:
    """A county operator asking for a province certificate's code gets 404, as if it did not exist."""
    person = people(issued, PROVINCE, 1)[0]
    operator = _operator(portal_app, COUNTY)
    assert operator.post(f"/issuer/certificates/{person.number}/activation-code").status_code == 404


def test_emailed_link_arrives_through_smtp_and_activates_once(
    issued: Runtime,
    portal_app: Flask,
    smtp_server: tuple[Inbox, str],  # noqa: F811
) -> None:
    """The link reaches the SMTP server addressed to the holder, in Chinese then English (both from
    the catalog), opens the account once, then dies."""
    inbox, _ = smtp_server
    person = people(issued, PROVINCE, 1)[0]
    operator = _operator(portal_app, PROVINCE)
    response = operator.post(
        f"/issuer/certificates/{person.number}/activation-email", data={"email": "holder@example.org"}
    )
    assert response.status_code == 302
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "holder@example.org" and message["From"] == "certs@example.test"
    body = message.get_content()
    assert person.id_number not in body and person.name not in body
    assert message["Subject"] == "激活持证人账号 / Activate your holder account"
    assert body.index("请在 7 天内打开以下链接设置密码") < body.index("Open this link within 7 days")
    link = re.search(r"https://\S+/auth/link/\S+", body)
    assert link is not None
    path = link.group(0).removeprefix(issued.settings.base_url)
    holder = portal_app.test_client()
    form = {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}
    assert holder.post(path, data=form).status_code == 302
    assert person.number in holder.get("/me/").get_data(as_text=True)
    assert portal_app.test_client().post(path, data=form).status_code == 404


def test_bad_address_is_refused_and_nothing_is_sent(
    issued: Runtime,
    portal_app: Flask,
    smtp_server: tuple[Inbox, str],  # noqa: F811
) -> None:
    """A malformed address gets the reason on the certificate page; no mail leaves."""
    inbox, _ = smtp_server
    person = people(issued, PROVINCE, 1)[0]
    operator = _operator(portal_app, PROVINCE)
    response = operator.post(
        f"/issuer/certificates/{person.number}/activation-email",
        data={"email": "not an address"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "邮箱地址格式不正确" in response.get_data(as_text=True)
    assert inbox.messages == []


def test_cli_prints_a_notice_with_a_working_code(
    issued: Runtime, portal_app: Flask, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``certsvc accounts activation-code NO`` prints the notice; its code activates the account."""
    from certsvc.cli import main

    monkeypatch.setattr("certsvc.cli.accounts.cli_runtime", lambda: issued)
    person = people(issued, PROVINCE, 1)[0]
    assert main(["accounts", "activation-code", person.number]) == 0
    printed = capsys.readouterr().out
    code = re.search(r"激活码 Activation code: ([0-9A-Z-]{19})", printed)
    assert code is not None and person.id_number not in printed
    assert _activate(portal_app.test_client(), person, code.group(1)) == 302
