"""Holder activation (by activation code or one-time link), password reset, demo accounts."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from certsvc.accounts.activation import (
    ACTIVATION_CODE_LIFETIME,
    MAX_CODE_FAILURES,
    issue_activation_code,
    normalize_code,
)
from certsvc.accounts.models import ActivationCode, OutboxMessage, User
from certsvc.accounts.services import (
    ACTIVATION_LINK_LIFETIME,
    create_activation_link,
    create_demo_accounts,
)
from certsvc.errors import NotFound
from certsvc.runtime import Runtime
from tests.accounts.fixtures import COUNTY, PASSWORD, PROVINCE, Person, holder_account, people, sign_in
from tests.conftest import FakeClock

NEW_PASSWORD = "another long password"


def _activate(client: FlaskClient, person: Person, **changes: str) -> tuple[int, str]:
    form = {
        "id_number": person.id_number,
        "name": person.name,
        "password": NEW_PASSWORD,
        "confirmation": NEW_PASSWORD,
    } | changes
    response = client.post("/auth/activate", data=form)
    # Drop echoed form values (what the visitor typed) and the time-stamped CSRF token.
    page = re.sub(r'value="[^"]*"', "", response.get_data(as_text=True))
    return response.status_code, page


def _code(runtime: Runtime, person: Person) -> str:
    return issue_activation_code(runtime, person.number, created_by="test").code


def test_what_the_certificate_prints_no_longer_activates_an_account(
    issued: Runtime, web: FlaskClient
) -> None:
    """ID number, name and certificate number (all printed on the certificate) without a code: refused."""
    person = people(issued, PROVINCE, 1)[0]
    status, _ = _activate(web, person, certificate_number=person.number)
    assert status == 400
    with issued.database.read() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0


def test_holder_activates_with_the_code_from_the_notice(issued: Runtime, web: FlaskClient) -> None:
    """Code + ID number + name create the account, sign the holder in and show their certificates."""
    person = people(issued, PROVINCE, 1)[0]
    code = _code(issued, person)
    status, _ = _activate(web, person, code=code.lower().replace("-", " "))
    assert status == 302
    assert person.number in web.get("/me/").get_data(as_text=True)
    web.post("/auth/logout")
    sign_in(web, person.id_number, NEW_PASSWORD)


def test_failed_activation_does_not_say_which_detail_was_wrong(issued: Runtime, portal_app: Flask) -> None:
    """Wrong name, someone else's code, a used code and a made-up code all get the same answer."""
    person, other = people(issued, PROVINCE, 2)
    code, other_code = _code(issued, person), _code(issued, other)
    client = portal_app.test_client()
    assert _activate(client, other, code=other_code)[0] == 302
    client = portal_app.test_client()
    wrong_name = _activate(client, person, code=code, name="王小明")
    foreign_code = _activate(client, person, code=other_code)
    made_up = _activate(client, person, code="0000-0000-0000-0000")
    assert wrong_name[0] == 400
    assert wrong_name == foreign_code == made_up
    with issued.database.read() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1


def test_activation_code_works_once(issued: Runtime, portal_app: Flask) -> None:
    """A used code cannot open the account again (e.g. someone who saw the notice afterwards)."""
    person = people(issued, PROVINCE, 1)[0]
    code = _code(issued, person)
    assert _activate(portal_app.test_client(), person, code=code)[0] == 302
    assert (
        _activate(portal_app.test_client(), person, code=code, password="x" * 12, confirmation="x" * 12)[0]
        == 400
    )


def test_activation_code_expires(issued: Runtime, web: FlaskClient, clock: FakeClock) -> None:
    """After its lifetime the code is refused."""
    person = people(issued, PROVINCE, 1)[0]
    code = _code(issued, person)
    clock.advance(seconds=ACTIVATION_CODE_LIFETIME.total_seconds() + 1)
    assert _activate(web, person, code=code)[0] == 400


def test_wrong_identities_spend_the_code(issued: Runtime, web: FlaskClient) -> None:
    """After a few wrong ID numbers or names typed with it, even the right details are refused."""
    person = people(issued, PROVINCE, 1)[0]
    code = _code(issued, person)
    for attempt in range(MAX_CODE_FAILURES):
        assert _activate(web, person, code=code, name=f"王{attempt}")[0] == 400
    assert _activate(web, person, code=code)[0] == 400


