"""Write docs/reliability.md from what ``scripts/reliability`` measured. Never edit that file by hand.

Inputs: the figures the tests recorded (JSON lines, see ``figures.py``), the JUnit XML of the pytest
runs (pass/fail counts and the strict xfails that pin known bugs) and pip-audit's JSON report.

    python -m tests.reliability.report --figures F.jsonl --junit A.xml [--junit B.xml] \
        --audit pip-audit.json --audit-status 0 --seconds 420 -o docs/reliability.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

HOW_TO_RUN = (
    "| command | what | time |\n"
    "|---|---|---|\n"
    "| `.venv/bin/pytest` (in `scripts/test`, `.ci/run`) | fuzzers, API fuzzer, authorization matrix, "
    "sessions, "
    "CSRF, redirects, headers, template injection, public-output privacy, DEBUG logs; slow tests skipped "
    "| ~2 min |\n"
    "| `scripts/reliability` | the above at 5× fuzz budget, SIGKILL crashes, concurrency, load, rate limits, "
    "`pip-audit`; rewrites this file | < 10 min, 2 cores |\n"
    "\n"
    "Knobs (environment): `CERTSVC_FUZZ_SCALE` (fuzz budget multiplier, default 1; 5 in\n"
    "`scripts/reliability`), `CERTSVC_CRASH_ROWS` (20000), `CERTSVC_CRASH_KILLS` (5),\n"
    "`CERTSVC_LOAD_SECONDS` (30 per database), `CERTSVC_LOAD_CONNECTIONS` (200). PostgreSQL comes from\n"
    "`CERTSVC_TEST_POSTGRES_URL` as in the main suite.\n"
)

WHAT_IS_TESTED = """\
- **Parsers under fuzzing** (hypothesis, `tests/reliability/test_fuzz_*.py`): intake readers and
  validation (CSV in UTF-8, BOM, GBK, GB18030; `.xlsx`; JSON; damaged and arbitrary bytes) give
  readable refusals only; QR payload decoder, JWS credentials, status list credentials, JWKS documents
  and signed ledger checkpoints raise only their own errors, the verifier never raises and never calls
  garbage authentic, any single changed character of a genuine QR or JWS makes it invalid, correctly
  signed nonsense is refused; certificate numbers and ID numbers validate or refuse, every single typo
  is caught, masking never shows more than allowed.
- **API fuzzing** (schemathesis over the live OpenAPI document, in-process WSGI, SQLite and PostgreSQL,
  demo data, a real operator token for `POST /api/v1/results`): no 5xx, status codes, content types and
  bodies as documented, and the store whole afterwards (no partial writes).
- **Authorization matrix** (`tests/security/test_authorization_matrix.py`): every endpoint of
  `app.url_map` must be classified (an unclassified endpoint fails the suite); every holder and issuer
  endpoint × anonymous, holder A, holder B, operator/reviewer/auditor of the issuing authority and of
  another authority × own/other resource; guessed and absurd ids answer 404; complete forms sent across
  authorities change nothing (with a control showing the same forms do act for the right staff).
- **Sessions and browsers** (`test_sessions.py`): session fixation, session ids, cookie flags, CSRF on
  every form (derived from the url map), open redirects through `next=` in every spelling a browser
  accepts; **responses** (`test_responses.py`): CSP without unsafe-inline and with frame-ancestors
  'none', nosniff and no-referrer on every GET endpoint and on errors; hostile text printed literally;
  no holder's ID number or full name in any public page or API answer; **logs** (`test_logs.py`): at
  DEBUG, no name, ID number, password, API token, session cookie, secret or key material.
- **Crash safety** (`test_crash.py`, slow): `certsvc import` of a 20,000-row batch SIGKILLed at random
  points on top of an existing batch; after every kill the store is whole (every certificate version
  with its ledger entry and status-list slot and vice versa, one current version each, contiguous
  ledger, audit clean); then the batch imports completely, and once more issues nothing.
- **Concurrency** (`test_concurrency.py`, slow, PostgreSQL): two importers, a reissuer, a revoker and a
  suspender/reinstater in separate processes on one database, with overlapping targets.
- **Load** (`test_load.py`, slow): `certsvc serve` in its default shape on loopback, 200 concurrent
  keep-alive connections on `POST /api/v1/verify` and `GET /v/<payload>`; `certsvc serve` with its
  shipped rate limits under a single-client burst (default shape, and several workers sharing Redis);
  and the rate limits when the limiter meets a failure: a request crafted to make a cost callback fail
  (then sign-in attempts), and a Redis store paused mid-burst.
