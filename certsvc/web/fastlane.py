"""The verify API's everyday request, answered without Flask's request machinery.

An employer's scanner posts ``{"qr": "..."}`` to ``/api/v1/verify``; that request is nearly all of
the public traffic. Through Flask it paid for a request context, URL matching, eight hook calls
(CSRF, Flask-Limiter, sessions, the budgets, headers, the log line), a Request and a Response
object; under gunicorn, with workers and clients taking turns on the cores, that code ran with
cold caches and cost about 40 % of the request's worker CPU (an experiment measured 1.1 ms per
request through a lane like this one against 1.8 ms through Flask, side by side).

Only the plain case takes the lane: ``POST /api/v1/verify`` with a JSON body that is an object
holding exactly one non-empty ``"qr"`` or ``"credential"`` string, from a client with budget
left. It draws on the same budgets (``verify_api.BUDGETS``), runs the same service function
(``verify_target``), and answers with the same JSON, headers and log line as the Flask view.
Everything else goes to the Flask app untouched, so parsing rules, problem answers and error
mapping stay in one place: other paths and methods, uploads, batches, requests that test a name
(``certificate_number``, ``confirm``), malformed or oversized bodies, requests with cookies (a
browser's session may be refreshed on the way out), a spent budget (handed over
with what was drawn, so the 429 is Flask's and nothing is counted twice) and any error.
``tests/verification/test_fastlane.py`` checks that both routes give the same answers.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from flask.json.provider import JSONProvider

from certsvc.errors import CertsvcError
from certsvc.log import get_logger, request_id_var
from certsvc.runtime import Runtime
from certsvc.verification.schemas import MAX_TEXT, Verdict
from certsvc.verification.services import verify_target
from certsvc.verification.views import api as verify_api
from certsvc.web.budgets import DRAWN_ENVIRON_KEY, Drawn
from certsvc.web.extensions import limiter, log_request, request_id_of, security_headers

log = get_logger("certsvc.fastlane")
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

PATH = "/api/v1/verify"
ENDPOINT = f"{verify_api.bp.name}.{verify_api.verify.__name__}"
# Room for one member of MAX_TEXT characters in UTF-8 (up to 4 bytes each); a longer body goes to
# Flask, which answers it the same way.
MAX_BODY_BYTES = 4 * MAX_TEXT + 64


class VerifyFastLane:
    """WSGI middleware in front of the Flask app (see the module docstring)."""

    def __init__(self, app: Flask, runtime: Runtime, flask_wsgi_app: WSGIApp) -> None:
        self.app = app
        self.runtime = runtime
        self.flask_wsgi_app = flask_wsgi_app
        self.fixed_headers = [("Cache-Control", "no-store"), *security_headers(runtime)]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = _plain_request_body(environ)
        if body is None:
            return self.flask_wsgi_app(environ, start_response)
        # Whatever happens next, Flask may have to read the body again.
        environ["wsgi.input"] = io.BytesIO(body)
        target = _plain_target(self.app.json, body)
        if target is None or not limiter.enabled:
            return self.flask_wsgi_app(environ, start_response)
        started = time.perf_counter()
        request_id = request_id_of(environ)
        environ["HTTP_X_REQUEST_ID"] = request_id  # the same id if Flask answers after all
        request_id_var.set(request_id)
        answered = self._verify(environ, target)
        if answered is None:
            return self.flask_wsgi_app(environ, start_response)
        payload, drawn = answered
        headers = [
            ("Content-Type", self.app.json.mimetype),  # type: ignore[attr-defined]
            ("Content-Length", str(len(payload))),
            *self.fixed_headers,
            ("X-Request-Id", request_id),
        ]
        if drawn is not None and verify_api.BUDGETS.headers:
            headers += drawn.headers()
        start_response("200 OK", headers)
        log_request("POST", ENDPOINT, 200, started)
        return [payload]

    def _verify(self, environ: dict[str, Any], target: str) -> tuple[bytes, Drawn | None] | None:
        """The verdict's JSON and what the request drew, or None for Flask to answer (a spent
        budget or an error; what was drawn is left in the environ)."""
        client = environ.get("REMOTE_ADDR") or ""
        try:
            drawn = verify_api.BUDGETS.draw(self.app.config, client, ENDPOINT, shared_cost=0)
        except Exception:  # Flask draws again and its error handlers answer.
            log.warning("verify fast lane: drawing the budget failed; Flask answers", exc_info=True)
            return None
        if drawn is not None and drawn.refused:
            environ[DRAWN_ENVIRON_KEY] = drawn
            return None
        try:
            verdict = verify_target(self.runtime, target, channel="api")
            answer = Verdict.of(verdict).model_dump(mode="json")
            return f"{self.app.json.dumps(answer)}\n".encode(), drawn
        except Exception:  # Flask's error handlers answer it; the budget is already drawn.
            # The record keeps the exception's type and frames, never its message (certsvc.log).
            log.warning("verify fast lane: verification failed; Flask answers", exc_info=True)
            environ[DRAWN_ENVIRON_KEY] = drawn
            return None


def _plain_request_body(environ: dict[str, Any]) -> bytes | None:
    """The body of a JSON POST to the verify path with a modest Content-Length, else None."""
    if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
        return None
    # A browser's session cookie may be refreshed on the way out: Flask's sessions do that.
    if "HTTP_COOKIE" in environ:
        return None
    content_type = environ.get("CONTENT_TYPE", "")
    if content_type.partition(";")[0].strip().lower() != "application/json":
        return None
    length = environ.get("CONTENT_LENGTH", "")
    if not length.isdigit() or not 0 < int(length) <= MAX_BODY_BYTES:
        return None
    body: bytes = environ["wsgi.input"].read(int(length))
    return body


def _plain_target(json_provider: JSONProvider, body: bytes) -> str | None:
    """The QR text or credential of ``{"qr": "..."}`` / ``{"credential": "..."}``, else None.

    The app's JSON provider and the view's own parser decide what is well formed, so both routes
    accept the same bodies.
    """
    try:
        item = verify_api.parse_item(json_provider.loads(body))
    except (ValueError, CertsvcError):  # Flask's view answers these its own way
        return None
    if item.target is None or item.tests_a_name:
        return None
    return item.target


def install(app: Flask, runtime: Runtime) -> None:
    """Put the lane in front of the app's WSGI callable."""
    app.wsgi_app = VerifyFastLane(app, runtime, app.wsgi_app)  # type: ignore[method-assign]
