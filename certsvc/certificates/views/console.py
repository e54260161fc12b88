"""The issuing body's console: dashboard, import, reissue queue, certificate search and actions,
ledger view.

Staff see and act on their own authority's certificates and requests only; anything else answers
404 as if it did not exist. Roles: operator imports, reissues at the counter and makes activation
links; reviewer decides requests; operators and reviewers propose suspensions, reinstatements and
revocations, which another reviewer approves (views/approvals.py); auditor only reads.
"""

from __future__ import annotations

import io

from flask import Blueprint, Response, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from certsvc.accounts import services as accounts
from certsvc.accounts.notifications import deliver_outbox
from certsvc.audit.web import acting
from certsvc.certificates import approvals, revocation
from certsvc.certificates import reissue as reissue_service
from certsvc.certificates.dashboard import SERIES, authority_dashboard
from certsvc.certificates.lookup import find_certificate
from certsvc.certificates.models import (
    CORRECTABLE_FIELDS,
    REISSUE_REASONS,
    Certificate,
)
from certsvc.certificates.staging import stage_upload, take_staged_upload
from certsvc.certificates.versions import verification_url
from certsvc.certificates.views.holder import security_page
from certsvc.errors import BadRequest, IntakeError, NotFound, WorkflowError
from certsvc.web import runtime
from certsvc.web.extensions import limiter
from certsvc.web.language import error_text, t
from certsvc.web.portal import me, staff_required

bp = Blueprint("issuer", __name__, url_prefix="/issuer")

MAX_IMPORT_BYTES = 30 * 1024 * 1024
REPORT_ROWS_SHOWN = 200


# --- dashboard -------------------------------------------------------------------------------------
@bp.get("/")
@staff_required()
def dashboard() -> ResponseReturnValue:
    """The authority's figures; a reviewer also sees what waits for their approval, an auditor the
    latest entries of the action log."""
    from certsvc.audit.services import ActionFilter, list_actions
    from certsvc.certificates.dashboard import ANNUAL_SERIES, BREAKDOWNS

    rt = runtime()
    principal = me()
    this_year = rt.today().year
    year = request.args.get("year", "")
    # Four ASCII digits only ("²".isdigit() is true, but int() refuses it); anything else: this year.
    valid = len(year) == 4 and year.isascii() and year.isdigit() and 2000 <= int(year) <= this_year
    chosen = int(year) if valid else this_year
    with rt.database.read() as db:
        summary = authority_dashboard(db, rt, principal.authority_code or "", year=chosen)
        awaiting = approvals.awaiting(db, acting()) if principal.role == "reviewer" else 0
        recent = (
            list_actions(db, authority_code=principal.authority_code, filters=ActionFilter(), per_page=8).rows
            if principal.role == "auditor"
            else []
        )
    return render_template(
        "issuer/dashboard.html",
        dashboard=summary,
        series=SERIES,
        annual_series=ANNUAL_SERIES,
        breakdowns=BREAKDOWNS,
        awaiting=awaiting,
        recent=recent,
    )


# --- import ----------------------------------------------------------------------------------------
@bp.route("/import", methods=["GET", "POST"])
@staff_required("operator")
def import_upload() -> ResponseReturnValue:
    """Upload a results file: every row is previewed with its verdict (a dry run), and the file is
    kept until the operator confirms (or downloads the refusal report)."""
    if request.method == "GET":
        return render_template("issuer/import.html", preview=None, token=None, error=None)
    from certsvc.certificates.preview import preview_import

    full_names = request.form.get("names") == "full"
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("issuer/import.html", preview=None, token=None, error=t("请选择文件。")), 400
    data = upload.stream.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        return render_template("issuer/import.html", preview=None, token=None, error=t("文件过大。")), 400
    rt = runtime()
    principal = me()
    try:
        preview = preview_import(
            rt,
            data,
            upload.filename,
            acting_authority=principal.authority_code or "",
            actor=acting(),
            full_names=full_names,
        )
    except IntakeError as error:
        return render_template("issuer/import.html", preview=None, token=None, error=error_text(error)), 422
    # Kept when there is something to confirm or a refusal report to download.
    worth_keeping = not preview.foreign and (preview.report.would_issue or not preview.ok)
    token = stage_upload(rt, principal.user_id, upload.filename, data) if worth_keeping else None
    return render_template(
        "issuer/import.html",
        preview=preview,
        token=token,
        error=None,
        approval_rows=rt.settings.import_approval_rows,
    )


