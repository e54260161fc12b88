"""``certsvc keys rotate|compromise|list``: manage credential signing keys.

Every change is also written to the public ledger (key-rotate, key-compromise), so verifiers and
auditors can see when keys changed without trusting the JWKS alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from certsvc.cli.common import cli_runtime
from certsvc.errors import BadRequest
from certsvc.ledger.entries import key_event
from certsvc.timefmt import parse_rfc3339, rfc3339


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("keys", help="rotate signing keys, mark one compromised, list them")
    commands = parser.add_subparsers(dest="keys_command", required=True, metavar="SUBCOMMAND")
    rotate = commands.add_parser("rotate", help="start a new signing key; old ones stay published")
    rotate.set_defaults(handler=run_rotate)
    compromise = commands.add_parser("compromise", help="mark a key compromised from a point in time")
    compromise.add_argument("kid")
    compromise.add_argument(
        "--since", required=True, type=_time, help="RFC 3339 time, e.g. 2026-01-31T08:00:00Z"
    )
    compromise.set_defaults(handler=run_compromise)
    listing = commands.add_parser("list", help="list every signing key with its validity window")
    listing.set_defaults(handler=run_list)


def _time(text: str) -> dt.datetime:
    try:
        return parse_rfc3339(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an RFC 3339 time with its time zone (e.g. 2026-01-31T08:00:00Z or +08:00): {text!r}"
        ) from None


def run_rotate(args: argparse.Namespace) -> int:
    from certsvc.ledger.services import record

    runtime = cli_runtime()
    now = runtime.now()
    with runtime.database.write() as session:
        # Rotating inside the transaction: if the key store refuses, no entry is written.
        info = runtime.keys.rotate(now)
        [index] = record(session, runtime, [key_event("key-rotate", info.kid, now)])
    print(f"new signing key {info.kid} from {_show(info.not_before)} (ledger entry {index})")
    return 0


def run_compromise(args: argparse.Namespace) -> int:
    from certsvc.ledger.services import record

    runtime = cli_runtime()
    now = runtime.now()
    if args.since > now:
        raise BadRequest("--since lies in the future")
    with runtime.database.write() as session:
        info = runtime.keys.mark_compromised(args.kid, args.since)
        [index] = record(session, runtime, [key_event("key-compromise", info.kid, now)])
    print(f"key {info.kid} compromised since {_show(args.since)} (ledger entry {index})")
    if info.not_after is None:
        print("it was the current key: run `certsvc keys rotate` before issuing anything else")
    return 0


def run_list(args: argparse.Namespace) -> int:
    runtime = cli_runtime()
    for info in runtime.keys.history():
        until = _show(info.not_after) if info.not_after else "now"
        extra = f", compromised since {_show(info.compromised_since)}" if info.compromised_since else ""
        print(f"{info.kid}  {info.status:<11} {_show(info.not_before)} .. {until}{extra}")
    return 0


def _show(moment: dt.datetime | None) -> str:
    return "" if moment is None else rfc3339(moment)
