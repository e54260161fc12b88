"""The verify fast lane (certsvc/web/fastlane.py) answers exactly as the Flask view does.

Each request is sent twice, from two fresh client addresses: once through the app (lane first)
and once straight to the Flask app behind it. Status, body and headers must agree, apart from
the moment of checking and the request id.
"""

from __future__ import annotations

import itertools
import json
import logging
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client, TestResponse

from certsvc.certificates.revocation import change_status
from certsvc.runtime import Runtime
from certsvc.web import fastlane
from tests.verification.conftest import Issued

_addresses = (f"192.0.2.{n % 250}" if n < 250 else f"2001:db8::{n:x}" for n in itertools.count())
VOLATILE_HEADERS = {"x-request-id", "x-ratelimit-reset", "retry-after", "content-length"}


def _post(client: Client, body: bytes, content_type: str = "application/json") -> TestResponse:
    return client.post(
        "/api/v1/verify",
        data=body,
        headers={"Content-Type": content_type},
        environ_base={"REMOTE_ADDR": next(_addresses)},
    )


def _comparable(response: TestResponse) -> tuple[int, Any, dict[str, str]]:
    body: Any = response.get_data(as_text=True)
    if response.is_json:
        body = response.get_json()
        if isinstance(body, dict):
            body.pop("checked_at", None)
    headers = {
        name.lower(): value for name, value in response.headers if name.lower() not in VOLATILE_HEADERS
    }
    return response.status_code, body, headers


@pytest.fixture
def both(verify_app: Flask) -> tuple[Client, Client]:
    """(the app as served, lane first; the Flask app alone)."""
    lane = verify_app.wsgi_app
    assert isinstance(lane, fastlane.VerifyFastLane)
    return Client(verify_app, TestResponse), Client(lane.flask_wsgi_app, TestResponse)


@pytest.fixture
def flask_requests(verify_app: Flask) -> list[str]:
    """Endpoints of the requests Flask itself handled (the lane's own answers never reach it)."""
    seen: list[str] = []

    @verify_app.before_request
    def _record() -> None:
        from flask import request

        seen.append(request.endpoint or "")

    return seen


def _bodies(issued: list[Issued]) -> list[tuple[str, bytes]]:
    qr, credential = issued[0].qr_payload, issued[1].credential
    return [
        ("qr payload", json.dumps({"qr": qr}).encode()),
        ("qr as URL", json.dumps({"qr": f"https://certs.example.test/v/{qr}"}).encode()),
        ("credential", json.dumps({"credential": credential}).encode()),
        ("forged qr", json.dumps({"qr": qr[:-4] + "AAAA"}).encode()),
        ("not a certificate", json.dumps({"qr": "hello"}).encode()),
        ("confirm", json.dumps({"qr": qr, "confirm": issued[0].name}).encode()),
        ("by number", json.dumps({"certificate_number": issued[0].number, "name": issued[0].name}).encode()),
        ("unknown member", json.dumps({"qr": qr, "extra": 1}).encode()),
        ("not a string", json.dumps({"qr": 7}).encode()),
        ("empty", json.dumps({"qr": ""}).encode()),
        ("array", b"[1, 2]"),
        ("broken JSON", b'{"qr": '),
        ("too long", json.dumps({"qr": "x" * 20_000}).encode()),
        ("deeply nested", b"[" * 5000 + b"]" * 5000),
    ]


def test_every_kind_of_request_gets_the_flask_views_answer(
    both: tuple[Client, Client], issued: list[Issued], runtime: Runtime
) -> None:
    """Valid, forged, malformed, name-testing and oversized requests: same status, body and headers
    whether the lane answers or hands the request to Flask."""
    served, flask_only = both
    with runtime.database.write() as session:
        change_status(session, runtime, issued[1].number, "revoke", "fraud", "人社职改〔2026〕7号")
    for label, body in _bodies(issued):
        assert _comparable(_post(served, body)) == _comparable(_post(flask_only, body)), label


@given(text=st.text(max_size=80), member=st.sampled_from(["qr", "credential", "other"]))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_targets_get_the_flask_views_answer(
    both: tuple[Client, Client], text: str, member: str
) -> None:
    """Any string in any member: the same answer by both routes (and never a server error)."""
    served, flask_only = both
    body = json.dumps({member: text}).encode()
    lane_answer = _post(served, body)
    assert lane_answer.status_code < 500
    assert _comparable(lane_answer) == _comparable(_post(flask_only, body))