@bp.post("/import/confirm")
@staff_required("operator")
def import_confirm() -> ResponseReturnValue:
    from certsvc.certificates.issuing import import_results

    rt = runtime()
    principal = me()
    data, filename = take_staged_upload(rt, principal.user_id, request.form.get("token", ""))
    # Above the configured size a second person (a reviewer) must approve the import (two-person rule).
    large = approvals.large_import(rt, data, filename, acting_authority=principal.authority_code)
    if large is not None:
        proposal_id = approvals.propose_import(
            rt, acting(), data, filename, rows=large.rows, would_issue=large.would_issue
        )
        flash(t("导入规模较大，已提交审批：须由另一名审核员批准后才会发证。"), "info")
        return redirect(url_for("issuer_approvals.proposal", proposal_id=proposal_id))
    report = import_results(
        rt, data, filename, dry_run=False, acting_authority=principal.authority_code, actor=acting()
    )
    return render_template("issuer/import_result.html", report=report, shown=REPORT_ROWS_SHOWN)


@bp.get("/templates/<route>.xlsx")
@staff_required()
def template(route: str) -> ResponseReturnValue:
    """The Excel template of an acquisition route (review, recognition, reconfirmation, exam)."""
    from certsvc.certificates.intake.templates import (
        XLSX_MEDIA_TYPE,
        template_filename,
        template_route,
        template_xlsx,
    )

    chosen = template_route(route)
    return send_file(
        io.BytesIO(template_xlsx(chosen)),
        mimetype=XLSX_MEDIA_TYPE,
        as_attachment=True,
        download_name=template_filename(chosen),
    )


# --- reissue requests ------------------------------------------------------------------------------
@bp.get("/requests")
@staff_required()
def request_queue() -> ResponseReturnValue:
    status = request.args.get("status", "pending")
    statuses = ("pending", "approved", "rejected") if status == "all" else (status,)
    if status not in ("pending", "approved", "rejected", "all"):
        raise BadRequest("unknown status filter", detail_zh="未知的状态筛选")
    rt = runtime()
    with rt.database.read() as db:
        items = reissue_service.queue(db, rt, me().authority_code, statuses=statuses)
        numbers = {item.request.id: item.request.certificate.number for item in items}
        return render_template(
            "issuer/requests.html",
            items=items,
            numbers=numbers,
            status=status,
            threshold=rt.settings.reissue_flag_working_days,
        )


@bp.get("/requests/<int:request_id>")
@staff_required()
def request_detail(request_id: int) -> ResponseReturnValue:
    rt = runtime()
    with rt.database.read() as db:
        req = reissue_service.get_request(db, request_id, authority_code=me().authority_code)
        cert = req.certificate
        item = reissue_service.queue_item(rt, req, rt.today())
        return render_template(
            "issuer/request.html",
            req=req,
            cert=cert,
            holder_name=cert.holder_name,
            age=item.age_working_days,
            approximate=item.approximate,
            flagged=item.flagged,
            can_decide=me().role == "reviewer" and req.status == "pending",
        )


