"""Worker processes for the concurrency test: ``python -m tests.reliability.workers ROLE ...``.

Each worker opens the installation named by the CERTSVC_* environment (as ``certsvc`` would) and
performs one kind of write many times, each in its own transaction, as fast as it can, while the
other workers do the same against the same database. It prints one JSON line: what it did and
which refusals it met (a refusal is fine; the point is that the store stays whole).

Roles: ``reissue NUMBER...`` (reason damaged), ``revoke NUMBER...``, ``suspend NUMBER...`` (suspend,
then reinstate), ``import FILE``. Outcomes count each action done and each refusal by its code.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy.exc import OperationalError

from certsvc.config import load_settings
from certsvc.errors import CertsvcError
from certsvc.runtime import build_runtime


def main(argv: list[str]) -> int:
    role, targets = argv[0], argv[1:]
    runtime = build_runtime(load_settings())
    outcomes: Counter[str] = Counter()
    started = time.perf_counter()
    if role == "import":
        from certsvc.certificates.issuing import import_results

        try:
            report = import_results(
                runtime, Path(targets[0]), Path(targets[0]).name, dry_run=False, actor="worker"
            )
        except OperationalError as error:
            outcomes[_database_failure(error)] += 1
        else:
            outcomes["issued"] += len(report.issued)
            outcomes["already_issued"] += len(report.already_issued)
            outcomes["refused"] += len(report.refused)
    else:
        for number in targets:
            for action in ACTIONS[role]:
                try:
                    _act(runtime, action, number)
                    outcomes[action] += 1
                except CertsvcError as error:
                    outcomes[f"{action} refused: {error.code}"] += 1
                    break
                except OperationalError as error:
                    outcomes[f"{action} {_database_failure(error)}"] += 1
                    break
    elapsed = time.perf_counter() - started
    print(json.dumps({"role": role, "outcomes": dict(outcomes), "seconds": round(elapsed, 3)}))
    return 0


def _database_failure(error: OperationalError) -> str:
    """A deadlock the database broke by aborting this transaction (rolled back whole) is counted, so the
    test can check the store stays whole; any other database failure is a crash of the worker."""
    if "deadlock detected" not in str(error):
        raise error
    return "failed: deadlock (rolled back)"


ACTIONS = {"reissue": ("reissue",), "revoke": ("revoke",), "suspend": ("suspend", "reinstate")}


def _act(runtime: object, action: str, number: str) -> None:
    from certsvc.certificates.reissue import reissue
    from certsvc.certificates.revocation import change_status
    from certsvc.runtime import Runtime

    assert isinstance(runtime, Runtime)
    effective = dt.date(2026, 11, 20)
    with runtime.database.write() as session:
        if action == "reissue":
            reissue(session, runtime, number, "damaged")
        else:
            reason = {"revoke": "fraud", "suspend": "investigation", "reinstate": "cleared"}[action]
            change_status(session, runtime, number, action, reason, "测〔2026〕9号", effective)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
