"""Issue rate: a 20,000-row results file imported end to end (read, check every rule, sign, ledger,
commit) on SQLite and on PostgreSQL, beside the raw Ed25519 JWS signing rate measured in the same
run; and the peak memory of 20,000- vs 100,000-row imports, which should be flat.

Targets (DESIGN §6): ≥ 5,000 certificates/s on SQLite and ≥ 0.22 × the raw signing rate;
≥ 3,000/s on PostgreSQL. Beside the SQLite rate: the CPU time per certificate of the importing
process and its signing worker, which a busy machine does not change as it changes the rate, and
the rate that cost allows when both cores do nothing else.

The file comes from ``../shared/tools/gen-results``; without it the case prints a skip row.
PostgreSQL: a scratch database on ``CERTSVC_BENCH_POSTGRES_URL``.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
import warnings
from importlib import resources
from pathlib import Path

from bench import Case, Row, bench_environment, rate, scratch_postgres

SHARED = Path(__file__).resolve().parents[3] / "shared"
GEN_RESULTS = SHARED / "tools" / "gen-results"
ROWS = 20_000
MEMORY_ROWS = (20_000, 100_000)
AUTHORITY = "450000"
# The import runs in two processes (ADR 0019); it can use no more cores than that.
CORES = min(2, os.cpu_count() or 1)


def generate(rows: int, path: Path) -> Path:
    subprocess.run(
        [sys.executable, str(GEN_RESULTS), "-n", str(rows), "--authority", AUTHORITY, "-o", str(path)],
        check=True,
    )
    return path


def raw_jws_rate(*, through_pyjwt: bool = False) -> float:
    """JWS/s of ``sign_vc_jwt`` over a typical credential's claims: what signing alone costs.

    ``sign_vc_jwt`` is the fastest compact-JWS signer we know (one Ed25519 call on canonical JSON with
    a cached header), so it is the baseline; ``through_pyjwt`` measures PyJWT's ``api_jws.encode`` of
    the same bytes, shown for context."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from certsvc.signing._codec import jwk_thumbprint
    from certsvc.signing.credential import CredentialFacts, credential_claims
    from certsvc.signing.jose import sign_vc_jwt
    from certsvc.signing.keystore import SigningKey

    private = Ed25519PrivateKey.generate()
    key = SigningKey(jwk_thumbprint(private.public_key().public_bytes_raw()), private)
    facts = CredentialFacts(
        certificate_number="45000020261000001Z",
        version=1,
        holder_name="史怡",
        title="正高级工程师",
        level="正高级",
        series="工程技术",
        specialty="数字技术",
        obtained=dt.date(2024, 11, 20),
        issuer_id="urn:uscc:11450000MB0000000X",
        issuer_name="广西壮族自治区人力资源和社会保障厅",
        status_list_id=1,
        status_index=4242,
        employer="重庆云链数据服务有限公司",
    )
    claims = credential_claims(facts, "https://certs.example.test", dt.datetime.now(dt.UTC))
    if through_pyjwt:
        import jwt

        from certsvc.domain.canonical import canonical_json

        headers = {"kid": key.kid, "typ": "vc+jwt"}
        return rate(
            lambda: jwt.api_jws.encode(canonical_json(claims), private, algorithm="EdDSA", headers=headers),
            min_seconds=1.0,
        )
    return rate(lambda: sign_vc_jwt(claims, key), min_seconds=1.0)