def test_plain_requests_skip_flask_and_the_rest_reach_it(
    both: tuple[Client, Client], flask_requests: list[str], issued: list[Issued]
) -> None:
    """A plain QR or credential request is answered by the lane; name tests, malformed bodies,
    other content types and requests carrying cookies go through Flask's view."""
    served, _ = both
    assert _post(served, json.dumps({"qr": issued[0].qr_payload}).encode()).status_code == 200
    assert _post(served, json.dumps({"credential": issued[0].credential}).encode()).status_code == 200
    assert flask_requests == []
    _post(served, json.dumps({"qr": issued[0].qr_payload, "confirm": issued[0].name}).encode())
    _post(served, b"{", "application/json")
    _post(served, json.dumps({"qr": issued[0].qr_payload}).encode(), "text/plain")
    served.set_cookie("session", "a browser's", domain="localhost")
    _post(served, json.dumps({"qr": issued[0].qr_payload}).encode())
    assert flask_requests == ["verify_api.verify"] * 4


def test_a_spent_budget_is_flasks_429_and_counted_once(verify_app: Flask, flask_requests: list[str]) -> None:
    """Past the budget the lane hands over what it drew: Flask answers the 429 problem with
    Retry-After, and each request is counted once in the store (four requests, four hits)."""
    from certsvc.web.budgets import parsed
    from certsvc.web.extensions import limiter

    verify_app.config["CERTSVC_VERIFY_RATE"] = "2/minute"
    address = next(_addresses)
    client = verify_app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    answers = [client.post("/api/v1/verify", json={"qr": "not a certificate"}) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 429, 429]
    assert answers[2].mimetype == "application/problem+json"
    assert 0 < int(answers[2].headers["Retry-After"]) <= 61
    assert answers[2].headers["X-RateLimit-Remaining"] == "0"
    assert flask_requests == ["verify_api.verify"] * 2
    (per_minute,) = parsed("2/minute")
    assert limiter.storage.get(per_minute.key_for(address, "verify_api.verify")) == 4


def test_an_error_in_the_lane_is_answered_by_flask_without_drawing_twice(
    verify_app: Flask,
    issued: list[Issued],
    monkeypatch: pytest.MonkeyPatch,
    flask_requests: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Should verification fail inside the lane, Flask's view answers the request (here: normally),
    the per-client budget shows one request, not two, and the failure is logged for operators."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("lane failure")

    monkeypatch.setattr(fastlane, "verify_target", broken)
    client = verify_app.test_client()
    client.environ_base["REMOTE_ADDR"] = next(_addresses)
    verify_app.config["CERTSVC_VERIFY_RATE"] = "5/minute"
    answer = client.post("/api/v1/verify", json={"qr": issued[0].qr_payload})
    assert answer.status_code == 200 and answer.get_json()["outcome"] == "valid"
    assert answer.headers["X-RateLimit-Remaining"] == "4"
    assert flask_requests == ["verify_api.verify"]
    (warning,) = [record for record in caplog.records if record.name == "certsvc.fastlane"]
    assert warning.exc_info is not None and warning.exc_info[0] is RuntimeError


def test_the_lane_logs_one_line_without_personal_data(
    verify_app: Flask, issued: list[Issued], caplog: pytest.LogCaptureFixture
) -> None:
    """One "request" line with method, endpoint, status and time, under the request's id; no QR
    payload and no name."""
    client = verify_app.test_client()
    with caplog.at_level(logging.INFO, logger="certsvc.http"):
        answer = client.post(
            "/api/v1/verify", json={"qr": issued[0].qr_payload}, headers={"X-Request-Id": "scan-0001-abcdef"}
        )
    assert answer.headers["X-Request-Id"] == "scan-0001-abcdef"
    lines = [record for record in caplog.records if record.name == "certsvc.http"]
    assert len(lines) == 1
    fields = lines[0].fields  # type: ignore[attr-defined]
    assert (
        fields["endpoint"] == "verify_api.verify" and fields["status"] == 200 and fields["method"] == "POST"
    )
    text = caplog.text
    assert issued[0].qr_payload not in text and issued[0].name not in text
