"""The authorization matrix: every endpoint × every role × own/other resource.

The endpoint list comes from ``app.url_map``, so an endpoint added without a classification here
fails ``test_every_endpoint_is_classified``: nobody can add a page and forget to decide who may see it.

Expected answers: anonymous visitors of a protected page are sent to sign-in; a signed-in user of
the wrong kind or role gets 403; someone else's resource answers 404 exactly like a missing one
(so guessing numbers or ids reveals nothing); everyone allowed gets neither. POSTs carry a valid
CSRF token and a form that is deliberately incomplete, so allowed attempts change nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import url_for
from werkzeug.test import TestResponse

from tests.reliability.figures import record
from tests.security.conftest import World, csrf_token


@dataclass(frozen=True)
class Access:
    """Who may use an endpoint: ``public``, ``token`` (API bearer token), ``holder`` or ``staff``."""

    kind: str
    roles: tuple[str, ...] = ()  # staff roles allowed; empty means any staff role
    resource: str | None = None  # "certificate" or "request": the URL names someone's resource
    allowed: str = "allowed"  # how an allowed user's (deliberately incomplete) attempt is answered


PUBLIC = Access("public")
ANY_STAFF = Access("staff")
ENDPOINTS: dict[str, Access] = {
    # public verification, keys, ledger, status lists, service health, sign-in flows
    **{
        name: PUBLIC
        for name in (
            "static",
            "public.start",
            "public.scanned",
            "public.confirm",
            "public.by_number",
            "public.bulk",
            "public.upload",
            "wellknown.jwks",
            "api.openapi",
            "ledger_api.checkpoint",
            "ledger_api.checkpoint_at",
            "ledger_api.entry",
            "ledger_api.key",
            "ledger_api.consistency_proof",
            "ledger_api.inclusion_proof",
            "status_api.status_list",
            "verify_api.verify",
            "verify_api.verify_batch",
            "ops.healthz",
            "ops.readyz",
            "auth.login",
            "auth.second_factor",
            "auth.logout",
            "auth.activate",
            "auth.link",
            "auth.reset",
        )
    },
    "results_api.submit_results": Access("token", ("operator",)),
    # the holder portal: signed-in holders, their own certificates and requests only
    "holder.certificates": Access("holder"),
    "holder.certificate": Access("holder", resource="certificate"),
    "holder.download": Access("holder", resource="certificate"),
    "holder.request_reissue": Access("holder", resource="certificate"),
    "holder.notifications": Access("holder"),
    "holder.requests": Access("holder"),
    "holder.request_detail": Access("holder", resource="request"),
    "holder.security": Access("holder"),
    # the issuer console: staff of the authority that issued the resource, by role
    "issuer.dashboard": ANY_STAFF,
    "issuer.search": ANY_STAFF,
    "issuer.certificate": Access("staff", resource="certificate"),
    "issuer.activation_link": Access("staff", ("operator",), "certificate"),
    "issuer.reissue": Access("staff", ("operator",), "certificate"),
    "issuer.change_status": Access("staff", ("reviewer",), "certificate"),
    "issuer.import_upload": Access("staff", ("operator",)),
    # an operator confirming a staged import that does not exist (no token sent) gets 404
    "issuer.import_confirm": Access("staff", ("operator",), allowed="not-found"),
    "issuer.ledger": ANY_STAFF,
    "issuer.ledger_audit": ANY_STAFF,
    "issuer.request_queue": ANY_STAFF,
    "issuer.request_detail": Access("staff", resource="request"),
    "issuer.decide": Access("staff", ("reviewer",), "request"),
    "issuer.evidence": Access("staff", resource="request"),
    "issuer.security": ANY_STAFF,
}
PRINCIPALS = (
    "anonymous",
    "holder-a",
    "holder-b",
    "operator-own",
    "reviewer-own",
    "auditor-own",
    "operator-other",
    "reviewer-other",
    "auditor-other",
)
# Resources named in URLs: holder A's (issued by the county, "own" for county staff) and holder C's
# (issued by the province); holder B owns neither, so every resource is "other" for B.
RESOURCES = ("holder-a", "holder-c")
CSRF_PAGES = {"anonymous": "/auth/login", "holder": "/me/security", "staff": "/issuer/security"}
EXTRA_PARAMS = {"holder.download": {"fmt": "pdf"}}


def _kind(principal: str) -> str:
    return (
        "anonymous" if principal == "anonymous" else ("holder" if principal.startswith("holder") else "staff")
    )


def expected(world: World, principal: str, access: Access, owner: str | None) -> str:
    """allowed | sign-in | forbidden | not-found."""
    kind = _kind(principal)
    if kind == "anonymous":
        return "sign-in"
    if kind != access.kind:
        return "forbidden"
    if kind == "staff":
        _, authority, role = world.staff[principal]
        if access.roles and role not in access.roles:
            return "forbidden"
        if owner is not None and world.holders[owner].authority != authority:
            return "not-found"
        return access.allowed
    return access.allowed if owner is None or owner == principal else "not-found"


def observed(response: TestResponse) -> str:
    """How the app answered: sign-in, forbidden, not-found, csrf, redirect (a POST refused by its own
    validation and sent back to the page), allowed."""
    status = response.status_code
    assert status < 500, response.get_data(as_text=True)[:500]
    if status == 302 and response.headers["Location"].startswith("/auth/login"):
        return "sign-in"
    if status in (403, 404):
        return {403: "forbidden", 404: "not-found"}[status]
    if status == 400 and "CSRF" in response.get_data(as_text=True):
        return "csrf"
    assert status != 401, response.get_data(as_text=True)[:300]
    return "redirect" if status == 302 else "allowed"


def matches(method: str, want: str, got: str) -> bool:
    """POSTs carry an incomplete form: an allowed user is sent back to the page with the error, and a
    user acting on another authority's resource may be too (the form is refused before any lookup).
    Either way nothing happens; test_cross_authority_writes_change_nothing sends complete forms."""
    if method == "POST" and got == "redirect":
        return want in ("allowed", "not-found")
    return got == want


class Matrix:
    def __init__(self, world: World) -> None:
        self.world = world
        self.tokens: dict[str, str] = {}
        self.cells = 0

    def csrf(self, principal: str) -> str:
        if principal not in self.tokens:
            client = self.world.client(principal)
            self.tokens[principal] = csrf_token(client, CSRF_PAGES[_kind(principal)])
        return self.tokens[principal]

    def url(self, endpoint: str, owner: str | None) -> str:
        access = ENDPOINTS[endpoint]
        params: dict[str, Any] = dict(EXTRA_PARAMS.get(endpoint, {}))
        if owner is not None:
            person = self.world.holders[owner]
            params["number" if access.resource == "certificate" else "request_id"] = (
                person.number if access.resource == "certificate" else person.request_id
            )
        with self.world.app.test_request_context():
            return url_for(endpoint, **params)

    def attempt(self, principal: str, endpoint: str, method: str, owner: str | None) -> TestResponse:
        client = self.world.client(principal)
        url = self.url(endpoint, owner)
        self.cells += 1
        if method == "GET":
            return client.get(url)
        return client.post(url, data={"csrf_token": self.csrf(principal)})


@pytest.fixture(scope="module")
def matrix(world: World) -> Iterator[Matrix]:
    cells = Matrix(world)
    yield cells
    record(
        "authz",
        database=world.runtime.database.engine.dialect.name,
        cells=cells.cells,
        principals=len(PRINCIPALS),
    )


def protected_cases() -> Iterator[tuple[str, str]]:
    from certsvc import create_app  # noqa: F401 - the url map is read from a live app in the test

    for endpoint, access in sorted(ENDPOINTS.items()):
        if access.kind in ("holder", "staff"):
            yield endpoint, access.kind


def _methods(world: World, endpoint: str) -> list[str]:
    rules = [rule for rule in world.app.url_map.iter_rules() if rule.endpoint == endpoint]
    return sorted({m for rule in rules for m in (rule.methods or ()) if m in ("GET", "POST")})


def test_every_endpoint_is_classified(world: World) -> None:
    """Every endpoint the app serves has an access decision in ENDPOINTS, and nothing stale is listed."""
    served = {rule.endpoint for rule in world.app.url_map.iter_rules()}
    assert served - set(ENDPOINTS) == set(), "endpoints nobody classified (decide who may use them)"
    assert set(ENDPOINTS) - served == set(), "classified endpoints the app no longer serves"


@pytest.mark.parametrize(
    "endpoint", [name for name, access in sorted(ENDPOINTS.items()) if access.kind in ("holder", "staff")]
)
def test_protected_endpoint_obeys_the_matrix(world: World, matrix: Matrix, endpoint: str) -> None:
    """Each role gets exactly its due on this endpoint, for its own and for another's resource."""
    access = ENDPOINTS[endpoint]
    owners: tuple[str | None, ...] = RESOURCES if access.resource else (None,)
    mismatches = []
    for method in _methods(world, endpoint):
        for principal in PRINCIPALS:
            for owner in owners:
                want = expected(world, principal, access, owner)
                got = observed(matrix.attempt(principal, endpoint, method, owner))
                if not matches(method, want, got):
                    mismatches.append(
                        f"{method} as {principal} on {owner or '-'}: expected {want}, got {got}"
                    )
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("endpoint", [name for name, access in sorted(ENDPOINTS.items()) if access.resource])
def test_guessed_resources_answer_like_missing_ones(world: World, matrix: Matrix, endpoint: str) -> None:
    """Numbers and ids that do not exist (or are absurd) answer 404 to the allowed role, never 500."""
    access = ENDPOINTS[endpoint]
    principal = "holder-a" if access.kind == "holder" else f"{(access.roles or ('auditor',))[0]}-own"
    client = world.client(principal)
    guesses = (
        ["50000020241000001Z", "NOT-A-NUMBER", "0" * 300]
        if access.resource == "certificate"
        else [0, 999_999, 2**31 - 1, 2**31, 2**63, 10**30]
    )
    for method in _methods(world, endpoint):
        for guess in guesses:
            params: dict[str, Any] = {
                "number" if access.resource == "certificate" else "request_id": guess,
                **EXTRA_PARAMS.get(endpoint, {}),
            }
            with world.app.test_request_context():
                url = url_for(endpoint, **params)
            response = (
                client.get(url)
                if method == "GET"
                else client.post(url, data={"csrf_token": matrix.csrf(principal)})
            )
            matrix.cells += 1
            assert response.status_code < 500, f"{method} {url}: {response.status_code}"
            assert matches(method, "not-found", observed(response)), f"{method} {url}: {response.status_code}"


