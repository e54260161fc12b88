"""Flask extensions and cross-cutting request handling: request ids, security headers, CSRF,
rate limits, translations."""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from babel import Locale
from flask import Flask, Request, Response, current_app, g, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from certsvc import texts
from certsvc.config import PROCESS_LOCAL_RATELIMIT_SCHEMES
from certsvc.log import get_logger, request_id_var
from certsvc.runtime import Runtime
from certsvc.texts import LANGUAGES
from certsvc.web import limits_memory

csrf = CSRFProtect()
# Every limit is declared on its route with ``limiter.limit``/``limiter.shared_limit``; the key is
# the client's address (request.remote_addr, which cannot fail). Key and cost callbacks must never
# raise on client input (docs/adr/0010-rate-limits-and-one-request-path.md).
limiter = Limiter(key_func=get_remote_address)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    # No page uses these browser features: refuse them to anything that gets injected (issue 16).
    (
        "Permissions-Policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
        "interest-cohort=()",
    ),
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


def _babel_locale() -> Locale:
    # A ready Locale: Flask-Babel would otherwise parse the chosen name again on every request.
    return texts.LOCALES[select_locale()]


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without building a signer for requests that carry no
    session cookie (every API call): the answer is the same new, empty session."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and "HTTP_COOKIE" not in request.environ:
            return self.session_class()
        return super().open_session(app, request)


# A Redis store that stops answering must fail a request in about a second, not hang a thread.
REDIS_TIMEOUT_SECONDS = 1.0


def configured_rate(name: str) -> Callable[[], str]:
    """A limit provider for ``limiter.limit``: the app's rate ``name`` (``CERTSVC_VERIFY_RATE`` …,
    set from Settings by ``create_app``), read per request so that a changed setting applies at once."""

    def rate() -> str:
        return str(current_app.config[name])

    rate.__name__ = name.lower()
    return rate


def ratelimit_config(runtime: Runtime) -> dict[str, Any]:
    """Flask-Limiter's settings.

    No in-memory fallback and no swallowed errors: a store that fails answers 503 with Retry-After
    (``certsvc.web.errors``) instead of counting each process afresh (several budgets per client)
    or letting every request through; nothing a client sends can make a key or cost callback fail.
    """
    settings = runtime.settings
    storage_uri = settings.ratelimit_storage_url
    options: dict[str, Any] = {"wrap_exceptions": True}
    if urlsplit(storage_uri).scheme in PROCESS_LOCAL_RATELIMIT_SCHEMES:
        # Counted in this process, without limits' sweeper thread (certsvc.web.limits_memory).
        storage_uri = f"{limits_memory.SCHEME}://"
    else:
        options |= {"socket_timeout": REDIS_TIMEOUT_SECONDS, "socket_connect_timeout": REDIS_TIMEOUT_SECONDS}
    return {
        "RATELIMIT_STORAGE_URI": storage_uri,
        "RATELIMIT_STORAGE_OPTIONS": options,
        "RATELIMIT_KEY_PREFIX": settings.ratelimit_prefix,
        "RATELIMIT_STRATEGY": "fixed-window",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": False,
        "RATELIMIT_SWALLOW_ERRORS": False,
    }


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
    app.config.update(ratelimit_config(runtime))
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    limiter.init_app(app)
    texts.init_app(app, _babel_locale)
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
