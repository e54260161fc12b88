"""``/api/v1/certificates`` and ``/api/v1/reissue-requests``: the issuer console's certificate
actions for machines, with an issuing body's API token (``Authorization: Bearer``).

The same services as the console and ``certsvc reissue|revoke|suspend|reinstate`` do the work, so the
same rules hold everywhere; this layer only reads JSON and maps the token to an authority and role.
Roles: operator reissues at the counter; reviewer decides reissue requests and suspends, reinstates
or revokes; auditor only reads. A token acts on its own authority's certificates and requests only:
anyone else's answer 404 exactly like missing ones, so guessing numbers reveals nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from flask import Blueprint, Response
from sqlalchemy.orm import Session

from certsvc.accounts.models import STAFF_ROLES
from certsvc.accounts.services import ApiPrincipal
from certsvc.accounts.tokens import api_principal
from certsvc.audit.actors import Actor
from certsvc.audit.web import token_acting
from certsvc.certificates import reissue as reissue_service
from certsvc.certificates import revocation
from certsvc.certificates.lookup import find_certificate
from certsvc.certificates.models import REQUEST_STATUSES, Certificate, CertificateVersion
from certsvc.certificates.schemas import (
    STATUS_CHANGES,
    Approval,
    CertificateArguments,
    Evidence,
    IssuerCertificate,
    IssuerCertificateVersion,
    QueueQuery,
    Reissue,
    ReissueQueue,
    Rejection,
    RequestArguments,
)
from certsvc.certificates.schemas import ReissueRequest as ReissueRequestAnswer
from certsvc.certificates.versions import verification_url
from certsvc.domain.certno import validate_certificate_number
from certsvc.domain.names import mask_name
from certsvc.errors import BadRequest, ImplausibleName, InvalidField, NotFound
from certsvc.runtime import Runtime
from certsvc.web import runtime
from certsvc.web.extensions import configured_rate, csrf, limiter
from certsvc.web.jsonio import json_body, json_response, query
from certsvc.web.openapi import Reply, Route, field_problem, problems

bp = Blueprint("certificates_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

READ_ROLES = STAFF_ROLES
REISSUE_ROLES = ("operator",)
REVIEW_ROLES = ("reviewer",)
MAX_BODY_BYTES = 16 * 1024


api_rate = configured_rate("CERTSVC_ISSUER_API_RATE")


@bp.after_request
def _not_cached(response: Response) -> Response:
    # Answers describe one authority's certificates at one moment: no shared or stale copies.
    response.headers["Cache-Control"] = "no-store"
    return response


# --- who is asking -------------------------------------------------------------------------------
def _actor(principal: ApiPrincipal) -> Actor:
    """The token acting (the action log names it; the ledger its role and a pseudonymous id)."""
    return token_acting(principal)


def _canonical_number(number: str) -> str:
    """The number in canonical form; a malformed one names no certificate, so it is a 404 too."""
    try:
        return validate_certificate_number(number[:64])
    except BadRequest:
        raise NotFound("no such certificate here", detail_zh="本机构没有这张证书") from None


def _own_certificate(session: Session, number: str, authority_code: str) -> Certificate:
    # The lookup the console and the services use, so reads and writes answer alike.
    return find_certificate(session, number, authority_code=authority_code)


@contextmanager
def _about(field: str) -> Iterator[None]:
    """Tag a refusal by a service check with the body member it concerns."""
    try:
        yield
    except InvalidField:
        raise
    except (BadRequest, ImplausibleName) as error:
        raise InvalidField(field, error.message, detail_zh=error.detail_zh) from None


# --- answers ---------------------------------------------------------------------------------------
def _version_answer(rt: Runtime, row: CertificateVersion) -> IssuerCertificateVersion:
    return IssuerCertificateVersion(
        version=row.version,
        status=row.status,
        issued_at=row.issued_at,
        kid=row.kid,
        reissue_reason=row.reissue_reason,
        status_reason=row.status_reason,
        status_document_number=row.status_doc_no,
        status_effective=row.status_effective,
        status_changed_at=row.status_changed_at,
        ledger_index=row.ledger_index,
        verification_url=verification_url(rt, row.qr_payload),
    )


def _certificate_answer(rt: Runtime, certificate: Certificate) -> IssuerCertificate:
    return IssuerCertificate(
        certificate_number=certificate.number,
        authority_code=certificate.authority_code,
        holder=mask_name(certificate.holder_name),
        series=certificate.series,
        specialty=certificate.specialty,
        title=certificate.title,
        level=certificate.level,
        status=certificate.status,
        current_version=certificate.current_version,
        versions=[_version_answer(rt, row) for row in certificate.versions],
    )


def _certificate_response(rt: Runtime, number: str, authority_code: str) -> Response:
    with rt.database.read() as session:
        return json_response(_certificate_answer(rt, _own_certificate(session, number, authority_code)))


def _request_answer(item: reissue_service.QueueItem) -> ReissueRequestAnswer:
    row = item.request
    evidence = (
        Evidence(media_type=row.evidence_type, size=row.evidence_size)
        if row.evidence_type is not None
        else None
    )
    return ReissueRequestAnswer(
        id=row.id,
        certificate_number=row.certificate.number,
        version=row.version,
        reason=row.reason,
        corrected_field=row.corrected_field,
        corrected_value=row.corrected_value,
        holder_note=row.holder_note,
        evidence=evidence,
        status=row.status,
        created_at=row.created_at,
        age_working_days=item.age_working_days,
        age_approximate=item.approximate,
        flagged=item.flagged,
        decision_reason=row.decision_reason,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        new_version=row.new_version,
    )


def _request_response(rt: Runtime, request_id: int, authority_code: str) -> Response:
    with rt.database.read() as session:
        row = reissue_service.get_request(session, request_id, authority_code=authority_code)
        return json_response(_request_answer(reissue_service.queue_item(rt, row, rt.today())))


# --- certificates ----------------------------------------------------------------------------------
@bp.get("/certificates/<number>")
@limiter.limit(api_rate)
def certificate(number: str) -> Response:
    principal = api_principal(*READ_ROLES)
    return _certificate_response(runtime(), _canonical_number(number), principal.authority_code)


@bp.post("/certificates/<number>/reissue")
@limiter.limit(api_rate)
def reissue(number: str) -> Response:
    """Counter reissue: version n+1 becomes current and version n is superseded."""
    principal = api_principal(*REISSUE_ROLES)
    canonical = _canonical_number(number)
    body = json_body(Reissue, limit=MAX_BODY_BYTES)
    reason, field, value = body.reason, body.corrected_field, body.corrected_value
    with _about("corrected_field" if field is None else "corrected_value"):
        correction = reissue_service.check_correction(reason, field, value)
    if correction is None and (field is not None or value is not None):
        raise InvalidField(
            "corrected_field" if field is not None else "corrected_value",
            'corrected_field and corrected_value go with reason "correction" only',
            detail_zh="更正项目和更正内容仅用于信息更正",
        )
    rt = runtime()
    with rt.database.write() as session:
        reissue_service.reissue(
            session,
            rt,
            canonical,
            reason,
            actor_authority=principal.authority_code,
            correction=correction,
            actor=_actor(principal),
        )
    return _certificate_response(rt, canonical, principal.authority_code)


def _change_status(number: str, action: str) -> Response:
    principal = api_principal(*REVIEW_ROLES)
    canonical = _canonical_number(number)
    body = json_body(STATUS_CHANGES[action], limit=MAX_BODY_BYTES)
    rt = runtime()
    with rt.database.write() as session:
        revocation.change_status(
            session,
            rt,
            canonical,
            action,
            body.reason,
            body.document_number,
            body.effective,
            actor_authority=principal.authority_code,
            version=body.version,
            actor=_actor(principal),
        )
    return _certificate_response(rt, canonical, principal.authority_code)


@bp.post("/certificates/<number>/revoke")
@limiter.limit(api_rate)
def revoke(number: str) -> Response:
    return _change_status(number, "revoke")


@bp.post("/certificates/<number>/suspend")
@limiter.limit(api_rate)
def suspend(number: str) -> Response:
    return _change_status(number, "suspend")


@bp.post("/certificates/<number>/reinstate")
@limiter.limit(api_rate)
def reinstate(number: str) -> Response:
    return _change_status(number, "reinstate")


# --- reissue requests ------------------------------------------------------------------------------
@bp.get("/reissue-requests")
@limiter.limit(api_rate)
def reissue_requests() -> Response:
    """The authority's requests, oldest first (pending ones by default)."""
    principal = api_principal(*READ_ROLES)
    wanted = query(QueueQuery).status
    statuses = REQUEST_STATUSES if wanted == "all" else (wanted,)
    rt = runtime()
    with rt.database.read() as session:
        items = reissue_service.queue(session, rt, principal.authority_code, statuses=statuses)
        return json_response(
            ReissueQueue(
                requests=[_request_answer(item) for item in items],
                flag_after_working_days=rt.settings.reissue_flag_working_days,
            )
        )


