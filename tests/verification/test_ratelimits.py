"""Rate limits as clients meet them, in each store: per-client budgets with their headers, the
stricter name-testing budget shared by the page forms and the API, requests crafted to break the
limiter, and a Redis store that stops answering.

That the threads of the default ``certsvc serve`` shape, or several workers sharing Redis, grant
one budget per client between them is checked against real servers in
tests/reliability/test_load.py.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from certsvc.runtime import Runtime
from tests.conftest import reachable_redis_url
from tests.verification.conftest import Issued

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
SIGN_IN_PER_MINUTE = 20  # certsvc.accounts.views.AUTH_LIMIT


def _app(runtime: Runtime, storage_url: str) -> Flask:
    from certsvc import create_app

    settings = dataclasses.replace(runtime.settings, ratelimit_storage_url=storage_url)
    app = create_app(runtime=dataclasses.replace(runtime, settings=settings))
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    return app


def _client_of_its_own(app: Flask) -> FlaskClient:
    """A test client with an address no other test or run uses: counters in a shared Redis
    outlive a test, and parallel tests share it."""
    address = "2001:db8::" + ":".join(uuid.uuid4().hex[i : i + 4] for i in range(0, 16, 4))
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.fixture(params=["memory", "redis"])
def store_app(request: pytest.FixtureRequest, runtime: Runtime) -> Flask:
    url = "memory://" if request.param == "memory" else reachable_redis_url()
    return _app(runtime, url)


def _sign_in(client: FlaskClient) -> int:
    return client.post("/auth/login", data={"account": "nobody", "password": "guess"}).status_code


# --- budgets in each store ---------------------------------------------------------------------
def test_burst_is_refused_the_same_in_each_store(store_app: Flask, issued: list[Issued]) -> None:
    """Per-client budget, in memory and in Redis: three answers counting down, then a 429 problem
    with Retry-After."""
    store_app.config["CERTSVC_VERIFY_RATE"] = "3/minute"
    client = _client_of_its_own(store_app)
    answers = [client.post("/api/v1/verify", json={"qr": issued[0].qr_payload}) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert [answer.headers["X-RateLimit-Remaining"] for answer in answers[:3]] == ["2", "1", "0"]
    assert answers[0].headers["X-RateLimit-Limit"] == "3"
    assert 0 < int(answers[3].headers["Retry-After"]) <= 61
    assert answers[3].mimetype == "application/problem+json"


def test_name_budget_is_shared_with_the_page_forms_in_each_store(
    store_app: Flask, issued: list[Issued]
) -> None:
    """The stricter by-number budget is one budget for the page form, "confirm the holder" and the
    API, in either store; QR checks do not draw on it, and bulk checks draw on their own budgets."""
    store_app.config.update(CERTSVC_VERIFY_RATE="1000/minute", CERTSVC_VERIFY_NUMBER_RATE="3/minute")
    client = _client_of_its_own(store_app)
    form = {"number": issued[0].number, "name": issued[0].name}
    by_number = {"certificate_number": issued[0].number, "name": issued[0].name}
    assert client.post("/verify", data=form).status_code == 200
    assert client.post("/api/v1/verify", json=by_number).status_code == 200
    bulk_line = f"{issued[1].number},{issued[1].name}"
    assert client.post("/verify/bulk", data={"items": bulk_line}).status_code == 200
    assert (
        client.post(f"/v/{issued[1].qr_payload}/confirm", data={"claim": issued[1].name}).status_code == 200
    )
    assert client.post("/api/v1/verify", json=by_number).status_code == 429
    assert client.post("/verify", data=form).status_code == 429
    assert client.post("/verify/bulk", data={"items": bulk_line}).status_code == 200
    assert client.post("/api/v1/verify", json={"qr": issued[0].qr_payload}).status_code == 200


def test_bulk_checks_draw_on_the_bulk_budgets_in_each_store(store_app: Flask, issued: list[Issued]) -> None:
    """An anonymous bulk check (page or API batch) counts one submission, whatever its size, and
    one line per number + name item (QR lines are free), in memory and in Redis alike (ADR 0016)."""
    store_app.config.update(
        CERTSVC_VERIFY_RATE="1000/minute", CERTSVC_BULK_RATE="4/minute", CERTSVC_BULK_NAME_RATE="5/hour"
    )
    client = _client_of_its_own(store_app)
    two_names_and_a_qr = "\n".join(
        [f"{issued[0].number},{issued[0].name}", issued[1].qr_payload, f"{issued[1].number},{issued[1].name}"]
    )
    assert client.post("/verify/bulk", data={"items": two_names_and_a_qr}).status_code == 200
    batch = {"items": [{"certificate_number": c.number, "name": c.name} for c in issued[2:5]]}
    assert client.post("/api/v1/verify/batch", json=batch).status_code == 200  # 2 + 3 = 5 lines
    assert client.post("/verify/bulk", data={"items": two_names_and_a_qr}).status_code == 429
    # The refused form counted as a submission (Flask-Limiter counts refused hits); QR-only
    # checks still pass until the fourth submission of the minute.
    qr_only = {"items": [{"qr": issued[1].qr_payload}]}
    assert client.post("/api/v1/verify/batch", json=qr_only).status_code == 200
    assert client.post("/api/v1/verify/batch", json=qr_only).status_code == 429


# --- nothing a client sends breaks the limiter (issue 16, finding 2) ----------------------------
def test_an_oversized_bulk_form_leaves_the_sign_in_budget_as_it_was(app: Flask, issued: list[Issued]) -> None:
    """The attack that found this: a bulk form too large to parse made the limiter's cost
    callback raise, Flask-Limiter fell back to counting in a fresh per-process store, and sign-in
    attempts started again from zero. Now the form is a 400 and the 21st attempt is still a 429."""
    app.config.update(WTF_CSRF_ENABLED=False)
    client = _client_of_its_own(app)
    statuses = [_sign_in(client) for _ in range(10)]
    oversized = "\n".join(f"{issued[0].number},Zhang San" for _ in range(8_000))
    assert 100 * 2048 < len(oversized) < 500_000  # beyond the bulk form's size, within Flask's
    refused = client.post("/verify/bulk", data={"items": oversized})
    assert refused.status_code == 400
    statuses += [_sign_in(client) for _ in range(SIGN_IN_PER_MINUTE + 1 - 10)]
    assert [status == 429 for status in statuses] == [False] * SIGN_IN_PER_MINUTE + [True]


def _hostile_requests(issued: list[Issued]) -> list[tuple[str, dict[str, object]]]:
    """Requests whose content a rate-limit cost callback reads, each malformed in its own way (none
    of them tests a name)."""
    nested = b"[" * 100_000 + b"]" * 100_000
    line = f"{issued[0].number},{issued[0].name}"
    return [
        ("bulk form beyond its size", {"path": "/verify/bulk", "data": {"items": "x" * 210_000}}),
        ("bulk form beyond Flask's form size", {"path": "/verify/bulk", "data": {"items": "\n".join([line] * 12_000)}}),
        ("bulk form of 101 items", {"path": "/verify/bulk", "data": {"items": "\n".join([line] * 101)}}),
        ("empty bulk form", {"path": "/verify/bulk", "data": {"items": ""}}),
        (
            "CSV with a NUL byte",
            {"path": "/verify/bulk", "data": {"csv": (io.BytesIO(b"qr\n\x00not-a-qr\n"), "a.csv")}},
        ),
        (
            "CSV neither UTF-8 nor GBK",
            {"path": "/verify/bulk", "data": {"csv": (io.BytesIO(b"\xff\xfe\x81\x00" * 64), "a.csv")}},
        ),
        (
            "CSV field beyond the csv module's limit",
            {"path": "/verify/bulk", "data": {"csv": (io.BytesIO(b'"' + b"x" * 200_000 + b'"\n'), "a.csv")}},
        ),
        ("deeply nested JSON", {"path": "/api/v1/verify", "data": nested, "content_type": "application/json"}),
        (
            "deeply nested batch",
            {"path": "/api/v1/verify/batch", "data": b'{"items": ' + nested + b"}", "content_type": "application/json"},
        ),
        ("broken JSON", {"path": "/api/v1/verify", "data": b'{"certificate_number": ', "content_type": "application/json"}),
        ("JSON in a text body", {"path": "/api/v1/verify", "data": json.dumps({"confirm": "x"}), "content_type": "text/plain"}),
        ("batch of 101 name tests", {"path": "/api/v1/verify/batch", "json": {"items": [{"certificate_number": "x", "name": "y"}] * 101}}),
        ("items not a list", {"path": "/api/v1/verify/batch", "json": {"items": {"certificate_number": "x"}}}),
        ("a bare string", {"path": "/api/v1/verify", "json": "certificate_number"}),
    ]  # fmt: skip


def test_crafted_requests_neither_fail_nor_reset_the_budgets(app: Flask, issued: list[Issued]) -> None:
    """Each malformed request is answered without a 5xx and leaves the client's budgets where they
    were: the name-testing budget (one store with sign-in and every other limit) still refuses
    the 4th test."""
    app.config.update(
        CERTSVC_VERIFY_RATE="1000/minute", CERTSVC_VERIFY_NUMBER_RATE="3/minute", WTF_CSRF_ENABLED=False
    )
    by_number = {"certificate_number": issued[0].number, "name": issued[0].name}
    for label, request in _hostile_requests(issued):
        client = _client_of_its_own(app)
        first = [client.post("/api/v1/verify", json=by_number).status_code for _ in range(2)]
        options = dict(request)
        answer = client.post(str(options.pop("path")), **options)  # type: ignore[arg-type]
        assert answer.status_code < 500, (label, answer.status_code)
        then = [client.post("/api/v1/verify", json=by_number).status_code for _ in range(2)]
        assert first + then == [200, 200, 200, 429], label


# --- the Redis store stops answering ---------------------------------------------------------------
def test_unreachable_redis_is_a_503_never_a_500_nor_unlimited(
    runtime: Runtime, issued: list[Issued], caplog: pytest.LogCaptureFixture
) -> None:
    """With the shared store down, limited routes answer 503 with Retry-After (problem JSON for the
    API, a page for browsers): no request passes uncounted and none is counted in a per-process
    fallback. Routes without limits (health, keys) still answer; nothing logged carries the
    client's address."""
    app = _app(runtime, UNREACHABLE_REDIS)
    client = _client_of_its_own(app)
    with caplog.at_level(logging.WARNING):
        api = [client.post("/api/v1/verify", json={"qr": issued[0].qr_payload}) for _ in range(3)]
        page = client.get(f"/v/{issued[0].qr_payload}")
        sign_in = client.post("/auth/login", data={"account": "nobody", "password": "guess"})
    assert [answer.status_code for answer in api] == [503, 503, 503]
    assert api[0].mimetype == "application/problem+json"
    assert api[0].get_json()["type"].endswith("/rate-limit-store-unavailable")
    assert api[0].headers["Retry-After"] == "5"
    assert page.status_code == 503 and page.mimetype == "text/html" and page.headers["Retry-After"] == "5"
    assert sign_in.status_code == 503
    assert client.get("/healthz").status_code == 200
    assert client.get("/.well-known/jwks.json").status_code == 200
    client_address = client.environ_base["REMOTE_ADDR"]
    assert any("rate-limit store unavailable" in record.getMessage() for record in caplog.records)
    assert not any(client_address in record.getMessage() for record in caplog.records)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivateRedis:
    """A redis-server of this test's own, which it may stop and start again."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise AssertionError("the private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CERTSVC_REQUIRE_REDIS") == "1":
            raise AssertionError("redis-server is required (CERTSVC_REQUIRE_REDIS=1)")
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(binary)
    server.start()
    yield server
    server.stop()


def test_a_redis_outage_refuses_while_it_lasts_and_budgets_resume_after(
    runtime: Runtime, issued: list[Issued], private_redis: PrivateRedis
) -> None:
    """Redis stops mid-minute: requests get 503 with Retry-After (not 500, not a fresh budget);
    once it is back, the same client's budget counts on in Redis (here restarted empty, as an
    unpersisted Redis comes back) and is refused at its limit again."""
    app = _app(runtime, private_redis.url)
    app.config["CERTSVC_VERIFY_RATE"] = "3/minute"
    client = _client_of_its_own(app)

    def verify() -> int:
        return client.post("/api/v1/verify", json={"qr": issued[0].qr_payload}).status_code

    before = [verify() for _ in range(2)]
    private_redis.stop()
    during = [verify() for _ in range(5)]
    private_redis.start()
    after = [verify() for _ in range(4)]
    assert before == [200, 200]
    assert during == [503] * 5
    assert after == [200, 200, 200, 429]
