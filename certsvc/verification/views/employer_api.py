"""``POST /api/v1/verify/bulk``: an employer's bulk check of up to 1,000 lines, with its API key.

The key (``Authorization: Bearer cek_…``) names the employer; its quota of checked lines is a
Flask-Limiter limit keyed on the key (each line costs one), so each key has its own budget and no
client address limits an employer's office. A request without a valid key draws on the per-client
verify budget and is answered 401. JSON lines (``BulkCheck``) or a CSV/Excel file
(``multipart/form-data``, field ``file``); answers in JSON or, with ``?format=xlsx``, as an Excel
workbook; ``report`` also records the check as a verification report.

The key and the request's size are worked out once per request (``employer_key``, ``_lines``) and
never raise: the limiter calls them before the view (ADR 0010).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, request
from flask.typing import ResponseReturnValue
from flask_limiter.util import get_remote_address
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from certsvc.accounts.employers import EmployerKeyPrincipal, authenticate_key
from certsvc.accounts.tokens import bearer_token
from certsvc.errors import AuthenticationRequired, CertsvcError
from certsvc.verification.bulk import BulkItem, BulkResult, BulkRow, verify_bulk
from certsvc.verification.reports import record_bulk, report_url
from certsvc.verification.schemas import (
    MAX_BULK,
    BulkCheck,
    BulkCheckResult,
    BulkLine,
    BulkNumber,
    BulkQr,
    BulkQuery,
    BulkUpload,
    ItemRefused,
    ItemVerdict,
    ReportRef,
    Verdict,
)
from certsvc.verification.spreadsheet import MEDIA_TYPE
from certsvc.verification.views.api import item_problem, verify_rate
from certsvc.verification.views.bulk import bulk_form, workbook_response
from certsvc.web import runtime
from certsvc.web.extensions import csrf, limiter
from certsvc.web.jsonio import json_body, json_response, parse, query
from certsvc.web.openapi import Reply, Route, problems

bp = Blueprint("employer_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

KEY_SCOPE = "employer-key"
MAX_BODY_BYTES = 4 * 1024 * 1024
_TRUE = ("1", "true", "on", "yes")


def employer_key() -> EmployerKeyPrincipal | None:
    """The employer behind the request's key, looked up once per request; None without a valid key
    (the view then raises what was wrong)."""
    if "employer_key" not in g:
        principal: EmployerKeyPrincipal | None = None
        problem: Exception | None = None
        try:
            principal = authenticate_key(runtime(), bearer_token())
        except (CertsvcError, SQLAlchemyError) as error:
            problem = error
        g.employer_key, g.employer_key_problem = principal, problem
    key: EmployerKeyPrincipal | None = g.employer_key
    return key


def _key_identity() -> str:
    key = employer_key()
    return f"employer-key:{key.key_id}" if key is not None else get_remote_address()


def _key_quota() -> str:
    key = employer_key()
    return key.quota if key is not None else str(runtime().settings.employer_quota)


def _lines() -> int:
    """How many lines this request asks to check: its cost on the key's quota (0 for a body the
    view refuses whole)."""
    if "bulk_lines" not in g:
        g.bulk_lines = 0
        if request.mimetype == "multipart/form-data":
            form = bulk_form(MAX_BULK)
            g.bulk_lines = len(form.items) if form.checkable else 0
        else:
            try:
                body = request.get_json(silent=True)
            except HTTPException:
                body = None
            items = body.get("items") if isinstance(body, dict) else None
            if isinstance(items, list) and len(items) <= MAX_BULK:
                g.bulk_lines = len(items)
    lines: int = g.bulk_lines
    return lines


limiter.limit(verify_rate, exempt_when=lambda: employer_key() is not None)(bp)
limiter.shared_limit(
    _key_quota,
    scope=KEY_SCOPE,
    key_func=_key_identity,
    cost=_lines,
    exempt_when=lambda: employer_key() is None or _lines() == 0,
)(bp)


@bp.post("/verify/bulk")
def bulk_check() -> ResponseReturnValue:
    key = employer_key()
    if key is None:
        problem = g.get("employer_key_problem")
        raise problem if isinstance(problem, Exception) else AuthenticationRequired()
    wanted = query(BulkQuery)
    if request.mimetype == "multipart/form-data":
        form = bulk_form(MAX_BULK)
        if form.problem is not None:
            raise form.problem
        parsed: list[BulkItem | CertsvcError] = list(form.items)
        with_report = request.form.get("report", "").lower() in _TRUE
        file_lines = True
    else:
        body = json_body(BulkCheck, limit=MAX_BODY_BYTES)
        parsed = [_item(position, line) for position, line in enumerate(body.items)]
        with_report, file_lines = body.report, False
    result = _checked(parsed)
    report = record_bulk(runtime(), result) if with_report else None
    if wanted.format == "xlsx":
        response = workbook_response(result)
    else:
        response = json_response(_answer(result, report.number if report else None, file_lines))
    response.headers["Cache-Control"] = "no-store"
    return response


def _item(position: int, line: Any) -> BulkItem | CertsvcError:
    try:
        form = parse(BulkLine, line).root
    except CertsvcError as error:
        return error
    if isinstance(form, BulkNumber):
        return BulkItem(position + 1, number=form.certificate_number, name=form.name)
    return BulkItem(position + 1, token=form.qr if isinstance(form, BulkQr) else form.credential)


def _checked(parsed: list[BulkItem | CertsvcError]) -> BulkResult:
    """Rows for every line, in order: verdicts of the well-formed ones, problems of the others."""
    items = [item for item in parsed if isinstance(item, BulkItem)]
    checked = verify_bulk(runtime(), items, max_items=MAX_BULK, channel="api-batch") if items else None
    rows = iter(checked.rows if checked is not None else ())
    merged = [
        next(rows) if isinstance(item, BulkItem) else BulkRow(position + 1, None, None, item)
        for position, item in enumerate(parsed)
    ]
    return BulkResult(tuple(merged), checked.checked_at if checked is not None else runtime().now())


def _answer(result: BulkResult, report: str | None, file_lines: bool) -> BulkCheckResult:
    results: list[ItemVerdict | ItemRefused] = []
    for position, row in enumerate(result.rows):
        line = row.line if file_lines else None
        if row.verdict is not None:
            results.append(ItemVerdict(index=position, line=line, verdict=Verdict.of(row.verdict)))
        else:
            assert row.error is not None
            results.append(ItemRefused(index=position, line=line, error=item_problem(row.error)))
    return BulkCheckResult(
        checked_at=result.checked_at,
        counts=result.counts,
        results=results,
        report=None
        if report is None
        else ReportRef(
            number=report,
            url=report_url(runtime(), report),
            pdf_url=report_url(runtime(), report) + "/pdf",
        ),
    )


# --- OpenAPI -----------------------------------------------------------------------------------
ROUTES = (
    Route(
        "post",
        "/api/v1/verify/bulk",
        "verifyBulk",
        f"An employer's bulk check of up to {MAX_BULK} lines (API key)",
        {
            200: Reply(
                "One result per line, in order, with counts per outcome (JSON; or the Excel "
                "workbook with ?format=xlsx)",
                BulkCheckResult,
            ),
            **problems(400, 401, 413, 429),
        },
        description=(
            "Lines are certificate number + full name, QR texts or signed credentials. JSON "
            '({"items": [...], "report": false}) or multipart/form-data with a CSV or Excel file '
            'in "file". Each line costs one on the quota of the key (429 when it is spent, with '
            "Retry-After). With report true the check is also recorded as a verification report "
            f"(/r/<number>, signed PDF at /r/<number>/pdf). ?format=xlsx answers {MEDIA_TYPE}."
        ),
        body={"application/json": BulkCheck, "multipart/form-data": BulkUpload},
        query=BulkQuery,
        key=True,
    ),
)
