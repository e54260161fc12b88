"""``certsvc reissue|revoke|suspend|reinstate``: issuer-side workflows from the command line.

The CLI operator acts for every authority (it holds the server's configuration and keys), so no
authority scope is applied and no second person approves (the console's two-person rule is for
staff); each change writes its ledger entry and its action-log row, naming the command line
(``cli:<OS account>``, role server-operator), in the same transaction.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from certsvc.audit.actors import cli_actor
from certsvc.certificates.models import CORRECTABLE_FIELDS, REISSUE_REASONS
from certsvc.certificates.revocation import REASONS
from certsvc.cli.common import cli_runtime
from certsvc.errors import BadRequest


def register(subparsers: Any) -> None:
    reissue = subparsers.add_parser(
        "reissue", help="reissue a certificate: a new version supersedes the current one"
    )
    reissue.add_argument("certificate_number", metavar="CERT_NO")
    reissue.add_argument("--reason", required=True, choices=REISSUE_REASONS)
    reissue.add_argument(
        "--field", choices=CORRECTABLE_FIELDS, help="with --reason correction: the field to correct"
    )
    reissue.add_argument("--value", help="with --reason correction: the corrected value")
    reissue.set_defaults(handler=run_reissue)
    for action, help_text in (
        (
            "revoke",
            "revoke a certificate (撤销); reason fraud also records the holder in the integrity "
            "record (诚信档案) for 3 years",
        ),
        ("suspend", "suspend a certificate during an investigation"),
        (
            "reinstate",
            "reinstate a suspended certificate, or with --reason overturned one whose revocation was "
            "reversed by decision (which ends its integrity record)",
        ),
    ):
        parser = subparsers.add_parser(action, help=help_text)
        parser.add_argument("certificate_number", metavar="CERT_NO")
        parser.add_argument("--reason", required=True, choices=tuple(REASONS[action]), help="reason category")
        parser.add_argument("--doc-no", required=True, help="number of the document deciding it (文号)")
        parser.add_argument("--effective", type=_date, help="effective date YYYY-MM-DD (default: today)")
        parser.add_argument("--version", type=int, help="refuse unless this is the current version")
        parser.set_defaults(handler=run_status_change, action=action)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def run_reissue(args: argparse.Namespace) -> int:
    from certsvc.certificates.reissue import check_correction, reissue

    correction = check_correction(args.reason, args.field, args.value)
    if correction is None and (args.field or args.value):
        raise BadRequest("--field and --value go with --reason correction only")
    runtime = cli_runtime()
    with runtime.database.write() as session:
        created = reissue(
            session, runtime, args.certificate_number, args.reason, correction=correction, actor=cli_actor()
        )
        number, version, index = created.certificate.number, created.version, created.ledger_index
    print(f"{number}: reissued as version {version} (ledger entry {index}); version {version - 1} superseded")
    return 0


def run_status_change(args: argparse.Namespace) -> int:
    from certsvc.certificates.revocation import change_status

    runtime = cli_runtime()
    with runtime.database.write() as session:
        row = change_status(
            session,
            runtime,
            args.certificate_number,
            args.action,
            args.reason,
            args.doc_no,
            args.effective,
            version=args.version,
            actor=cli_actor(),
        )
        number, version, status = row.certificate.number, row.version, row.status
    print(f"{number} version {version}: {status} ({args.reason}, {args.doc_no})")
    return 0
