"""``certsvc accounts``: staff users, API tokens and holder activation links.

Secrets are printed exactly once; the database keeps only their hashes.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from certsvc.accounts.models import STAFF_ROLES
from certsvc.cli.common import cli_runtime


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("accounts", help="create staff users, API tokens and activation links")
    commands = parser.add_subparsers(dest="accounts_command", required=True, metavar="SUBCOMMAND")

    staff = commands.add_parser(
        "create-staff", help="a staff user of one authority (prints its password once)"
    )
    staff.add_argument("username")
    staff.add_argument("--authority", required=True, help="authority code, e.g. 500000")
    staff.add_argument("--role", required=True, choices=STAFF_ROLES)
    staff.add_argument("--name", help="display name")
    staff.add_argument("--email")
    staff.set_defaults(handler=run_create_staff)

    token = commands.add_parser("create-token", help="an API token bound to one authority and role")
    token.add_argument("--authority", required=True)
    token.add_argument("--role", required=True, choices=STAFF_ROLES)
    token.add_argument("--label", default="api", help="what the token is for")
    token.add_argument("--days", type=int, help="expire after this many days (default: never)")
    token.set_defaults(handler=run_create_token)

    link = commands.add_parser("activation-link", help="a one-time link for the holder of a certificate")
    link.add_argument("certificate_number", metavar="CERT_NO")
    link.set_defaults(handler=run_activation_link)


def run_create_staff(args: argparse.Namespace) -> int:
    from certsvc.accounts.services import create_staff_user

    runtime = cli_runtime()
    with runtime.database.write() as session:
        user, password = create_staff_user(
            session,
            runtime,
            username=args.username,
            authority_code=args.authority,
            role=args.role,
            display_name=args.name,
            email=args.email,
        )
        login = user.login
    print(f"staff user {login} ({args.role}, authority {args.authority}) password: {password}")
    return 0


def run_create_token(args: argparse.Namespace) -> int:
    from certsvc.accounts.services import create_api_token

    runtime = cli_runtime()
    expires = runtime.now() + dt.timedelta(days=args.days) if args.days else None
    with runtime.database.write() as session:
        token = create_api_token(
            session,
            runtime,
            authority_code=args.authority,
            role=args.role,
            label=args.label,
            expires_at=expires,
        )
    print(token)
    return 0


def run_activation_link(args: argparse.Namespace) -> int:
    from certsvc.accounts.services import create_activation_link

    runtime = cli_runtime()
    with runtime.database.write() as session:
        link = create_activation_link(session, runtime, args.certificate_number, created_by="cli")
    print(link)
    return 0
