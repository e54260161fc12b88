"""``certsvc ledger audit|checkpoint|key``: check the whole ledger, print its head or its key."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from certsvc.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from certsvc.cli.common import cli_runtime


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("ledger", help="audit the ledger, print its latest checkpoint or its key")
    commands = parser.add_subparsers(dest="ledger_command", required=True, metavar="SUBCOMMAND")
    audit_parser = commands.add_parser(
        "audit", help="recompute every hash from the entries, check every checkpoint and certificate"
    )
    audit_parser.add_argument(
        "--since",
        type=Path,
        metavar="FILE",
        help="a signed checkpoint saved earlier: check the log only grew since",
    )
    audit_parser.add_argument("--json", action="store_true", help="print the report as JSON")
    audit_parser.set_defaults(handler=audit)
    checkpoint_parser = commands.add_parser("checkpoint", help="print the latest signed checkpoint")
    checkpoint_parser.set_defaults(handler=checkpoint)
    key_parser = commands.add_parser("key", help="print the checkpoint verifier key")
    key_parser.set_defaults(handler=key)


def audit(args: argparse.Namespace) -> int:
    from certsvc.ledger.services import audit as run_audit

    since: str | None = None
    if args.since is not None:
        try:
            since = args.since.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            print(f"certsvc: error: cannot read {args.since}: {error}", file=sys.stderr)
            return EXIT_USAGE
    started = time.perf_counter()
    report = run_audit(cli_runtime(), since)
    seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps({**asdict(report), "ok": report.ok, "seconds": round(seconds, 3)}))
    elif report.ok:
        since_note = (
            f"; extends the saved checkpoint of size {report.since_size}" if report.since_size else ""
        )
        print(
            f"ledger audit OK: {report.entries} entries, {report.nodes} subtree hashes, "
            f"{report.checkpoints} checkpoints, {report.certificates} certificates checked "
            f"in {seconds:.2f} s{since_note}"
        )
    if not report.ok:
        print(f"ledger audit FAILED: {report.mismatch}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def checkpoint(args: argparse.Namespace) -> int:
    from certsvc.ledger.services import latest_checkpoint

    with cli_runtime().database.read() as session:
        sys.stdout.write(latest_checkpoint(session))
    return EXIT_OK


def key(args: argparse.Namespace) -> int:
    from certsvc.ledger.services import verifier_key

    print(verifier_key(cli_runtime()))
    return EXIT_OK
