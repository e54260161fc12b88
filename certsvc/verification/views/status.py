"""Signed status lists, at the URL credentials' ``credentialStatus`` points to.

``signing.credential`` writes ``<base>/issuers/<uscc>/status/<list_id>/<purpose>``: the list as
issued by that authority, the issuer of the credentials pointing there. Credentials issued before
point at the site-wide copy, ``<base>/status/<list_id>/<purpose>``. Both are also served under the
API prefix (``/api/v1/…``).
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, request
from flask.typing import ResponseReturnValue

from certsvc.errors import NotFound
from certsvc.verification.schemas import CompactJws, IssuerStatusListArguments, StatusListArguments
from certsvc.verification.statuslists import signed_status_list
from certsvc.web import runtime
from certsvc.web.extensions import configured_rate, limiter
from certsvc.web.openapi import Reply, Route, problems

bp = Blueprint("status_api", __name__)

MEDIA_TYPE = "application/vc+jwt"


_rate = configured_rate("CERTSVC_STATUS_RATE")


def _list_route(path: str, operation_id: str, *, per_issuer: bool = False) -> Route:
    return Route(
        "get",
        path,
        operation_id,
        "A signed W3C BitstringStatusListCredential (revocation: revoked and superseded versions; "
        "suspension: suspended ones)",
        {
            200: Reply(
                "Compact JWS (vc+jwt), cacheable for max-age seconds",
                CompactJws,
                MEDIA_TYPE,
                headers=("ETag", "Cache-Control"),
            ),
            304: Reply("Not modified (If-None-Match matched the ETag)"),
            # A USCC is text in the path: one with a forbidden character is a 400 (web.incoming).
            **(problems(400, 404, 429) if per_issuer else problems(404, 429)),
        },
        path_arguments=IssuerStatusListArguments if per_issuer else StatusListArguments,
    )


# Ids beyond a 32-bit INTEGER column cannot exist; asking the database would overflow its driver.
MAX_DATABASE_INTEGER = 2**31 - 1
_USCC = re.compile(r"[0-9A-Z]{18}")

ROUTES = (
    _list_route("/status/{list_id}/{purpose}", "getStatusList"),
    _list_route("/api/v1/status/{list_id}/{purpose}", "getStatusListApi"),
    _list_route("/issuers/{uscc}/status/{list_id}/{purpose}", "getIssuerStatusList", per_issuer=True),
    _list_route(
        "/api/v1/issuers/{uscc}/status/{list_id}/{purpose}", "getIssuerStatusListApi", per_issuer=True
    ),
)


@bp.get("/status/<int:list_id>/<any(revocation, suspension):purpose>")
@bp.get("/api/v1/status/<int:list_id>/<any(revocation, suspension):purpose>")
@bp.get("/issuers/<uscc>/status/<int:list_id>/<any(revocation, suspension):purpose>")
@bp.get("/api/v1/issuers/<uscc>/status/<int:list_id>/<any(revocation, suspension):purpose>")
@limiter.limit(_rate)
def status_list(list_id: int, purpose: str, uscc: str | None = None) -> ResponseReturnValue:
    if not 1 <= list_id <= MAX_DATABASE_INTEGER:
        raise NotFound("no such status list", detail_zh="没有该状态列表")
    if uscc is not None and not _USCC.fullmatch(uscc):
        raise NotFound("no such status list", detail_zh="没有该状态列表")
    rt = runtime()
    ttl = int(current_app.config["CERTSVC_STATUS_TTL"])
    signed = signed_status_list(rt, list_id, purpose, ttl_seconds=ttl, uscc=uscc)
    response = Response(signed.jws, mimetype=MEDIA_TYPE)
    response.headers["Cache-Control"] = f"public, max-age={signed.max_age(rt.now())}"
    # Verifiers in browsers on other origins fetch lists too; they carry no personal data.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.set_etag(signed.etag)
    return response.make_conditional(request)
