"""API root: the OpenAPI description of every JSON endpoint."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from certsvc.web import runtime
from certsvc.web.openapi import build_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")

OPENAPI: dict[str, Any] = {
    "paths": {
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This OpenAPI 3.1 document",
                "operationId": "getOpenApi",
                "responses": {
                    "200": {"description": "OpenAPI document", "content": {"application/json": {}}}
                },
            }
        },
        "/healthz": {
            "get": {
                "summary": "Liveness: the process is up",
                "operationId": "healthz",
                "responses": {"200": {"description": "Up", "content": {"application/json": {}}}},
            }
        },
        "/readyz": {
            "get": {
                "summary": "Readiness: the database is reachable",
                "operationId": "readyz",
                "responses": {
                    "200": {"description": "Ready", "content": {"application/json": {}}},
                    "503": {"description": "Database unreachable", "content": {"application/json": {}}},
                },
            }
        },
    }
}


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    response = jsonify(build_document(runtime().settings.base_url))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
