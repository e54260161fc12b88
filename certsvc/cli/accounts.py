"""``certsvc accounts``: staff users, API tokens, holder activation links and codes.

Secrets are printed exactly once; the database keeps only their hashes.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from certsvc.accounts.models import STAFF_ROLES
from certsvc.audit.actors import cli_actor
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

    code = commands.add_parser(
        "activation-code",
        help="a one-time activation code for the holder of a certificate (printable notice)",
    )
    code.add_argument("certificate_number", metavar="CERT_NO")
    code.set_defaults(handler=run_activation_code)

    mail = commands.add_parser("activation-email", help="e-mail the holder a one-time activation link now")
    mail.add_argument("certificate_number", metavar="CERT_NO")
    mail.add_argument("email", help="the address the holder gave the issuing body")
    mail.set_defaults(handler=run_activation_email)


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
            actor=cli_actor(),
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
            actor=cli_actor(),
        )
    print(token)
    return 0


def run_activation_link(args: argparse.Namespace) -> int:
    from certsvc.accounts.services import create_activation_link

    runtime = cli_runtime()
    with runtime.database.write() as session:
        link = create_activation_link(session, runtime, args.certificate_number, created_by=cli_actor())
    print(link)
    return 0


def run_activation_code(args: argparse.Namespace) -> int:
    """Prints the notice to hand over; the code is shown only this once."""
    from certsvc.accounts.activation import issue_activation_code

    notice = issue_activation_code(cli_runtime(), args.certificate_number, created_by=cli_actor())
    expires = notice.expires_at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    print(
        f"职称电子证书持证人账号激活通知书 / Holder account activation notice\n"
        f"持证人 Holder: {notice.holder}\n"
        f"证书编号 Certificate: {notice.certificate_number}\n"
        f"发证机构 Issuer: {notice.authority}\n"
        f"激活码 Activation code: {notice.code}\n"
        f"有效期至 Valid until: {expires} (UTC+8)\n"
        f"激活地址 Activate at: {notice.activate_url}\n"
        "激活码只能使用一次。The code works once."
    )
    return 0


def run_activation_email(args: argparse.Namespace) -> int:
    from certsvc.accounts.activation import email_activation_link

    email_activation_link(cli_runtime(), args.certificate_number, args.email, created_by=cli_actor())
    print(f"activation link for {args.certificate_number} sent")
    return 0