- **Dependency audit**: `pip-audit` against the installed environment.
"""


@dataclass
class JUnit:
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    xfailed: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)
    known_bugs: dict[str, list[str]] = field(default_factory=dict)


def read_junit(paths: Iterable[Path]) -> JUnit:
    summary = JUnit()
    for path in paths:
        if not path.exists():
            continue
        root = ET.parse(path).getroot()
        for suite in root.iter("testsuite"):
            summary.seconds += float(suite.get("time", 0))
        for case in root.iter("testcase"):
            name = f"{case.get('classname', '')}::{case.get('name', '')}"
            skipped = case.find("skipped")
            if case.find("failure") is not None or case.find("error") is not None:
                summary.failed += 1
                summary.failures.append(name)
            elif skipped is not None and skipped.get("type") == "pytest.xfail":
                summary.xfailed += 1
                reason = (skipped.get("message") or "").removeprefix("xfail").strip(" :")
                base = name.split("[", maxsplit=1)[0].rsplit("::", 1)[-1]
                summary.known_bugs.setdefault(reason, []).append(base)
            elif skipped is not None:
                summary.skipped += 1
            else:
                summary.passed += 1
    return summary


def read_figures(path: Path) -> dict[str, list[dict[str, Any]]]:
    sections: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                sections[entry.pop("section")].append(entry)
    return sections


def _table(headers: list[str], rows: Iterable[Iterable[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _outcomes(outcomes: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(outcomes.items(), key=lambda kv: -kv[1]))


def _per_database(entries: list[dict[str, Any]], summed: tuple[str, ...]) -> list[dict[str, Any]]:
    """One entry per database: pytest-xdist workers each record their share of a module's figures."""
    merged: dict[str, dict[str, Any]] = {}
    for entry in entries:
        into = merged.setdefault(entry["database"], dict(entry))
        if into is not entry:
            for key in summed:
                into[key] += entry[key]
    return list(merged.values())


def fuzz_section(figures: dict[str, list[dict[str, Any]]]) -> tuple[str, int]:
    merged: dict[str, dict[str, Any]] = {}
    for entry in figures.get("fuzz", []):
        target = merged.setdefault(entry["target"], {"examples": 0, "outcomes": defaultdict(int)})
        target["examples"] += entry["examples"]
        for name, count in (entry.get("outcomes") or {}).items():
            target["outcomes"][name] += count
    total = sum(t["examples"] for t in merged.values())
    rows = [(name, t["examples"], _outcomes(t["outcomes"])) for name, t in sorted(merged.items())]
    return _table(["target", "inputs", "how they ended"], rows), total


def api_fuzz_section(figures: dict[str, list[dict[str, Any]]]) -> tuple[str, int]:
    rows = [
        (
            e["database"],
            e["requests"],
            e["server_errors"],
            _outcomes(e["statuses"]),
            f"{e['certificates_before']} → {e['certificates_after']}",
        )
        for e in figures.get("api-fuzz", [])
    ]
    total = sum(e["requests"] for e in figures.get("api-fuzz", []))
    return _table(["database", "requests", "5xx", "statuses", "certificates before → after"], rows), total


