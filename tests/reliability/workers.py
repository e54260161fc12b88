"""Worker processes for the concurrency test: ``python -m tests.reliability.workers ROLE ...``.

Each worker opens the installation named by the CERTSVC_* environment (as ``certsvc`` would) and
performs one kind of write many times, each in its own transaction, as fast as it can, while the
other workers do the same against the same database. It prints one JSON line: what it did and
which refusals it met (a refusal is fine; the point is that the store stays whole).

Roles: ``reissue NUMBER...`` (reason damaged), ``revoke NUMBER...``, ``suspend NUMBER...`` (suspend,
then reinstate), ``import FILE``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections import Counter
from pathlib import Path

from certsvc.config import load_settings
from certsvc.errors import CertsvcError
from certsvc.runtime import build_runtime


def main(argv: list[str]) -> int:
    role, targets = argv[0], argv[1:]
    runtime = build_runtime(load_settings())
    outcomes: Counter[str] = Counter()
    started = time.perf_counter()
    if role == "import":
        from certsvc.services.issuing import import_results

        report = import_results(runtime, Path(targets[0]), Path(targets[0]).name, dry_run=False, actor="worker")
        outcomes["issued"] += len(report.issued)
        outcomes["already_issued"] += len(report.already_issued)
        outcomes["refused"] += len(report.refused)
    else:
        for number in targets:
            try:
                _act(runtime, role, number)
                outcomes["ok"] += 1
            except CertsvcError as error:
                outcomes[error.code] += 1
    elapsed = time.perf_counter() - started
    print(json.dumps({"role": role, "outcomes": dict(outcomes), "seconds": round(elapsed, 3)}))
    return 0


def _act(runtime: object, role: str, number: str) -> None:
    from certsvc.runtime import Runtime
    from certsvc.services.reissue import reissue
    from certsvc.services.revocation import change_status

    assert isinstance(runtime, Runtime)
    effective = dt.date(2026, 11, 20)
    if role == "reissue":
        with runtime.database.write() as session:
            reissue(session, runtime, number, "damaged")
    elif role == "revoke":
        with runtime.database.write() as session:
            change_status(session, runtime, number, "revoke", "fraud", "测撤〔2026〕9号", effective)
    elif role == "suspend":
        with runtime.database.write() as session:
            change_status(session, runtime, number, "suspend", "investigation", "测停〔2026〕9号", effective)
        with runtime.database.write() as session:
            change_status(session, runtime, number, "reinstate", "cleared", "测复〔2026〕9号", effective)
    else:
        raise SystemExit(f"unknown role {role!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
