"""Bulk verification of 1,000 number+name lines, end to end: target ≤ 2 s (DESIGN §6).

A throw-away installation (SQLite, and PostgreSQL when ``CERTSVC_BENCH_POSTGRES_URL`` answers)
issues ``SETS`` × 1,000 certificates (``../shared/tools/gen-results``; without it, the packaged
sample batches, their ~400 certificates cycled, which then measures repeated lists only). The app
is served over HTTP on loopback (werkzeug, threaded, as the browser tests do) and an employer
checks 1,000 lines (every 10th with a wrong name) per request, each a fresh HTTP request through
Flask, its hooks, Flask-Limiter (the employer's quota keyed on its key or account) and the view:

- ``POST /api/v1/verify/bulk`` (JSON in and out, API key), each request a list never checked before;
- the signed-in bulk page (1,000 pasted lines, the results table in HTML), lists never checked;
- the same page answering the Excel workbook, for lists never checked;
- and the Excel workbook of a list the page has just shown (what "查验并下载 Excel" after "查验"
  costs: the stored credentials' signature checks are remembered per key set).

Each figure is the median of ``REPEAT`` requests; ``ratio`` is the figure over the 2,000 ms target
(≤ 1 meets it).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import warnings
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from bench import Case, Row, bench_environment, scratch_postgres

SHARED = Path(__file__).resolve().parents[3] / "shared"
GEN_RESULTS = SHARED / "tools" / "gen-results"
LINES = 1000
REPEAT = 3
SETS = 3 * REPEAT + 1  # lists never checked before: API, page, Excel (and one to warm up)
TARGET_MS = 2000.0
SAMPLES = ("421200", "421221", "450000", "500000")
PASSWORD = "bench employer password"


def _runtime(database_url: str, workdir: Path) -> Any:
    from certsvc.cli.setup import initialise
    from certsvc.config import load_settings
    from certsvc.runtime import build_runtime

    runtime = build_runtime(load_settings(bench_environment(workdir, database_url)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # plaintext development keys are fine for a benchmark
        registry = resources.files("certsvc.domain").joinpath("demo_registry.json").read_bytes()
        initialise(runtime, registry)
    return runtime


def _issue(runtime: Any, workdir: Path) -> tuple[str, str]:
    """Issue the certificates; (what was issued from, the source's name)."""
    from certsvc.certificates.issuing import import_results

    if GEN_RESULTS.exists():
        path = workdir / "results.csv"
        rows = str(LINES * SETS)
        subprocess.run(
            [sys.executable, str(GEN_RESULTS), "-n", rows, "--authority", "450000", "-o", str(path)],
            check=True,
        )
        report = import_results(runtime, path, path.name, dry_run=False, actor="bench")
        assert report.ok, report.refused[:3]
        return "gen-results", f"{len(report.issued)} certificates"
    issued = 0
    for authority in SAMPLES:
        data = resources.files("certsvc.demo").joinpath(f"sample-{authority}.csv").read_bytes()
        report = import_results(runtime, data, f"sample-{authority}.csv", dry_run=False, actor="bench")
        assert report.ok, report.refused[:3]
        issued += len(report.issued)
    return "samples", f"{issued} certificates, cycled"


def _lists(runtime: Any) -> list[list[tuple[str, str]]]:
    """``SETS`` lists of 1,000 (number, registered name) pairs, each of other certificates when
    there are enough; every 10th line with a wrong name (the no-match path)."""
    from sqlalchemy import and_, select

    from certsvc.certificates.models import Certificate, CertificateVersion

    current = and_(
        CertificateVersion.certificate_id == Certificate.id,
        CertificateVersion.version == Certificate.current_version,
    )
    with runtime.database.read() as session:
        pairs = list(
            session.execute(
                select(Certificate.number, CertificateVersion.holder_name).join(CertificateVersion, current)
            )
        )
    lists = []
    for start in range(0, LINES * SETS, LINES):
        lines = []
        for position in range(start, start + LINES):
            number, name = pairs[position % len(pairs)]
            lines.append((number, "某某某" if position % 10 == 9 else name))
        lists.append(lines)
    return lists


def _employer(runtime: Any) -> str:
    from certsvc.accounts.employers import add_employer, create_key
    from certsvc.domain.checkdigits import uscc_check_char

    body = "91500000MA5U7X0Q1"
    with runtime.database.write() as session:
        employer, _, _ = add_employer(
            session,
            runtime,
            name="基准测试有限公司",
            uscc=body + uscc_check_char(body),
            username="bench-hr",
            password=PASSWORD,
            quota="1000000/hour",
        )
        _, key = create_key(session, runtime, employer_id=employer.id, name="bench", created_by="bench")
    return str(key)


@contextlib.contextmanager
def _served(runtime: Any) -> Iterator[int]:
    from werkzeug.serving import make_server

    from certsvc import create_app

    app = create_app(runtime=runtime)
    app.config.update(WTF_CSRF_ENABLED=False)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=5)


