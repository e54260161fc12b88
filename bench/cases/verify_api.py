"""The verify API under load, beside a hello-world Flask app on the same gunicorn settings (DESIGN §6).

Both apps are served by gunicorn with the options ``certsvc serve`` builds
(``certsvc.cli.gunicorn_app.gunicorn_options``, via ``bench.cases._gunicorn_server``), in the
shapes ``certsvc.cli.serve.serve_shape`` chooses:

(a) the default: one process with threads, rate limits counted in it (memory://). This is what
    ``certsvc serve`` runs unless told otherwise, in development and in production on one host.
(b) several workers sharing a Redis store, as several hosts would (``CERTSVC_BENCH_REDIS_URL``,
    default redis://127.0.0.1:6379/13; counters under a key prefix unique to the run, expiring
    with their window); when Redis cannot be reached it is reported as not measured.

Every request goes through the one request path: Flask, its hooks, Flask-Limiter and the view.
Each shape is hit from loopback by the same bounded load generator: a fixed number of client
processes, each sending requests back to back for a fixed time (``http.client``, reconnecting when
the server closes). The certsvc case is ``POST /api/v1/verify`` with the QR payloads of a batch of
certificates issued in a SQLite database, in turn; the hello-world case posts the same bodies and
gets a small JSON answer. Per-client verify limits are lifted, but the limiter still runs (and
counts in the shape's store). One untimed round per app warms the workers; ledger evidence is then
served from each worker's cache (minutes per entry), and the cost of an uncached inclusion proof
is reported on its own row. Server CPU per request (gunicorn workers, from /proc; the Redis
server's own CPU is not included) is reported beside requests/s because it is robust to other load
on the machine.

Targets, judged on shape (a), the shipped default: verify requests/s >= 0.45 x hello-world
requests/s (``ratio``), verify p99 < 25 ms.
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
import uuid
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
REDIS_URL = os.environ.get("CERTSVC_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


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
    # Each shape sets its own store; without one, certsvc uses its default (memory://).
    inherited = {key: value for key, value in os.environ.items() if key != "CERTSVC_RATELIMIT_STORAGE_URL"}
    return {
        **inherited,
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

    from certsvc.certificates.issuing import import_results
    from certsvc.certificates.models import CertificateVersion
    from certsvc.cli.setup import initialise
    from certsvc.config import load_settings
    from certsvc.runtime import build_runtime

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


@dataclasses.dataclass(frozen=True)
class Shape:
    """A way ``certsvc serve`` runs gunicorn, and the settings certsvc needs for it."""

    label: str
    workers: int
    threads: int
    certsvc_env: dict[str, str] = dataclasses.field(default_factory=dict)


@contextlib.contextmanager
def _gunicorn(factory: str, env: dict[str, str], shape: Shape, log: Path) -> Iterator[tuple[int, int]]:
    """gunicorn with the options of ``certsvc serve`` for ``shape``, serving ``factory``."""
    port = _free_port()
    command = [
        sys.executable, "-m", "bench.cases._gunicorn_server",
        factory, f"127.0.0.1:{port}", str(shape.workers), str(shape.threads),
    ]  # fmt: skip
    with log.open("wb") as stderr:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        _wait_until_listening(port, process, log)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{tail}")
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


def _shapes() -> list[Shape]:
    from certsvc.cli.serve import serve_shape
    from certsvc.config import load_settings

    def shape(label: str, certsvc_env: dict[str, str]) -> Shape:
        settings = load_settings({"CERTSVC_SECRET_KEY": "bench-" + "x" * 32, **certsvc_env})
        workers, threads = serve_shape(settings)
        return Shape(f"{workers} process(es) x {threads} thread(s), {label}", workers, threads, certsvc_env)

    return [
        shape("memory:// (default)", {}),
        shape(
            "Redis",
            {
                "CERTSVC_RATELIMIT_STORAGE_URL": REDIS_URL,
                # A run never draws on another run's counters.
                "CERTSVC_RATELIMIT_KEY_PREFIX": f"certsvc-bench-{uuid.uuid4().hex[:12]}",
            },
        ),
    ]


def _unreachable(shape: Shape) -> str | None:
    """Why the rate-limit store ``shape`` needs cannot be used, or None when it can (or needs none)."""
    url = shape.certsvc_env.get("CERTSVC_RATELIMIT_STORAGE_URL", "")
    if not url.startswith("redis"):
        return None
    import redis

    try:
        with redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) as client:
            client.ping()
    except (redis.RedisError, OSError, ValueError) as error:
        return f"{url}: {error}"
    return None


def _measure(
    pool: Any, shape: Shape, env: dict[str, str], bodies: list[bytes], payload: str, logs: Path
) -> tuple[Tally, Tally]:
    """(hello-world, verify) over alternating rounds, both apps served in ``shape``."""
    hello, verify = Tally(), Tally()
    with (
        _gunicorn("hello_app", env, shape, logs / "hello.log") as hello_server,
        _gunicorn("certsvc_app", env | shape.certsvc_env, shape, logs / "certsvc.log") as certsvc_server,
    ):
        _check_verdict(certsvc_server[0], payload)
        # One untimed round each: every worker builds its app state and caches, as in service.
        _round(pool, hello_server, "/hello", bodies, Tally())
        _round(pool, certsvc_server, "/api/v1/verify", bodies, Tally())
        # Alternating rounds spread a noisy neighbour's load over both apps alike.
        for _ in range(ROUNDS):
            _round(pool, hello_server, "/hello", bodies, hello)
            _round(pool, certsvc_server, "/api/v1/verify", bodies, verify)
    if not hello.latencies or not verify.latencies:
        raise RuntimeError(f"{shape.label}: no request completed")
    return hello, verify


def _rows(shape: Shape, hello: Tally, verify: Tally, certificates: int, judged: bool) -> list[Row]:
    label = f"[{shape.label}]"
    same_shape = "hello-world, same shape"
    return [
        {
            "metric": f"{label} hello-world POST ({CLIENTS} clients, {ROUNDS}x{DURATION_SECONDS:g} s)",
            "value": hello.rps,
            "unit": "req/s",
        },
        {
            "metric": f"{label} hello-world p50 / p99",
            "value": f"{hello.percentile(0.5):.2f} / {hello.percentile(0.99):.2f}",
            "unit": "ms",
        },
        {
            "metric": f"{label} POST /api/v1/verify (QR, {certificates} certificates in turn), "
            + ("ratio to hello-world (target >= 0.45)" if judged else "ratio to hello-world"),
            "value": verify.rps,
            "unit": "req/s",
            "ratio_to": same_shape,
            "ratio": verify.rps / hello.rps,
        },
        {"metric": f"{label} verify p50", "value": verify.percentile(0.5), "unit": "ms"},
        {
            "metric": f"{label} verify p99" + (" (target < 25)" if judged else ""),
            "value": verify.percentile(0.99),
            "unit": "ms",
        },
        {
            "metric": f"{label} hello-world server CPU per request",
            "value": hello.cpu_ms_per_request,
            "unit": "ms",
        },
        {
            "metric": f"{label} verify server CPU per request, ratio = hello-world's / verify's",
            "value": verify.cpu_ms_per_request,
            "unit": "ms",
            "ratio_to": f"{same_shape} (CPU efficiency)",
            "ratio": hello.cpu_ms_per_request / verify.cpu_ms_per_request,
        },
        {
            "metric": f"{label} errors (hello, verify)",
            "value": f"{hello.errors}, {verify.errors}",
            "unit": "",
        },
    ]


def run() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as directory:
        env = _environment(Path(directory))
        payloads = _issue_batch(env)
        cold_evidence_ms = _cold_evidence_ms(env, len(payloads))
        bodies = [json.dumps({"qr": payload}).encode() for payload in payloads]
        with multiprocessing.get_context("spawn").Pool(CLIENTS) as pool:
            # The first shape is the production one, on which the targets are judged.
            for index, shape in enumerate(_shapes()):
                reason = _unreachable(shape)
                if reason is not None:
                    rows.append(
                        {
                            "metric": f"[{shape.label}] not measured: Redis unreachable (CERTSVC_BENCH_REDIS_URL)",
                            "value": reason,
                            "unit": "",
                        }
                    )
                    continue
                hello, verify = _measure(pool, shape, env, bodies, payloads[0], Path(directory))
                rows += _rows(shape, hello, verify, len(payloads), judged=index == 0)
    rows.append({"metric": "ledger evidence, uncached (in-process)", "value": cold_evidence_ms, "unit": "ms"})
    return rows


def _cold_evidence_ms(env: dict[str, str], entries: int) -> float:
    """Milliseconds to compute one inclusion proof (what a scan of a not-yet-cached entry adds)."""
    from certsvc.config import load_settings
    from certsvc.ledger.services import evidence
    from certsvc.runtime import build_runtime

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
