"""The two-person rule in the console: propose a status change or a key event (with a confirmation
step that says what will happen), and the list of proposals where a second staff member, a
reviewer, approves or rejects them and the proposer may withdraw theirs.

Everything is decided in ``certificates.approvals``; these views parse the form, call one service
and render. Another authority's proposal or certificate answers 404 like a missing one.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers.response import Response as BaseResponse

from certsvc.audit.web import acting
from certsvc.certificates import approvals
from certsvc.certificates import keys as key_service
from certsvc.certificates.revocation import StatusChange
from certsvc.errors import BadRequest, CertsvcError, NotFound, SelfApproval, WorkflowError
from certsvc.timefmt import china_local_input, parse_china_local
from certsvc.web import runtime
from certsvc.web.language import error_text, t
from certsvc.web.portal import me, staff_required

bp = Blueprint("issuer_approvals", __name__, url_prefix="/issuer")

LIST_FILTERS = {"pending": ("pending",), "decided": ("approved", "rejected", "withdrawn")}
# What the form says when it is sent without its confirmation box ticked.
_UNCONFIRMED = BadRequest("tick the box to confirm", detail_zh="请勾选确认后再提交")


def _flash_error(error: CertsvcError) -> None:
    flash(error_text(error), "error")


def _confirmed() -> bool:
    return request.form.get("confirm") == "1"


def _proposed(proposal_id: int) -> BaseResponse:
    """After a status or key proposal: its page, saying it waits for a second person."""
    flash(t("已提交审批：须由另一名审核员批准后生效。"), "info")
    return _back_to(proposal_id)


# --- proposing a status change ---------------------------------------------------------------------
def _status_form(number: str) -> StatusChange:
    """The status change the form asks for on certificate ``number``."""
    form = request.form
    try:
        effective = dt.date.fromisoformat(form["effective"]) if form.get("effective") else None
        version = int(form["version"]) if form.get("version") else None
    except ValueError:
        raise BadRequest(
            "dates are YYYY-MM-DD and the version a number", detail_zh="日期格式应为 YYYY-MM-DD"
        ) from None
    return StatusChange(
        number, form.get("action", ""), form.get("reason", ""), form.get("doc_no", ""), effective, version
    )


@bp.post("/certificates/<number>/proposal")
@staff_required(*approvals.PROPOSER_ROLES)
def propose_status(number: str) -> ResponseReturnValue:
    """Step 1 shows what the change will do; step 2 (``step=propose``) records the proposal."""
    rt = runtime()
    back = redirect(url_for("issuer.certificate", number=number))
    try:
        change = _status_form(number)
        if request.form.get("step") != "propose":
            with rt.database.read() as db:
                effect = approvals.preview_status_change(db, rt, acting(), change)
            return render_template(
                "issuer/status_confirm.html", effect=effect, note=request.form.get("note", "")
            )
        with rt.database.write() as db:
            proposal = approvals.propose_status_change(
                db, rt, acting(), change, note=request.form.get("note")
            )
            proposal_id = proposal.id
    except (BadRequest, WorkflowError) as error:
        _flash_error(error)
        return back
    return _proposed(proposal_id)


# --- signing keys ----------------------------------------------------------------------------------
@bp.get("/keys")
@staff_required()
def keys() -> ResponseReturnValue:
    """Every signing key; staff of a provincial HR department also see the forms to propose a
    rotation or mark a key compromised."""
    rt = runtime()
    with rt.database.read() as db:
        rows = key_service.key_list(db, rt)
        manages = approvals.manages_keys(db, me().authority_code)
    return render_template(
        "issuer/keys.html",
        keys=rows,
        manages=manages,
        can_propose=manages and me().role in approvals.PROPOSER_ROLES,
        now=china_local_input(rt.now()),
    )


@bp.post("/keys/proposal")
@staff_required(*approvals.PROPOSER_ROLES)
def propose_key() -> ResponseReturnValue:
    rt = runtime()
    form = request.form
    back = redirect(url_for("issuer_approvals.keys"))
    with rt.database.read() as db:
        # Refused outright (403), before the form is read, rather than flashed on the keys page.
        approvals.require_key_staff(db, acting())
    try:
        action = form.get("action", "")
        if action not in key_service.KEY_ACTIONS:
            raise BadRequest("choose rotate or compromise", detail_zh="请选择轮换密钥或标记泄露")
        try:
            since = parse_china_local(form["since"]) if form.get("since") else None
        except ValueError:
            raise BadRequest(
                "the time is YYYY-MM-DD HH:MM (China time)",
                detail_zh="时间格式应为 YYYY-MM-DD HH:MM（北京时间）",
            ) from None
        kid = form.get("kid") or None
        if form.get("step") != "propose":
            with rt.database.read() as db:
                effect = approvals.preview_key_action(db, rt, acting(), action=action, kid=kid, since=since)
            return render_template(
                "issuer/key_confirm.html",
                effect=effect,
                since_input=form.get("since", ""),
                note=form.get("note", ""),
            )
        with rt.database.write() as db:
            proposal = approvals.propose_key_action(
                db, rt, acting(), action=action, kid=kid, since=since, note=form.get("note")
            )
            proposal_id = proposal.id
    except (BadRequest, WorkflowError, NotFound) as error:
        _flash_error(error)
        return back
    return _proposed(proposal_id)


# --- the proposals ---------------------------------------------------------------------------------
@bp.get("/approvals")
@staff_required()
def proposals() -> ResponseReturnValue:
    shown = request.args.get("status", "pending")
    if shown not in LIST_FILTERS:
        raise BadRequest("unknown status filter", detail_zh="状态筛选条件不正确")
    with runtime().database.read() as db:
        items = approvals.list_proposals(db, me().authority_code or "", statuses=LIST_FILTERS[shown])
    return render_template("issuer/approvals.html", items=items, status=shown, me=me())


@bp.get("/approvals/<int:proposal_id>")
@staff_required()
def proposal(proposal_id: int) -> ResponseReturnValue:
    rt = runtime()
    principal = me()
    effect = None
    blocked = None
    with rt.database.read() as db:
        item = approvals.get_proposal(db, principal.authority_code or "", proposal_id)
        try:
            effect = approvals.current_effect(db, rt, item)
        except (BadRequest, WorkflowError, NotFound) as error:
            blocked = error_text(error)
    own = item.proposed_by_user == principal.user_id
    pending = item.status == "pending"
    return render_template(
        "issuer/approval.html",
        item=item,
        effect=effect,
        blocked=blocked,
        own=own,
        can_decide=pending and not own and principal.role in approvals.APPROVER_ROLES,
        can_withdraw=pending and own,
    )


def _back_to(proposal_id: int) -> BaseResponse:
    return redirect(url_for("issuer_approvals.proposal", proposal_id=proposal_id))


@bp.post("/approvals/<int:proposal_id>/approve")
@staff_required(*approvals.APPROVER_ROLES)
def approve(proposal_id: int) -> ResponseReturnValue:
    """Put the proposal into effect; the proposer's own approval is refused with the reason."""
    rt = runtime()
    try:
        if not _confirmed():
            raise _UNCONFIRMED
        decision = approvals.approve(rt, acting(), proposal_id)
    except (BadRequest, WorkflowError, SelfApproval) as error:
        # The proposer's own approval is refused on the proposal's page, saying who may approve.
        _flash_error(error)
        return _back_to(proposal_id)
    if decision.report is not None and not decision.report.ok:
        return render_template(
            "issuer/import_result.html", report=decision.report, shown=200, proposal_id=proposal_id
        ), 422
    flash(t("已批准，变更已生效并记入账本。"), "info")
    return _back_to(proposal_id)


@bp.post("/approvals/<int:proposal_id>/reject")
@staff_required(*approvals.APPROVER_ROLES)
def reject(proposal_id: int) -> ResponseReturnValue:
    rt = runtime()
    try:
        with rt.database.write() as db:
            approvals.reject(db, rt, acting(), proposal_id, request.form.get("reason", ""))
    except (BadRequest, WorkflowError, SelfApproval) as error:
        _flash_error(error)
        return _back_to(proposal_id)
    flash(t("已驳回，未作任何变更。"), "info")
    return _back_to(proposal_id)


@bp.post("/approvals/<int:proposal_id>/withdraw")
@staff_required(*approvals.PROPOSER_ROLES)
def withdraw(proposal_id: int) -> ResponseReturnValue:
    rt = runtime()
    try:
        if not _confirmed():
            raise _UNCONFIRMED
        with rt.database.write() as db:
            approvals.withdraw(db, rt, acting(), proposal_id)
    except (BadRequest, WorkflowError) as error:
        _flash_error(error)
        return _back_to(proposal_id)
    flash(t("申请已撤回，未作任何变更。"), "info")
    return _back_to(proposal_id)
