"""Secrets and personal data never reach the logs, even at DEBUG.

An operator chasing a problem turns the log level to DEBUG; the logs then travel to log shippers,
tickets and chat. So: run an import (CLI service and HTTP API), verifications of every kind,
sign-ins (good and bad), a download and a server error whose exception message carries a name and an
ID number (as database errors carry their parameters), with logging captured at DEBUG from every
logger, and look for every holder's name and ID number, the passwords, the API token, the session
cookie and the private key material.
"""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from certsvc.accounts.services import create_api_token, create_holder_user, create_staff_user
from certsvc.certificates.holders import decrypt_id
from certsvc.certificates.issuing import import_results
from certsvc.certificates.models import Certificate, CertificateVersion, Holder
from certsvc.cli.setup import initialise
from certsvc.db.session import Database
from certsvc.log import JsonFormatter
from certsvc.runtime import Runtime
from tests.conftest import FakeClock, make_settings
from tests.reliability.figures import record
from tests.reliability.world import demo_batch
from tests.security.conftest import csrf_token

PASSWORD = "Lantern-Quartz-5521"
WRONG_PASSWORD = "Wrong-Guess-9931"


@pytest.fixture
def captured(tmp_path: Path, database: Database, clock: FakeClock) -> Iterator[tuple[Runtime, io.StringIO]]:
    """A runtime configured for DEBUG logging, and everything every logger wrote while it ran."""
    root = logging.getLogger()
    saved_level, saved_handlers = root.level, list(root.handlers)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.DEBUG)
    settings = make_settings(tmp_path, database.url, CERTSVC_LOG_LEVEL="DEBUG")
    runtime = Runtime(settings=settings, database=database, clock=clock)
    registry = resources.files("certsvc.domain").joinpath("demo_registry.json").read_bytes()
    root.addHandler(handler)
    try:
        initialise(runtime, registry)
        yield runtime, stream
    finally:
        root.removeHandler(handler)
        root.setLevel(saved_level)
        root.handlers[:] = saved_handlers


def _secrets(runtime: Runtime, token: str, cookie: str) -> dict[str, str]:
    found: dict[str, str] = {"password": PASSWORD, "wrong password": WRONG_PASSWORD, "API token": token}
    found["session cookie"] = cookie
    found["secret key"] = runtime.settings.secret_key
    key = runtime.keys.current(runtime.now()).private_key
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    found["signing key (hex)"] = raw.hex()
    found["signing key (base64)"] = base64.b64encode(raw).decode()[:40]
    found["signing key (base64url)"] = base64.urlsafe_b64encode(raw).decode().rstrip("=")[:40]
    with runtime.database.read() as session:
        for holder in session.scalars(select(Holder)):
            found[f"ID number of holder {holder.id}"] = decrypt_id(runtime, holder)
            if len(holder.name) >= 2:
                found[f"name of holder {holder.id}"] = holder.name
    return found


def _failing_like_a_database(name: str, id_number: str) -> Callable[..., object]:
    """A stand-in that fails the way a database error does: SQLAlchemy errors carry their SQL
    parameters in their message, which would put a name and an ID number into a traceback."""

    def failing(*args: object, **kwargs: object) -> object:
        raise IntegrityError(
            "INSERT INTO holders (name, id) VALUES (?, ?)", (name, id_number), Exception("dup")
        )

    return failing


def test_debug_logs_hold_no_personal_data_or_secrets(
    captured: tuple[Runtime, io.StringIO], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Import, verify, sign in, download and fail (a database error carrying a name and an ID number)
    at DEBUG: no name, ID number, password, token, cookie or key material appears in any log line."""
    from certsvc import create_app

    runtime, stream = captured
    report = import_results(runtime, demo_batch("421221"), "sample-421221.csv", dry_run=False, actor="test")
    assert report.ok
    app = create_app(runtime=runtime)
    app.config.update(TESTING=True)
    assert logging.getLogger().getEffectiveLevel() == logging.DEBUG
    client = app.test_client()
    with runtime.database.write() as session:
        create_staff_user(
            session, runtime, username="log-op", authority_code="500000", role="operator", password=PASSWORD
        )
        token = create_api_token(session, runtime, authority_code="500000", role="operator", label="log test")
        certificate, holder = session.execute(
            select(Certificate, Holder)
            .join(Holder, Holder.id == Certificate.holder_id)
            .order_by(Certificate.id)
        ).first() or (None, None)
        assert certificate is not None and holder is not None
        create_holder_user(session, runtime, holder, PASSWORD, None)
        number, name, id_number = certificate.number, holder.name, decrypt_id(runtime, holder)
        payload = session.scalar(
            select(CertificateVersion.qr_payload).where(CertificateVersion.certificate_id == certificate.id)
        )
    response = client.post(
        "/api/v1/results",
        data=demo_batch("500000"),
        content_type="text/csv",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert client.post("/api/v1/verify", json={"certificate_number": number, "name": name}).status_code == 200
    assert client.post("/api/v1/verify", json={"qr": payload, "confirm": id_number}).status_code == 200
    assert client.get(f"/v/{payload}").status_code == 200
    for password in (WRONG_PASSWORD, PASSWORD):
        form = {"account": id_number, "password": password, "csrf_token": csrf_token(client, "/auth/login")}
        client.post("/auth/login", data=form)
    assert client.get(f"/me/certificates/{number}/download/pdf").status_code == 200
    cookie = client.get_cookie("session")
    assert cookie is not None

    def failing_view() -> str:
        # A bug whose exception message echoes personal data: the logged traceback must not carry it.
        raise RuntimeError(f"lookup failed for {name} {id_number}")

    client.application.view_functions["ops.healthz"] = failing_view
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/healthz").status_code == 500
    logs = stream.getvalue()
    assert logs.count("\n") >= 10 and "unhandled exception" in logs, (
        "too little captured: the test would pass vacuously"
    )
    leaked = [
        what for what, value in _secrets(runtime, token, cookie.value).items() if value and value in logs
    ]
    record(
        "logs",
        database=runtime.database.engine.dialect.name,
        lines=logs.count("\n"),
        secrets_checked=len(_secrets(runtime, token, cookie.value)),
        leaked=len(leaked),
    )
    assert not leaked, f"found in DEBUG logs: {leaked[:10]}"
