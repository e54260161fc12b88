"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from certsvc.web import runtime
from certsvc.web.extensions import limiter

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz() -> ResponseReturnValue:
    """The process is up."""
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz() -> ResponseReturnValue:
    """The database is reachable."""
    try:
        runtime().database.ping()
    except Exception:
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
