"""Flask extensions and cross-cutting request handling: request ids, security headers, CSRF,
rate limits, translations."""

from __future__ import annotations

import time
import uuid

from flask import Flask, Response, g, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from certsvc.log import get_logger, request_id_var
from certsvc.runtime import Runtime

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)
babel = Babel()
SUPPORTED_LANGUAGES = ("zh", "en")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

log = get_logger("certsvc.http")


def select_locale() -> str:
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen in SUPPORTED_LANGUAGES:
        return chosen
    return request.accept_languages.best_match(SUPPORTED_LANGUAGES, default="zh") or "zh"


def init_app(app: Flask, runtime: Runtime) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", runtime.settings.ratelimit_storage_url)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    @app.before_request
    def _start_request() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        request_id = incoming if 8 <= len(incoming) <= 64 and incoming.isascii() else uuid.uuid4().hex
        g.request_id = request_id
        g.started = time.perf_counter()
        request_id_var.set(request_id)

    @app.after_request
    def _finish_request(response: Response) -> Response:
        response.headers.setdefault("X-Request-Id", g.get("request_id", ""))
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if runtime.settings.is_production:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        started = g.get("started")
        # The path may contain a QR payload (masked name) and query strings may carry names: log the
        # endpoint name instead, which identifies the route without any user-supplied data.
        log.info(
            "request",
            extra={
                "fields": {
                    "method": request.method,
                    "endpoint": request.endpoint or "unmatched",
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
                }
            },
        )
        return response
