"""Sign-in, second factor, sign-out, holder activation (by activation code or one-time link), reset.

Failures render the same page with the same message whatever went wrong, so nobody learns
whether an account or a person exists. Every POST is CSRF-protected and rate-limited per address.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_limiter.util import get_remote_address
from werkzeug.utils import redirect

from certsvc.accounts import activation
from certsvc.accounts import services as accounts
from certsvc.accounts.notifications import deliver_outbox
from certsvc.certificates.models import Holder
from certsvc.domain.names import mask_name
from certsvc.errors import BadRequest, LoginFailed
from certsvc.web import runtime
from certsvc.web.extensions import limiter
from certsvc.web.language import error_text, t
from certsvc.web.portal import current_principal, end_session, home_for, safe_next, start_session

bp = Blueprint("auth", __name__, url_prefix="/auth")

# Per address; an HR office behind one NAT signs in many people at 9 am, per-account lockout stops guessing.
AUTH_LIMIT = "20 per minute; 200 per hour"
PENDING_SECONDS = 300


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def login() -> ResponseReturnValue:
    next_url = request.values.get("next")
    if request.method == "GET":
        principal = current_principal()
        if principal is not None:
            return redirect(safe_next(next_url, home_for(principal)))
        return render_template("auth/login.html", next=next_url, error=None)
    account = request.form.get("account", "")
    password = request.form.get("password", "")
    try:
        result = accounts.login(runtime(), account, password, client=get_remote_address())
    except LoginFailed as error:
        # The typed account is not echoed: the page must not differ between known and unknown ones.
        return render_template("auth/login.html", next=next_url, error=error_text(error)), 401
    if result.needs_totp:
        end_session()
        session["pending_uid"] = result.user_id
        session["pending_at"] = runtime().now().timestamp()
        session["pending_next"] = safe_next(next_url, "")
        return redirect(url_for("auth.second_factor"))
    start_session(result.user_id, result.auth_epoch)
    principal = current_principal()
    assert principal is not None
    return redirect(safe_next(next_url, home_for(principal)))


@bp.route("/totp", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def second_factor() -> ResponseReturnValue:
    user_id, started = session.get("pending_uid"), session.get("pending_at")
    fresh = isinstance(started, int | float) and runtime().now().timestamp() - started < PENDING_SECONDS
    if not isinstance(user_id, int) or not fresh:
        end_session()
        return redirect(url_for("auth.login"))
    if request.method == "GET":
        return render_template("auth/totp.html", error=None)
    next_url = session.get("pending_next") or ""
    try:
        result = accounts.second_factor(
            runtime(), user_id, request.form.get("code", ""), client=get_remote_address()
        )
    except LoginFailed as error:
        return render_template("auth/totp.html", error=error_text(error)), 401
    start_session(result.user_id, result.auth_epoch)
    principal = current_principal()
    assert principal is not None
    return redirect(safe_next(next_url, home_for(principal)))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    end_session()
    return redirect(url_for("auth.login"))


@bp.route("/activate", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def activate() -> ResponseReturnValue:
    """Holder activation with the one-time code from the issuing body's notice, ID number and name."""
    if request.method == "GET":
        return render_template("auth/activate.html", error=None, form={})
    form = request.form
    try:
        user_id, epoch = activation.activate_with_code(
            runtime(),
            code=form.get("code", ""),
            id_number=form.get("id_number", ""),
            name=form.get("name", ""),
            password=form.get("password", ""),
            confirmation=form.get("confirmation", ""),
            email=form.get("email"),
        )
    except BadRequest as error:
        kept = {key: form.get(key, "") for key in ("name", "email")}
        return render_template("auth/activate.html", error=error_text(error), form=kept), 400
    start_session(user_id, epoch)
    return redirect(url_for("holder.certificates", activated=1))


@bp.route("/link/<token>", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def link(token: str) -> ResponseReturnValue:
    """A one-time activation or reset link from the issuing body (or a reset email)."""
    rt = runtime()
    try:
        with rt.database.read() as db:
            found = accounts.valid_link(db, rt, token)
            holder = db.get(Holder, found.holder_id)
            holder_name = mask_name(holder.name) if holder is not None else ""
            purpose = found.purpose
    except BadRequest as error:
        return render_template("auth/link.html", error=error_text(error), usable=False), 404
    if request.method == "GET":
        return render_template("auth/link.html", error=None, usable=True, holder=holder_name, purpose=purpose)
    try:
        with rt.database.write() as db:
            user = accounts.use_link(
                db,
                rt,
                token,
                password=request.form.get("password", ""),
                confirmation=request.form.get("confirmation", ""),
                email=request.form.get("email"),
            )
            user_id, epoch = user.id, user.auth_epoch
    except BadRequest as error:
        return render_template(
            "auth/link.html", error=error_text(error), usable=True, holder=holder_name, purpose=purpose
        ), 400
    start_session(user_id, epoch)
    return redirect(url_for("holder.certificates", activated=1))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def reset() -> ResponseReturnValue:
    """Forgotten password: a link goes to the email on file; the answer is the same either way."""
    if request.method == "GET":
        return render_template("auth/reset.html", done=False)
    rt = runtime()
    with rt.database.write() as db:
        accounts.request_password_reset(
            db,
            rt,
            id_number=request.form.get("id_number", ""),
            name=request.form.get("name", ""),
            certificate_number=request.form.get("certificate_number", ""),
        )
    deliver_outbox(rt)
    return render_template(
        "auth/reset.html",
        done=True,
        message=t("如果信息与一个登记了邮箱的账号相符，重置链接已发送到该邮箱。"),
    )