def prepared_runtime(database_url: str, workdir: Path):  # type: ignore[no-untyped-def]
    """A runtime with keys, schema and the demo registry, like ``certsvc init --registry``."""
    from certsvc.cli.setup import initialise
    from certsvc.config import load_settings
    from certsvc.runtime import build_runtime

    runtime = build_runtime(load_settings(bench_environment(workdir, database_url)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # plaintext development keys are fine for a benchmark
        registry = resources.files("certsvc.domain").joinpath("demo_registry.json").read_bytes()
        initialise(runtime, registry)
    return runtime


def issue_rate(database_url: str, results: Path, workdir: Path) -> tuple[float, float]:
    """(certificates/s, CPU µs per certificate in the importing process and its signing worker).

    The CPU cost does not depend on how busy the machine is, as the rate does; over the cores the
    import can use it bounds the rate (the database server's own CPU, on PostgreSQL, is not in it)."""
    from certsvc.certificates.issuing import import_results

    runtime = prepared_runtime(database_url, workdir)
    try:
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        report = import_results(runtime, results, results.name, dry_run=False, actor="bench")
        elapsed = time.perf_counter() - started
        _reap_workers()
        cpu = _cpu_seconds() - cpu_before
    finally:
        runtime.database.dispose()
    if not report.ok or len(report.issued) != report.rows:
        raise RuntimeError(f"benchmark file was not issued whole: {report.refused[:3]}")
    return len(report.issued) / elapsed, cpu / len(report.issued) * 1e6


def _cpu_seconds() -> float:
    """User and system CPU of this process and of its children that have ended."""
    import resource

    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _reap_workers(timeout: float = 10.0) -> None:
    """Wait until the import's worker has ended, so that its CPU time is counted."""
    import multiprocessing

    deadline = time.monotonic() + timeout
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.01)


def peak_memory_mb(rows: int, workdir: Path) -> tuple[float, float]:
    """(peak RSS, its growth during the import) in MB of a fresh process importing ``rows`` rows.

    The database, keys and registry are prepared here first, so the measuring process loads only
    what an import needs and its peak is the import's own.
    """
    results = generate(rows, workdir / f"mem-{rows}.csv")
    home = workdir / f"mem-{rows}"
    prepared_runtime(f"sqlite:///{home / 'bench.sqlite3'}", home).database.dispose()
    out = subprocess.run(
        [sys.executable, "-m", "bench.cases.issue", "--memory", str(results), str(home)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    peak, growth = out.stdout.split()[-2:]
    return float(peak), float(growth)


def _memory_child(results: Path, home: Path) -> None:
    import resource

    from certsvc.certificates.issuing import import_results
    from certsvc.config import load_settings
    from certsvc.runtime import build_runtime

    settings = load_settings(bench_environment(home, f"sqlite:///{home / 'bench.sqlite3'}"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        runtime = build_runtime(settings)
        runtime.keys.data_keys()
    before = _current_rss_kib()
    report = import_results(runtime, results, results.name, dry_run=False, actor="bench")
    assert report.ok, report.refused[:3]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(peak / 1024, (peak - before) / 1024)


def _current_rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def run() -> list[Row]:
    if not GEN_RESULTS.exists():
        return [{"metric": f"skipped: {GEN_RESULTS} not found", "value": None}]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="certsvc-bench-issue-") as tmp:
        workdir = Path(tmp)
        results = generate(ROWS, workdir / "results-20k.csv")

        # The machine may be shared: signing is measured right before and after each import, and the
        # ratio uses their mean, so a load spike shifts both figures instead of only one.
        before = raw_jws_rate()
        sqlite_rate, sqlite_cpu = issue_rate(
            f"sqlite:///{workdir / 'bench.sqlite3'}", results, workdir / "sqlite"
        )
        raw = (before + raw_jws_rate()) / 2
        rows.append({"metric": "raw Ed25519 JWS signing (sign_vc_jwt)", "value": raw, "unit": "JWS/s"})
        pyjwt = raw_jws_rate(through_pyjwt=True)
        rows.append(
            {
                "metric": "  the same JWS through PyJWT (context)",
                "value": pyjwt,
                "unit": "JWS/s",
                "ratio_to": "raw Ed25519 JWS signing",
                "ratio": pyjwt / raw,
            }
        )
        rows.append(
            {
                "metric": f"issue {ROWS:,} rows, SQLite (target ≥ 5,000/s, ≥ 0.22 × raw)",
                "value": sqlite_rate,
                "unit": "certs/s",
                "ratio_to": "raw Ed25519 JWS signing",
                "ratio": sqlite_rate / raw,
            }
        )
        rows.append(
            {
                "metric": "  CPU per certificate, importer and signing worker",
                "value": sqlite_cpu,
                "unit": "µs",
            }
        )
        rows.append(
            {
                "metric": f"  at most, with {CORES} cores fully used (cores / CPU per certificate)",
                "value": CORES / sqlite_cpu * 1e6,
                "unit": "certs/s",
            }
        )
        try:
            with scratch_postgres() as url:
                before = raw_jws_rate()
                postgres_rate, _ = issue_rate(url, results, workdir / "postgres")
                raw = (before + raw_jws_rate()) / 2
        except Exception as error:  # an unreachable server is a skip, not a failure
            if "connect" not in str(error).lower():
                raise
            rows.append({"metric": f"skipped PostgreSQL: {type(error).__name__}", "value": None})
        else:
            rows.append(
                {
                    "metric": f"issue {ROWS:,} rows, PostgreSQL (target ≥ 3,000/s)",
                    "value": postgres_rate,
                    "unit": "certs/s",
                    "ratio_to": "raw Ed25519 JWS signing",
                    "ratio": postgres_rate / raw,
                }
            )
        for count in MEMORY_ROWS:
            peak, growth = peak_memory_mb(count, workdir)
            rows.append(
                {"metric": f"peak RSS importing {count:,} rows (SQLite)", "value": peak, "unit": "MB"}
            )
            rows.append({"metric": "  growth over the RSS before the import", "value": growth, "unit": "MB"})
    return rows


CASES = [Case("issue", run)]

if __name__ == "__main__" and sys.argv[1:2] == ["--memory"]:
    _memory_child(Path(sys.argv[2]), Path(sys.argv[3]))