@bp.get("/reissue-requests/<int:request_id>")
@limiter.limit(api_rate)
def reissue_request(request_id: int) -> Response:
    principal = api_principal(*READ_ROLES)
    return _request_response(runtime(), request_id, principal.authority_code)


class _Decision(Protocol):
    """A reissue-request decision of ``certsvc.certificates.reissue`` (approve or reject)."""

    def __call__(
        self, session: Session, runtime: Runtime, request_id: int, *, actor: Actor, actor_authority: str
    ) -> object: ...


def _decide(principal: ApiPrincipal, request_id: int, decision: _Decision) -> Response:
    """Take the decision, tell the holder, and answer with the request as it now stands."""
    from certsvc.accounts.notifications import deliver_outbox

    rt = runtime()
    with rt.database.write() as session:
        decision(session, rt, request_id, actor=_actor(principal), actor_authority=principal.authority_code)
    deliver_outbox(rt)  # after the commit: an unreachable mail server never undoes the decision
    return _request_response(rt, request_id, principal.authority_code)


@bp.post("/reissue-requests/<int:request_id>/approve")
@limiter.limit(api_rate)
def approve(request_id: int) -> Response:
    """Approve: the correction (if any) is applied and version n+1 supersedes version n."""
    principal = api_principal(*REVIEW_ROLES)
    json_body(Approval, limit=MAX_BODY_BYTES, optional=True)
    return _decide(principal, request_id, reissue_service.approve_request)