def render(
    figures: dict[str, list[dict[str, Any]]],
    junit: JUnit,
    audit: dict[str, Any] | None,
    audit_status: int,
    seconds: float,
) -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    fuzz_table, fuzz_total = fuzz_section(figures)
    api_table, api_total = api_fuzz_section(figures)
    crash = figures.get("crash", [])
    concurrency = figures.get("concurrency", [])
    load = figures.get("load", [])
    ratelimit = figures.get("ratelimit", [])
    authz = _per_database(figures.get("authz", []), ("cells",))
    parts = [
        "# Reliability and security: what is tested, how to run it, the latest figures",
        "",
        "<!-- GENERATED by scripts/reliability (tests/reliability/report.py). Do not edit by hand. -->",
        f"Generated {now} from commit `{commit or 'unknown'}` on {os.cpu_count()} CPU(s), "
        f"Python {platform.python_version()}; whole run {seconds:.0f} s.",
        "",
        "## Summary",
        "",
        _table(
            ["measure", "figure"],
            [
                ("tests passed / failed", f"{junit.passed} / {junit.failed}"),
                (
                    "known bugs pinned (strict xfail)",
                    f"{junit.xfailed} test cases, {len(junit.known_bugs)} bugs",
                ),
                ("inputs fuzzed (parsers)", fuzz_total),
                ("API requests fuzzed (from the OpenAPI document)", api_total),
                ("authorization-matrix requests", sum(e["cells"] for e in authz)),
                ("crashes (SIGKILL) survived", sum(e["kills"] for e in crash)),
                ("concurrent writer processes", max((e["writers"] for e in concurrency), default=0)),
                ("requests under load", sum(e["requests"] for e in load)),
                (
                    "errors under load (5xx + connection)",
                    sum(
                        sum(v for k, v in e["statuses"].items() if k.startswith("5")) + e["connection_errors"]
                        for e in load
                    ),
                ),
                ("dependency audit", audit_line(audit, audit_status)),
            ],
        ),
        "",
        "## How to run",
        "",
        HOW_TO_RUN,
        "## What is tested",
        "",
        WHAT_IS_TESTED,
        "## Figures",
        "",
        "### Parser fuzzing",
        "",
        fuzz_table,
        "",
        "### API fuzzing",
        "",
        api_table,
        "",
        "### Security checks",
        "",
        _table(
            ["check", "database", "figure"],
            [
                (
                    "authorization matrix",
                    e["database"],
                    f"{e['cells']} requests, {e['principals']} principals",
                )
                for e in authz
            ]
            + [
                ("security headers", e["database"], f"{e['endpoints']} GET endpoints")
                for e in figures.get("headers", [])
            ]
            + [
                (
                    "no personal data in public output",
                    e["database"],
                    f"{e['documents']} documents, {e['holders']} holders",
                )
                for e in figures.get("privacy", [])
            ]
            + [
                (
                    "logs at DEBUG",
                    e["database"],
                    f"{e['lines']} lines, {e['secrets_checked']} secrets looked for, {e['leaked']} found",
                )
                for e in figures.get("logs", [])
            ],
        ),
        "",
        "### Crash safety (SIGKILL during import)",
        "",
        _table(
            [
                "database",
                "batch rows",
                "kills survived",
                "kills before / after the commit",
                "kill points (s)",
                "issued by the re-run",
                "certificates",
                "ledger entries",
            ],
            [
                (
                    e["database"],
                    e["rows"],
                    e["kills"],
                    f"{e.get('kills_before_commit', '?')} / {e.get('kills_after_commit', '?')}",
                    ", ".join(map(str, e["kill_points_s"])),
                    e.get("final_import_issued", "?"),
                    e["certificates"],
                    e["ledger_entries"],
                )
                for e in crash
            ],
        ),
        "",
        "### Concurrency (PostgreSQL)",
        "",
        _table(
            [
                "writers",
                "wall time (s)",
                "certificates imported",
                "what each process did",
                "ledger entries",
                "versions",
            ],
            [
                (
                    e["writers"],
                    e["seconds"],
                    e["imported"],
                    "; ".join(f"{role}: {_outcomes(outcomes)}" for role, outcomes in e["operations"].items()),
                    e["ledger_entries"],
                    e["versions"],
                )
                for e in concurrency
            ],
        ),
        "",
        "A kill after the commit lands while the process prints its report: the batch is then in, whole, "
        "and the re-run issues nothing; either way the store was checked after every kill.",
        "",
        "### Load (gunicorn, loopback)",
        "",
        _table(
            [
                "database",
                "rate-limit store",
                "workers",
                "connections",
                "seconds",
                "requests",
                "req/s",
                "5xx",
                "connection errors",
                "p50 ms",
                "p90 ms",
                "p99 ms",
                "max ms",
            ],
            [
                (
                    e["database"],
                    e.get("store", "memory"),
                    e["workers"],
                    e["connections"],
                    e["seconds"],
                    e["requests"],
                    e["requests_per_second"],
                    sum(v for k, v in e["statuses"].items() if k.startswith("5")),
                    e["connection_errors"],
                    e["p50_ms"],
                    e["p90_ms"],
                    e["p99_ms"],
                    e["max_ms"],
                )
                for e in load
            ],
        ),
        "",
        "The load generator runs on the same 2 cores as the server, so these latencies include its own "
        "share of the CPU; with 200 connections on a few hundred requests per second most of the latency "
        "is queueing (Little's law), not service time.",
        "",
        "### Rate limits (`certsvc serve`, shipped limits, one client)",
        "",
        "By default `certsvc serve` runs one process with threads and counts limits in it (memory://); "
        "with Redis it runs several workers, which must still grant one client a single budget.",
        "",
        _table(
            [
                "rate-limit store",
                "workers",
                "shipped limit",
                "burst (s)",
                "requests",
                "answered 200",
                "answered 429",
                "Retry-After",
                "5xx",
            ],
            [
                (
                    e.get("store", "memory"),
                    e["workers"],
                    f"{e['shipped_per_minute']}/minute",
                    e.get("seconds", ""),
                    e["requests"],
                    e["allowed"],
                    e["limited"],
                    ", ".join(e["retry_after"]),
                    e["server_errors"],
                )
                for e in ratelimit
            ],
        ),
        "",
        "### Rate limits under a limiter failure (`certsvc serve`, shipped limits, one client)",
        "",
        "A failure inside the limiter must neither answer 500 nor reset or multiply a client's budget: a "
        "request crafted to make a cost callback fail is answered 4xx and the budget it was meant to reset "
        "still refuses at its limit; while the Redis store does not answer, limited routes answer 503 with "
        "Retry-After, and after it resumes the budget carries on where it was.",
        "",
        _table(
            [
                "failure",
                "rate-limit store",
                "workers",
                "budget checked",
                "shipped limit",
                "requests",
                "answered",
                "429",
                "503",
                "500",
            ],
            [
                (
                    e["failure"] + (f" (answered {e['failure_answer']})" if "failure_answer" in e else ""),
                    e["store"],
                    e["workers"],
                    e["checked"],
                    f"{e['shipped_per_minute']}/minute",
                    e["requests"],
                    e["allowed"],
                    e["limited"],
                    e.get("unavailable", 0),
                    e["server_errors"],
                )
                for e in figures.get("ratelimit_failure", [])
            ],
        ),
        "",
        "### Dependency audit",
        "",
        audit_details(audit, audit_status),
        "",
        "## Known bugs (pinned by strict xfail tests; the owners fix them)",
        "",
    ]
    if junit.known_bugs:
        parts += [
            f"- {reason} — `{', '.join(sorted(set(tests)))}`"
            for reason, tests in sorted(junit.known_bugs.items())
        ]
    else:
        parts.append("None.")
    if junit.failures:
        parts += ["", "## Failures in this run", ""] + [f"- `{name}`" for name in junit.failures]
    return "\n".join(parts) + "\n"


