"""Embed gunicorn so ``certsvc serve`` needs no separate command line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication


def _create_certsvc_app() -> Any:
    from certsvc import create_app

    return create_app()


class CertsvcGunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn with ``options``, serving what ``app_factory`` builds (certsvc unless told otherwise:
    the benchmark serves a hello-world app with the very same options)."""

    def __init__(self, options: dict[str, Any], app_factory: Callable[[], Any] = _create_certsvc_app) -> None:
        self.options = options
        self.app_factory = app_factory
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        self.cfg.set("worker_exit", self._worker_exit)

    def load(self) -> Any:
        self.app = self.app_factory()
        return self.app

    def _worker_exit(self, server: Any, worker: Any) -> None:
        """A worker's graceful exit closes its runtime (pending verification counts are stored)."""
        close_runtime(getattr(self, "app", None))


def close_runtime(app: Any) -> None:
    """Close the certsvc runtime of ``app`` (other apps, e.g. the benchmark's, have none)."""
    runtime = getattr(app, "extensions", {}).get("certsvc")
    if runtime is not None:
        runtime.close()


def gunicorn_options(bind: str, *, workers: int, threads: int) -> dict[str, Any]:
    """The gunicorn settings ``certsvc serve`` runs with."""
    return {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": "sync" if threads == 1 else "gthread",
        "accesslog": None,
        "timeout": 60,
        "graceful_timeout": 10,
        "keepalive": 5,
        # Each worker builds its own app (and database pool) after fork.
        "preload_app": False,
    }


def run_gunicorn(bind: str, *, workers: int, threads: int) -> None:
    CertsvcGunicorn(gunicorn_options(bind, workers=workers, threads=threads)).run()
