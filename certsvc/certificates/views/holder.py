"""The holder portal: my certificates, downloads, sharing, reissue requests, notifications, security.

Every lookup is scoped to the signed-in holder: another holder's certificate or request answers
404 exactly like one that does not exist, so guessing numbers or ids reveals nothing.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from certsvc.accounts import services as accounts
from certsvc.accounts import totp
from certsvc.accounts.models import User
from certsvc.accounts.notifications import deliver_outbox, has_unread, in_language, read_messages
from certsvc.certificates import reissue as reissue_service
from certsvc.certificates import shares as share_service
from certsvc.certificates.holdings import (
    authority_names,
    certificate_requests,
    holder_certificates,
    holder_requests,
)
from certsvc.certificates.lookup import find_certificate
from certsvc.certificates.models import CORRECTABLE_FIELDS, REISSUE_REASONS, Certificate
from certsvc.certificates.versions import verification_url
from certsvc.errors import BadRequest, Forbidden, NotFound, WorkflowError
from certsvc.runtime import Runtime
from certsvc.web import runtime
from certsvc.web.extensions import limiter
from certsvc.web.language import error_text, language, t
from certsvc.web.portal import holder_required, me, qr_svg

bp = Blueprint("holder", __name__, url_prefix="/me")

DOWNLOADS = {
    "pdf": ("application/pdf", "pdf"),
    "png": ("image/png", "png"),
    "jws": ("application/vc+jwt", "jwt"),
}
MAX_WATERMARK_CHARS = 40


def _own_certificate(db: Session, number: str) -> Certificate:
    return find_certificate(db, number, holder_id=me().holder_id or -1, malformed_is_absent=True)


@bp.get("/")
@holder_required
def certificates() -> ResponseReturnValue:
    rt = runtime()
    with rt.database.read() as db:
        items = holder_certificates(db, me().holder_id or -1)
        unread = has_unread(db, me().user_id)
    return render_template(
        "holder/certificates.html",
        items=items,
        unread=unread,
        activated=request.args.get("activated"),
    )


@bp.get("/certificates/<number>")
@holder_required
def certificate(number: str) -> ResponseReturnValue:
    rt = runtime()
    with rt.database.read() as db:
        cert = _own_certificate(db, number)
        versions = list(reversed(cert.versions))  # newest first
        current = cert.current_version_row
        share_url = verification_url(rt, current.qr_payload)
        requests = certificate_requests(db, cert, me().holder_id or -1)
        authority = authority_names(db).get(cert.authority_code, cert.authority_code)
        return render_template(
            "holder/certificate.html",
            cert=cert,
            versions=versions,
            current=current,
            share_url=share_url,
            qr=qr_svg(share_url),
            requests=requests,
            authority=authority,
            downloadable=current.status == "valid",
            pending=any(r.status == "pending" for r in requests),
        )


@bp.get("/certificates/<number>/download/<fmt>")
@holder_required
@limiter.limit("60 per minute")
def download(number: str, fmt: str) -> ResponseReturnValue:
    """The holder's copy: the ID number masked unless ``id=full`` is asked for, and an optional
    "仅用于 …" watermark (``purpose``) printed across the page."""
    from certsvc.certificates.services import render
    from certsvc.errors import InvalidDocument

    if fmt not in DOWNLOADS:
        raise NotFound("no such format", detail_zh="没有这种格式")
    full_id = request.args.get("id") == "full"
    purpose = " ".join(request.args.get("purpose", "").split())
    if len(purpose) > MAX_WATERMARK_CHARS:
        raise BadRequest(
            f"the watermark holds at most {MAX_WATERMARK_CHARS} characters",
            detail_zh=f"水印用途不超过 {MAX_WATERMARK_CHARS} 字",
        )
    rt = runtime()
    with rt.database.read() as db:
        cert = _own_certificate(db, number)
        if cert.status != "valid":
            raise WorkflowError(
                "a suspended or revoked certificate cannot be downloaded",
                detail_zh="证书已暂停或撤销，不能下载",
            )
        canonical, version = cert.number, cert.current_version
    media_type, extension = DOWNLOADS[fmt]
    watermark = f"仅用于 {purpose}" if purpose and fmt in ("pdf", "png") else None
    try:
        data = render(rt, canonical, fmt, version, mask_id=not full_id, usage_note=watermark)
    except InvalidDocument as error:
        raise BadRequest(
            "the watermark has a character the certificate font cannot print",
            detail_zh="水印中有证书字体无法打印的字符",
        ) from error
    # The copy showing the whole ID number says so in its name, so it is not sent on by mistake.
    variant = "-full-id" if full_id and fmt != "jws" else ""
    response = Response(data, mimetype=media_type)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{canonical}-v{version}{variant}.{extension}"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- share links (亮证) -----------------------------------------------------------------------------
@bp.route("/certificates/<number>/shares", methods=["GET", "POST"])
@holder_required
@limiter.limit("30 per hour", methods=["POST"])
def shares(number: str) -> ResponseReturnValue:
    """The certificate's share links, and the form making a new one (its link is shown once)."""
    rt = runtime()
    error, created, status = None, None, 200
    form = request.form.to_dict() if request.method == "POST" else {}
    if request.method == "POST":
        try:
            with rt.database.write() as db:
                share, token = share_service.create_share(
                    db,
                    rt,
                    holder_id=me().holder_id or 0,
                    number=number,
                    purpose=request.form.get("purpose", ""),
                    days=request.form.get("days", ""),
                    show_full_name=request.form.get("full_name") == "1",
                    show_id_last4=request.form.get("id_last4") == "1",
                )
                url = share_service.share_url(rt, token)
                created = {"id": share.id, "url": url, "qr": qr_svg(url), "purpose": share.purpose}
        except BadRequest as error_:
            error, status = error_text(error_), 400
    with rt.database.read() as db:
        cert = _own_certificate(db, number)
        now = rt.now()
        rows = [
            {"share": share, "state": share_service.share_state(share, now), "opened": opened}
            for share, opened in share_service.shares_of(db, me().holder_id or 0, cert.number)
        ]
        page = render_template(
            "holder/shares.html",
            cert=cert,
            rows=rows,
            created=created,
            error=error,
            form=form,
            max_days=share_service.MAX_SHARE_DAYS,
            default_days=share_service.DEFAULT_SHARE_DAYS,
        )
    response = Response(page, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/shares/<int:share_id>")
@holder_required
def share(share_id: int) -> ResponseReturnValue:
    """One share link: what it shows, its state and every opening."""
    rt = runtime()
    with rt.database.read() as db:
        row = share_service.own_share(db, me().holder_id or 0, share_id)
        return render_template(
            "holder/share.html",
            share=row,
            number=row.certificate.number,
            state=share_service.share_state(row, rt.now()),
            accesses=share_service.accesses(db, row),
        )


@bp.post("/shares/<int:share_id>/end")
@holder_required
@limiter.limit("60 per hour")
def end_share(share_id: int) -> ResponseReturnValue:
    rt = runtime()
    with rt.database.write() as db:
        share_service.end_share(db, rt, me().holder_id or 0, share_id)
    flash(t("分享链接已结束，打开它只会看到“已结束”。"), "info")
    return redirect(url_for("holder.share", share_id=share_id))


@bp.route("/certificates/<number>/reissue", methods=["GET", "POST"])
@holder_required
@limiter.limit("20 per hour", methods=["POST"])
def request_reissue(number: str) -> ResponseReturnValue:
    rt = runtime()
    with rt.database.read() as db:
        cert = _own_certificate(db, number)
        canonical, title = cert.number, cert.title
    context = {"number": canonical, "title": title, "reasons": REISSUE_REASONS, "fields": CORRECTABLE_FIELDS}
    if request.method == "GET":
        return render_template("holder/reissue.html", error=None, form={}, **context)
    form = request.form
    upload = request.files.get("evidence")
    evidence = None
    if upload is not None and upload.filename:
        data = upload.stream.read(reissue_service.MAX_EVIDENCE_BYTES + 1)
        evidence = reissue_service.Evidence(upload.filename, data)
    try:
        with rt.database.write() as db:
            created = reissue_service.submit_request(
                db,
                rt,
                holder_id=me().holder_id or 0,
                number=canonical,
                reason=form.get("reason", ""),
                corrected_field=form.get("corrected_field"),
                corrected_value=form.get("corrected_value"),
                note=form.get("note"),
                evidence=evidence,
            )
            request_id = created.id
    except (BadRequest, WorkflowError) as error:
        kept = {key: form.get(key, "") for key in ("reason", "corrected_field", "corrected_value", "note")}
        return render_template("holder/reissue.html", error=error_text(error), form=kept, **context), 400
    flash(t("补发申请已提交，请等待发证机构审核。"), "info")
    return redirect(url_for("holder.request_detail", request_id=request_id))


@bp.get("/requests")
@holder_required
def requests() -> ResponseReturnValue:
    with runtime().database.read() as db:
        rows = holder_requests(db, me().holder_id or -1)
        return render_template("holder/requests.html", rows=rows)


@bp.get("/requests/<int:request_id>")
@holder_required
def request_detail(request_id: int) -> ResponseReturnValue:
    with runtime().database.read() as db:
        row = reissue_service.get_request(db, request_id, holder_id=me().holder_id or -1)
        return render_template("holder/request.html", req=row, number=row.certificate.number)


@bp.get("/notifications")
@holder_required
def notifications() -> ResponseReturnValue:
    rt = runtime()
    with rt.database.write() as db:
        messages = read_messages(db, rt, me().user_id)
    lang = language()
    for message in messages:  # stored in both languages: the page shows its own
        message["subject"] = in_language(str(message["subject"]), lang)
        message["body"] = in_language(str(message["body"]), lang)
    return render_template("holder/notifications.html", messages=messages)


@bp.route("/security", methods=["GET", "POST"])
@holder_required
@limiter.limit("20 per hour", methods=["POST"])
def security() -> ResponseReturnValue:
    """Change the password, and turn TOTP two-step verification on or off."""
    return security_page("holder/security.html", "holder.security")


def _enrolment_secret(rt: Runtime, user_id: int, auth_epoch: int) -> str:
    """The TOTP secret being set up in this session: derived server-side, never put in the cookie."""
    return totp.enrolment_secret(rt.keys.data_keys(), user_id, auth_epoch, str(session.get("sid", "")))


def security_page(template: str, endpoint: str) -> ResponseReturnValue:
    """Shared by the holder portal and the issuer console (staff secure their accounts the same way)."""
    rt = runtime()
    principal = me()
    error = None
    status = 200
    if request.method == "POST":
        action = request.form.get("action")
        try:
            with rt.database.write() as db:
                user = db.get(User, principal.user_id)
                assert user is not None
                if action == "password":
                    accounts.change_password(
                        db,
                        user,
                        request.form.get("current", ""),
                        request.form.get("password", ""),
                        request.form.get("confirmation", ""),
                    )
                    new_epoch = user.auth_epoch
                elif action == "totp-enable":
                    secret = _enrolment_secret(rt, user.id, user.auth_epoch)
                    accounts.enable_totp(rt, user, secret, request.form.get("code", ""))
                    new_epoch = user.auth_epoch
                elif action == "totp-disable":
                    accounts.disable_totp(user, request.form.get("password", ""))
                    new_epoch = user.auth_epoch
                else:
                    raise BadRequest("unknown action", detail_zh="未知的操作")
        except (BadRequest, Forbidden) as error_:
            error, status = error_text(error_), 400
        else:
            # The account's other sessions end with the epoch change; this one carries on.
            session["epoch"] = new_epoch
            flash(t("已保存。"), "info")
            deliver_outbox(rt)
            return redirect(url_for(endpoint))
    principal = me()
    setup = None
    if not principal.totp_enabled:
        with rt.database.read() as db:
            user = db.get(User, principal.user_id)
            assert user is not None
            secret = _enrolment_secret(rt, user.id, user.auth_epoch)
        uri = totp.provisioning_uri(secret, principal.display_name or "certsvc")
        setup = {"secret": secret, "qr": qr_svg(uri, 180)}
    return render_template(template, principal=principal, setup=setup, error=error), status
