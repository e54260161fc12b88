"""Sign-in: passwords, lockout, TOTP, no account enumeration, fresh sessions, CSRF."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from certsvc.accounts import totp
from certsvc.accounts.models import User
from certsvc.accounts.services import LOCKOUT, MAX_FAILURES
from certsvc.runtime import Runtime
from tests.accounts.fixtures import (
    PASSWORD,
    PROVINCE,
    csrf_token,
    holder_account,
    people,
    sign_in,
    staff_account,
)
from tests.conftest import FakeClock


def _login(client: FlaskClient, account: str, password: str) -> tuple[int, str]:
    """Status and page of a sign-in attempt, minus the CSRF token (it carries a timestamp)."""
    response = client.post("/auth/login", data={"account": account, "password": password})
    return response.status_code, re.sub(
        r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True)
    )


def test_holder_signs_in_with_id_number_and_staff_with_username(issued: Runtime, web: FlaskClient) -> None:
    """Holders type their ID number (a lower-case x is fine), staff their username; each lands at home."""
    person = people(issued, PROVINCE, 1)[0]
    holder_account(issued, person)
    username = staff_account(issued, PROVINCE, "reviewer")
    response = web.post("/auth/login", data={"account": person.id_number.lower(), "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/")
    assert person.number in web.get("/me/").get_data(as_text=True)
    web.post("/auth/logout")
    response = web.post("/auth/login", data={"account": username.upper(), "password": PASSWORD})
    assert response.headers["Location"].endswith("/issuer/")


def test_unknown_account_and_wrong_password_get_identical_answers(issued: Runtime, web: FlaskClient) -> None:
    """Nobody can tell from the answer whether an account exists."""
    person, stranger = people(issued, PROVINCE, 2)
    holder_account(issued, person)
    known = _login(web, person.id_number, "wrong password here")
    unknown_holder = _login(web, stranger.id_number, "wrong password here")
    unknown_staff = _login(web, "nobody-here", "wrong password here")
    assert known[0] == 401
    assert known == unknown_holder == unknown_staff


def test_account_locks_after_repeated_failures_and_unlocks_later(
    issued: Runtime, web: FlaskClient, clock: FakeClock
) -> None:
    """After MAX_FAILURES wrong passwords even the right one is refused (same answer) until the lock ends."""
    username = staff_account(issued, PROVINCE, "operator")
    for _ in range(MAX_FAILURES):
        assert _login(web, username, "wrong password here")[0] == 401
    locked = _login(web, username, PASSWORD)
    assert locked == _login(web, "nobody-here", PASSWORD)
    clock.advance(seconds=LOCKOUT.total_seconds() + 1)
    assert _login(web, username, PASSWORD)[0] == 302


def test_totp_is_required_once_enabled_and_codes_cannot_be_replayed(
    issued: Runtime, portal_app: Flask, clock: FakeClock
) -> None:
    """With TOTP on, the password alone opens no session; a right code does, once."""
    username = staff_account(issued, PROVINCE, "reviewer")
    secret = totp.new_secret()
    with issued.database.write() as session:
        user = session.query(User).filter_by(login=username).one()
        from certsvc.accounts.services import enable_totp

        enable_totp(issued, user, secret, totp.code_at(secret, clock()))
    clock.advance(seconds=60)
    client = portal_app.test_client()
    response = client.post("/auth/login", data={"account": username, "password": PASSWORD})
    assert response.headers["Location"].endswith("/auth/totp")
    assert client.get("/issuer/").status_code == 302  # still signed out
    assert client.post("/auth/totp", data={"code": "000000"}).status_code == 401
    code = totp.code_at(secret, clock())
    assert client.post("/auth/totp", data={"code": code}).headers["Location"].endswith("/issuer/")
    assert client.get("/issuer/").status_code == 200
    replay = portal_app.test_client()
    replay.post("/auth/login", data={"account": username, "password": PASSWORD})
    assert replay.post("/auth/totp", data={"code": code}).status_code == 401


def test_sign_in_starts_a_new_session(issued: Runtime, web: FlaskClient) -> None:
    """Whatever a visitor's session held before sign-in (e.g. planted by an attacker) is gone after."""
    username = staff_account(issued, PROVINCE, "auditor")
    with web.session_transaction() as before:
        before["planted"] = "attacker"
        before["sid"] = "fixed-by-attacker"
    sign_in(web, username)
    with web.session_transaction() as after:
        assert "planted" not in after
        assert after["sid"] != "fixed-by-attacker"
        assert isinstance(after["uid"], int)


def test_password_change_ends_other_sessions(issued: Runtime, portal_app: Flask) -> None:
    """Changing the password signs out every other browser but keeps the one that changed it."""
    username = staff_account(issued, PROVINCE, "operator")
    first, second = portal_app.test_client(), portal_app.test_client()
    sign_in(first, username)
    sign_in(second, username)
    response = first.post(
        "/issuer/security",
        data={
            "action": "password",
            "current": PASSWORD,
            "password": "a new long password",
            "confirmation": "a new long password",
        },
    )
    assert response.status_code == 302
    assert first.get("/issuer/").status_code == 200
    assert second.get("/issuer/").status_code == 302


def test_a_form_without_its_csrf_token_is_refused(issued: Runtime) -> None:
    """With CSRF protection on (the default), a POST lacking the form's token is rejected."""
    from certsvc import create_app

    app = create_app(runtime=issued)
    app.config.update(TESTING=True)
    username = staff_account(issued, PROVINCE, "reviewer")
    client = app.test_client()
    refused = client.post("/auth/login", data={"account": username, "password": PASSWORD})
    assert refused.status_code == 400
    token = csrf_token(client, "/auth/login")
    accepted = client.post(
        "/auth/login", data={"account": username, "password": PASSWORD, "csrf_token": token}
    )
    assert accepted.status_code == 302
    # Signed in, a state-changing form without the token is still refused.
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/issuer/").status_code == 200


def test_sign_in_attempts_are_rate_limited_per_client_with_headers(issued: Runtime, web: FlaskClient) -> None:
    """Password guessing from one address meets the sign-in limit: every attempt says how many are
    left, and the one past the limit is a 429 with Retry-After."""
    web.environ_base["REMOTE_ADDR"] = "198.51.100.77"
    limit = 20  # certsvc.accounts.views.AUTH_LIMIT's per-minute budget
    attempts = [
        web.post("/auth/login", data={"account": "nobody", "password": "guess"}) for _ in range(limit + 1)
    ]
    assert [attempt.status_code == 429 for attempt in attempts] == [False] * limit + [True]
    assert [attempt.headers["X-RateLimit-Remaining"] for attempt in attempts[:3]] == ["19", "18", "17"]
    assert attempts[0].headers["X-RateLimit-Limit"] == "20"
    assert 0 < int(attempts[-1].headers["Retry-After"]) <= 61
