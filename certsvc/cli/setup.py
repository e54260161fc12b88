"""``certsvc init``: keys, schema, registry and (with --demo) demo data. Idempotent."""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path
from typing import Any

from certsvc.cli.common import cli_runtime
from certsvc.db.migrate import upgrade
from certsvc.runtime import Runtime


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("init", help="create keys, database and registry (idempotent)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--registry", type=Path, help="load authorities and committees from this JSON file")
    group.add_argument("--demo", action="store_true", help="demo registry, demo batches and demo logins")
    parser.set_defaults(handler=init)


def initialise(runtime: Runtime, registry_json: bytes | None) -> list[str]:
    """Create/upgrade everything; returns human-readable lines describing what was done."""
    from certsvc.registry.services import apply_registry

    settings = runtime.settings
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    now = runtime.now()
    key = runtime.keys.ensure_initial_key(now)
    runtime.keys.ledger_note_key(now)
    runtime.keys.data_keys()
    lines = [f"database ready: {_redact(settings.database_url)}", f"signing key: {key.kid}"]
    if registry_json is not None:
        with runtime.database.write() as session:
            summary = apply_registry(session, registry_json, now)
        lines.append(f"registry: {summary}")
    lines.append(f"seal certificates: {ensure_seals(runtime)} new (issuing CA and seals in keys.json)")
    return lines


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
    for line in initialise(runtime, registry_json):
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
