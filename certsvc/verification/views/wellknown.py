"""``/.well-known/jwks.json``: every credential-signing key ever used, with its validity window."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from certsvc.web import runtime
from certsvc.web.extensions import limiter

bp = Blueprint("wellknown", __name__)

OPENAPI: dict[str, Any] = {
    "paths": {
        "/.well-known/jwks.json": {
            "get": {
                "summary": "Every credential-signing public key ever used, with its validity window (RFC 7517)",
                "operationId": "getJwks",
                "responses": {
                    "200": {
                        "description": "JSON Web Key Set",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Jwks"}}},
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Jwks": {
                "type": "object",
                "properties": {"keys": {"type": "array", "items": {"type": "object"}}},
                "required": ["keys"],
            }
        }
    },
}


@bp.get("/.well-known/jwks.json")
@limiter.exempt
def jwks() -> ResponseReturnValue:
    from certsvc.signing.jwks import jwks_document

    response = jsonify(jwks_document(runtime().keys.history()))
    # Short cache: a rotation or a compromise notice must reach verifiers quickly.
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
