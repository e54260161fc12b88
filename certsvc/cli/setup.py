"""``certsvc init``: keys, schema, registry and (with --demo) demo data. Idempotent."""

from __future__ import annotations

import argparse
import os
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from certsvc.audit.actors import OPERATOR, Actor, cli_actor
from certsvc.cli import EXIT_FAILED
from certsvc.cli.common import cli_runtime
from certsvc.db.migrate import upgrade
from certsvc.errors import InvalidRegistry
from certsvc.runtime import Runtime


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("init", help="create keys, database and registry (idempotent)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--registry", type=Path, help="load authorities and committees from this JSON file")
    group.add_argument("--demo", action="store_true", help="demo registry, demo batches and demo logins")
    parser.set_defaults(handler=init)


def initialise(runtime: Runtime, registry_json: bytes | None, *, actor: Actor = OPERATOR) -> list[str]:
    """Create/upgrade everything; returns human-readable lines describing what was done. Loading a
    registry is recorded in the action log as ``actor``'s (the command line's by default)."""
    import hashlib

    from certsvc.audit.services import record_action
    from certsvc.registry.services import apply_registry

    settings = runtime.settings
    _private_directory(settings.instance_dir)
    sqlite_file = _sqlite_file(settings.database_url)
    if sqlite_file is not None:
        _private_file(sqlite_file)
    upgrade(settings.database_url)
    now = runtime.now()
    key = runtime.keys.ensure_initial_key(now)
    runtime.keys.ledger_note_key(now)
    runtime.keys.data_keys()
    lines = [f"database ready: {_redact(settings.database_url)}", f"signing key: {key.kid}"]
    if registry_json is not None:
        with runtime.database.write() as session:
            summary = apply_registry(session, registry_json, now)
            record_action(
                session,
                runtime,
                actor,
                "registry-update",
                target_kind="registry",
                target="registry",
                authority_code=None,
                details={"sha256": hashlib.sha256(registry_json).hexdigest(), **summary.counts()},
            )
        lines.append(f"registry: {summary}")
    lines.append(f"seal certificates: {ensure_seals(runtime)} new (issuing CA and seals in keys.json)")
    return lines


def _private_directory(path: Path) -> None:
    """Create ``path`` readable by the service account only (0700), or make it so (issue 16)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


def _private_file(path: Path) -> None:
    """Create the SQLite file 0600 before SQLite does (it would use the umask, usually 0644).

    SQLite gives its -wal and -shm files the database file's permissions, so they follow.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    path.chmod(0o600)


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).absolute()


def ensure_seals(runtime: Runtime) -> int:
    """Give every registered issuing authority a seal certificate (its PDF signing key) if it has none."""
    from sqlalchemy import select

    from certsvc.registry.models import Authority

    with runtime.database.read() as session:
        authorities = [(uscc, name) for uscc, name in session.execute(select(Authority.uscc, Authority.name))]
    return runtime.keys.ensure_seals(authorities, runtime.now())


def init(args: argparse.Namespace) -> int:
    runtime = cli_runtime()
    registry_json: bytes | None = None
    if args.registry:
        registry_json = args.registry.read_bytes()
    elif args.demo:
        registry_json = resources.files("certsvc.domain").joinpath("demo_registry.json").read_bytes()
    try:
        lines = initialise(runtime, registry_json, actor=cli_actor())
    except InvalidRegistry as error:
        # Every problem on its own line (JSON path and rule), so the file is fixed in one pass.
        print(
            f"certsvc: the registry was refused, nothing loaded: {len(error.problems)} problem(s)",
            file=sys.stderr,
        )
        print(f"certsvc: 登记册未通过校验，未作任何更改：共 {len(error.problems)} 个问题", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_FAILED
    for line in lines:
        print(line)
    if args.demo:
        from certsvc.demo import load_demo

        for line in load_demo(runtime):
            print(line)
    return 0


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
