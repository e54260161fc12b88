"""Flask extensions and cross-cutting request handling: request ids, security headers, CSRF,
rate limits, translations."""

from __future__ import annotations

import functools
import logging
import time
import uuid
from urllib.parse import urlsplit

from babel import Locale
from flask import Flask, Request, Response, g, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import Babel
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from certsvc.log import get_logger, request_id_var
from certsvc.runtime import Runtime
from certsvc.texts import LANGUAGES
from certsvc.web import host_storage, limits_storage  # noqa: F401 (host_storage: registers certsvc-host:// with limits)
from certsvc.web.budgets import CertsvcLimiter

csrf = CSRFProtect()
RATE_LIMIT_HEADERS = True

limiter = CertsvcLimiter(key_func=get_remote_address, default_limits=[], headers_enabled=RATE_LIMIT_HEADERS)
babel = Babel()

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
)
PRODUCTION_HEADERS = (*SECURITY_HEADERS, ("Strict-Transport-Security", "max-age=31536000"))

log = get_logger("certsvc.http")


def select_locale() -> str:
    environ = request.environ
    # Most API calls carry no query string, cookie or Accept-Language: skip parsing them.
    if environ.get("QUERY_STRING") or environ.get("HTTP_COOKIE"):
        chosen = request.args.get("lang") or request.cookies.get("lang")
        if chosen in LANGUAGES:
            return chosen
    return _preferred_language(environ.get("HTTP_ACCEPT_LANGUAGE", ""))


@functools.lru_cache(maxsize=256)
def _preferred_language(accept_language: str) -> str:
    """The supported language an Accept-Language header prefers (browsers send few distinct ones)."""
    if not accept_language:
        return "zh"
    accepted = parse_accept_header(accept_language, LanguageAccept)
    return accepted.best_match(LANGUAGES, default="zh") or "zh"


_LOCALES = {language: Locale.parse(language) for language in LANGUAGES}


def _babel_locale() -> Locale:
    # A ready Locale: Flask-Babel would otherwise parse the chosen name again on every request.
    return _LOCALES[select_locale()]


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without building a signer for requests that carry no
    session cookie (every API call): the answer is the same new, empty session."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and "HTTP_COOKIE" not in request.environ:
            return self.session_class()
        return super().open_session(app, request)


def limiter_storage_uri(configured: str, strategy: str) -> str:
    """The per-process store without a sweeper thread for ``memory://`` and fixed windows."""
    if urlsplit(configured).scheme == "memory" and strategy == "fixed-window":
        return f"{limits_storage.SCHEME}://"
    return configured


def request_id_of(environ: dict[str, object]) -> str:
    """The caller's X-Request-Id when it is a sensible one, else a new id."""
    incoming = environ.get("HTTP_X_REQUEST_ID", "")
    if isinstance(incoming, str) and 8 <= len(incoming) <= 64 and incoming.isascii():
        return incoming
    return uuid.uuid4().hex


def security_headers(runtime: Runtime) -> tuple[tuple[str, str], ...]:
    """The headers every answer carries (HSTS too in production)."""
    return PRODUCTION_HEADERS if runtime.settings.is_production else SECURITY_HEADERS


def log_request(method: str, endpoint: str | None, status: int, started: float | None) -> None:
    """The one log line per request. The path may contain a QR payload (masked name) and query
    strings may carry names: the endpoint name identifies the route without any user-supplied data."""
    if log.isEnabledFor(logging.INFO):
        log.info(
            "request",
            extra={
                "fields": {
                    "method": method,
                    "endpoint": endpoint or "unmatched",
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
                }
            },
        )


def _start_request() -> None:
    request_id = request_id_of(request.environ)
    g.request_id = request_id
    g.started = time.perf_counter()
    request_id_var.set(request_id)


def init_app(app: Flask, runtime: Runtime) -> None:
    # Registered first so that it runs first: a request refused by the limiter or CSRF check gets
    # its request id too.
    app.before_request(_start_request)
    app.config.setdefault(
        "RATELIMIT_STORAGE_URI",
        limiter_storage_uri(
            runtime.settings.ratelimit_storage_url, app.config.get("RATELIMIT_STRATEGY", "fixed-window")
        ),
    )
    # A shared store (Redis) that stops answering must not turn every request into a 500: the
    # limits then hold per process until it answers again.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", runtime.settings.ratelimit_key_prefix)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_babel_locale)
    app.session_interface = CookieSessions()

    added_names = [(name.lower(), name, value) for name, value in security_headers(runtime)]

    @app.after_request
    def _finish_request(response: Response) -> Response:
        headers = response.headers
        present = {name.lower() for name, _ in headers}
        if "x-request-id" not in present:
            headers.add("X-Request-Id", g.get("request_id", ""))
        for lowered, name, value in added_names:
            if lowered not in present:
                headers.add(name, value)
        log_request(request.method, request.endpoint, response.status_code, g.get("started"))
        return response
