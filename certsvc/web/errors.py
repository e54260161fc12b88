"""The one place that turns exceptions into HTTP responses.

Under /api/ (and /.well-known/) callers get RFC 9457 problem details; everyone else gets a
friendly HTML page. Nobody ever gets a stack trace.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from limits.errors import StorageError
from werkzeug.exceptions import HTTPException

from certsvc.errors import CertsvcError, InvalidField
from certsvc.log import get_logger

log = get_logger("certsvc.errors")
PROBLEM_BASE = "https://certsvc.example/problems/"
# How long a client is asked to wait while the rate-limit store does not answer.
STORE_RETRY_SECONDS = 5


def wants_problem_json() -> bool:
    path = request.path
    return (
        path.startswith(("/api/", "/.well-known/", "/status/"))
        or request.accept_mimetypes.best == "application/json"
    )


def problem_response(
    status: int, code: str, title: str, detail: str, *, extra: dict[str, Any] | None = None
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path if len(request.path) <= 200 else request.path[:200],
    }
    if extra:
        body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _render(status: int, code: str, title: str, detail: str, extra: dict[str, Any] | None = None) -> Response:
    if wants_problem_json():
        return problem_response(status, code, title, detail, extra=extra)
    html = render_template("error.html", status=status, title=title, detail=detail)
    return Response(html, status=status, mimetype="text/html")


def handle_certsvc_error(error: CertsvcError) -> Response:
    extra: dict[str, Any] = {}
    if error.detail_zh:
        extra["detail_zh"] = error.detail_zh
    step = getattr(error, "step", None)
    if step:
        extra["step"] = step
    if isinstance(error, InvalidField):
        extra["field"] = error.field
    if error.status >= 500:
        log.error("certsvc error", exc_info=error, extra={"fields": {"code": error.code}})
    return _render(error.status, error.code, error.title, error.message, extra)


def handle_http_exception(error: HTTPException) -> Response:
    # A store failure after the view (while Flask-Limiter writes the X-RateLimit headers) reaches
    # Flask's 500 handling: it is the same outage as one before the view.
    original = getattr(error, "original_exception", None)
    if isinstance(original, StorageError):
        return handle_storage_error(original)
    status = error.code or 500
    code = (error.name or "error").lower().replace(" ", "-")
    response = _render(status, code, error.name or "Error", error.description or "")
    if status == 429:
        response.headers["Retry-After"] = error.get_response().headers.get("Retry-After") or "60"
    return response


def handle_storage_error(error: StorageError) -> Response:
    """The rate-limit store (Redis) did not answer: 503 with Retry-After, never the request
    unlimited nor counted in a per-process fallback (docs/adr/0010-rate-limits-and-one-request-path.md)."""
    log.warning(
        "rate-limit store unavailable", extra={"fields": {"error": type(error.storage_error).__name__}}
    )
    response = _render(
        503,
        "rate-limit-store-unavailable",
        "Service briefly unavailable",
        "The service cannot check its request limits right now; try again in a few seconds.",
        {"detail_zh": "服务暂时无法核对访问频率限制，请几秒后重试。"},
    )
    response.headers["Retry-After"] = str(STORE_RETRY_SECONDS)
    return response


def handle_csrf_error(error: CSRFError) -> Response:
    return _render(400, "csrf", "Form expired or forged", "The form's CSRF token is missing or invalid.")


def handle_unexpected(error: Exception) -> Response:
    log.error("unhandled exception", exc_info=error)
    return _render(500, "internal", "Internal error", "Something went wrong on our side; it has been logged.")


def init_app(app: Flask) -> None:
    app.register_error_handler(CertsvcError, handle_certsvc_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(StorageError, handle_storage_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
