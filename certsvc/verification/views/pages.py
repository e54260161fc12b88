"""Public pages: the start page, the page a QR opens, "confirm the holder", uploads, bulk checks.

Verdict first, then masked facts, then the ledger evidence folded away. The language and the
wording come from ``certsvc.web.language`` like every other page.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask.typing import ResponseReturnValue

from certsvc.errors import BadRequest, UnreadableDocument
from certsvc.verification.schemas import MAX_BATCH
from certsvc.verification.services import (
    OnlineVerdict,
    unreadable_verdict,
    verify_by_number,
    verify_target,
    wording,
)
from certsvc.verification.views.api import MAX_UPLOAD_BYTES, NUMBER_SCOPE, number_rate, verify_rate
from certsvc.verification.views.bulk import (
    BULK_NAME_SCOPE,
    BULK_SCOPE,
    bulk_name_rate,
    bulk_page,
    bulk_rate,
    describe_rate,
    posted_form,
)
from certsvc.web import runtime
from certsvc.web.extensions import limiter
from certsvc.web.language import error_text

bp = Blueprint("public", __name__)


@bp.after_request
def _not_stored(response: Response) -> Response:
    response.headers["Vary"] = "Accept-Language, Cookie"
    # Verdicts change (a revocation must show at once) and pages may echo what the visitor typed.
    response.headers["Cache-Control"] = "no-store"
    return response


# --- pages -------------------------------------------------------------------------------------
@bp.get("/")
@limiter.limit(verify_rate)
def start() -> ResponseReturnValue:
    return render_template("public/start.html", switch_url=url_for("public.start"))


@bp.get("/help")
def help_page() -> ResponseReturnValue:
    """How to verify, what each verdict means, how offline verification works, who runs the site."""
    return render_template("public/help.html", switch_url=url_for("public.help_page"))


@bp.get("/v/<payload>")
@bp.get("/V/<payload>")
@limiter.limit(verify_rate)
def scanned(payload: str) -> ResponseReturnValue:
    verdict = verify_target(runtime(), payload, channel="page")
    return _verdict_page(verdict, payload=payload)


@bp.post("/v/<payload>/confirm")
@bp.post("/V/<payload>/confirm")
@limiter.limit(verify_rate)
@limiter.shared_limit(number_rate, scope=NUMBER_SCOPE)
def confirm(payload: str) -> ResponseReturnValue:
    claim = request.form.get("claim", "").strip()
    if not claim or len(claim) > 200:
        raise BadRequest("type the holder's full name or ID number", detail_zh="请输入持证人全名或身份证号码")
    verdict = verify_target(runtime(), payload, channel="page", confirm=claim)
    return _verdict_page(verdict, payload=payload)


@bp.post("/verify")
@limiter.limit(verify_rate)
@limiter.shared_limit(number_rate, scope=NUMBER_SCOPE)
def by_number() -> ResponseReturnValue:
    """Number + name. The answer page keeps what was typed in the form, so a typo is corrected
    in place; a mistyped number (check character) or a missing name is said on the start page,
    the form filled in as typed."""
    number = request.form.get("number", "")
    name = request.form.get("name", "")
    typed = {"number": number[:64], "name": name[:200]}
    try:
        if len(number) > 64 or len(name) > 200:
            raise BadRequest("the number or the name is too long", detail_zh="证书编号或姓名过长")
        verdict = verify_by_number(runtime(), number, name, channel="number")
    except BadRequest as error:
        page = render_template(
            "public/start.html", switch_url=url_for("public.start"), typed=typed, problem=error_text(error)
        )
        return page, error.status
    return _verdict_page(verdict, payload=verdict.confirm_payload, typed=typed)


@bp.post("/verify/upload")
@limiter.limit(verify_rate)
def upload() -> ResponseReturnValue:
    """An uploaded certificate file or photo. A file holding no certsvc certificate is said to be
    just that (422), never called forged."""
    file = request.files.get("file")
    data = file.read(MAX_UPLOAD_BYTES + 1) if file is not None else b""
    if not data or len(data) > MAX_UPLOAD_BYTES:
        raise BadRequest(
            "choose a PNG/PDF certificate or a photo of its QR code "
            f"(at most {MAX_UPLOAD_BYTES // 2**20} MiB)",
            detail_zh="请选择 PNG/PDF 证书文件或二维码照片（不超过 10 MiB）",
        )
    try:
        verdict = verify_target(runtime(), data, channel="upload")
    except UnreadableDocument as error:
        verdict = unreadable_verdict(runtime(), channel="upload")
        return _verdict_page(verdict, payload=None, upload=True, problem=error_text(error)), 422
    return _verdict_page(verdict, payload=verdict.confirm_payload, upload=True)


def _verdict_page(
    verdict: OnlineVerdict,
    *,
    payload: str | None,
    typed: dict[str, str] | None = None,
    upload: bool = False,
    problem: str | None = None,
) -> str:
    """The verdict, with what "save as a verification report" re-checks: the QR payload, or the
    typed number and name when no certificate matched them; ``typed`` also refills the number form."""
    switch_url = url_for("public.scanned", payload=payload) if payload else url_for("public.start")
    report_target = (
        {"payload": payload}
        if payload
        else ({"number": typed["number"], "name": typed["name"]} if typed else None)
    )
    return render_template(
        "public/verify.html",
        verdict=verdict,
        wording=wording(verdict.outcome, verdict.step, upload=upload),
        confirm_payload=verdict.confirm_payload,
        switch_url=switch_url,
        typed=typed,
        upload=upload,
        problem=problem,
        report_target=report_target,
    )


# --- bulk --------------------------------------------------------------------------------------
def _submission() -> bool:
    """Whether this request is a bulk check the view will make (what the bulk budget counts)."""
    form = posted_form(MAX_BATCH)
    return form is not None and form.checkable


def _name_lines() -> int:
    """Number + name lines of a valid bulk form: its cost on the bulk name budget (a form the
    view will refuse, over MAX_BATCH items or unreadable, costs nothing there)."""
    form = posted_form(MAX_BATCH)
    return 0 if form is None else form.name_lines


@bp.route("/verify/bulk", methods=["GET", "POST"])
@limiter.limit(verify_rate)
@limiter.shared_limit(bulk_rate, scope=BULK_SCOPE, exempt_when=lambda: not _submission())
@limiter.shared_limit(
    bulk_name_rate, scope=BULK_NAME_SCOPE, cost=_name_lines, exempt_when=lambda: _name_lines() == 0
)
def bulk() -> ResponseReturnValue:
    """Anonymous bulk check: up to 100 lines, as a page, an Excel file or a verification report."""
    return bulk_page(
        max_items=MAX_BATCH,
        endpoint="public.bulk",
        employer=None,
        submissions=describe_rate(bulk_rate(), "次", "checks"),
        name_lines=describe_rate(bulk_name_rate(), "行", "lines"),
    )