def test_api_token_endpoint_ignores_session_cookies(world: World) -> None:
    """A signed-in operator's browser session does not authorise the machine API; only a bearer token does."""
    client = world.client("operator-own")
    response = client.post("/api/v1/results", data=b"{}", content_type="application/json")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_public_pages_are_open_to_anonymous_visitors(world: World) -> None:
    """The public endpoints without parameters answer anonymous visitors without asking them to sign in."""
    client = world.client("anonymous")
    for endpoint, access in ENDPOINTS.items():
        # the second-factor page belongs to a sign-in in progress; without one it sends you back to sign in
        if (
            access.kind != "public"
            or "GET" not in _methods(world, endpoint)
            or endpoint == "auth.second_factor"
        ):
            continue
        rules = [rule for rule in world.app.url_map.iter_rules() if rule.endpoint == endpoint]
        if any(rule.arguments for rule in rules):
            continue
        with world.app.test_request_context():
            url = url_for(endpoint)
        response = client.get(url)
        # 400: a proof endpoint called without its query parameters; 503: readyz without a database
        assert response.status_code not in (401, 403) and response.status_code < 500, (
            f"{url}: {response.status_code}"
        )
        assert not response.headers.get("Location", "").startswith("/auth/login"), url


def _state(world: World, owner: str) -> tuple[object, ...]:
    """What a write on ``owner``'s certificate or request would change."""
    from sqlalchemy import select

    from certsvc.accounts.models import ReissueRequest
    from certsvc.db.models import Certificate, CertificateVersion

    person = world.holders[owner]
    with world.runtime.database.read() as session:
        certificate = session.scalar(select(Certificate).where(Certificate.number == person.number))
        assert certificate is not None
        statuses = tuple(
            session.scalars(
                select(CertificateVersion.status)
                .where(CertificateVersion.certificate_id == certificate.id)
                .order_by(CertificateVersion.version)
            )
        )
        request = session.get(ReissueRequest, person.request_id)
        assert request is not None
        return certificate.current_version, statuses, request.status


