"""``POST /api/v1/verify`` and ``POST /api/v1/verify/batch``: verdicts as JSON.

Bodies are checked here (shape, sizes) so that a malformed request is a 400 problem, never a 5xx.
Every route draws on a per-client budget; single requests that can test a holder's name (by
number, or with ``confirm``) also draw on a stricter budget shared with the page forms, so the API
is no faster oracle than the pages; a batch draws on the bulk budgets shared with the bulk page.
All are Flask-Limiter limits declared on the blueprint.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from certsvc.errors import BadRequest, CertsvcError, InvalidField
from certsvc.verification.schemas import (
    MAX_BATCH,
    BatchResult,
    ItemProblem,
    ItemRefused,
    ItemVerdict,
    NumberRequest,
    Verdict,
    VerifyBatch,
    VerifyRequest,
    VerifyUpload,
)
from certsvc.verification.services import OnlineVerdict, verify_by_number, verify_target
from certsvc.verification.views.bulk import BULK_NAME_SCOPE, BULK_SCOPE, bulk_name_rate, bulk_rate
from certsvc.web import runtime
from certsvc.web.extensions import configured_rate, csrf, limiter
from certsvc.web.jsonio import json_body, json_response, parse
from certsvc.web.openapi import Reply, Route, problems

bp = Blueprint("verify_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

NUMBER_SCOPE = "verify-by-number"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


# The per-client rate, and the stricter one of the budget shared by requests that test a name.
verify_rate = configured_rate("CERTSVC_VERIFY_RATE")
number_rate = configured_rate("CERTSVC_VERIFY_NUMBER_RATE")


# --- requests --------------------------------------------------------------------------------
def parse_item(body: Any) -> VerifyRequest:
    """One verify request from decoded JSON (an item of a batch), or the 400 saying what is wrong."""
    return parse(VerifyRequest, body)


def run(item: VerifyRequest, channel: str) -> OnlineVerdict:
    form = item.root
    if isinstance(form, NumberRequest):
        return verify_by_number(
            runtime(), form.certificate_number, form.name, channel=channel, confirm=form.confirm
        )
    assert item.target is not None
    return verify_target(runtime(), item.target, channel=channel, confirm=form.confirm)


def _decoded_body() -> Any:
    """The JSON body as the rate limiter reads it to know what a request costs: decoded once per
    request, and None for anything that is not JSON (too large, malformed, nested too deeply, or
    the client went away) instead of an exception, which a body crafted to fail would otherwise
    raise inside the limiter. The view reads the body its own way and refuses such bodies."""
    if "verify_body" not in g:
        try:
            g.verify_body = request.get_json(silent=True)
        except HTTPException:
            g.verify_body = None
    return g.verify_body


def _is_batch() -> bool:
    return request.endpoint == f"{bp.name}.{verify_batch.__name__}"


def _batch_items() -> list[Any] | None:
    """The items of a batch the view will check (None: not a batch, or one it refuses whole)."""
    body = _decoded_body()
    items = body.get("items") if _is_batch() and isinstance(body, dict) else None
    return items if isinstance(items, list) and 0 < len(items) <= MAX_BATCH else None


def _name_tests() -> int:
    """Whether this single request tests a holder's name: its cost on the stricter budget shared
    with the page forms (a body that is not a valid request costs nothing there: the view refuses
    it, testing no name). Batches draw on the bulk budgets instead."""
    body = _decoded_body()
    return 0 if _is_batch() else int(isinstance(body, dict) and _tests_name(body))


def _tests_no_name() -> bool:
    return _name_tests() == 0


def _batch_name_tests() -> int:
    """How many items of a batch test a holder's name: its cost on the bulk name budget."""
    items = _batch_items() or []
    return sum(1 for item in items if isinstance(item, dict) and _tests_name(item))


def _tests_name(item: dict[str, Any]) -> bool:
    return "certificate_number" in item or "confirm" in item


