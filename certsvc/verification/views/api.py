"""``POST /api/v1/verify`` and ``POST /api/v1/verify/batch``: verdicts as JSON.

Bodies are checked here (shape, sizes) so that a malformed request is a 400 problem, never a 5xx.
Every route draws on a per-client budget; requests that can test a holder's name (by number, or
with ``confirm``) also draw on a stricter budget shared with the page forms, so the API is no
faster oracle than the pages. Both are Flask-Limiter limits declared on the routes.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from certsvc.errors import BadRequest, CertsvcError
from certsvc.verification.services import OUTCOMES, OnlineVerdict, verify_by_number, verify_target
from certsvc.web import runtime
from certsvc.web.extensions import configured_rate, csrf, limiter
from certsvc.web.openapi import problem_responses

bp = Blueprint("verify_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

NUMBER_SCOPE = "verify-by-number"
MAX_BATCH = 100
MAX_TEXT = 16_384
MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# The per-client rate, and the stricter one of the budget shared by requests that test a name.
verify_rate = configured_rate("CERTSVC_VERIFY_RATE")
number_rate = configured_rate("CERTSVC_VERIFY_NUMBER_RATE")


# --- request shapes ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class VerifyRequest:
    target: str | None = None
    number: str | None = None
    name: str | None = None
    confirm: str | None = None

    @property
    def tests_a_name(self) -> bool:
        return self.number is not None or self.confirm is not None


def parse_item(body: Any) -> VerifyRequest:
    """One verify request; ``BadRequest`` saying what is wrong with anything else."""
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object", detail_zh="请求体必须是 JSON 对象")
    unknown = set(body) - {"qr", "credential", "certificate_number", "name", "confirm"}
    if unknown:
        raise BadRequest(f"unknown member(s): {', '.join(sorted(unknown))}")
    confirm = _text(body, "confirm", 200)
    forms = [key for key in ("qr", "credential", "certificate_number") if key in body]
    if len(forms) != 1:
        raise BadRequest(
            'give exactly one of "qr", "credential" or "certificate_number" (with "name")',
            detail_zh="请只提供 qr、credential 或 certificate_number（及 name）之一",
        )
    if forms[0] == "certificate_number":
        number, name = _text(body, "certificate_number", 64), _text(body, "name", 200)
        if not number or not name:
            raise BadRequest('certificate_number needs the holder\'s full name in "name"')
        return VerifyRequest(number=number, name=name, confirm=confirm)
    if "name" in body:
        raise BadRequest('"name" belongs with "certificate_number"; use "confirm" to check a holder')
    target = _text(body, forms[0], MAX_TEXT)
    if not target:
        raise BadRequest(f'"{forms[0]}" must be a non-empty string')
    return VerifyRequest(target=target, confirm=confirm)


def _text(body: dict[str, Any], key: str, limit: int) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise BadRequest(f'"{key}" must be a string of at most {limit} characters')
    return value


def run(item: VerifyRequest, channel: str) -> OnlineVerdict:
    if item.number is not None:
        assert item.name is not None
        return verify_by_number(runtime(), item.number, item.name, channel=channel, confirm=item.confirm)
    assert item.target is not None
    return verify_target(runtime(), item.target, channel=channel, confirm=item.confirm)


@dataclasses.dataclass(frozen=True)
class _ParsedBody:
    """The request's JSON body, or the problem that stands in for it."""

    value: Any
    problem: Exception | None


def _parsed_body() -> _ParsedBody:
    """The JSON body, parsed once per request and never raising: the rate limiter reads it before
    the view (to know what a request costs), and a body a client crafted to fail must not fail
    there. The view raises the problem."""
    parsed: _ParsedBody | None = g.get("verify_body")
    if parsed is None:
        parsed = g.verify_body = _parse_body()
    return parsed


def _parse_body() -> _ParsedBody:
    not_json = BadRequest(
        "the body must be JSON (Content-Type: application/json)", detail_zh="请求体必须是 JSON"
    )
    try:
        body = request.get_json(silent=True)
    except HTTPException as error:  # too large, or the client went away while sending it
        return _ParsedBody(None, error)
    except RecursionError:
        return _ParsedBody(None, BadRequest("the JSON is nested too deeply", detail_zh="JSON 嵌套过深"))
    return _ParsedBody(body, None if body is not None else not_json)


def _json_body() -> Any:
    parsed = _parsed_body()
    if parsed.problem is not None:
        raise parsed.problem
    return parsed.value


