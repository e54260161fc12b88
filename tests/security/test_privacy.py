"""Issue 16, finding 6 (privacy and sessions) and the portal's language links (finding 3)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from certsvc.accounts import totp
from certsvc.runtime import Runtime
from tests.accounts.fixtures import (  # noqa: F401 - fixtures
    PASSWORD,
    PROVINCE,
    issued,
    portal_app,
    sign_in,
    staff_account,
    web,
)
from tests.conftest import FakeClock


def _session_data(app: Flask, client: FlaskClient) -> dict[str, object]:
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    data: dict[str, object] = serializer.loads(cookie.value)
    return data


def _offered_secret(client: FlaskClient) -> str:
    page = client.get("/issuer/security").get_data(as_text=True)
    match = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page)
    assert match, "no TOTP set-up offered"
    return match.group(1)


@pytest.mark.parametrize("path", ["/issuer/", "/issuer/security", "/issuer/requests"])
def test_portal_pages_are_never_cached_and_refuse_browser_features(
    issued: Runtime,  # noqa: F811
    web: FlaskClient,  # noqa: F811
    path: str,
) -> None:
    """Portal pages carry ``Cache-Control: no-store`` (they show names, ID numbers and account
    details) and a Permissions-Policy that turns off camera, microphone and location."""
    sign_in(web, staff_account(issued, PROVINCE, "operator"))
    response = web.get(path)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    policy = response.headers["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy


def test_the_totp_set_up_secret_stays_on_the_server(
    issued: Runtime,  # noqa: F811
    portal_app: Flask,  # noqa: F811
    web: FlaskClient,  # noqa: F811
    clock: FakeClock,
) -> None:
    """The enrolment secret shown on the security page is not in the (readable) session cookie,
    stays the same across page loads, and enabling TOTP with a code from it works."""
    sign_in(web, staff_account(issued, PROVINCE, "operator"))
    secret = _offered_secret(web)
    assert _offered_secret(web) == secret
    cookie_text = repr(_session_data(portal_app, web))
    assert secret not in cookie_text and "totp" not in cookie_text

    response = web.post(
        "/issuer/security", data={"action": "totp-enable", "code": totp.code_at(secret, clock())}
    )
    assert response.status_code == 302
    assert web.get("/issuer/security").status_code == 200  # this session carries on


@pytest.mark.parametrize("change", ["totp", "password"])
def test_securing_the_account_ends_its_other_sessions(
    issued: Runtime,  # noqa: F811
    portal_app: Flask,  # noqa: F811
    clock: FakeClock,
    change: str,
) -> None:
    """Enabling TOTP or changing the password signs out every other session of the account (a
    thief's copy), while the session that made the change stays signed in."""
    username = staff_account(issued, PROVINCE, "operator")
    mine, theirs = portal_app.test_client(), portal_app.test_client()
    sign_in(mine, username)
    sign_in(theirs, username)
    assert theirs.get("/issuer/").status_code == 200

    if change == "totp":
        secret = _offered_secret(mine)
        form = {"action": "totp-enable", "code": totp.code_at(secret, clock())}
    else:
        new = PASSWORD + " again"
        form = {"action": "password", "current": PASSWORD, "password": new, "confirmation": new}
    assert mine.post("/issuer/security", data=form).status_code == 302

    assert mine.get("/issuer/").status_code == 200
    assert theirs.get("/issuer/").status_code == 302


@pytest.mark.parametrize(
    "query",
    ["_external=1", "_method=PATCH", "_scheme=javascript", "_anchor=x", "status=all&_external=true"],
)
def test_language_links_ignore_url_builder_instructions(
    issued: Runtime,  # noqa: F811
    web: FlaskClient,  # noqa: F811
    query: str,
) -> None:
    """Query parameters that ``url_for`` treats as instructions never reach it: no 500, a forged
    Host header never appears in the page's links, and portal pages are never cached."""
    login = web.get(f"/auth/login?{query}", headers={"Host": "evil.example"})
    assert login.status_code == 200
    assert "evil.example" not in login.get_data(as_text=True)
    assert "no-store" in login.headers["Cache-Control"]
    sign_in(web, staff_account(issued, PROVINCE, "reviewer"))
    response = web.get(f"/issuer/requests?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "javascript:" not in page and "_external" not in page and "_method" not in page
