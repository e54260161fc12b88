"""The verify API under load, beside a hello-world Flask app on the same gunicorn settings (DESIGN §6).

Both apps run in gunicorn with the options ``certsvc serve`` uses (sync workers, same worker
count) and are hit from loopback by the same bounded load generator: a fixed number of client
processes, each sending requests back to back for a fixed time (``http.client``, reconnecting when
the server closes). The certsvc case is ``POST /api/v1/verify`` with the QR payloads of a batch of
certificates issued in a SQLite database, in turn; the hello-world case posts the same bodies and
gets a small JSON answer. One untimed round per app warms the workers; ledger evidence is then
served from each worker's cache (minutes per entry), and the cost of an uncached inclusion proof
is reported on its own row. Server CPU per request (from /proc) is reported beside requests/s
because it is robust to other load on the machine.

Targets: verify requests/s >= 0.5 x hello-world requests/s (``ratio``), verify p99 < 25 ms.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from bench import Case, Row

CLIENTS = 4
ROUNDS = 3
DURATION_SECONDS = 2.5
WARMUP_SECONDS = 0.5
REPO = Path(__file__).resolve().parents[2]


# --- the two apps, as gunicorn factories ----------------------------------------------------------
def hello_app() -> Any:
    from flask import Flask, jsonify, request

    app = Flask("hello")

    @app.post("/hello")
    def hello() -> Any:
        return jsonify(hello=request.get_json(silent=True) is not None)

    return app


def certsvc_app() -> Any:
    from certsvc import create_app

    app = create_app()
    # Every request of the bench comes from 127.0.0.1: lift the per-client limits (the limiter
    # itself still runs, so its cost is measured) instead of measuring 429 answers.
    app.config.update(CERTSVC_VERIFY_RATE="100000000/minute", CERTSVC_VERIFY_NUMBER_RATE="100000000/minute")
    return app


# --- setup ---------------------------------------------------------------------------------------
def _environment(directory: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CERTSVC_ENV": "development",
        "CERTSVC_INSTANCE_DIR": str(directory / "instance"),
        "CERTSVC_KEYS_DIR": str(directory / "keys"),
        "CERTSVC_BASE_URL": "https://certs.example.test",
        "CERTSVC_SECRET_KEY": "bench-secret-" + "x" * 32,
        "PYTHONWARNINGS": "ignore",
    }


def _issue_batch(env: dict[str, str]) -> list[str]:
    """Initialise a fresh instance, issue the sample batch, return the QR payloads of its certificates."""
    from sqlalchemy import select

    from certsvc.cli.setup import initialise
    from certsvc.config import load_settings
    from certsvc.db.models import CertificateVersion
    from certsvc.runtime import build_runtime
    from certsvc.services.issuing import import_results

    runtime = build_runtime(load_settings(env))
    registry = resources.files("certsvc.domain").joinpath("demo_registry.json").read_bytes()
    initialise(runtime, registry)
    data = resources.files("certsvc.demo").joinpath("sample-421200.csv").read_bytes()
    report = import_results(runtime, data, "sample-421200.csv", dry_run=False, actor="bench")
    assert report.ok, report.to_json()
    with runtime.database.read() as session:
        payloads = list(session.execute(select(CertificateVersion.qr_payload)).scalars())
    runtime.database.dispose()
    return payloads


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def _gunicorn(factory: str, env: dict[str, str], workers: int) -> Iterator[tuple[int, int]]:
    """gunicorn with the options of ``certsvc serve`` (see certsvc/cli/gunicorn_app.py)."""
    port = _free_port()
    command = [
        sys.executable, "-m", "gunicorn",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--worker-class", "sync",
        "--timeout", "60",
        "--graceful-timeout", "10",
        "--keep-alive", "5",
        "--chdir", str(REPO),
        f"bench.cases.verify_api:{factory}()",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_listening(port, process)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not start listening")


# --- the load generator ----------------------------------------------------------------------------
def _client(args: tuple[int, str, list[bytes], float, float]) -> tuple[int, list[float], int]:
    """Send POSTs back to back until the deadline, cycling through ``bodies``; (all requests sent,
    latencies in ms of those after the warm-up, errors)."""
    port, path, bodies, warmup, duration = args
    headers = {"Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    started = time.perf_counter()
    measure_from, stop_at = started + warmup, started + warmup + duration
    latencies: list[float] = []
    errors = sent = 0
    while True:
        before = time.perf_counter()
        if before >= stop_at:
            break
        body = bodies[sent % len(bodies)]
        sent += 1
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors += 1
            if response.will_close:
                connection.close()
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            continue
        if before >= measure_from:
            latencies.append((time.perf_counter() - before) * 1000)
    connection.close()
    return sent, latencies, errors


@dataclasses.dataclass
class Tally:
    """Requests, latencies and server CPU seconds summed over the rounds of one app."""

    latencies: list[float] = dataclasses.field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    server_cpu: float = 0.0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]

    @property
    def cpu_ms_per_request(self) -> float:
        return self.server_cpu * 1000 / len(self.latencies)


def _server_cpu_seconds(master_pid: int) -> float:
    """User + system CPU of the gunicorn workers (children of the master), from /proc."""
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
    with contextlib.suppress(OSError):
        for child in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split():
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
    return total / tick


def _round(pool: Any, server: tuple[int, int], path: str, bodies: list[bytes], tally: Tally) -> None:
    port, master_pid = server
    jobs = [
        (port, path, bodies[n::CLIENTS] or bodies, WARMUP_SECONDS, DURATION_SECONDS) for n in range(CLIENTS)
    ]
    cpu_before = _server_cpu_seconds(master_pid)
    results = pool.map(_client, jobs)
    # CPU is sampled around the whole round, warm-up included: charge the measured requests their share.
    sent = sum(count for count, _, _ in results)
    measured = sum(len(sample) for _, sample, _ in results)
    tally.server_cpu += (_server_cpu_seconds(master_pid) - cpu_before) * measured / max(1, sent)
    for _, sample, errors in results:
        tally.latencies.extend(sample)
        tally.errors += errors
    tally.seconds += DURATION_SECONDS


def run() -> list[Row]:
    from certsvc.cli.serve import default_workers

    workers = default_workers()
    with tempfile.TemporaryDirectory() as directory:
        env = _environment(Path(directory))
        payloads = _issue_batch(env)
        cold_evidence_ms = _cold_evidence_ms(env, len(payloads))
        bodies = [json.dumps({"qr": payload}).encode() for payload in payloads]
        hello, verify = Tally(), Tally()
        with (
            _gunicorn("hello_app", env, workers) as hello_server,
            _gunicorn("certsvc_app", env, workers) as certsvc_server,
            multiprocessing.get_context("spawn").Pool(CLIENTS) as pool,
        ):
            _check_verdict(certsvc_server[0], payloads[0])
            # One untimed round each: every worker builds its app state and caches, as in service.
            _round(pool, hello_server, "/hello", bodies, Tally())
            _round(pool, certsvc_server, "/api/v1/verify", bodies, Tally())
            # Alternating rounds spread a noisy neighbour's load over both apps alike.
            for _ in range(ROUNDS):
                _round(pool, hello_server, "/hello", bodies, hello)
                _round(pool, certsvc_server, "/api/v1/verify", bodies, verify)
    if not hello.latencies or not verify.latencies:
        raise RuntimeError("no request completed")
    setting = f"{workers} sync workers, {CLIENTS} clients, {ROUNDS}x{DURATION_SECONDS:g} s"
    return [
        {"metric": f"hello-world POST ({setting})", "value": hello.rps, "unit": "req/s"},
        {
            "metric": "hello-world p50 / p99",
            "value": f"{hello.percentile(0.5):.2f} / {hello.percentile(0.99):.2f}",
            "unit": "ms",
        },
        {
            "metric": f"POST /api/v1/verify (QR, {len(payloads)} certificates in turn)",
            "value": verify.rps,
            "unit": "req/s",
            "ratio_to": "hello-world",
            "ratio": verify.rps / hello.rps,
        },
        {"metric": "verify p50", "value": verify.percentile(0.5), "unit": "ms"},
        {"metric": "verify p99 (target < 25)", "value": verify.percentile(0.99), "unit": "ms"},
        {"metric": "hello-world server CPU per request", "value": hello.cpu_ms_per_request, "unit": "ms"},
        {
            "metric": "verify server CPU per request",
            "value": verify.cpu_ms_per_request,
            "unit": "ms",
            "ratio_to": "hello-world (CPU efficiency)",
            "ratio": hello.cpu_ms_per_request / verify.cpu_ms_per_request,
        },
        {"metric": "ledger evidence, uncached (in-process)", "value": cold_evidence_ms, "unit": "ms"},
        {"metric": "errors (hello, verify)", "value": f"{hello.errors}, {verify.errors}", "unit": ""},
    ]


def _cold_evidence_ms(env: dict[str, str], entries: int) -> float:
    """Milliseconds to compute one inclusion proof (what a scan of a not-yet-cached entry adds)."""
    from certsvc.config import load_settings
    from certsvc.runtime import build_runtime
    from certsvc.services.ledger import evidence

    runtime = build_runtime(load_settings(env))
    with runtime.database.read() as session:
        started = time.perf_counter()
        for index in range(entries):
            evidence(session, runtime, index)
        elapsed = time.perf_counter() - started
    runtime.database.dispose()
    return elapsed * 1000 / entries


def _check_verdict(port: int, payload: str) -> None:
    # The first answer waits for the workers to import certsvc and build the app.
    check = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    body = json.dumps({"qr": payload})
    check.request("POST", "/api/v1/verify", body=body, headers={"Content-Type": "application/json"})
    outcome = json.loads(check.getresponse().read())["outcome"]
    check.close()
    if outcome != "valid":
        raise RuntimeError(f"the benchmark certificate verified as {outcome}")


CASES = [Case("verify_api", run)]
