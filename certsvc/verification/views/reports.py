"""Verification reports: ``POST /r`` records a verification as a report, ``/r/<number>`` shows the
recorded result (masked data only) and ``/r/<number>/pdf`` is the report signed by the
installation. Bulk checks make their reports from the bulk forms (``output=report``).

A report is made by checking again what the verdict page checked (its QR payload, or the typed
number and name), so it records the registry's answer, never something a client sent as a result.
"""

from __future__ import annotations

import io

from flask import Blueprint, Response, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from certsvc.errors import BadRequest
from certsvc.verification import reports
from certsvc.verification.services import verify_by_number, verify_target
from certsvc.verification.targets import MAX_TOKEN_CHARS
from certsvc.verification.views.api import NUMBER_SCOPE, number_rate, verify_rate
from certsvc.web import runtime
from certsvc.web.extensions import configured_rate, limiter

bp = Blueprint("reports", __name__)
report_rate = configured_rate("CERTSVC_REPORT_RATE")


@bp.after_request
def _not_stored(response: Response) -> Response:
    response.headers["Vary"] = "Accept-Language, Cookie"
    response.headers["Cache-Control"] = "no-store"
    return response


def _by_number() -> bool:
    return bool(request.form.get("number")) and not request.form.get("payload")


@bp.post("/r")
@limiter.limit(verify_rate)
@limiter.shared_limit(number_rate, scope=NUMBER_SCOPE, exempt_when=lambda: not _by_number())
def create() -> ResponseReturnValue:
    """Check again and record the result as a report; answers with the report's page."""
    payload = request.form.get("payload", "").strip()
    number, name = request.form.get("number", ""), request.form.get("name", "")
    if payload and len(payload) <= MAX_TOKEN_CHARS:
        verdict = verify_target(runtime(), payload, channel="page")
    elif number and name and len(number) <= 64 and len(name) <= 200:
        verdict = verify_by_number(runtime(), number, name, channel="number")
    else:
        raise BadRequest(
            "a report needs what was verified: the QR payload, or the certificate number and name",
            detail_zh="生成核验报告需要查验的内容：二维码内容，或证书编号和姓名",
        )
    report = reports.record_verdict(runtime(), verdict)
    return redirect(url_for("reports.report", number=report.number), code=303)


@bp.get("/r/<number>")
@limiter.limit(report_rate)
def report(number: str) -> ResponseReturnValue:
    found = reports.find_report(runtime(), number)
    return render_template(
        "public/report.html",
        report=found,
        url=reports.report_url(runtime(), found.number),
        switch_url=url_for("reports.report", number=found.number),
    )


@bp.get("/r/<number>/pdf")
@limiter.limit(report_rate)
def report_pdf(number: str) -> ResponseReturnValue:
    found = reports.find_report(runtime(), number)
    return send_file(
        io.BytesIO(reports.report_pdf(runtime(), found)),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{found.number}.pdf",
        max_age=0,
    )
