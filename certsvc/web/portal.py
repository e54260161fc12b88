"""What the signed-in pages share: who is signed in, role guards, the UI text catalogue, QR SVGs.

Sessions are Flask's signed cookies holding the user id, the account's ``auth_epoch`` (a password
change or reset ends every other session) and a random session id that must match a live row in
``user_sessions`` (sign-out ends it, so a copied cookie dies with it). Sign-in clears the session
first, so a session fixed before sign-in never becomes an authenticated one.

UI text is written in Chinese (the default audience) and looked up in ``EN`` for English; a test
checks every ``t("…")`` in the portal templates has its English entry.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Response, g, request, session, url_for
from flask_babel import get_locale
from markupsafe import Markup, escape
from werkzeug.routing import BuildError
from werkzeug.utils import redirect
from werkzeug.wrappers.response import Response as BaseResponse

from certsvc.accounts.services import close_session, open_session, session_user
from certsvc.documents.qr import qr_matrix
from certsvc.errors import CertsvcError, Forbidden
from certsvc.web import runtime
from certsvc.web.portal_text import EN, LABELS

CHINA = dt.timezone(dt.timedelta(hours=8))
PORTAL_BLUEPRINTS = ("auth", "holder", "issuer")
MAX_LINK_PARAMETER_CHARS = 500
P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Principal:
    """The signed-in user as plain values (ORM rows do not outlive their transaction)."""

    user_id: int
    kind: str
    login: str
    display_name: str
    holder_id: int | None
    authority_code: str | None
    role: str | None
    totp_enabled: bool
    email: str | None

    @property
    def actor(self) -> str:
        """How decisions are attributed in the database (never shown publicly)."""
        return f"user:{self.user_id}:{self.login}" if self.kind == "staff" else f"user:{self.user_id}"


def language() -> str:
    return "en" if str(get_locale() or "zh").startswith("en") else "zh"


def t(text: str, **values: Any) -> str:
    """UI text in the request's language; ``%(name)s`` placeholders are filled from ``values``."""
    chosen = EN.get(text, text) if language() == "en" else text
    return chosen % values if values else chosen


def label(kind: str, slug: str | None) -> str:
    """The display label of a slug (a status, a reason …) in the request's language."""
    if slug is None:
        return ""
    return t(LABELS.get(kind, {}).get(slug, slug))


def error_text(error: CertsvcError) -> str:
    return error.detail_zh if language() == "zh" and error.detail_zh else error.message


def start_session(user_id: int, auth_epoch: int) -> None:
    """A brand-new session for a user who just proved who they are."""
    end_session()
    session["uid"] = user_id
    session["epoch"] = auth_epoch
    session["sid"] = open_session(runtime(), user_id)


def end_session() -> None:
    """Forget the session in the browser and end it on the server (copies of the cookie die too)."""
    sid = session.get("sid")
    if isinstance(sid, str) and "uid" in session:
        close_session(runtime(), sid)
    session.clear()
    g.pop("principal", None)


def current_principal() -> Principal | None:
    if "principal" in g:
        principal: Principal | None = g.principal
        return principal
    principal = None
    uid, epoch, sid = session.get("uid"), session.get("epoch"), session.get("sid")
    rt = runtime()
    if isinstance(uid, int) and isinstance(epoch, int) and isinstance(sid, str):
        with rt.database.read() as db:
            user = session_user(db, rt, uid, epoch, sid)
            if user is not None:
                principal = Principal(
                    user_id=user.id,
                    kind=user.kind,
                    login=user.login,
                    display_name=user.display_name,
                    holder_id=user.holder_id,
                    authority_code=user.authority_code,
                    role=user.role,
                    totp_enabled=user.totp_enabled,
                    email=user.email,
                )
    if principal is None and uid is not None:
        session.clear()
    g.principal = principal
    return principal


def _to_login() -> BaseResponse:
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


