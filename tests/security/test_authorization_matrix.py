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
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.reliability.figures import record
from tests.security.conftest import COUNTY, PROVINCE, STAFF_ROLES, World, csrf_token


@dataclass(frozen=True)
class Access:
    """Who may use an endpoint: ``public``, ``token`` (an issuer's API bearer token), ``holder``,
    ``staff``, ``employer`` (an employer's signed-in user) or ``employer-key`` (an employer's API key)."""

    kind: str
    roles: tuple[str, ...] = ()  # staff roles allowed; empty means any staff role
    # "certificate", "request", "share" or "key": the URL names someone's resource
    resource: str | None = None
    allowed: str = "allowed"  # how an allowed user's (deliberately incomplete) attempt is answered
    province_only: bool = False  # staff of a provincial HR department only (signing keys)


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
            "wellknown.issuing_ca",
            "wellknown.credential_context",
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
            "public.help_page",
            "site.favicon",
            "shared.opened",  # the share token is the credential; tests/holders/test_shares.py
            # verification reports: anyone may save one and anyone with its number may see it
            # (masked data only; numbers carry 50 random bits); tests/verification/test_reports.py
            "reports.create",
            "reports.report",
            "reports.report_pdf",
        )
    },
    # employers: their signed-in users manage their own keys and run bulk checks; their API keys
    # run the bulk API (tests/verification/test_bulk.py has keys and quotas in detail)
    "employer.home": Access("employer"),
    "employer.bulk": Access("employer"),
    "employer.create_key": Access("employer"),
    "employer.security": Access("employer"),
    "employer.revoke_key": Access("employer", resource="key"),
    "employer_api.bulk_check": Access("employer-key"),
    "results_api.submit_results": Access("token", ("operator",)),
    # the issuer JSON API: tokens of the authority that issued the resource, by role
    "certificates_api.certificate": Access("token", resource="certificate"),
    "certificates_api.reissue": Access("token", ("operator",), "certificate"),
    "certificates_api.revoke": Access("token", ("reviewer",), "certificate"),
    "certificates_api.suspend": Access("token", ("reviewer",), "certificate"),
    "certificates_api.reinstate": Access("token", ("reviewer",), "certificate"),
    "certificates_api.reissue_requests": Access("token"),
    "certificates_api.reissue_request": Access("token", resource="request"),
    "certificates_api.approve": Access("token", ("reviewer",), "request"),
    "certificates_api.reject": Access("token", ("reviewer",), "request"),
    # the holder portal: signed-in holders, their own certificates and requests only
    "holder.certificates": Access("holder"),
    "holder.certificate": Access("holder", resource="certificate"),
    "holder.download": Access("holder", resource="certificate"),
    "holder.request_reissue": Access("holder", resource="certificate"),
    "holder.notifications": Access("holder"),
    "holder.requests": Access("holder"),
    "holder.request_detail": Access("holder", resource="request"),
    "holder.security": Access("holder"),
    "holder.shares": Access("holder", resource="certificate"),
    "holder.share": Access("holder", resource="share"),
    "holder.end_share": Access("holder", resource="share"),
    # the issuer console: staff of the authority that issued the resource, by role
    "issuer.dashboard": ANY_STAFF,
    "issuer.search": ANY_STAFF,
    "issuer.certificates_export": ANY_STAFF,
    "issuer.batches": ANY_STAFF,
    "issuer.batches_export": ANY_STAFF,
    "issuer.certificate": Access("staff", resource="certificate"),
    "issuer.activation_link": Access("staff", ("operator",), "certificate"),
    "issuer.activation_code": Access("staff", ("operator",), "certificate"),
    "issuer.activation_email": Access("staff", ("operator",), "certificate"),
    "issuer.reissue": Access("staff", ("operator",), "certificate"),
    "issuer.import_upload": Access("staff", ("operator",)),
    "issuer.template": ANY_STAFF,
    # an operator confirming a staged import that does not exist (no token sent) gets 404
    "issuer.import_confirm": Access("staff", ("operator",), allowed="not-found"),
    # likewise the refusal report of a staged upload
    "issuer.import_report": Access("staff", ("operator",), allowed="not-found"),
    "issuer.ledger": ANY_STAFF,
    "issuer.ledger_audit": ANY_STAFF,
    "issuer.request_queue": ANY_STAFF,
    "issuer.request_detail": Access("staff", resource="request"),
    "issuer.decide": Access("staff", ("reviewer",), "request"),
    "issuer.evidence": Access("staff", resource="request"),
    "issuer.security": ANY_STAFF,
    # the registry and the integrity record: each authority's own; ending a record is a reviewer's
    # decision (no record in this world, so an allowed reviewer is answered 404)
    "issuer_registry.overview": ANY_STAFF,
    "issuer_integrity.records": ANY_STAFF,
    "issuer_integrity.end": Access("staff", ("reviewer",), allowed="not-found"),
    # the two-person rule: operators and reviewers propose, another reviewer approves or rejects, the
    # proposer withdraws; signing keys belong to the staff of a provincial HR department
    "issuer_approvals.propose_status": Access("staff", ("operator", "reviewer"), "certificate"),
    "issuer_approvals.proposals": ANY_STAFF,
    "issuer_approvals.proposal": Access("staff", resource="proposal"),
    "issuer_approvals.approve": Access("staff", ("reviewer",), "proposal"),
    "issuer_approvals.reject": Access("staff", ("reviewer",), "proposal"),
    "issuer_approvals.withdraw": Access("staff", ("operator", "reviewer"), "proposal"),
    "issuer_approvals.keys": ANY_STAFF,
    "issuer_approvals.propose_key": Access("staff", ("operator", "reviewer"), province_only=True),
    # the action log: auditors only
    "issuer_audit.action_log": Access("staff", ("auditor",)),
    "issuer_audit.action_log_export": Access("staff", ("auditor",)),
}
PRINCIPALS = (
    "anonymous",
    "holder-a",
    "holder-b",
    "employer-a",
    "employer-b",
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
# Employers' keys named in URLs: employer A's and employer B's.
KEY_OWNERS = ("employer-a", "employer-b")
CSRF_PAGES = {
    "anonymous": "/auth/login",
    "holder": "/me/security",
    "staff": "/issuer/security",
    "employer": "/employer/",
}
EXTRA_PARAMS = {
    "holder.download": {"fmt": "pdf"},
    "issuer_integrity.end": {"record_id": 999999},
    "issuer.template": {"route": "recognition"},
}
# The URL parameter and the Person (or EmployerPerson) attribute naming each kind of resource.
RESOURCE_PARAMS = {
    "certificate": "number",
    "request": "request_id",
    "share": "share_id",
    "proposal": "proposal_id",
    "key": "key_id",
}
SIGNED_IN_KINDS = ("holder", "staff", "employer")


def _kind(principal: str) -> str:
    if principal == "anonymous":
        return "anonymous"
    return next((kind for kind in ("holder", "employer") if principal.startswith(kind)), "staff")


def _owners(access: Access) -> tuple[str | None, ...]:
    if access.resource == "key":
        return KEY_OWNERS
    return RESOURCES if access.resource else (None,)


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
        if access.province_only and authority != PROVINCE:
            return "forbidden"
        if owner is not None and world.holders[owner].authority != authority:
            return "not-found"
        return access.allowed
    # holders and employers: their own resources only
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
    if status == 400 and 'data-error="csrf"' in response.get_data(as_text=True):
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
        self.bearers: dict[str, str] = {}
        self.token_clients: dict[str, FlaskClient] = {}
        self.cells = 0

    def bearer(self, principal: str) -> dict[str, str]:
        """An Authorization header with an API token of the staff principal's authority and role."""
        from certsvc.accounts.services import create_api_token

        if principal not in self.bearers:
            _, authority, role = self.world.staff[principal]
            with self.world.runtime.database.write() as session:
                self.bearers[principal] = create_api_token(
                    session, self.world.runtime, authority_code=authority, role=role, label="matrix"
                )
            self.token_clients[principal] = self.world.fresh_client()
        return {"Authorization": f"Bearer {self.bearers[principal]}"}

    def token_attempt(
        self, principal: str, endpoint: str, method: str, owner: str | None, body: dict[str, Any]
    ) -> TestResponse:
        """A request with ``principal``'s API token (staff) or, for anyone else, their session only."""
        url = self.url(endpoint, owner)
        self.cells += 1
        if principal in self.world.staff:
            headers = self.bearer(principal)
            client = self.token_clients[principal]
        else:
            headers, client = {}, self.world.client(principal)
        return client.open(url, method=method, headers=headers, json=body if method == "POST" else None)

    def csrf(self, principal: str) -> str:
        if principal not in self.tokens:
            client = self.world.client(principal)
            self.tokens[principal] = csrf_token(client, CSRF_PAGES[_kind(principal)])
        return self.tokens[principal]

    def url(self, endpoint: str, owner: str | None) -> str:
        access = ENDPOINTS[endpoint]
        params: dict[str, Any] = dict(EXTRA_PARAMS.get(endpoint, {}))
        if owner is not None and access.resource is not None:
            attribute = RESOURCE_PARAMS[access.resource]
            person = self.world.employers[owner] if access.resource == "key" else self.world.holders[owner]
            params[attribute] = getattr(person, attribute)
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
        if access.kind in SIGNED_IN_KINDS:
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
    "endpoint", [name for name, access in sorted(ENDPOINTS.items()) if access.kind in SIGNED_IN_KINDS]
)
def test_protected_endpoint_obeys_the_matrix(world: World, matrix: Matrix, endpoint: str) -> None:
    """Each role gets exactly its due on this endpoint, for its own and for another's resource."""
    access = ENDPOINTS[endpoint]
    owners = _owners(access)
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


