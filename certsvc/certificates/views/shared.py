"""The page a holder's share link (亮证) opens: purpose, chosen scope, live verdict, or why not.

Public and unauthenticated: the token is the only credential, so the page is never cached, sends
no Referer onward and asks search engines to stay away. Ended and expired links show only that.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue

from certsvc.certificates import shares as share_service
from certsvc.verification.services import verify_target
from certsvc.verification.views.api import verify_rate
from certsvc.web import runtime
from certsvc.web.extensions import limiter
from certsvc.web.language import label

bp = Blueprint("shared", __name__)


@bp.get("/s/<token>")
@limiter.limit(verify_rate)
def opened(token: str) -> ResponseReturnValue:
    rt = runtime()
    with rt.database.write() as db:
        shown = share_service.open_share(
            db,
            rt,
            token,
            user_agent=request.headers.get("User-Agent", ""),
            address=request.remote_addr or "",
        )
    if isinstance(shown, share_service.ClosedShare):
        page, status = render_template("share/closed.html", closed=shown), 410
    else:
        verdict = verify_target(rt, shown.qr_payload, channel="share")
        page = render_template(
            "share/view.html",
            shown=shown,
            verdict=verdict,
            headline=label("outcome", verdict.outcome),
            explanation=label("explanation", verdict.outcome),
        )
        status = 200
    response = Response(page, status=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