# Every route here has its own per-client budget (scope: the endpoint) and draws on the budget
# shared with the page forms as much as it tests names. Declared once for the blueprint: Flask-
# Limiter then checks them in its before-request hook only, where route decorators would have it
# resolve the route's limits a second time in the view's wrapper.
limiter.limit(verify_rate)(bp)
limiter.shared_limit(number_rate, scope=NUMBER_SCOPE, cost=_name_tests, exempt_when=_tests_no_name)(bp)
# A batch is an anonymous bulk check: one submission on the bulk budget (shared with the bulk
# page), and its name-testing items on the bulk name budget (docs/adr/0016).
limiter.shared_limit(bulk_rate, scope=BULK_SCOPE, exempt_when=lambda: _batch_items() is None)(bp)
limiter.shared_limit(
    bulk_name_rate,
    scope=BULK_NAME_SCOPE,
    cost=_batch_name_tests,
    exempt_when=lambda: _batch_name_tests() == 0,
)(bp)


# --- routes ------------------------------------------------------------------------------------
@bp.post("/verify")
def verify() -> ResponseReturnValue:
    if request.mimetype == "multipart/form-data":
        return _verify_upload()
    verdict = run(json_body(VerifyRequest), "api")
    return _verdict_response(Verdict.of(verdict))


def _verify_upload() -> Response:
    upload = request.files.get("file")
    if upload is None:
        raise BadRequest('multipart uploads carry the certificate in a field named "file"')
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if not data or len(data) > MAX_UPLOAD_BYTES:
        raise BadRequest(f"the file must be 1 byte to {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB")
    return _verdict_response(Verdict.of(verify_target(runtime(), data, channel="upload")))


@bp.post("/verify/batch")
def verify_batch() -> ResponseReturnValue:
    # Items are checked one by one (``VerifyBatch`` leaves them as sent): a malformed item gets its
    # own problem in the answer and the others their verdicts.
    results: list[ItemVerdict | ItemRefused] = []
    for position, item in enumerate(json_body(VerifyBatch).items):
        try:
            verdict = run(parse_item(item), "api-batch")
        except CertsvcError as error:
            if error.status >= 500:
                raise
            results.append(ItemRefused(index=position, error=item_problem(error)))
            continue
        results.append(ItemVerdict(index=position, verdict=Verdict.of(verdict)))
    return _verdict_response(BatchResult(results=results))


def item_problem(error: CertsvcError) -> ItemProblem:
    return ItemProblem(
        code=error.code,
        title=error.title,
        status=error.status,
        detail=error.message,
        detail_zh=error.detail_zh,
        field=error.field if isinstance(error, InvalidField) else None,
    )


def _verdict_response(body: Verdict | BatchResult) -> Response:
    response = json_response(body)
    # A verdict is true at one moment: a cached "valid" could hide a revocation.
    response.headers["Cache-Control"] = "no-store"
    return response


# --- OpenAPI -----------------------------------------------------------------------------------
ROUTES = (
    Route(
        "post",
        "/api/v1/verify",
        "verify",
        "Verify a certificate: QR text, signed credential, or certificate number + name",
        {
            200: Reply("The verdict (also for forged or unknown certificates: see outcome)", Verdict),
            **problems(400, 413, 422, 429),
        },
        description=(
            "Also accepts multipart/form-data with the certificate PNG/PDF or a photo of its QR in "
            '"file". Unknown number and wrong name give the same answer (outcome invalid, step '
            "not-found). Rate-limited per client; by-number and confirm requests more strictly."
        ),
        body={"application/json": VerifyRequest, "multipart/form-data": VerifyUpload},
    ),
    Route(
        "post",
        "/api/v1/verify/batch",
        "verifyBatch",
        f"Verify up to {MAX_BATCH} certificates in one request (anonymous bulk check)",
        {
            200: Reply("One result per item, in order: a verdict or the item's problem", BatchResult),
            **problems(400, 429),
        },
        description=(
            "Counts as one anonymous bulk check per client (CERTSVC_BULK_RATE), and each item "
            "that tests a name as one line of the bulk name budget (CERTSVC_BULK_NAME_RATE). "
            "Employers send up to 1,000 lines with their API key to POST /api/v1/verify/bulk."
        ),
        body={"application/json": VerifyBatch},
    ),
)