@pytest.mark.parametrize(
    "endpoint",
    [name for name, access in sorted(ENDPOINTS.items()) if access.resource and access.kind != "token"],
)
def test_guessed_resources_answer_like_missing_ones(world: World, matrix: Matrix, endpoint: str) -> None:
    """Numbers and ids that do not exist (or are absurd) answer 404 to the allowed role, never 500."""
    access = ENDPOINTS[endpoint]
    if access.kind in ("holder", "employer"):
        principal = f"{access.kind}-a"
    else:
        principal = f"{(access.roles or ('auditor',))[0]}-own"
    client = world.client(principal)
    guesses = (
        ["50000020241000001Z", "NOT-A-NUMBER", "0" * 300]
        if access.resource == "certificate"
        else [0, 999_999, 2**31 - 1, 2**31, 2**63, 10**30]
    )
    for method in _methods(world, endpoint):
        for guess in guesses:
            params: dict[str, Any] = {
                RESOURCE_PARAMS[access.resource]: guess,
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

    from certsvc.certificates.models import Certificate, CertificateVersion, Proposal, ReissueRequest

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
        proposals = tuple(
            session.scalars(
                select(Proposal.status).where(Proposal.certificate_id == certificate.id).order_by(Proposal.id)
            )
        )
        return certificate.current_version, statuses, request.status, proposals


COMPLETE_FORMS = {
    "issuer.reissue": {"reason": "damaged"},
    "issuer_approvals.propose_status": {
        "action": "revoke",
        "reason": "fraud",
        "doc_no": "测撤〔2026〕1号",
        "effective": "2026-11-20",
        "step": "propose",
    },
    "issuer_approvals.approve": {"confirm": "1"},
    "issuer_approvals.reject": {"reason": "不同意"},
    "issuer_approvals.withdraw": {"confirm": "1"},
    "issuer.decide": {"decision": "approve"},
    "issuer.activation_link": {},
}


@pytest.mark.parametrize("endpoint", sorted(COMPLETE_FORMS))
def test_cross_authority_writes_change_nothing(world: World, matrix: Matrix, endpoint: str) -> None:
    """Province staff of every role sending a complete, valid form against a county certificate,
    request or proposal (and county staff against a province one) are refused, and nothing changes."""
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
    certificate, do change it (so a refusal above is the authorization, not a broken form): a reissue,
    and a revocation proposed (it waits for a second reviewer)."""
    steps: tuple[tuple[str, str, Callable[[Any, Any], bool]], ...] = (
        ("operator-own", "issuer.reissue", lambda old, new: new[0] == old[0] + 1),
        (
            "reviewer-own",
            "issuer_approvals.propose_status",
            lambda old, new: new[3] == (*old[3], "pending") and new[1] == old[1],
        ),
    )
    for principal, endpoint, changes in steps:
        before = _state(world, "holder-b")
        url = matrix.url(endpoint, "holder-b")
        response = world.client(principal).post(
            url, data={"csrf_token": matrix.csrf(principal), **COMPLETE_FORMS[endpoint]}
        )
        assert response.status_code == 302
        assert changes(before, _state(world, "holder-b")), (endpoint, before, _state(world, "holder-b"))


# --- the token API: the same matrix, with bearer tokens instead of sessions --------------------------
# An unknown member: the body is refused (400) before any lookup, so allowed attempts change nothing.
INCOMPLETE_BODY = {"matrix": "incomplete"}
COMPLETE_BODIES: dict[str, dict[str, Any]] = {
    "certificates_api.reissue": {"reason": "damaged"},
    "certificates_api.revoke": {"reason": "fraud", "document_number": "测撤〔2026〕2号"},
    "certificates_api.suspend": {"reason": "investigation", "document_number": "测停〔2026〕3号"},
    "certificates_api.reinstate": {"reason": "cleared", "document_number": "测复〔2026〕4号"},
    "certificates_api.approve": {},
    "certificates_api.reject": {"reason": "材料不全"},
}
TOKEN_ENDPOINTS = sorted(name for name, access in ENDPOINTS.items() if access.kind == "token")


# --- the employers' bulk API: an employer's key, and nothing else, is let in --------------------------
EMPLOYER_KEY_ENDPOINTS = sorted(name for name, access in ENDPOINTS.items() if access.kind == "employer-key")


@pytest.mark.parametrize("endpoint", EMPLOYER_KEY_ENDPOINTS)
def test_employer_key_endpoint_obeys_the_matrix(world: World, matrix: Matrix, endpoint: str) -> None:
    """Each employer's key is let in (its incomplete body then refused with 400); an issuer's token,
    any signed-in session without a key, and anonymous callers get 401."""
    mismatches = []
    for principal in PRINCIPALS:
        url = matrix.url(endpoint, None)
        if principal in world.employers:
            headers = {"Authorization": f"Bearer {world.employers[principal].api_key}"}
            client, want = world.fresh_client(), "bad-request"
        elif principal in world.staff:
            headers, client, want = matrix.bearer(principal), world.fresh_client(), "unauthenticated"
        else:
            headers, client, want = {}, world.client(principal), "unauthenticated"
        matrix.cells += 1
        got = token_observed(client.post(url, headers=headers, json=INCOMPLETE_BODY))
        if got != want:
            mismatches.append(f"POST as {principal}: expected {want}, got {got}")
    assert not mismatches, "\n".join(mismatches)


def token_expected(world: World, principal: str, access: Access, owner: str | None) -> str:
    """unauthenticated | forbidden | not-found | allowed, for ``principal``'s token (staff) or session."""
    if principal not in world.staff:
        return "unauthenticated"
    _, authority, role = world.staff[principal]
    if access.roles and role not in access.roles:
        return "forbidden"
    if owner is not None and world.holders[owner].authority != authority:
        return "not-found"
    return "allowed"


def token_observed(response: TestResponse) -> str:
    status = response.status_code
    assert status < 500, response.get_data(as_text=True)[:500]
    assert response.mimetype in ("application/json", "application/problem+json"), response.mimetype
    # 400, or 422 for a results file: the body was refused before anything was looked up or written
    return {
        401: "unauthenticated",
        403: "forbidden",
        404: "not-found",
        400: "bad-request",
        422: "bad-request",
    }.get(status, "allowed" if status < 300 else f"status {status}")


def token_matches(method: str, want: str, got: str) -> bool:
    """POSTs carry an incomplete body, refused before any lookup whoever owns the resource (so the
    refusal tells nothing either); test_cross_authority_token_writes_change_nothing sends complete ones."""
    if method == "POST" and got == "bad-request":
        return want in ("allowed", "not-found")
    return got == want


@pytest.mark.parametrize("endpoint", TOKEN_ENDPOINTS)
def test_token_endpoint_obeys_the_matrix(world: World, matrix: Matrix, endpoint: str) -> None:
    """Each role's token gets exactly its due on this endpoint, for its own authority's resource and for
    another's; sessions (anonymous, holders, signed-in staff) without a token get 401."""
    access = ENDPOINTS[endpoint]
    owners: tuple[str | None, ...] = RESOURCES if access.resource else (None,)
    mismatches = []
    for method in _methods(world, endpoint):
        for principal in PRINCIPALS:
            for owner in owners:
                want = token_expected(world, principal, access, owner)
                got = token_observed(
                    matrix.token_attempt(principal, endpoint, method, owner, INCOMPLETE_BODY)
                )
                if not token_matches(method, want, got):
                    mismatches.append(
                        f"{method} as {principal} on {owner or '-'}: expected {want}, got {got}"
                    )
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("endpoint", [name for name in TOKEN_ENDPOINTS if ENDPOINTS[name].resource])
def test_guessed_resources_answer_like_missing_ones_to_tokens(
    world: World, matrix: Matrix, endpoint: str
) -> None:
    """Numbers and ids that do not exist (or are absurd) answer 404 to the allowed role's token, even
    with a complete body, never 500."""
    access = ENDPOINTS[endpoint]
    principal = f"{(access.roles or ('auditor',))[0]}-own"
    guesses: list[Any] = (
        ["50000020241000001Z", "NOT-A-NUMBER", "0" * 300]
        if access.resource == "certificate"
        else [0, 999_999, 2**31 - 1, 2**31, 2**63, 10**30]
    )
    for method in _methods(world, endpoint):
        for guess in guesses:
            name = "number" if access.resource == "certificate" else "request_id"
            with world.app.test_request_context():
                url = url_for(endpoint, **{name: guess})
            headers = matrix.bearer(principal)
            response = matrix.token_clients[principal].open(
                url, method=method, headers=headers, json=COMPLETE_BODIES.get(endpoint)
            )
            matrix.cells += 1
            assert token_observed(response) == "not-found", f"{method} {url}: {response.status_code}"


@pytest.mark.parametrize("endpoint", sorted(COMPLETE_BODIES))
def test_cross_authority_token_writes_change_nothing(world: World, matrix: Matrix, endpoint: str) -> None:
    """Province tokens of every role sending a complete, valid body against a county certificate or
    request (and county tokens against a province one) are refused, and nothing changes."""
    for principal, owner in [(f"{role}-other", "holder-a") for role in STAFF_ROLES] + [
        (f"{role}-own", "holder-c") for role in STAFF_ROLES
    ]:
        before = _state(world, owner)
        response = matrix.token_attempt(principal, endpoint, "POST", owner, COMPLETE_BODIES[endpoint])
        assert token_observed(response) in ("forbidden", "not-found"), (
            principal,
            endpoint,
            response.status_code,
        )
        assert _state(world, owner) == before, f"{principal} changed {owner}'s certificate via {endpoint}"


def test_complete_token_bodies_do_act_for_the_right_staff(world: World, matrix: Matrix) -> None:
    """Control for the test above: the same complete bodies, sent with the county's own tokens on a
    county certificate nobody else uses here, do change it (a refusal above is the authorization)."""
    from sqlalchemy import select

    from certsvc.certificates.models import Certificate

    taken = {person.number for person in world.holders.values()}
    with world.runtime.database.read() as session:
        number = next(
            n
            for n in session.scalars(
                select(Certificate.number)
                .where(Certificate.authority_code == COUNTY, Certificate.status == "valid")
                .order_by(Certificate.id.desc())
            )
            if n not in taken
        )
    for principal, endpoint, status, version in (
        ("operator-own", "certificates_api.reissue", "valid", 2),
        ("reviewer-own", "certificates_api.suspend", "suspended", 2),
        ("reviewer-own", "certificates_api.reinstate", "valid", 2),
        ("reviewer-own", "certificates_api.revoke", "revoked", 2),
    ):
        with world.app.test_request_context():
            url = url_for(endpoint, number=number)
        headers = matrix.bearer(principal)
        response = matrix.token_clients[principal].post(url, headers=headers, json=COMPLETE_BODIES[endpoint])
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert (response.get_json()["status"], response.get_json()["current_version"]) == (status, version)
