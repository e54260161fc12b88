"""What the signed-in pages share: who is signed in, role guards, QR SVGs.

Sessions are Flask's signed cookies holding the user id, the account's ``auth_epoch`` (a password
change or reset ends every other session) and a random session id that must match a live row in
``user_sessions`` (sign-out ends it, so a copied cookie dies with it). Sign-in clears the session
first, so a session fixed before sign-in never becomes an authenticated one.

Wording and language helpers are shared with the public pages (``certsvc.web.language``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, g, request, session, url_for
from markupsafe import Markup, escape
from werkzeug.utils import redirect
from werkzeug.wrappers.response import Response as BaseResponse

from certsvc.accounts.services import close_session, open_session, session_user
from certsvc.documents.qr import qr_matrix
from certsvc.errors import Forbidden
from certsvc.web import runtime
from certsvc.web.language import PORTAL_BLUEPRINTS, t

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
    employer_id: int | None = None

    @property
    def actor(self) -> str:
        """How decisions are attributed in the database (never shown publicly)."""
        return f"user:{self.user_id}:{self.login}" if self.kind == "staff" else f"user:{self.user_id}"


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
                    employer_id=user.employer_id,
                )
    if principal is None and uid is not None:
        session.clear()
    g.principal = principal
    return principal


def _to_login() -> BaseResponse:
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


def _signed_in(view: Callable[P, R], refuse: Callable[[Principal], None]) -> Callable[P, R | BaseResponse]:
    """``view`` behind the sign-in: an anonymous visitor gets the sign-in page, a signed-in principal
    the view is not for gets ``Forbidden`` from ``refuse``."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | BaseResponse:
        principal = current_principal()
        if principal is None:
            return _to_login()
        refuse(principal)
        return view(*args, **kwargs)

    return wrapper


def holder_required(view: Callable[P, R]) -> Callable[P, R | BaseResponse]:
    """Only signed-in holders; staff get 403, anonymous visitors the sign-in page."""

    def refuse(principal: Principal) -> None:
        if principal.kind != "holder" or principal.holder_id is None:
            raise Forbidden("this page is for certificate holders", detail_zh="此页面仅供持证人使用")

    return _signed_in(view, refuse)


def staff_required(*roles: str) -> Callable[[Callable[P, R]], Callable[P, R | BaseResponse]]:
    """Only staff of an authority holding one of ``roles`` (any staff role when none given)."""

    def refuse(principal: Principal) -> None:
        if principal.kind != "staff" or principal.authority_code is None:
            raise Forbidden("this page is for issuing-body staff", detail_zh="此页面仅供发证机构工作人员使用")
        if roles and principal.role not in roles:
            raise Forbidden(
                f"your role ({principal.role}) may not do this", detail_zh="您的角色无权执行此操作"
            )

    def decorate(view: Callable[P, R]) -> Callable[P, R | BaseResponse]:
        return _signed_in(view, refuse)

    return decorate


def employer_required(view: Callable[P, R]) -> Callable[P, R | BaseResponse]:
    """Only signed-in users of an employer; holders and staff get 403, anonymous visitors sign-in."""

    def refuse(principal: Principal) -> None:
        if principal.kind != "employer" or principal.employer_id is None:
            raise Forbidden("this page is for employers' accounts", detail_zh="此页面仅供用人单位账号使用")

    return _signed_in(view, refuse)


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
    if principal.kind == "employer":
        return url_for("employer.home")
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


def _never_cached(response: Response) -> Response:
    # Portal pages show names, ID numbers and account details: never kept by a browser or proxy
    # cache (a shared computer's back button, a corporate proxy; issue 16, finding 6).
    if request.blueprint in PORTAL_BLUEPRINTS and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def init_app(app: Flask) -> None:
    """Who is signed in, for the navigation of the portal layout; portal pages are never cached."""
    app.add_template_global(current_principal, "current_principal")
    app.after_request(_never_cached)
