"""Who is calling a machine API: the issuing body's token from ``Authorization: Bearer``."""

from __future__ import annotations

from flask import request

from certsvc.accounts.services import ApiPrincipal, authenticate_api_token, require_role
from certsvc.errors import AuthenticationRequired
from certsvc.web import runtime


def api_principal(*roles: str) -> ApiPrincipal:
    """The token's authority and role, refused (401/403) unless it holds one of ``roles``."""
    principal = authenticate_api_token(runtime(), bearer_token())
    require_role(principal, *roles)
    return principal


def bearer_token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationRequired(
            "send the API token as 'Authorization: Bearer <token>'", detail_zh="请以 Bearer 方式提供 API 令牌"
        )
    return token.strip()