@bp.get("/requests/<int:request_id>/evidence")
@staff_required()
def evidence(request_id: int) -> ResponseReturnValue:
    with runtime().database.read() as db:
        req = reissue_service.get_request(db, request_id, authority_code=me().authority_code)
        if req.evidence is None:
            raise NotFound("this request has no evidence file", detail_zh="该申请没有证明材料")
        data, media_type = req.evidence, req.evidence_type or "application/octet-stream"
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(media_type, "bin")
    response = Response(data, mimetype=media_type)
    # Served as a download, never inline: an uploaded file must not run in the console's origin.
    response.headers["Content-Disposition"] = (
        f'attachment; filename="request-{request_id}-evidence.{extension}"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/requests/<int:request_id>/decision")
@staff_required("reviewer")
def decide(request_id: int) -> ResponseReturnValue:
    rt = runtime()
    principal = me()
    decision = request.form.get("decision")
    try:
        with rt.database.write() as db:
            if decision == "approve":
                created = reissue_service.approve_request(
                    db, rt, request_id, actor=acting(), actor_authority=principal.authority_code
                )
                message = t("已批准，已生成第 %(version)s 版。", version=created.version)
            elif decision == "reject":
                reissue_service.reject_request(
                    db,
                    rt,
                    request_id,
                    reason=request.form.get("reason", ""),
                    actor=acting(),
                    actor_authority=principal.authority_code,
                )
                message = t("已驳回，持证人将看到驳回理由。")
            else:
                raise BadRequest("decision must be approve or reject", detail_zh="请选择批准或驳回")
    except (BadRequest, WorkflowError) as error:
        flash(error_text(error), "error")
        return redirect(url_for("issuer.request_detail", request_id=request_id))
    deliver_outbox(rt)
    flash(message, "info")
    return redirect(url_for("issuer.request_queue"))


# --- certificates ----------------------------------------------------------------------------------
def _my_certificate(db: Session, number: str) -> Certificate:
    return find_certificate(db, number, authority_code=me().authority_code, malformed_is_absent=True)


@bp.get("/certificates/<number>")
@staff_required()
def certificate(number: str) -> ResponseReturnValue:
    rt = runtime()
    with rt.database.read() as db:
        cert = _my_certificate(db, number)
        versions = list(reversed(cert.versions))  # newest first
        current = cert.current_version_row
        role = me().role
        return render_template(
            "issuer/certificate.html",
            cert=cert,
            holder_name=cert.holder_name,
            versions=versions,
            current=current,
            verify_url=verification_url(rt, current.qr_payload),
            status_choices=revocation.choices(current.status),
            pending_proposal=approvals.pending_for_certificate(db, cert.id),
            reissue_reasons=REISSUE_REASONS,
            fields=CORRECTABLE_FIELDS,
            can_propose=role in approvals.PROPOSER_ROLES,
            can_operate=role == "operator",
            today=rt.today().isoformat(),
        )


@bp.post("/certificates/<number>/reissue")
@staff_required("operator")
def reissue(number: str) -> ResponseReturnValue:
    """Counter reissue: the holder came in person, so no online request is needed."""
    rt = runtime()
    form = request.form
    try:
        reason = form.get("reason", "")
        correction = reissue_service.check_correction(
            reason, form.get("corrected_field"), form.get("corrected_value")
        )
        with rt.database.write() as db:
            _my_certificate(db, number)
            created = reissue_service.reissue(
                db,
                rt,
                number,
                reason,
                actor_authority=me().authority_code,
                correction=correction,
                actor=acting(),
            )
            version = created.version
    except (BadRequest, WorkflowError) as error:
        flash(error_text(error), "error")
    else:
        flash(t("已补发第 %(version)s 版。", version=version), "info")
    return redirect(url_for("issuer.certificate", number=number))


@bp.post("/certificates/<number>/activation-link")
@staff_required("operator")
def activation_link(number: str) -> ResponseReturnValue:
    """A one-time link for the holder; shown once here, never stored in clear."""
    rt = runtime()
    with rt.database.write() as db:
        cert = _my_certificate(db, number)
        link = accounts.create_activation_link(
            db, rt, cert.number, created_by=acting(), actor_authority=me().authority_code
        )
        canonical = cert.number
    response = Response(render_template("issuer/activation_link.html", link=link, number=canonical))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/certificates/<number>/activation-code")
@staff_required("operator")
@limiter.limit("60 per hour")
def activation_code(number: str) -> ResponseReturnValue:
    """A printable activation notice with a one-time code; shown once here, never stored in clear."""
    from certsvc.accounts.activation import issue_activation_code

    notice = issue_activation_code(
        runtime(), number, created_by=acting(), actor_authority=me().authority_code
    )
    response = Response(render_template("issuer/activation_notice.html", notice=notice))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/certificates/<number>/activation-email")
@staff_required("operator")
@limiter.limit("30 per hour")
def activation_email(number: str) -> ResponseReturnValue:
    """Mail the holder a one-time activation link at the address they gave the issuing body."""
    from certsvc.accounts.activation import email_activation_link

    try:
        email_activation_link(
            runtime(),
            number,
            request.form.get("email", ""),
            created_by=acting(),
            actor_authority=me().authority_code,
        )
    except BadRequest as error:
        flash(error_text(error), "error")
    else:
        flash(t("激活链接已发送到该邮箱。"), "info")
    return redirect(url_for("issuer.certificate", number=number))


# --- ledger ----------------------------------------------------------------------------------------
@bp.get("/ledger")
@staff_required()
def ledger() -> ResponseReturnValue:
    from certsvc.ledger.store import LedgerStore

    with runtime().database.read() as db:
        checkpoint = LedgerStore(db).latest_checkpoint()
    return render_template("issuer/ledger.html", checkpoint=checkpoint, audit=None)


@bp.post("/ledger/audit")
@staff_required()
def ledger_audit() -> ResponseReturnValue:
    """Recompute the whole ledger now (read-only, but heavy: hence a deliberate POST)."""
    from certsvc.ledger.services import audit
    from certsvc.ledger.store import LedgerStore

    rt = runtime()
    report = audit(rt, None)
    with rt.database.read() as db:
        checkpoint = LedgerStore(db).latest_checkpoint()
    return render_template("issuer/ledger.html", checkpoint=checkpoint, audit=report)


@bp.route("/security", methods=["GET", "POST"])
@staff_required()
def security() -> ResponseReturnValue:
    return security_page("issuer/security.html", "issuer.security")
