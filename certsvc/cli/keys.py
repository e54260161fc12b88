"""``certsvc keys rotate|compromise|list``: manage credential signing keys.

Every change is also written to the public ledger (key-rotate, key-compromise), so verifiers and
auditors can see when keys changed without trusting the JWKS alone, and to the action log. The
command line acts at once for the server's operator; in the console a rotation or compromise is
proposed by one person and approved by a second (``certificates.approvals``).
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from certsvc.audit.actors import cli_actor
from certsvc.cli.common import cli_runtime
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
    from certsvc.certificates.keys import rotate_key

    runtime = cli_runtime()
    with runtime.database.write() as session:
        # Rotating inside the transaction: if the key store refuses, no entry is written.
        info = rotate_key(session, runtime, actor=cli_actor())
    print(f"new signing key {info.kid} from {_show(info.not_before)} (recorded in the ledger)")
    from certsvc.cli.setup import ensure_seals

    made = ensure_seals(runtime)
    print(f"every issuing authority's seal certificate was renewed with it ({made} new authorities sealed)")
    return 0


def run_compromise(args: argparse.Namespace) -> int:
    from certsvc.certificates.keys import compromise_key

    runtime = cli_runtime()
    with runtime.database.write() as session:
        info, _ = compromise_key(session, runtime, args.kid, args.since, actor=cli_actor())
    print(f"key {info.kid} compromised since {_show(args.since)} (recorded in the ledger)")
    if info.not_after is None:
        print("it was the current key: run `certsvc keys rotate` before issuing anything else")
    return 0


def run_list(args: argparse.Namespace) -> int:
    runtime = cli_runtime()
    for info in runtime.keys.history():
        until = _show(info.not_after) if info.not_after else "now"
        extra = f", compromised since {_show(info.compromised_since)}" if info.compromised_since else ""
        print(f"{info.kid}  {info.status:<11} {_show(info.not_before)} .. {until}{extra}")
    for seal in runtime.keys.seal_history():
        until = _show(seal.not_after) if seal.not_after else "now"
        print(f"seal {seal.uscc} {seal.serial[:16]}  {_show(seal.not_before)} .. {until}")
    return 0


def _show(moment: dt.datetime | None) -> str:
    return "" if moment is None else rfc3339(moment)
