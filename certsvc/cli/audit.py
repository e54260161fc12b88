"""``certsvc audit-log``: the action log (who changed what, when, from where and why), oldest first.

The server's operator reads every authority's rows (``--authority`` narrows them); the same
filters as the console's auditor page. ``--json`` prints one JSON array.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from certsvc.cli.common import cli_runtime
from certsvc.timefmt import china_minute

DEFAULT_LIMIT = 1000


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("audit-log", help="print the action log (who changed what, when and why)")
    parser.add_argument("--json", action="store_true", help="one JSON array")
    parser.add_argument("--authority", help="only this authority's rows (and those concerning all)")
    parser.add_argument("--action", help="only this kind of change, e.g. revoke, approve, import")
    parser.add_argument("--staff", help="only this staff login or pseudonymous staff id (st-…)")
    parser.add_argument("--target", help="only this certificate, proposal, batch or key")
    parser.add_argument("--since", help="from this China date (YYYY-MM-DD)")
    parser.add_argument("--until", help="up to this China date (YYYY-MM-DD), inclusive")
    parser.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, help=f"at most this many (default {DEFAULT_LIMIT})"
    )
    parser.set_defaults(handler=run_audit_log)


def run_audit_log(args: argparse.Namespace) -> int:
    from certsvc.audit.services import ActionFilter, iter_actions

    filters = ActionFilter.parse(
        {name: getattr(args, name) or "" for name in ("action", "staff", "target", "since", "until")}
    )
    runtime = cli_runtime()
    with runtime.database.read() as session:
        rows = list(
            iter_actions(session, authority_code=args.authority, filters=filters, limit=max(1, args.limit))
        )
    if args.json:
        print(json.dumps([row.to_json() for row in rows], ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        what = f"{row.action} {row.target_kind}:{row.target}"
        why = " ".join(part for part in (row.reason, row.doc_no, row.note) if part)
        print(
            f"{china_minute(row.at)}  {row.authority_code or '*':<8} {row.actor} ({row.actor_role})  "
            f"{what}{'  ' + why if why else ''}"
        )
    if not rows:
        print("no actions / 没有操作记录")
    return 0