def audit_line(audit: dict[str, Any] | None, status: int) -> str:
    if audit is None:
        return f"not run (pip-audit exit {status})"
    dependencies = audit.get("dependencies", [])
    skipped = [d for d in dependencies if "skip_reason" in d]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    audited = len(dependencies) - len(skipped)
    if audited == 0:
        unreachable = "the vulnerability service knew none of them or was unreachable"
        return f"INCONCLUSIVE: 0 of {len(dependencies)} packages could be looked up ({unreachable})"
    return f"{audited} of {len(dependencies)} packages audited, {len(vulnerable)} with known vulnerabilities"


def audit_details(audit: dict[str, Any] | None, status: int) -> str:
    if audit is None:
        return f"pip-audit did not produce a report (exit {status})."
    dependencies = audit.get("dependencies", [])
    lines = [f"`pip-audit --skip-editable` (exit {status}): {audit_line(audit, status)}."]
    skipped = [d for d in dependencies if "skip_reason" in d]
    if skipped:
        reasons = sorted({d["skip_reason"].split(":")[0] for d in skipped})
        lines.append(f"Not looked up: {len(skipped)} package(s) ({'; '.join(reasons)}).")
    for dependency in dependencies:
        for vuln in dependency.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            lines.append(
                f"- {dependency['name']} {dependency.get('version', '')}: {vuln['id']} (fixed in {fixed})"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--figures", type=Path, required=True)
    parser.add_argument("--junit", type=Path, action="append", default=[])
    parser.add_argument("--audit", type=Path)
    parser.add_argument("--audit-status", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=0.0)
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "docs" / "reliability.md")
    args = parser.parse_args(argv)
    audit = None
    if args.audit and args.audit.exists() and args.audit.stat().st_size:
        audit = json.loads(args.audit.read_text(encoding="utf-8"))
    text = render(read_figures(args.figures), read_junit(args.junit), audit, args.audit_status, args.seconds)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
