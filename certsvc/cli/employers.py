"""``certsvc employer``: register employers (用人单位), set their quota, make and revoke API keys.

Passwords and keys are printed exactly once; the database keeps only their hashes.
"""

from __future__ import annotations

import argparse
from typing import Any

from certsvc.cli.common import cli_runtime


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("employer", help="employers' accounts, quotas and API keys")
    commands = parser.add_subparsers(dest="employer_command", required=True, metavar="SUBCOMMAND")

    add = commands.add_parser(
        "add", help="register an employer and its first user (prints the user's password once)"
    )
    add.add_argument("name", help="the organisation's name, e.g. 重庆某某科技有限公司")
    add.add_argument("--uscc", required=True, help="its Unified Social Credit Code (18 characters)")
    add.add_argument("--login", required=True, help="username of its first user")
    add.add_argument("--email", help="the user's e-mail address")
    add.add_argument(
        "--quota", help="checked lines, e.g. 20000/hour;100000/day (default: CERTSVC_EMPLOYER_QUOTA)"
    )
    add.set_defaults(handler=run_add)

    listing = commands.add_parser("list", help="every employer with its quota and active keys")
    listing.set_defaults(handler=run_list)

    quota = commands.add_parser("set-quota", help="change an employer's quota")
    quota.add_argument("uscc")
    quota.add_argument("quota", help="e.g. 50000/hour;200000/day")
    quota.set_defaults(handler=run_set_quota)

    for name, active, purpose in (
        ("disable", False, "stop an employer: its keys and sign-in are refused"),
        ("enable", True, "let a disabled employer in again"),
    ):
        toggle = commands.add_parser(name, help=purpose)
        toggle.add_argument("uscc")
        toggle.set_defaults(handler=run_set_active, active=active)

    key = commands.add_parser("create-key", help="a named API key of an employer (printed once)")
    key.add_argument("uscc")
    key.add_argument("--name", required=True, help="what the key is for")
    key.set_defaults(handler=run_create_key)

    revoke = commands.add_parser("revoke-key", help="revoke one of an employer's API keys")
    revoke.add_argument("uscc")
    revoke.add_argument("key_id", type=int)
    revoke.set_defaults(handler=run_revoke_key)


def run_add(args: argparse.Namespace) -> int:
    from certsvc.accounts.employers import add_employer

    runtime = cli_runtime()
    with runtime.database.write() as session:
        employer, user, password = add_employer(
            session,
            runtime,
            name=args.name,
            uscc=args.uscc,
            username=args.login,
            email=args.email,
            quota=args.quota,
        )
        line = (
            f"employer {employer.name} ({employer.uscc}), quota {employer.quota}: "
            f"user {user.login} password: {password}"
        )
    print(line)
    return 0


def run_list(args: argparse.Namespace) -> int:
    from certsvc.accounts.employers import employer_view, list_employers

    runtime = cli_runtime()
    with runtime.database.read() as session:
        for employer in list_employers(session):
            view = employer_view(session, employer.id)
            active = [key for key in view.keys if key.active]
            keys = ", ".join(f"{key.id}:{key.name} ({key.prefix}…)" for key in active) or "no keys"
            state = "" if employer.active else " (disabled)"
            print(f"{view.uscc}  {view.name}{state}  quota {view.quota}  keys: {keys}")
    return 0


def run_set_quota(args: argparse.Namespace) -> int:
    from certsvc.accounts.employers import set_quota

    runtime = cli_runtime()
    with runtime.database.write() as session:
        employer = set_quota(session, args.uscc, args.quota)
        line = f"employer {employer.uscc} quota: {employer.quota}"
    print(line)
    return 0


def run_set_active(args: argparse.Namespace) -> int:
    from certsvc.accounts.employers import set_active

    runtime = cli_runtime()
    with runtime.database.write() as session:
        employer = set_active(session, args.uscc, args.active)
        line = f"employer {employer.uscc} {'enabled' if employer.active else 'disabled'}"
    print(line)
    return 0


def run_create_key(args: argparse.Namespace) -> int:
    from certsvc.accounts.employers import create_key, employer_by_uscc

    runtime = cli_runtime()
    with runtime.database.write() as session:
        employer = employer_by_uscc(session, args.uscc)
        key, token = create_key(session, runtime, employer_id=employer.id, name=args.name, created_by="cli")
    print(f"key {key.id} ({key.name}): {token}")
    return 0


def run_revoke_key(args: argparse.Namespace) -> int:
    from certsvc.accounts.employers import employer_by_uscc, revoke_key

    runtime = cli_runtime()
    with runtime.database.write() as session:
        employer = employer_by_uscc(session, args.uscc)
        revoke_key(session, runtime, employer_id=employer.id, key_id=args.key_id)
    print(f"key {args.key_id} revoked")
    return 0