def _name_tests() -> int:
    """How many items of this request test a holder's name: its cost on the stricter budget.

    Reads only the parsed body; a body that is not a valid request costs nothing there (the view
    refuses it without testing any name)."""
    body = _parsed_body().value
    if request.endpoint == f"{bp.name}.{verify_batch.__name__}":
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list) or len(items) > MAX_BATCH:
            return 0
    else:
        items = [body]
    return sum(1 for item in items if isinstance(item, dict) and _tests_name(item))


def _tests_no_name() -> bool:
    return _name_tests() == 0


def _tests_name(item: dict[str, Any]) -> bool:
    return "certificate_number" in item or "confirm" in item


# Every route here has its own per-client budget (scope: the endpoint) and draws on the budget
# shared with the page forms as much as it tests names. Declared once for the blueprint: Flask-
# Limiter then checks them in its before-request hook only, where route decorators would have it
# resolve the route's limits a second time in the view's wrapper.
limiter.limit(verify_rate)(bp)
limiter.shared_limit(number_rate, scope=NUMBER_SCOPE, cost=_name_tests, exempt_when=_tests_no_name)(bp)


# --- routes ------------------------------------------------------------------------------------
@bp.post("/verify")
def verify() -> ResponseReturnValue:
    if request.mimetype == "multipart/form-data":
        return _verify_upload()
    verdict = run(parse_item(_json_body()), "api")
    return _verdict_response(verdict.to_json())


def _verify_upload() -> Response:
    upload = request.files.get("file")
    if upload is None:
        raise BadRequest('multipart uploads carry the certificate in a field named "file"')
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if not data or len(data) > MAX_UPLOAD_BYTES:
        raise BadRequest(f"the file must be 1 byte to {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB")
    return _verdict_response(verify_target(runtime(), data, channel="upload").to_json())


@bp.post("/verify/batch")
def verify_batch() -> ResponseReturnValue:
    body = _json_body()
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH or set(body) != {"items"}:
        raise BadRequest(f'the body must be {{"items": [...]}} with 1 to {MAX_BATCH} verify requests')
    results: list[dict[str, Any]] = []
    for position, item in enumerate(items):
        try:
            verdict = run(parse_item(item), "api-batch")
        except CertsvcError as error:
            if error.status >= 500:
                raise
            results.append({"index": position, "error": _item_problem(error)})
            continue
        results.append({"index": position, "verdict": verdict.to_json()})
    return _verdict_response({"results": results})


def _item_problem(error: CertsvcError) -> dict[str, Any]:
    problem: dict[str, Any] = {
        "code": error.code,
        "title": error.title,
        "status": error.status,
        "detail": error.message,
    }
    if error.detail_zh:
        problem["detail_zh"] = error.detail_zh
    return problem


def _verdict_response(body: dict[str, Any]) -> Response:
    response = jsonify(body)
    # A verdict is true at one moment: a cached "valid" could hide a revocation.
    response.headers["Cache-Control"] = "no-store"
    return response


# --- OpenAPI -----------------------------------------------------------------------------------
_NULLABLE_STRING = {"type": ["string", "null"]}
_TIME = {"type": "string", "format": "date-time"}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}

VERDICT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "What the registry says about a certificate; the name masked (张*明), never an ID number.",
    "properties": {
        "outcome": {"type": "string", "enum": list(OUTCOMES)},
        "step": {
            "type": ["string", "null"],
            "description": "the check that decided a non-valid outcome (parse, signature, key-window, "
            "key-compromised, key-unknown, claims, not-registered, registry-mismatch, not-found, "
            "registry-unavailable, status)",
        },
        "reason": {"type": "string"},
        "reason_zh": {"type": "string"},
        "checked_at": _TIME,
        "certificate": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "properties": {
                        "number": {"type": "string"},
                        "version": {"type": "integer", "minimum": 1},
                        "holder": {"type": "string", "description": "masked name, e.g. 张*明"},
                        "title": {"type": "string"},
                        "level": {"type": "string"},
                        "series": _NULLABLE_STRING,
                        "specialty": _NULLABLE_STRING,
                        "obtained": {"type": "string", "format": "date"},
                        "issued_at": _TIME,
                        "issuer": {
                            "type": "object",
                            "properties": {"name": _NULLABLE_STRING, "code": _NULLABLE_STRING},
                            "required": ["name", "code"],
                            "additionalProperties": False,
                        },
                        "kid": _NULLABLE_STRING,
                        "form": {"type": "string", "enum": ["qr", "jws", "number"]},
                    },
                    "required": [
                        "number",
                        "version",
                        "holder",
                        "title",
                        "level",
                        "series",
                        "specialty",
                        "obtained",
                        "issued_at",
                        "issuer",
                        "kid",
                        "form",
                    ],
                    "additionalProperties": False,
                },
            ]
        },
        "status": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "properties": {
                        "state": {"type": "string", "enum": ["revoked", "suspended"]},
                        "effective": {"type": ["string", "null"], "format": "date"},
                        "reason_category": _NULLABLE_STRING,
                        "document_number": _NULLABLE_STRING,
                        "changed_at": _NULLABLE_TIME,
                    },
                    "required": ["state", "effective", "reason_category", "document_number", "changed_at"],
                    "additionalProperties": False,
                },
            ]
        },
        "versions": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "properties": {
                        "this": {"type": "integer"},
                        "current": {"type": "integer"},
                        "newer_exists": {"type": "boolean"},
                        "current_issued_at": _NULLABLE_TIME,
                        "current_reissue_reason": _NULLABLE_STRING,
                    },
                    "required": [
                        "this",
                        "current",
                        "newer_exists",
                        "current_issued_at",
                        "current_reissue_reason",
                    ],
                    "additionalProperties": False,
                },
            ]
        },
        "ledger": {
            "type": ["object", "null"],
            "description": "ledger evidence: entry index, leaf hash, inclusion proof, signed checkpoint",
        },
        "holder_confirmed": {"type": "boolean", "description": "present when the request had 'confirm'"},
    },
    "required": [
        "outcome",
        "step",
        "reason",
        "reason_zh",
        "checked_at",
        "certificate",
        "status",
        "versions",
        "ledger",
    ],
    "additionalProperties": False,
}