def _post(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[float, int, bytes]:
    """(milliseconds, status, body) of one POST on a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    connection.request("POST", path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    connection.close()
    return elapsed, response.status, data


def _session_cookie(port: int) -> str:
    body = urllib.parse.urlencode({"account": "bench-hr", "password": PASSWORD}).encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(
        "POST", "/auth/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    response = connection.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie") or ""
    connection.close()
    if response.status != 302 or not cookie:
        raise RuntimeError(f"the bench employer could not sign in ({response.status})")
    return cookie.split(";", 1)[0]


def _median(samples: list[float]) -> float:
    return sorted(samples)[len(samples) // 2]


def _api(key: str, lines: list[tuple[str, str]]) -> tuple[str, bytes, dict[str, str], bytes]:
    body = json.dumps({"items": [{"certificate_number": number, "name": name} for number, name in lines]})
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    return "/api/v1/verify/bulk", body.encode(), headers, b'"counts"'


def _page(cookie: str, lines: list[tuple[str, str]], output: str) -> tuple[str, bytes, dict[str, str], bytes]:
    pasted = "\n".join(f"{number},{name}" for number, name in lines)
    body = urllib.parse.urlencode({"items": pasted, "output": output}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    return "/employer/bulk", body, headers, b"bulk-results" if output == "page" else b"PK"


def measure(database_url: str, workdir: Path, label: str) -> list[Row]:
    runtime = _runtime(database_url, workdir)
    try:
        source, issued = _issue(runtime, workdir)
        lists = _lists(runtime)
        key = _employer(runtime)
        with _served(runtime) as port:
            cookie = _session_cookie(port)

            def timed(path: str, body: bytes, headers: dict[str, str], marker: bytes) -> float:
                elapsed, status, data = _post(port, path, body, headers)
                if status != 200 or marker not in data:
                    raise RuntimeError(f"{path}: answer {status} {data[:200]!r}")
                return elapsed

            timed(*_api(key, lists[-1]))  # warm: fonts, keys, templates, connections
            fresh = iter(lists[:-1])
            api = [timed(*_api(key, next(fresh))) for _ in range(REPEAT)]
            shown = [next(fresh) for _ in range(REPEAT)]
            page = [timed(*_page(cookie, lines, "page")) for lines in shown]
            excel = [timed(*_page(cookie, next(fresh), "xlsx")) for _ in range(REPEAT)]
            again = [timed(*_page(cookie, lines, "xlsx")) for lines in shown]
        first = "lists never checked" if source == "gen-results" else "lists repeated"
        figures = (
            (f"API JSON, {first}", api),
            (f"page HTML, {first}", page),
            (f"page Excel, {first}", excel),
            ("page Excel of the list just shown", again),
        )
        return [
            {
                "metric": f"{label} {LINES} number+name lines: {name} ({source}: {issued})",
                "value": _median(samples),
                "unit": "ms",
                "ratio": _median(samples) / TARGET_MS,
            }
            for name, samples in figures
        ]
    finally:
        runtime.database.dispose()


def run() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="certsvc-bench-bulk-") as tmp, contextlib.ExitStack() as stack:
        workdir = Path(tmp)
        for name in ("sqlite", "postgresql"):
            (workdir / name).mkdir()
        rows += measure(f"sqlite:///{workdir / 'sqlite' / 'bench.sqlite3'}", workdir / "sqlite", "SQLite")
        try:
            url = stack.enter_context(scratch_postgres())
        except Exception as error:  # PostgreSQL not reachable: say so instead of failing the case
            rows.append({"metric": f"PostgreSQL not measured: {type(error).__name__}", "value": None})
        else:
            rows += measure(url, workdir / "postgresql", "PostgreSQL")
    return rows


CASES = [Case("bulk", run)]
