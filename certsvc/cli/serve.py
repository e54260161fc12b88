"""``certsvc serve``: gunicorn in production shape; Flask's server only with --dev."""

from __future__ import annotations

import argparse
import os
from typing import Any

from certsvc.config import load_settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("serve", help="run the web service")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers (default: 2 x cores + 1, max 8)"
    )
    parser.add_argument(
        "--dev", action="store_true", help="use Flask's development server (never in production)"
    )
    parser.set_defaults(handler=serve)


def default_workers() -> int:
    return min(2 * (os.cpu_count() or 1) + 1, 8)


def serve(args: argparse.Namespace) -> int:
    from certsvc import create_app

    settings = load_settings()
    if args.dev:
        if settings.is_production:
            print("certsvc: refusing the development server in production")
            return 2
        create_app(settings).run(host=args.host, port=args.port, debug=False)
        return 0
    from certsvc.cli.gunicorn_app import run_gunicorn

    run_gunicorn(f"{args.host}:{args.port}", args.workers or default_workers())
    return 0
