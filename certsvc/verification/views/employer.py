"""The employer's pages (``/employer/``): the organisation's API keys, bulk checks of up to 1,000
lines counted against the organisation's quota instead of a client address's, and the account's
security (password, two-step verification) as holders and staff have it.

Keys are made and revoked by the signed-in employer user (services in
``certsvc.accounts.employers``); a new key is shown once, on the page answering its creation.
Another employer's key answers 404 like a missing one.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_limiter.util import get_remote_address

from certsvc.accounts import employers
from certsvc.certificates.views.holder import security_page
from certsvc.verification.schemas import MAX_BULK
from certsvc.verification.views.api import verify_rate
from certsvc.verification.views.bulk import bulk_page, describe_rate, posted_form
from certsvc.web import runtime
from certsvc.web.extensions import limiter
from certsvc.web.language import t
from certsvc.web.portal import current_principal, employer_required, me

bp = Blueprint("employer", __name__, url_prefix="/employer")
ACCOUNT_SCOPE = "employer-account"


def _signed_in_employer() -> int | None:
    principal = current_principal()
    return principal.employer_id if principal is not None and principal.kind == "employer" else None


def _account_identity() -> str:
    employer_id = _signed_in_employer()
    return f"employer:{employer_id}" if employer_id is not None else get_remote_address()


def _account_quota() -> str:
    employer_id = _signed_in_employer()
    if employer_id is None:
        return str(runtime().settings.employer_quota)
    return employers.employer_quota(runtime(), employer_id)


def _lines() -> int:
    """Lines of a signed-in employer's valid bulk form: its cost on the account's quota."""
    if _signed_in_employer() is None:
        return 0
    form = posted_form(MAX_BULK)
    return len(form.items) if form is not None and form.checkable else 0


@bp.get("/")
@employer_required
def home() -> ResponseReturnValue:
    return _home()


def _home(new_key: str | None = None, new_key_name: str | None = None) -> str:
    rt = runtime()
    with rt.database.read() as session:
        account = employers.employer_view(session, _employer_id())
    return render_template(
        "employer/home.html",
        account=account,
        quota=describe_rate(account.quota, "行", "lines"),
        new_key=new_key,
        new_key_name=new_key_name,
        max_items=MAX_BULK,
    )


def _employer_id() -> int:
    employer_id = me().employer_id
    assert employer_id is not None  # behind employer_required
    return employer_id


@bp.post("/keys")
@employer_required
def create_key() -> ResponseReturnValue:
    rt = runtime()
    with rt.database.write() as session:
        key, token = employers.create_key(
            session,
            rt,
            employer_id=_employer_id(),
            name=request.form.get("name", ""),
            created_by=f"user:{me().user_id}",
        )
    return _home(new_key=token, new_key_name=key.name)


@bp.post("/keys/<int:key_id>/revoke")
@employer_required
def revoke_key(key_id: int) -> ResponseReturnValue:
    rt = runtime()
    with rt.database.write() as session:
        employers.revoke_key(session, rt, employer_id=_employer_id(), key_id=key_id)
    flash(t("密钥已吊销，使用它的请求将被拒绝。"), "ok")
    return redirect(url_for("employer.home"))


@bp.route("/security", methods=["GET", "POST"])
@employer_required
@limiter.limit("20 per hour", methods=["POST"])
def security() -> ResponseReturnValue:
    """Password and two-step verification, the same page holders and staff have."""
    return security_page("employer/security.html", "employer.security")


@bp.route("/bulk", methods=["GET", "POST"])
@limiter.limit(verify_rate)
@limiter.shared_limit(
    _account_quota,
    scope=ACCOUNT_SCOPE,
    key_func=_account_identity,
    cost=_lines,
    exempt_when=lambda: _lines() == 0,
)
@employer_required
def bulk() -> ResponseReturnValue:
    """An employer's bulk check: up to 1,000 lines, as a page, an Excel file or a report."""
    return bulk_page(
        max_items=MAX_BULK,
        endpoint="employer.bulk",
        employer=me(),
        quota=describe_rate(_account_quota(), "行", "lines"),
    )
