"""``certsvc serve``: gunicorn in production shape; Flask's server only with --dev.

The default shape is one gunicorn process with threads, counting rate limits in that process
(memory://): one budget per client with no store to share. Several processes (``--workers``) need
the Redis store, which several hosts share too (docs/adr/0010-rate-limits-and-one-request-path.md).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from certsvc.config import load_settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("serve", help="run the web service")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="gunicorn worker processes (default: 1 process with threads on memory://; "
        "2 x cores + 1, max 8, with a Redis rate-limit store)",
    )
    parser.add_argument(
        "--dev", action="store_true", help="use Flask's development server (never in production)"
    )
    parser.set_defaults(handler=serve)


def default_workers() -> int:
    return min(2 * (os.cpu_count() or 1) + 1, 8)


THREADS_IN_ONE_PROCESS = 8


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

    bind = f"{args.host}:{args.port}"
    if settings.ratelimit_storage_is_shared:
        run_gunicorn(bind, workers=args.workers or default_workers(), threads=1)
        return 0
    # memory:// counters live in one process; several workers would each grant the full budget.
    if args.workers is not None and args.workers > 1:
        print(
            f"certsvc: --workers {args.workers} needs a rate-limit store the workers share "
            "(set CERTSVC_RATELIMIT_STORAGE_URL, e.g. redis://127.0.0.1:6379); "
            "with memory:// certsvc serves from one process",
            file=sys.stderr,
        )
        return 2
    print(
        f"certsvc: serving from one process with {THREADS_IN_ONE_PROCESS} threads (memory:// rate limits)",
        file=sys.stderr,
    )
    run_gunicorn(bind, workers=1, threads=THREADS_IN_ONE_PROCESS)
    return 0
