"""API tokens: bound to one authority and role, shown once, revocable."""

from __future__ import annotations

import datetime as dt

import pytest

from certsvc.accounts.models import ApiToken
from certsvc.accounts.services import authenticate_api_token, create_api_token, require_role, revoke_api_token
from certsvc.errors import AuthenticationRequired, BadRequest, Forbidden, NotFound
from certsvc.runtime import Runtime
from tests.conftest import FakeClock


def test_token_authenticates_as_its_authority_and_role(runtime: Runtime) -> None:
    """A token speaks for the authority and role it was made for; only its hash is stored."""
    with runtime.database.write() as session:
        token = create_api_token(session, runtime, authority_code="421221", role="operator", label="batch")
    principal = authenticate_api_token(runtime, token)
    assert (principal.authority_code, principal.role) == ("421221", "operator")
    with runtime.database.read() as session:
        stored = session.get(ApiToken, principal.token_id)
        assert stored is not None and token not in (stored.token_sha256, stored.prefix)
        assert stored.last_used_at is not None


def test_unknown_revoked_and_expired_tokens_are_refused(runtime: Runtime, clock: FakeClock) -> None:
    """Anything but a live token is 401."""
    with runtime.database.write() as session:
        revoked = create_api_token(session, runtime, authority_code="500000", role="operator", label="x")
        expiring = create_api_token(
            session,
            runtime,
            authority_code="500000",
            role="operator",
            label="y",
            expires_at=clock() + dt.timedelta(days=1),
        )
    revoke_api_token_id = authenticate_api_token(runtime, revoked).token_id
    with runtime.database.write() as session:
        revoke_api_token(session, runtime, revoke_api_token_id)
    for bad in (revoked, "cst_" + "A" * 43, "not-a-token", ""):
        with pytest.raises(AuthenticationRequired):
            authenticate_api_token(runtime, bad)
    authenticate_api_token(runtime, expiring)
    clock.advance(days=2)
    with pytest.raises(AuthenticationRequired):
        authenticate_api_token(runtime, expiring)


def test_auditor_token_may_not_write(runtime: Runtime) -> None:
    """Role checks refuse an auditor where an operator is required."""
    with runtime.database.write() as session:
        token = create_api_token(session, runtime, authority_code="500000", role="auditor", label="audit")
    principal = authenticate_api_token(runtime, token)
    with pytest.raises(Forbidden):
        require_role(principal, "operator")


def test_tokens_need_a_known_authority_and_role(runtime: Runtime) -> None:
    """Typos in the authority or role are refused instead of creating a useless token."""
    with runtime.database.write() as session:
        with pytest.raises(NotFound):
            create_api_token(session, runtime, authority_code="999999", role="operator", label="x")
        with pytest.raises(BadRequest):
            create_api_token(session, runtime, authority_code="500000", role="admin", label="x")
