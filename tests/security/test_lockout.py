"""Issue 16, finding 5: nobody can lock a staff member out by guessing their password elsewhere."""

from __future__ import annotations

from flask import Flask

from certsvc.accounts.services import LOCKOUT, MAX_FAILURES
from certsvc.runtime import Runtime
from tests.accounts.fixtures import PASSWORD, PROVINCE, issued, portal_app, staff_account  # noqa: F401
from tests.conftest import FakeClock

ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"


def _attempt(app: Flask, address: str, account: str, password: str) -> int:
    client = app.test_client()
    response = client.post(
        "/auth/login",
        data={"account": account, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code


def test_guessing_from_one_address_does_not_lock_the_owner_out(
    issued: Runtime,  # noqa: F811
    portal_app: Flask,  # noqa: F811
    clock: FakeClock,
) -> None:
    """Wrong passwords from an attacker's address lock the account for that address only: the
    owner still signs in from their own machine, while the attacker stays refused even with the
    right password until the lock ends (so guessing stays slow)."""
    username = staff_account(issued, PROVINCE, "operator")
    for _ in range(MAX_FAILURES):
        assert _attempt(portal_app, ATTACKER, username, "wrong password here") == 401

    assert _attempt(portal_app, OWNER, username, PASSWORD) == 302
    assert _attempt(portal_app, ATTACKER, username, PASSWORD) == 401
    clock.advance(seconds=LOCKOUT.total_seconds() / 2)
    assert _attempt(portal_app, ATTACKER, username, "another guess") == 401
    assert _attempt(portal_app, ATTACKER, username, PASSWORD) == 401


def test_unknown_accounts_are_throttled_like_known_ones(
    issued: Runtime,  # noqa: F811
    portal_app: Flask,  # noqa: F811
) -> None:
    """The throttle answers the same for an account that does not exist, so locking cannot be
    used to find out which usernames are real."""
    username = staff_account(issued, PROVINCE, "reviewer")
    for account in (username, "nobody-here"):
        for _ in range(MAX_FAILURES):
            assert _attempt(portal_app, ATTACKER, account, "wrong password here") == 401
    assert _attempt(portal_app, ATTACKER, username, PASSWORD) == 401
    assert _attempt(portal_app, OWNER, username, PASSWORD) == 302
