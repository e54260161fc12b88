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

from certsvc.config import Settings, load_settings


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


def serve_shape(settings: Settings, workers: int | None = None) -> tuple[int, int]:
    """(gunicorn worker processes, threads per process) for ``settings`` and a requested
    ``--workers``; ``ValueError`` when several processes would each count their own budgets."""
    if settings.ratelimit_storage_is_shared:
        return workers or default_workers(), 1
    # memory:// counters live in one process; several workers would each grant the full budget.
    if workers is not None and workers > 1:
        raise ValueError(
            f"--workers {workers} needs a rate-limit store the workers share "
            "(set CERTSVC_RATELIMIT_STORAGE_URL, e.g. redis://127.0.0.1:6379); "
            "with memory:// certsvc serves from one process"
        )
    return 1, THREADS_IN_ONE_PROCESS


def serve(args: argparse.Namespace) -> int:
    from certsvc import create_app

    settings = load_settings()
    if args.dev:
        if settings.is_production:
            print("certsvc: refusing the development server in production")
            return 2
        app = create_app(settings)
        try:
            app.run(host=args.host, port=args.port, debug=False)
        finally:
            app.extensions["certsvc"].close()
        return 0
    from certsvc.cli.gunicorn_app import run_gunicorn

    try:
        workers, threads = serve_shape(settings, args.workers)
    except ValueError as error:
        print(f"certsvc: {error}", file=sys.stderr)
        return 2
    if threads > 1:
        print(
            f"certsvc: serving from one process with {threads} threads (memory:// rate limits)",
            file=sys.stderr,
        )
    run_gunicorn(f"{args.host}:{args.port}", workers=workers, threads=threads)
    return 0
