"""The CLI reads its settings from the environment: point it at the test runtime's database and keys."""

from __future__ import annotations

import pytest

from certsvc.runtime import Runtime


@pytest.fixture
def cli_env(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    settings = runtime.settings
    monkeypatch.setenv("CERTSVC_ENV", settings.environment)
    monkeypatch.setenv("CERTSVC_INSTANCE_DIR", str(settings.instance_dir))
    monkeypatch.setenv("CERTSVC_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CERTSVC_KEYS_DIR", str(settings.keys_dir))
    monkeypatch.setenv("CERTSVC_BASE_URL", settings.base_url)
    monkeypatch.setenv("CERTSVC_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("CERTSVC_CACHE_DIR", str(settings.cache_dir))
    monkeypatch.delenv("CERTSVC_KEY_PASSPHRASE", raising=False)
    return runtime
