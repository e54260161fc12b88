"""Crash safety: ``certsvc import`` of a 20,000-row batch killed with SIGKILL at random points.

SIGKILL gives the process no chance to clean up: whatever it had written must be either committed
whole or rolled back by the database. After every kill the store must be whole (every certificate
version with its ledger entry and status-list slot and vice versa, a contiguous ledger, the audit
clean); afterwards the same file must import completely, and importing it once more must issue
nothing (no duplicates). A first batch is committed before the kills, so the kills also happen on
top of existing data, ledger and checkpoints.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import DATABASE_KINDS
from tests.reliability.figures import record
from tests.reliability.installation import Installation, data_rows
from tests.reliability.world import check_store, fresh_database_url

pytestmark = pytest.mark.slow
ROWS = int(os.environ.get("CERTSVC_CRASH_ROWS", "20000"))
KILLS = int(os.environ.get("CERTSVC_CRASH_KILLS", "5"))
FIRST_ROWS = 2000


@pytest.fixture(params=DATABASE_KINDS)
def installation(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Installation]:
    urls = fresh_database_url(request.param, request, tmp_path)
    install = Installation(tmp_path / "site", next(urls))
    install.init()
    yield install
    next(urls, None)


def _import(install: Installation, path: Path) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    result = install.run("import", "--json", str(path), timeout=900)
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stdout[-1500:] + result.stderr[-1500:]
    return elapsed, json.loads(result.stdout)


def _dry_run_seconds(install: Installation, path: Path) -> float:
    started = time.perf_counter()
    result = install.run("import", "--dry-run", str(path), timeout=900)
    assert result.returncode == 0, result.stdout[-1500:]
    return time.perf_counter() - started


def test_import_survives_sigkill_at_random_points(installation: Installation) -> None:
    """SIGKILLed imports leave a whole store each time; the batch then imports exactly once."""
    rng = random.Random(int(os.environ.get("CERTSVC_CRASH_SEED", "20261121")))
    first = installation.results_file(
        "first.csv", FIRST_ROWS, seed=11, authority="421200", doc_no="测职改〔2024〕1号"
    )
    big = installation.results_file("big.csv", ROWS, seed=12, authority="500000", doc_no="测职改〔2024〕2号")
    rows = data_rows(big)
    first_dry = _dry_run_seconds(installation, first)
    first_seconds, _ = _import(installation, first)
    runtime = installation.runtime()
    baseline = check_store(runtime)
    assert baseline.certificates == FIRST_ROWS

    # Spread the kills over the whole run of the big import: its dry run (start-up, reading,
    # checking) plus the per-row cost of issuing seen on the first batch.
    per_row = max(0.0, first_seconds - first_dry) / FIRST_ROWS
    estimate = _dry_run_seconds(installation, big) + per_row * rows
    kill_points: list[float] = []
    landed: list[str] = []
    survived = 0
    for _ in range(KILLS):
        delay = rng.uniform(0.05, 1.0) * estimate
        process = installation.popen(installation.command("import", "--json", str(big)))
        time.sleep(delay)
        if process.poll() is not None:
            process.communicate()
            break  # it finished before the kill: the batch is in, later rounds have nothing to kill
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        assert process.returncode == -signal.SIGKILL
        survived += 1
        kill_points.append(round(delay, 2))
        facts = check_store(runtime)
        assert facts.certificates in (baseline.certificates, baseline.certificates + rows), facts
        # A kill can land after the commit (while the report is printed): then the batch is in, whole.
        landed.append("after commit" if facts.certificates > baseline.certificates else "before commit")

    seconds, final = _import(installation, big)
    facts = check_store(runtime)
    assert facts.certificates == baseline.certificates + rows
    _, again = _import(installation, big)
    assert again["issued"] == [] and len(again["already_issued"]) == rows  # type: ignore[arg-type]
    assert check_store(runtime).certificates == baseline.certificates + rows
    audit = installation.run("ledger", "audit")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    runtime.database.dispose()
    record(
        "crash",
        database=runtime.database.engine.dialect.name,
        rows=rows,
        kills=survived,
        kill_points_s=kill_points,
        kills_before_commit=landed.count("before commit"),
        kills_after_commit=landed.count("after commit"),
        final_import_issued=len(final["issued"]),  # type: ignore[arg-type]
        import_seconds=round(seconds, 2),
        estimated_seconds=round(estimate, 2),
        certificates=facts.certificates,
        ledger_entries=facts.ledger_entries,
    )
    assert survived >= min(KILLS, 3), f"only {survived} kills landed while the import ran"
