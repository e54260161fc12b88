"""API root: the OpenAPI description of every JSON endpoint."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from certsvc.web import runtime
from certsvc.web.openapi import Reply, Route, build_document
from certsvc.web.ops import Health

bp = Blueprint("api", __name__, url_prefix="/api/v1")

ROUTES = (
    Route(
        "get",
        "/api/v1/openapi.json",
        "getOpenApi",
        "This OpenAPI 3.1 document",
        {200: Reply("OpenAPI document", dict[str, Any])},
    ),
    Route("get", "/healthz", "healthz", "Liveness: the process is up", {200: Reply("Up", Health)}),
    Route(
        "get",
        "/readyz",
        "readyz",
        "Readiness: the database is reachable",
        {200: Reply("Ready", Health), 503: Reply("Database unreachable", Health)},
    ),
)


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    response = jsonify(build_document(runtime().settings.base_url))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
