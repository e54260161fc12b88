"""``certsvc serve`` never lets each worker process keep its own rate-limit budget: by default one
process with threads (memory://), several worker processes only with Redis."""

from __future__ import annotations

from typing import Any

import pytest

from certsvc.cli import gunicorn_app, main
from certsvc.cli.serve import THREADS_IN_ONE_PROCESS, default_workers
from certsvc.runtime import Runtime


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What ``certsvc serve`` would hand gunicorn, captured instead of starting a server."""
    calls: list[dict[str, Any]] = []

    def capture(bind: str, *, workers: int, threads: int) -> None:
        calls.append({"bind": bind, "workers": workers, "threads": threads})

    monkeypatch.setattr(gunicorn_app, "run_gunicorn", capture)
    return calls


@pytest.mark.parametrize("configured", [None, "memory://"])
def test_by_default_one_process_with_threads_serves(
    cli_env: Runtime, started: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, configured: str | None
) -> None:
    """With no store configured (or memory://) one gunicorn process with threads serves, so each
    client has one budget and no store needs sharing."""
    if configured is None:
        monkeypatch.delenv("CERTSVC_RATELIMIT_STORAGE_URL", raising=False)
    else:
        monkeypatch.setenv("CERTSVC_RATELIMIT_STORAGE_URL", configured)
    assert main(["serve", "--port", "8123"]) == 0
    assert started == [{"bind": "127.0.0.1:8123", "workers": 1, "threads": THREADS_IN_ONE_PROCESS}]


def test_memory_store_refuses_several_workers(
    cli_env: Runtime,
    started: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Asking for several workers with memory:// is a usage error naming the setting to change."""
    monkeypatch.setenv("CERTSVC_RATELIMIT_STORAGE_URL", "memory://")
    assert main(["serve", "--workers", "4"]) == 2
    assert started == []
    assert "CERTSVC_RATELIMIT_STORAGE_URL" in capsys.readouterr().err


def test_shared_store_serves_with_several_workers(
    cli_env: Runtime, started: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a store the workers share (Redis), serve starts the default number of worker processes."""
    monkeypatch.setenv("CERTSVC_RATELIMIT_STORAGE_URL", "redis://127.0.0.1:6379/11")
    assert main(["serve"]) == 0
    assert started == [{"bind": "127.0.0.1:8000", "workers": default_workers(), "threads": 1}]
    assert main(["serve", "--workers", "3"]) == 0
    assert started[-1]["workers"] == 3
