"""``/api/v1/certificates`` and ``/api/v1/reissue-requests``: the issuer console's certificate
actions for machines, with an issuing body's API token (``Authorization: Bearer``).

The same services as the console and ``certsvc reissue|revoke|suspend|reinstate`` do the work, so the
same rules hold everywhere; this layer only reads JSON and maps the token to an authority and role.
Roles: operator reissues at the counter; reviewer decides reissue requests and suspends, reinstates
or revokes; auditor only reads. A token acts on its own authority's certificates and requests only:
anyone else's answer 404 exactly like missing ones, so guessing numbers reveals nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from certsvc.accounts.models import STAFF_ROLES
from certsvc.accounts.services import ApiPrincipal
from certsvc.accounts.tokens import api_principal
from certsvc.certificates import reissue as reissue_service
from certsvc.certificates import revocation
from certsvc.certificates.models import (
    CORRECTABLE_FIELDS,
    REISSUE_REASONS,
    Certificate,
    CertificateVersion,
    ReissueRequest,
)
from certsvc.certificates.versions import verification_url
from certsvc.domain.certno import validate_certificate_number
from certsvc.domain.names import mask_name
from certsvc.errors import BadRequest, ImplausibleName, InvalidField, NotFound
from certsvc.runtime import Runtime
from certsvc.web import runtime
from certsvc.web.extensions import configured_rate, csrf, limiter
from certsvc.web.openapi import problem_responses

bp = Blueprint("certificates_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

READ_ROLES = STAFF_ROLES
REISSUE_ROLES = ("operator",)
REVIEW_ROLES = ("reviewer",)
REQUEST_FILTERS = ("pending", "approved", "rejected", "all")
MAX_BODY_BYTES = 16 * 1024
MAX_DOC_NO = 200  # the service refuses more than 100 characters; this only bounds what we read
MAX_ROW_ID = 2**31 - 1
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


api_rate = configured_rate("CERTSVC_ISSUER_API_RATE")


@bp.after_request
def _not_cached(response: Response) -> Response:
    # Answers describe one authority's certificates at one moment: no shared or stale copies.
    response.headers["Cache-Control"] = "no-store"
    return response


# --- who is asking -------------------------------------------------------------------------------
def _actor(principal: ApiPrincipal) -> str:
    return f"api-token:{principal.token_id}"


def _canonical_number(number: str) -> str:
    """The number in canonical form; a malformed one names no certificate, so it is a 404 too."""
    try:
        return validate_certificate_number(number[:64])
    except BadRequest:
        raise NotFound("no such certificate here", detail_zh="本机构没有这张证书") from None


def _own_certificate(session: Session, number: str, authority_code: str) -> Certificate:
    certificate = session.scalar(select(Certificate).where(Certificate.number == number))
    if certificate is None or certificate.authority_code != authority_code:
        # Worded like services.revocation.lock_certificate, so reads and writes answer alike.
        raise NotFound(f"no certificate {number} here", detail_zh=f"本机构没有证书 {number}")
    return certificate


# --- request bodies --------------------------------------------------------------------------------
def _json_object(*, members: tuple[str, ...], required: bool = True) -> dict[str, Any]:
    """The body as a JSON object with no members but ``members``; an empty body is ``{}`` when
    the body is optional."""
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise BadRequest(f"the body is limited to {MAX_BODY_BYTES} bytes", detail_zh="请求体过大")
    data = request.get_data(cache=False)
    if not data.strip() and not required:
        return {}
    if request.mimetype != "application/json":
        raise BadRequest(
            "send a JSON object with Content-Type: application/json", detail_zh="请求体必须是 JSON 对象"
        )
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object", detail_zh="请求体必须是 JSON 对象")
    unknown = sorted(set(body) - set(members))
    if unknown:
        allowed = ", ".join(members) or "none"
        raise InvalidField(
            unknown[0][:64],
            f'unknown member "{unknown[0][:64]}" (allowed: {allowed})',
            detail_zh=f"不支持的字段：{unknown[0][:64]}",
        )
    return body


def _string(body: dict[str, Any], key: str, limit: int, *, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidField(
            key,
            f'"{key}" must be a string of at most {limit} characters',
            detail_zh=f"{key} 须为不超过 {limit} 个字符的字符串",
        )
    return value


def _choice(body: dict[str, Any], key: str, choices: tuple[str, ...], *, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if value not in choices:
        listed = ", ".join(choices)
        raise InvalidField(key, f'"{key}" must be one of {listed}', detail_zh=f"{key} 应为 {listed} 之一")
    assert isinstance(value, str)
    return value


def _date(body: dict[str, Any], key: str) -> dt.date | None:
    value = body.get(key)
    if value is None:
        return None
    try:
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidField(
            key, f'"{key}" must be a date YYYY-MM-DD', detail_zh=f"{key} 须为 YYYY-MM-DD 格式的日期"
        ) from None


def _version(body: dict[str, Any], key: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ROW_ID:
        raise InvalidField(key, f'"{key}" must be a positive integer', detail_zh=f"{key} 须为正整数")
    return value


@contextmanager
def _about(field: str) -> Iterator[None]:
    """Tag a refusal by a service check with the body member it concerns."""
    try:
        yield
    except InvalidField:
        raise
    except (BadRequest, ImplausibleName) as error:
        raise InvalidField(field, error.message, detail_zh=error.detail_zh) from None


# --- views of certificates and requests -------------------------------------------------------------
def _moment(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else None


def _version_json(rt: Runtime, row: CertificateVersion) -> dict[str, Any]:
    return {
        "version": row.version,
        "status": row.status,
        "issued_at": _moment(row.issued_at),
        "kid": row.kid,
        "reissue_reason": row.reissue_reason,
        "status_reason": row.status_reason,
        "status_document_number": row.status_doc_no,
        "status_effective": row.status_effective.isoformat() if row.status_effective else None,
        "status_changed_at": _moment(row.status_changed_at),
        "ledger_index": row.ledger_index,
        "verification_url": verification_url(rt, row.qr_payload),
    }


def _certificate_json(rt: Runtime, certificate: Certificate) -> dict[str, Any]:
    return {
        "certificate_number": certificate.number,
        "authority_code": certificate.authority_code,
        "holder": mask_name(certificate.holder.name),
        "series": certificate.series,
        "specialty": certificate.specialty,
        "title": certificate.title,
        "level": certificate.level,
        "status": certificate.status,
        "current_version": certificate.current_version,
        "versions": [_version_json(rt, row) for row in certificate.versions],
    }


def _certificate_response(rt: Runtime, number: str, authority_code: str) -> Response:
    with rt.database.read() as session:
        return jsonify(_certificate_json(rt, _own_certificate(session, number, authority_code)))


def _request_json(row: ReissueRequest, age: int, approximate: bool, flagged: bool) -> dict[str, Any]:
    evidence = (
        {"media_type": row.evidence_type, "size": row.evidence_size}
        if row.evidence_type is not None
        else None
    )
    return {
        "id": row.id,
        "certificate_number": row.certificate.number,
        "version": row.version,
        "reason": row.reason,
        "corrected_field": row.corrected_field,
        "corrected_value": row.corrected_value,
        "holder_note": row.holder_note,
        "evidence": evidence,
        "status": row.status,
        "created_at": _moment(row.created_at),
        "age_working_days": age,
        "age_approximate": approximate,
        "flagged": flagged,
        "decision_reason": row.decision_reason,
        "decided_by": row.decided_by,
        "decided_at": _moment(row.decided_at),
        "new_version": row.new_version,
    }


def _request_response(rt: Runtime, request_id: int, authority_code: str) -> Response:
    with rt.database.read() as session:
        row = reissue_service.get_request(session, request_id, authority_code=authority_code)
        age, approximate = reissue_service.request_age(row.created_at, rt.today())
        flagged = row.status == "pending" and age > rt.settings.reissue_flag_working_days
        return jsonify(_request_json(row, age, approximate, flagged))


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
    body = _json_object(members=("reason", "corrected_field", "corrected_value"))
    reason = _choice(body, "reason", REISSUE_REASONS)
    assert reason is not None
    field = _choice(body, "corrected_field", CORRECTABLE_FIELDS, required=False)
    value = _string(body, "corrected_value", 200, required=False)
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
            session, rt, canonical, reason, actor_authority=principal.authority_code, correction=correction
        )
    return _certificate_response(rt, canonical, principal.authority_code)


def _change_status(number: str, action: str) -> Response:
    principal = api_principal(*REVIEW_ROLES)
    canonical = _canonical_number(number)
    body = _json_object(members=("reason", "document_number", "effective", "version"))
    reason = _string(body, "reason", 64)
    assert reason is not None
    with _about("reason"):
        revocation.check_reason(action, reason)
    doc_no = _string(body, "document_number", MAX_DOC_NO)
    assert doc_no is not None
    effective = _date(body, "effective")
    version = _version(body, "version")
    rt = runtime()
    with rt.database.write() as session:
        revocation.change_status(
            session,
            rt,
            canonical,
            action,
            reason,
            doc_no,
            effective,
            actor_authority=principal.authority_code,
            version=version,
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
    wanted = request.args.get("status", "pending")
    if wanted not in REQUEST_FILTERS:
        raise InvalidField(
            "status",
            f"status must be one of {', '.join(REQUEST_FILTERS)}",
            detail_zh=f"status 应为 {', '.join(REQUEST_FILTERS)} 之一",
        )
    statuses = REQUEST_FILTERS[:3] if wanted == "all" else (wanted,)
    rt = runtime()
    with rt.database.read() as session:
        items = reissue_service.queue(session, rt, principal.authority_code, statuses=statuses)
        return jsonify(
            {
                "requests": [
                    _request_json(item.request, item.age_working_days, item.approximate, item.flagged)
                    for item in items
                ],
                "flag_after_working_days": rt.settings.reissue_flag_working_days,
            }
        )


@bp.get("/reissue-requests/<int:request_id>")
@limiter.limit(api_rate)
def reissue_request(request_id: int) -> Response:
    principal = api_principal(*READ_ROLES)
    return _request_response(runtime(), request_id, principal.authority_code)


@bp.post("/reissue-requests/<int:request_id>/approve")
@limiter.limit(api_rate)
def approve(request_id: int) -> Response:
    """Approve: the correction (if any) is applied and version n+1 supersedes version n."""
    from certsvc.accounts.notifications import deliver_outbox

    principal = api_principal(*REVIEW_ROLES)
    _json_object(members=(), required=False)
    rt = runtime()
    with rt.database.write() as session:
        reissue_service.approve_request(
            session, rt, request_id, actor=_actor(principal), actor_authority=principal.authority_code
        )
    deliver_outbox(rt)  # after the commit: an unreachable mail server never undoes the decision
    return _request_response(rt, request_id, principal.authority_code)


@bp.post("/reissue-requests/<int:request_id>/reject")
@limiter.limit(api_rate)
def reject(request_id: int) -> Response:
    """Reject with a reason the holder reads in the portal."""
    from certsvc.accounts.notifications import deliver_outbox

    principal = api_principal(*REVIEW_ROLES)
    body = _json_object(members=("reason",))
    reason = _string(body, "reason", reissue_service.MAX_NOTE)
    assert reason is not None
    rt = runtime()
    with _about("reason"), rt.database.write() as session:
        reissue_service.reject_request(
            session,
            rt,
            request_id,
            reason=reason,
            actor=_actor(principal),
            actor_authority=principal.authority_code,
        )
    deliver_outbox(rt)
    return _request_response(rt, request_id, principal.authority_code)


# --- OpenAPI -----------------------------------------------------------------------------------
_STATUSES = ["valid", "superseded", "suspended", "revoked"]
_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
_NUMBER_PARAMETER = {
    "name": "number",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "certificate number (18 characters with its check character, e.g. 50000020241000001Z)",
}
_REQUEST_ID_PARAMETER = {
    "name": "request_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}
_ERRORS = {
    "400": {
        "description": "Malformed body; ``field`` names the member at fault when one member is",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/FieldProblem"}}},
    },
    **problem_responses(401, 403, 404, 429),
}


def _json_response(schema: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _json_body(schema: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _status_change(action: str, summary: str) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "operationId": f"{action}Certificate",
            "security": [{"apiToken": []}],
            "description": "Role reviewer. Acts on the current version and appends a ledger entry.",
            "parameters": [_NUMBER_PARAMETER],
            "requestBody": _json_body(
                {
                    "type": "object",
                    "properties": {
                        "reason": {"type": "string", "enum": list(revocation.REASONS[action])},
                        "document_number": {
                            "type": "string",
                            "description": "number of the document deciding it (文号)",
                        },
                        "effective": {
                            "type": "string",
                            "format": "date",
                            "description": "effective date, not in the future (default: today, China time)",
                        },
                        "version": {
                            "type": "integer",
                            "minimum": 1,
                            "description": "refuse (409) unless this is the current version",
                        },
                    },
                    "required": ["reason", "document_number"],
                    "additionalProperties": False,
                }
            ),
            "responses": {
                "200": _json_response("IssuerCertificate", "Changed; the certificate as it now stands"),
                **_ERRORS,
                **problem_responses(409),
            },
        }
    }


_VERSION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "version": {"type": "integer"},
        "status": {"type": "string", "enum": _STATUSES},
        "issued_at": {"type": "string", "format": "date-time"},
        "kid": {"type": "string"},
        "reissue_reason": _NULLABLE_STRING,
        "status_reason": _NULLABLE_STRING,
        "status_document_number": _NULLABLE_STRING,
        "status_effective": {"type": ["string", "null"], "format": "date"},
        "status_changed_at": _NULLABLE_TIME,
        "ledger_index": {
            "type": ["integer", "null"],
            "description": "ledger entry that issued (or reissued) this version",
        },
        "verification_url": {"type": "string", "description": "the URL this version's QR code holds"},
    },
    "required": ["version", "status", "issued_at", "verification_url"],
}
_CERTIFICATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "One of the token's authority's certificates; the holder's name masked, never an ID number.",
    "properties": {
        "certificate_number": {"type": "string"},
        "authority_code": {"type": "string"},
        "holder": {"type": "string"},
        "series": {"type": "string"},
        "specialty": {"type": "string"},
        "title": {"type": "string"},
        "level": {"type": "string"},
        "status": {"type": "string", "enum": _STATUSES},
        "current_version": {"type": "integer"},
        "versions": {
            "type": "array",
            "description": "oldest first",
            "items": {"$ref": "#/components/schemas/IssuerCertificateVersion"},
        },
    },
    "required": ["certificate_number", "authority_code", "status", "current_version", "versions"],
}
_REQUEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "certificate_number": {"type": "string"},
        "version": {"type": "integer", "description": "the version the holder asked to replace"},
        "reason": {"type": "string", "enum": list(REISSUE_REASONS)},
        "corrected_field": {"type": ["string", "null"], "enum": [*CORRECTABLE_FIELDS, None]},
        "corrected_value": _NULLABLE_STRING,
        "holder_note": _NULLABLE_STRING,
        "evidence": {
            "type": ["object", "null"],
            "description": "the supporting file (download it in the issuer console)",
            "properties": {"media_type": {"type": "string"}, "size": {"type": ["integer", "null"]}},
        },
        "status": {"type": "string", "enum": ["pending", "approved", "rejected"]},
        "created_at": {"type": "string", "format": "date-time"},
        "age_working_days": {"type": "integer"},
        "age_approximate": {
            "type": "boolean",
            "description": "true when the official calendar does not cover the dates (Mon-Fri counted)",
        },
        "flagged": {"type": "boolean", "description": "pending longer than flag_after_working_days"},
        "decision_reason": _NULLABLE_STRING,
        "decided_by": _NULLABLE_STRING,
        "decided_at": _NULLABLE_TIME,
        "new_version": {"type": ["integer", "null"]},
    },
    "required": ["id", "certificate_number", "version", "reason", "status", "created_at"],
}

OPENAPI: dict[str, Any] = {
    "paths": {
        "/api/v1/certificates/{number}": {
            "get": {
                "summary": "One of the authority's certificates: status and every version",
                "operationId": "getIssuerCertificate",
                "security": [{"apiToken": []}],
                "description": "Roles operator, reviewer, auditor. Another authority's certificate is a 404.",
                "parameters": [_NUMBER_PARAMETER],
                "responses": {"200": _json_response("IssuerCertificate", "The certificate"), **_ERRORS},
            }
        },
        "/api/v1/certificates/{number}/reissue": {
            "post": {
                "summary": "Reissue (补发): version n+1 supersedes the current version",
                "operationId": "reissueCertificate",
                "security": [{"apiToken": []}],
                "description": "Role operator. Only a valid certificate can be reissued; a correction "
                "names the field and its corrected value.",
                "parameters": [_NUMBER_PARAMETER],
                "requestBody": _json_body(
                    {
                        "type": "object",
                        "properties": {
                            "reason": {"type": "string", "enum": list(REISSUE_REASONS)},
                            "corrected_field": {"type": "string", "enum": list(CORRECTABLE_FIELDS)},
                            "corrected_value": {"type": "string", "maxLength": 200},
                        },
                        "required": ["reason"],
                        "additionalProperties": False,
                    }
                ),
                "responses": {
                    "200": _json_response(
                        "IssuerCertificate", "Reissued; the certificate with its new version"
                    ),
                    **_ERRORS,
                    **problem_responses(409),
                },
            }
        },
        "/api/v1/certificates/{number}/revoke": _status_change("revoke", "Revoke (撤销); cannot be undone"),
        "/api/v1/certificates/{number}/suspend": _status_change("suspend", "Suspend during an investigation"),
        "/api/v1/certificates/{number}/reinstate": _status_change(
            "reinstate", "Reinstate a suspended certificate"
        ),
        "/api/v1/reissue-requests": {
            "get": {
                "summary": "The authority's reissue requests, oldest first",
                "operationId": "listReissueRequests",
                "security": [{"apiToken": []}],
                "description": "Roles operator, reviewer, auditor.",
                "parameters": [
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(REQUEST_FILTERS), "default": "pending"},
                    }
                ],
                "responses": {"200": _json_response("ReissueQueue", "The requests"), **_ERRORS},
            }
        },
        "/api/v1/reissue-requests/{request_id}": {
            "get": {
                "summary": "One of the authority's reissue requests",
                "operationId": "getReissueRequest",
                "security": [{"apiToken": []}],
                "description": "Roles operator, reviewer, auditor. Another authority's request is a 404.",
                "parameters": [_REQUEST_ID_PARAMETER],
                "responses": {"200": _json_response("ReissueRequest", "The request"), **_ERRORS},
            }
        },
        "/api/v1/reissue-requests/{request_id}/approve": {
            "post": {
                "summary": "Approve a pending request: version n+1 supersedes n, the holder is notified",
                "operationId": "approveReissueRequest",
                "security": [{"apiToken": []}],
                "description": "Role reviewer. The body is empty or {}.",
                "parameters": [_REQUEST_ID_PARAMETER],
                "requestBody": _json_body({"type": "object", "additionalProperties": False}, required=False),
                "responses": {
                    "200": _json_response("ReissueRequest", "Approved"),
                    **_ERRORS,
                    **problem_responses(409),
                },
            }
        },
        "/api/v1/reissue-requests/{request_id}/reject": {
            "post": {
                "summary": "Reject a pending request with a reason the holder reads",
                "operationId": "rejectReissueRequest",
                "security": [{"apiToken": []}],
                "description": "Role reviewer.",
                "parameters": [_REQUEST_ID_PARAMETER],
                "requestBody": _json_body(
                    {
                        "type": "object",
                        "properties": {
                            "reason": {
                                "type": "string",
                                "minLength": 1,
                                "maxLength": reissue_service.MAX_NOTE,
                            }
                        },
                        "required": ["reason"],
                        "additionalProperties": False,
                    }
                ),
                "responses": {
                    "200": _json_response("ReissueRequest", "Rejected"),
                    **_ERRORS,
                    **problem_responses(409),
                },
            }
        },
    },
    "components": {
        "schemas": {
            "IssuerCertificate": _CERTIFICATE_SCHEMA,
            "IssuerCertificateVersion": _VERSION_SCHEMA,
            "ReissueRequest": _REQUEST_SCHEMA,
            "ReissueQueue": {
                "type": "object",
                "properties": {
                    "requests": {"type": "array", "items": {"$ref": "#/components/schemas/ReissueRequest"}},
                    "flag_after_working_days": {"type": "integer"},
                },
                "required": ["requests", "flag_after_working_days"],
            },
            "FieldProblem": {
                "allOf": [
                    {"$ref": "#/components/schemas/Problem"},
                    {
                        "type": "object",
                        "properties": {
                            "field": {"type": "string", "description": "the request member at fault"}
                        },
                    },
                ]
            },
        },
        "securitySchemes": {
            "apiToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "An issuing body's API token (cst_…), bound to one authority",
            }
        },
    },
}
