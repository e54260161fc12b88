"""``/.well-known/jwks.json``: every credential-signing key ever used, with its validity window."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from certsvc.verification.schemas import Jwks
from certsvc.web import runtime
from certsvc.web.extensions import limiter
from certsvc.web.jsonio import json_response
from certsvc.web.openapi import Reply, Route

bp = Blueprint("wellknown", __name__)

ROUTES = (
    Route(
        "get",
        "/.well-known/jwks.json",
        "getJwks",
        "Every credential-signing public key ever used, with its validity window (RFC 7517)",
        {200: Reply("JSON Web Key Set", Jwks)},
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