@bp.post("/reissue-requests/<int:request_id>/reject")
@limiter.limit(api_rate)
def reject(request_id: int) -> Response:
    """Reject with a reason the holder reads in the portal."""
    principal = api_principal(*REVIEW_ROLES)
    reason = json_body(Rejection, limit=MAX_BODY_BYTES).reason
    with _about("reason"):
        return _decide(
            principal, request_id, functools.partial(reissue_service.reject_request, reason=reason)
        )


# --- OpenAPI -----------------------------------------------------------------------------------
_READ = "Roles operator, reviewer, auditor."
_ERRORS = {400: field_problem(), **problems(401, 403, 404, 429)}
_ACTION_ERRORS = {**_ERRORS, **problems(409)}


def _certificate_route(
    action: str, summary: str, description: str, body: type[Reissue] | None = None
) -> Route:
    return Route(
        "post",
        f"/api/v1/certificates/{{number}}/{action}",
        f"{action}Certificate",
        summary,
        {200: Reply("The certificate as it now stands", IssuerCertificate), **_ACTION_ERRORS},
        description=description,
        body={"application/json": body or STATUS_CHANGES[action]},
        path_arguments=CertificateArguments,
        token=True,
    )


_STATUS_CHANGE = "Role reviewer. Acts on the current version and appends a ledger entry."
ROUTES = (
    Route(
        "get",
        "/api/v1/certificates/{number}",
        "getIssuerCertificate",
        "One of the authority's certificates: status and every version",
        {200: Reply("The certificate", IssuerCertificate), **_ERRORS},
        description=f"{_READ} Another authority's certificate is a 404.",
        path_arguments=CertificateArguments,
        token=True,
    ),
    _certificate_route(
        "reissue",
        "Reissue (补发): version n+1 supersedes the current version",
        "Role operator. Only a valid certificate can be reissued; a correction names the field and "
        "its corrected value.",
        Reissue,
    ),
    _certificate_route("revoke", "Revoke (撤销); cannot be undone", _STATUS_CHANGE),
    _certificate_route("suspend", "Suspend during an investigation", _STATUS_CHANGE),
    _certificate_route("reinstate", "Reinstate a suspended certificate", _STATUS_CHANGE),
    Route(
        "get",
        "/api/v1/reissue-requests",
        "listReissueRequests",
        "The authority's reissue requests, oldest first",
        {200: Reply("The requests", ReissueQueue), **_ERRORS},
        description=_READ,
        query=QueueQuery,
        token=True,
    ),
    Route(
        "get",
        "/api/v1/reissue-requests/{request_id}",
        "getReissueRequest",
        "One of the authority's reissue requests",
        {200: Reply("The request", ReissueRequestAnswer), **_ERRORS},
        description=f"{_READ} Another authority's request is a 404.",
        path_arguments=RequestArguments,
        token=True,
    ),
    Route(
        "post",
        "/api/v1/reissue-requests/{request_id}/approve",
        "approveReissueRequest",
        "Approve a pending request: version n+1 supersedes n, the holder is notified",
        {200: Reply("Approved", ReissueRequestAnswer), **_ACTION_ERRORS},
        description="Role reviewer. The body is empty or {}.",
        body={"application/json": Approval},
        body_required=False,
        path_arguments=RequestArguments,
        token=True,
    ),
    Route(
        "post",
        "/api/v1/reissue-requests/{request_id}/reject",
        "rejectReissueRequest",
        "Reject a pending request with a reason the holder reads",
        {200: Reply("Rejected", ReissueRequestAnswer), **_ACTION_ERRORS},
        description="Role reviewer.",
        body={"application/json": Rejection},
        path_arguments=RequestArguments,
        token=True,
    ),
)
