"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from typing import Literal

from flask import Blueprint
from flask.typing import ResponseReturnValue
from pydantic.json_schema import SkipJsonSchema

from certsvc.schemas import ResponseShape, left_out_if_none
from certsvc.web import runtime
from certsvc.web.extensions import limiter
from certsvc.web.jsonio import json_response

bp = Blueprint("ops", __name__)


class Health(ResponseShape):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unreachable"] | SkipJsonSchema[None] = left_out_if_none()


@bp.get("/healthz")
@limiter.exempt
def healthz() -> ResponseReturnValue:
    """The process is up."""
    return json_response(Health(status="ok"))


@bp.get("/readyz")
@limiter.exempt
def readyz() -> ResponseReturnValue:
    """The database is reachable."""
    try:
        runtime().database.ping()
    except Exception:
        return json_response(Health(status="unavailable", database="unreachable"), 503)
    return json_response(Health(status="ok", database="ok"))