COMPLETE_FORMS = {
    "issuer.reissue": {"reason": "damaged"},
    "issuer.change_status": {
        "action": "revoke",
        "reason": "fraud",
        "doc_no": "测撤〔2026〕1号",
        "effective": "2026-11-20",
    },
    "issuer.decide": {"decision": "approve"},
    "issuer.activation_link": {},
}


@pytest.mark.parametrize("endpoint", sorted(COMPLETE_FORMS))
def test_cross_authority_writes_change_nothing(world: World, matrix: Matrix, endpoint: str) -> None:
    """Province staff of every role sending a complete, valid form against a county certificate or
    request (and county staff against a province one) are refused, and nothing changes."""
    for principal, owner in [
        (f"{role}-other", "holder-a") for role in ("operator", "reviewer", "auditor")
    ] + [(f"{role}-own", "holder-c") for role in ("operator", "reviewer", "auditor")]:
        before = _state(world, owner)
        url = matrix.url(endpoint, owner)
        response = world.client(principal).post(
            url, data={"csrf_token": matrix.csrf(principal), **COMPLETE_FORMS[endpoint]}
        )
        matrix.cells += 1
        assert observed(response) in ("forbidden", "not-found"), (
            f"{principal} -> {url}: {response.status_code}"
        )
        assert _state(world, owner) == before, f"{principal} changed {owner}'s certificate via {url}"


def test_complete_forms_do_act_for_the_right_staff(world: World, matrix: Matrix) -> None:
    """Control for the test above: the same complete forms, sent by the county's own staff on holder B's
    certificate, do change it (so a refusal above is the authorization, not a broken form)."""
    steps: tuple[tuple[str, str, Callable[[Any, Any], bool]], ...] = (
        ("operator-own", "issuer.reissue", lambda old, new: new[0] == old[0] + 1),
        ("reviewer-own", "issuer.change_status", lambda old, new: new[1][-1] == "revoked"),
    )
    for principal, endpoint, changes in steps:
        before = _state(world, "holder-b")
        url = matrix.url(endpoint, "holder-b")
        response = world.client(principal).post(
            url, data={"csrf_token": matrix.csrf(principal), **COMPLETE_FORMS[endpoint]}
        )
        assert response.status_code == 302
        assert changes(before, _state(world, "holder-b")), (endpoint, before, _state(world, "holder-b"))
