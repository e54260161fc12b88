"""What verifiers fetch to trust certsvc: ``/.well-known/jwks.json`` (every credential-signing key
ever used, with its validity window), ``/.well-known/certsvc-ca.pem`` (the issuing CA that certifies
the seal certificates signing the PDFs) and ``/contexts/v1.jsonld``, ``/contexts/v2.jsonld`` (the
JSON-LD contexts defining every term of the credentials: v2 for credentials issued now, v1 for the
older ones)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response
from flask.typing import ResponseReturnValue

from certsvc.signing.contexts import CONTEXT_MEDIA_TYPE, certsvc_context_bytes
from certsvc.verification.schemas import CONTEXT_VERSIONS, ContextArguments, Jwks
from certsvc.web import runtime
from certsvc.web.extensions import limiter
from certsvc.web.jsonio import json_response
from certsvc.web.openapi import Reply, Route, problems

bp = Blueprint("wellknown", __name__)

ROUTES = (
    Route(
        "get",
        "/.well-known/jwks.json",
        "getJwks",
        "Every credential-signing public key ever used, with its validity window (RFC 7517)",
        {200: Reply("JSON Web Key Set", Jwks)},
    ),
    Route(
        "get",
        "/.well-known/certsvc-ca.pem",
        "getIssuingCa",
        "The installation's issuing CA certificate, which certifies the seal certificates that sign "
        "certificate PDFs",
        {200: Reply("X.509 certificate, PEM", str, "application/x-pem-file")},
    ),
    Route(
        "get",
        "/contexts/{version}.jsonld",
        "getCredentialContext",
        "A JSON-LD context defining every term of the certsvc credentials that name it (v2: issued "
        "now; v1: before acquisition routes)",
        {
            200: Reply("JSON-LD context document", dict[str, Any], CONTEXT_MEDIA_TYPE),
            **problems(404, description="No context of that version"),
        },
        path_arguments=ContextArguments,
    ),
)


@bp.get("/.well-known/jwks.json")
@limiter.exempt
def jwks() -> ResponseReturnValue:
    from certsvc.signing.jwks import jwks_document

    response = json_response(Jwks.model_validate(jwks_document(runtime().keys.history())))
    # Short cache: a rotation or a compromise notice must reach verifiers quickly.
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get(f"/contexts/<any({', '.join(CONTEXT_VERSIONS)}):version>.jsonld")
@limiter.exempt
def credential_context(version: str) -> ResponseReturnValue:
    response = Response(certsvc_context_bytes(f"/contexts/{version}.jsonld"), mimetype=CONTEXT_MEDIA_TYPE)
    # The file never changes once published (a new term gets a new version), so caches may keep it.
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/.well-known/certsvc-ca.pem")
@limiter.exempt
def issuing_ca() -> ResponseReturnValue:
    response = Response(runtime().keys.issuing_ca_pem(), mimetype="application/x-pem-file")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
