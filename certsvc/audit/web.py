"""The ``Actor`` of the current request: the signed-in staff member or the API token, with the
coarse client it came from (network prefix, browser family and device class; never an address)."""

from __future__ import annotations

from flask import request

from certsvc.accounts.services import ApiPrincipal
from certsvc.audit.actors import Actor, client_network, staff_actor, token_actor
from certsvc.certificates.shares import coarse_client
from certsvc.web.portal import me


def _client() -> tuple[str, str]:
    return client_network(request.remote_addr), coarse_client(request.headers.get("User-Agent", ""))


def acting() -> Actor:
    """The signed-in staff member (a view behind ``staff_required``)."""
    principal = me()
    network, agent = _client()
    return staff_actor(
        user_id=principal.user_id,
        login=principal.login,
        role=principal.role or "",
        authority_code=principal.authority_code or "",
        client_network=network,
        client_agent=agent,
    )


def token_acting(principal: ApiPrincipal) -> Actor:
    """An issuing body's machine calling the JSON API with its token."""
    network, agent = _client()
    return token_actor(
        token_id=principal.token_id,
        role=principal.role,
        authority_code=principal.authority_code,
        client_network=network,
        client_agent=agent,
    )
