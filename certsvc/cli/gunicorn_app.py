"""Embed gunicorn so ``certsvc serve`` needs no separate command line."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class CertsvcGunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from certsvc import create_app

        return create_app()


def run_gunicorn(bind: str, *, workers: int, threads: int) -> None:
    CertsvcGunicorn(
        {
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
    ).run()
