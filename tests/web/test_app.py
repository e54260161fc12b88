"""The application skeleton: health, readiness, OpenAPI, errors and security headers."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from certsvc.db.session import Database
from certsvc.runtime import Runtime


def test_healthz_and_readyz(client: FlaskClient) -> None:
    """/healthz says the process is up; /readyz says the database answers."""
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["database"] == "ok"


def test_readyz_reports_unreachable_database(runtime: Runtime, tmp_path: Path) -> None:
    """When the database is gone, readiness fails with 503 instead of an error page."""
    from certsvc import create_app

    gone = Runtime(
        settings=runtime.settings,
        database=Database(f"sqlite:///{tmp_path / 'missing-dir' / 'db.sqlite3'}"),
        clock=runtime.clock,
    )
    response = create_app(runtime=gone).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_openapi_document_is_valid_openapi_3_1(client: FlaskClient) -> None:
    """The API description is a valid OpenAPI 3.1 document that lists the endpoints served."""
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert "/.well-known/jwks.json" in document["paths"]


def test_unknown_api_path_gets_problem_json(client: FlaskClient) -> None:
    """Errors under /api/ are RFC 9457 problem details, not HTML."""
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 404 and body["title"]


def test_unknown_page_gets_friendly_html(client: FlaskClient) -> None:
    """Errors elsewhere are a friendly HTML page in Chinese and English."""
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "返回首页" in response.get_data(as_text=True)


def test_unexpected_exception_never_shows_a_stack_trace(app: Flask) -> None:
    """A bug in a view answers 500 with a generic message; the trace stays in the log."""

    @app.get("/api/v1/boom-for-test")
    def boom() -> str:
        raise RuntimeError("secret internals 身份证")

    app.config["TESTING"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/api/v1/boom-for-test")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text


def test_security_headers_and_request_id(client: FlaskClient) -> None:
    """Every response carries CSP, nosniff, no-referrer, frame denial and a request id."""
    response = client.get("/healthz")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert len(response.headers["X-Request-Id"]) >= 8