_CONFIRM = {
    "type": "string",
    "maxLength": 200,
    "description": "the holder's full name or ID number to confirm (answer: holder_confirmed true/false)",
}
REQUEST_SCHEMA: dict[str, Any] = {
    "oneOf": [
        {
            "type": "object",
            "properties": {
                "qr": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT},
                "confirm": _CONFIRM,
            },
            "required": ["qr"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {
                "credential": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT},
                "confirm": _CONFIRM,
            },
            "required": ["credential"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {
                "certificate_number": {"type": "string", "minLength": 1, "maxLength": 64},
                "name": {"type": "string", "minLength": 1, "maxLength": 200},
                "confirm": _CONFIRM,
            },
            "required": ["certificate_number", "name"],
            "additionalProperties": False,
        },
    ]
}

ITEM_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "detail_zh": {"type": "string"},
    },
    "required": ["code", "title", "status", "detail"],
    "additionalProperties": False,
}

BATCH_RESPONSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "results": {
            "type": "array",
            "items": {
                "oneOf": [
                    {
                        "type": "object",
                        "properties": {
                            "index": {"type": "integer"},
                            "verdict": {"$ref": "#/components/schemas/Verdict"},
                        },
                        "required": ["index", "verdict"],
                        "additionalProperties": False,
                    },
                    {
                        "type": "object",
                        "properties": {
                            "index": {"type": "integer"},
                            "error": {"$ref": "#/components/schemas/ItemProblem"},
                        },
                        "required": ["index", "error"],
                        "additionalProperties": False,
                    },
                ]
            },
        }
    },
    "required": ["results"],
    "additionalProperties": False,
}

OPENAPI: dict[str, Any] = {
    "paths": {
        "/api/v1/verify": {
            "post": {
                "summary": "Verify a certificate: QR text, signed credential, or certificate number + name",
                "description": (
                    "Also accepts multipart/form-data with the certificate PNG/PDF or a photo of its QR in "
                    '"file". Unknown number and wrong name give the same answer (outcome invalid, step '
                    "not-found). Rate-limited per client; by-number and confirm requests more strictly."
                ),
                "operationId": "verify",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/VerifyRequest"}},
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "file": {"type": "string", "contentMediaType": "application/octet-stream"}
                                },
                                "required": ["file"],
                            }
                        },
                    },
                },
                "responses": {
                    "200": {
                        "description": "The verdict (also for forged or unknown certificates: see outcome)",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Verdict"}}},
                    },
                    **problem_responses(400, 413, 422, 429),
                },
            }
        },
        "/api/v1/verify/batch": {
            "post": {
                "summary": f"Verify up to {MAX_BATCH} certificates in one request",
                "operationId": "verifyBatch",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "items": {
                                        "type": "array",
                                        "minItems": 1,
                                        "maxItems": MAX_BATCH,
                                        "items": {"$ref": "#/components/schemas/VerifyRequest"},
                                    }
                                },
                                "required": ["items"],
                                "additionalProperties": False,
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "One result per item, in order: a verdict or the item's problem",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/BatchResult"}}
                        },
                    },
                    **problem_responses(400, 429),
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Verdict": VERDICT_SCHEMA,
            "VerifyRequest": REQUEST_SCHEMA,
            "ItemProblem": ITEM_PROBLEM_SCHEMA,
            "BatchResult": BATCH_RESPONSE_SCHEMA,
        }
    },
}