def holder_required(view: Callable[P, R]) -> Callable[P, R | BaseResponse]:
    """Only signed-in holders; staff get 403, anonymous visitors the sign-in page."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | BaseResponse:
        principal = current_principal()
        if principal is None:
            return _to_login()
        if principal.kind != "holder" or principal.holder_id is None:
            raise Forbidden("this page is for certificate holders", detail_zh="此页面仅供持证人使用")
        return view(*args, **kwargs)

    return wrapper


def staff_required(*roles: str) -> Callable[[Callable[P, R]], Callable[P, R | BaseResponse]]:
    """Only staff of an authority holding one of ``roles`` (any staff role when none given)."""

    def decorate(view: Callable[P, R]) -> Callable[P, R | BaseResponse]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | BaseResponse:
            principal = current_principal()
            if principal is None:
                return _to_login()
            if principal.kind != "staff" or principal.authority_code is None:
                raise Forbidden(
                    "this page is for issuing-body staff", detail_zh="此页面仅供发证机构工作人员使用"
                )
            if roles and principal.role not in roles:
                raise Forbidden(
                    f"your role ({principal.role}) may not do this", detail_zh="您的角色无权执行此操作"
                )
            return view(*args, **kwargs)

        return wrapper

    return decorate


def me() -> Principal:
    """The principal of a view already behind a ``*_required`` guard."""
    principal = current_principal()
    assert principal is not None
    return principal


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths: a ``next`` pointing elsewhere would make sign-in an open redirect."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def home_for(principal: Principal) -> str:
    return url_for("issuer.dashboard") if principal.kind == "staff" else url_for("holder.certificates")


def qr_svg(text: str, size: int = 200) -> Markup:
    """An inline SVG QR code: one path, no scripts or inline styles, so it passes the strict CSP."""
    matrix = qr_matrix(text)
    count = len(matrix)
    path = "".join(f"M{x} {y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)
    label = escape(t("二维码"))
    # Safe: every interpolated value is an integer, a fixed path alphabet or escaped text.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {count} {count}" width="{size}" '
        f'height="{size}" shape-rendering="crispEdges" role="img" aria-label="{label}">'
        f'<rect width="{count}" height="{count}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )


# The query parameters a portal page means (everything else is dropped from its language links):
# url_for treats some names as instructions (``_external``, ``_scheme``, ``_method``, ``_anchor``),
# which let a crafted query string put a forged Host into links or raise an error (issue 16).
LANGUAGE_LINK_PARAMETERS = ("status", "activated", "next", "q")


def lang_url(lang: str) -> str:
    """The current page in another language (the choice is then remembered in a cookie)."""
    values: dict[str, Any] = {
        name: value
        for name in LANGUAGE_LINK_PARAMETERS
        if isinstance(value := request.args.get(name), str) and len(value) <= MAX_LINK_PARAMETER_CHARS
    }
    values.update(request.view_args or {})
    values["lang"] = lang
    try:
        return url_for(request.endpoint or "auth.login", **values)
    except BuildError:
        return url_for("auth.login", lang=lang)


def install(bp: Blueprint) -> None:
    """Template helpers and the language cookie, for each portal blueprint."""

    @bp.app_context_processor
    def _helpers() -> dict[str, Any]:
        return {
            "t": t,
            "label": label,
            "current_principal": current_principal,
            "lang_url": lang_url,
            "language": language,
        }

    @bp.app_template_filter("cst")
    def _china_time(value: dt.datetime | None) -> str:
        return "" if value is None else value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")

    @bp.after_app_request
    def _remember_language(response: Response) -> Response:
        if request.blueprint not in PORTAL_BLUEPRINTS:
            return response
        # Portal pages show names, ID numbers and account details: never kept by a browser or proxy
        # cache (a shared computer's back button, a corporate proxy; issue 16, finding 6).
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "private, no-store"
        chosen = request.args.get("lang")
        if chosen in ("zh", "en") and request.cookies.get("lang") != chosen:
            response.set_cookie("lang", chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        return response
