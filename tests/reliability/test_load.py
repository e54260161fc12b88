"""Load: gunicorn serving certsvc on loopback, 200 concurrent connections on the verify API and the
scan page for a bounded time, on SQLite and PostgreSQL; and the shipped rate limits under a burst.

Pass criteria: zero 5xx, zero connection errors, p99 below a bound (generous: this 2-core machine
also runs the load generator); figures recorded for docs/reliability.md. Servers are stopped by
their own process id.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from certsvc.certificates.models import Certificate, CertificateVersion
from certsvc.certificates.versions import verification_url
from tests.conftest import DATABASE_KINDS, reachable_redis_url
from tests.reliability.figures import record
from tests.reliability.installation import PYTHON, Installation
from tests.reliability.loadgen import LoadResult, run_load, verify_mix
from tests.reliability.world import DEMO_BATCHES, fresh_database_url, populate

pytestmark = pytest.mark.slow
CONNECTIONS = int(os.environ.get("CERTSVC_LOAD_CONNECTIONS", "200"))
SECONDS = float(os.environ.get("CERTSVC_LOAD_SECONDS", "30"))
WORKERS = min(2 * (os.cpu_count() or 1) + 1, 8)  # what `certsvc serve` starts
P99_BOUND_MS = 3000
BURST_SECONDS = 8.0
SHIPPED_VERIFY_PER_MINUTE = 120


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_ready(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.communicate()[1][-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("server did not become ready")


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


@pytest.fixture(params=DATABASE_KINDS)
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Installation, list[str]]]:
    urls = fresh_database_url(request.param, request, tmp_path)
    install = Installation(tmp_path / "site", next(urls))
    install.init()
    runtime = install.runtime()
    populate(runtime, DEMO_BATCHES)
    with runtime.database.read() as session:
        payloads = session.scalars(
            select(CertificateVersion.qr_payload)
            .join(Certificate, Certificate.id == CertificateVersion.certificate_id)
            .where(CertificateVersion.version == Certificate.current_version)
        ).all()
    qr_urls = [verification_url(runtime, payload) for payload in payloads]
    runtime.database.dispose()
    yield install, qr_urls
    next(urls, None)


def _serve(install: Installation, command: list[str]) -> tuple[subprocess.Popen[str], int]:
    port = _free_port()
    process = install.popen([part.replace("{port}", str(port)) for part in command])
    _wait_ready(port, process)
    return process, port


def test_verify_under_sustained_concurrent_load(site: tuple[Installation, list[str]]) -> None:
    """200 connections on POST /api/v1/verify and GET /v/<payload>: no 5xx, no connection error,
    p99 bounded."""
    install, qr_urls = site
    # Several workers share the default store, the instance's host file (memory:// is refused in
    # production: each process would count alone).
    # The options `certsvc serve` gives gunicorn (certsvc/cli/gunicorn_app.py), on the load-test app.
    options = {
        "--workers": str(WORKERS),
        "--worker-class": "sync",
        "--bind": "127.0.0.1:{port}",
        "--timeout": "60",
    }
    options |= {"--keep-alive": "5", "--log-level": "warning"}
    gunicorn = [str(PYTHON), "-m", "gunicorn", *[part for pair in options.items() for part in pair]]
    gunicorn.append("tests.reliability.loadapp:app")
    server, port = _serve(install, gunicorn)
    try:
        result = run_load(port, verify_mix(qr_urls), connections=CONNECTIONS, seconds=SECONDS)
    finally:
        _stop(server)
    kind = "sqlite" if install.database_url.startswith("sqlite") else "postgresql"
    summary = result.summary()
    record("load", database=kind, store="host file", workers=WORKERS, certificates=len(qr_urls), **summary)
    assert result.requests > 0
    assert result.server_errors == 0, summary
    assert sum(result.errors.values()) == 0, summary
    assert set(result.statuses) == {200}, summary
    assert result.percentile(0.99) * 1000 < P99_BOUND_MS, summary


def _redis_url() -> str:
    """The Redis rate-limit store of the burst test, emptied (counters of an earlier run would
    already have spent the client's budget)."""
    url = reachable_redis_url()
    redis.Redis.from_url(url).flushdb()
    return url


BURST_STORES = ("host", "memory", "redis")


@pytest.fixture(scope="module", params=BURST_STORES)
def api_burst(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LoadResult]:
    """One client bursting on ``POST /api/v1/verify`` against ``certsvc serve`` with its shipped limits:
    with the default host-file store (several workers), with memory:// (one process, threads) and
    with a Redis store (several workers).

    The limiter does not depend on the database, so this runs on SQLite."""
    store = request.param
    directory = tmp_path_factory.mktemp(f"burst-{store}")
    urls = fresh_database_url("sqlite", request, directory)
    install = Installation(directory / "site", next(urls))
    install.init()
    runtime = install.runtime()
    populate(runtime, ("421221",))
    with runtime.database.read() as session:
        payloads = session.scalars(select(CertificateVersion.qr_payload)).all()
    qr_urls = [verification_url(runtime, payload) for payload in payloads]
    runtime.database.dispose()
    serve = [*install.command("serve", "--port", "{port}")]
    workers = WORKERS
    if store == "memory":
        install = dataclasses.replace(install, extra_env={"CERTSVC_RATELIMIT_STORAGE_URL": "memory://"})
        workers = 1
    elif store == "redis":
        install = dataclasses.replace(install, extra_env={"CERTSVC_RATELIMIT_STORAGE_URL": _redis_url()})
    server, port = _serve(install, serve)
    bodies = [json.dumps({"qr": url}).encode() for url in qr_urls]
    try:
        burst = run_load(
            port,
            lambda n: ("POST", "/api/v1/verify", bodies[n % len(bodies)]),
            connections=20,
            seconds=BURST_SECONDS,
        )
    finally:
        _stop(server)
    record(
        "ratelimit",
        store=store,
        workers=workers,
        shipped_per_minute=SHIPPED_VERIFY_PER_MINUTE,
        seconds=round(burst.seconds, 1),
        requests=burst.requests,
        allowed=burst.statuses.get(200, 0),
        limited=burst.statuses.get(429, 0),
        server_errors=burst.server_errors,
        retry_after=sorted(set(burst.retry_after))[:5],
    )
    yield burst
    next(urls, None)


def test_rate_limits_answer_a_burst_with_429(api_burst: LoadResult) -> None:
    """One client bursting on the verify API is refused with 429 and a Retry-After once over budget,
    without server or connection errors."""
    assert api_burst.server_errors == 0 and sum(api_burst.errors.values()) == 0, api_burst.summary()
    assert api_burst.statuses.get(429, 0) > 0, api_burst.summary()
    assert set(api_burst.statuses) <= {200, 429}, api_burst.summary()
    assert all(value.isdigit() and int(value) > 0 for value in api_burst.retry_after), api_burst.retry_after[
        :5
    ]


def test_rate_limit_budget_is_per_client_not_per_worker(api_burst: LoadResult) -> None:
    """Within one minute a single client gets no more than the shipped 120 verify answers (+10 %),
    however many processes serve it."""
    assert api_burst.seconds < 60
    assert api_burst.statuses.get(200, 0) <= SHIPPED_VERIFY_PER_MINUTE * 1.1, api_burst.summary()