def test_a_new_code_cancels_the_earlier_one(issued: Runtime, web: FlaskClient) -> None:
    """Reissuing a notice (the first was lost) makes the lost code useless."""
    person = people(issued, PROVINCE, 1)[0]
    lost, replacement = _code(issued, person), _code(issued, person)
    assert _activate(web, person, code=lost)[0] == 400
    assert _activate(web, person, code=replacement)[0] == 302


def test_code_stored_only_as_a_digest(issued: Runtime) -> None:
    """The database never holds the code itself."""
    person = people(issued, PROVINCE, 1)[0]
    code = normalize_code(_code(issued, person))
    with issued.database.read() as session:
        stored = session.scalars(select(ActivationCode.code_sha256)).all()
    assert len(stored) == 1 and code not in stored[0] and len(stored[0]) == 64


def test_one_time_link_activates_once_and_expires(
    issued: Runtime, web: FlaskClient, clock: FakeClock
) -> None:
    """An issuing body's link sets a password once; used or expired links are refused."""
    person, late = people(issued, COUNTY, 2)
    with issued.database.write() as session:
        link = create_activation_link(session, issued, person.number, created_by="test")
        late_link = create_activation_link(session, issued, late.number, created_by="test")
    path = link.removeprefix(issued.settings.base_url)
    assert web.get(path).status_code == 200
    response = web.post(path, data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert response.status_code == 302
    assert person.number in web.get("/me/").get_data(as_text=True)
    assert web.get(path).status_code == 404
    clock.advance(seconds=ACTIVATION_LINK_LIFETIME.total_seconds() + 1)
    assert web.get(late_link.removeprefix(issued.settings.base_url)).status_code == 404


def test_authority_cannot_make_links_for_another_authoritys_holders(issued: Runtime) -> None:
    """A county's link request for a province certificate is answered as if it did not exist."""
    person = people(issued, PROVINCE, 1)[0]
    with issued.database.write() as session, pytest.raises(NotFound):
        create_activation_link(session, issued, person.number, created_by="test", actor_authority=COUNTY)


def test_reset_answers_the_same_and_mails_only_matching_accounts(issued: Runtime, web: FlaskClient) -> None:
    """The reset page never reveals a match; a matching account with an email gets a working link."""
    person, stranger = people(issued, PROVINCE, 2)
    holder_account(issued, person, email="holder@example.org")

    def ask(who: Person) -> str:
        form = {"id_number": who.id_number, "name": who.name, "certificate_number": who.number}
        page = web.post("/auth/reset", data=form).get_data(as_text=True)
        return re.sub(r'name="csrf_token" value="[^"]*"', "", page)

    assert ask(person) == ask(stranger)
    with issued.database.read() as session:
        messages = [(m.email_to, m.body) for m in session.scalars(select(OutboxMessage))]
    assert len(messages) == 1 and messages[0][0] == "holder@example.org"
    link = re.search(r"https://\S+/auth/link/\S+", messages[0][1])
    assert link is not None
    path = link.group(0).removeprefix(issued.settings.base_url)
    assert web.post(path, data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}).status_code == 302
    web.post("/auth/logout")
    assert (
        web.post("/auth/login", data={"account": person.id_number, "password": PASSWORD}).status_code == 401
    )
    sign_in(web, person.id_number, NEW_PASSWORD)


def test_demo_accounts_are_created_once(issued: Runtime) -> None:
    """A second run reports the existing accounts and creates nothing new: three staff accounts
    for each of the demo registry's ten authorities, and one holder."""
    first = create_demo_accounts(issued)
    with issued.database.read() as session:
        count = session.scalar(select(func.count()).select_from(User))
    second = create_demo_accounts(issued)
    with issued.database.read() as session:
        assert session.scalar(select(func.count()).select_from(User)) == count
    assert count == 10 * 3 + 1
    assert any("certsvc-demo-2024" in line for line in first)
    assert all("exists" in line for line in second)
