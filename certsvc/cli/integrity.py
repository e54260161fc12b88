"""``certsvc integrity list|end``: the integrity record (诚信档案), for the operator.

Records open when a certificate is revoked for fraud (``certsvc revoke --reason fraud``). The
list shows the person masked, the deciding documents and the dates, never more; ``end`` closes a
running record early by a decision's document number and writes the ledger entry.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from certsvc.cli.common import cli_runtime


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("integrity", help="list or end integrity records (诚信档案)")
    actions = parser.add_subparsers(dest="integrity_action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="list integrity records, newest first")
    listing.add_argument("--authority", help="only the records this authority may consult")
    listing.add_argument("--running", action="store_true", help="only records still running today")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=run_list)
    end = actions.add_parser("end", help="end a running record early by decision")
    end.add_argument("record", type=int, metavar="RECORD", help="record number (from list)")
    end.add_argument("--doc-no", required=True, help="number of the document deciding it (文号)")
    end.add_argument("--authority", help="act as this authority (refused for another's record)")
    end.set_defaults(handler=run_end)


def run_list(args: argparse.Namespace) -> int:
    from certsvc.certificates.integrity import list_records

    runtime = cli_runtime()
    today = runtime.today()
    with runtime.database.read() as session:
        records = list_records(session, args.authority)
    if args.running:
        records = [r for r in records if r.running_on(today)]
    if args.json:
        rows = [
            {
                "record": r.id,
                "authority": r.authority_code,
                "holder": r.holder,
                "certificate_number": r.certificate_number,
                "doc_no": r.doc_no,
                "reason": r.reason,
                "starts_on": r.starts_on.isoformat(),
                "runs_until": r.runs_until.isoformat(),
                "ended_on": r.ended_on.isoformat() if r.ended_on else None,
                "end_doc_no": r.end_doc_no,
                "running": r.running_on(today),
            }
            for r in records
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not records:
        print("no integrity records / 没有诚信档案记录")
    for r in records:
        state = "running 影响期内" if r.running_on(today) else f"ended 已结束 {r.ended_on or r.runs_until}"
        print(
            f"#{r.id}  {r.authority_code}  {r.holder}  {r.certificate_number or '-'}  {r.doc_no}  "
            f"{r.starts_on} → {r.runs_until}  {state}" + (f"  ({r.end_doc_no})" if r.end_doc_no else "")
        )
    return 0


def run_end(args: argparse.Namespace) -> int:
    from certsvc.certificates.integrity import end_record

    runtime = cli_runtime()
    with runtime.database.write() as session:
        record = end_record(
            session,
            runtime,
            args.record,
            args.doc_no,
            actor_authority=args.authority,
            actor=f"cli:{args.authority or 'operator'}",
        )
        number, ended = record.id, record.ended_on
    print(f"integrity record #{number} ended on {ended} ({args.doc_no}) / 诚信档案记录 #{number} 已结束")
    return 0
