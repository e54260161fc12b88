"""Settings come from CERTSVC_* variables and production refuses unsafe values."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from certsvc.config import load_settings
from certsvc.errors import ConfigurationError

STRONG = "Zq8-vX2rT9kLm4Np7WbYc3Hd6Jf1Gs5Ue0Ao"
PASSPHRASE = "correct horse battery"
POSTGRES = "postgresql+psycopg://certsvc@db.example/certsvc"


def test_defaults_use_sqlite_under_instance(tmp_path: Path) -> None:
    """Without configuration the database is an SQLite file inside the instance directory."""
    settings = load_settings({"CERTSVC_INSTANCE_DIR": str(tmp_path / "inst")})
    assert settings.database_url == f"sqlite:///{tmp_path / 'inst' / 'certsvc.sqlite3'}"
    assert settings.keys_dir.name == "keys"
    assert not settings.is_production


def test_development_secret_is_generated_once_and_reused(tmp_path: Path) -> None:
    """Development gets a per-installation secret that survives restarts (workers must agree)."""
    env = {"CERTSVC_INSTANCE_DIR": str(tmp_path)}
    first = load_settings(env).secret_key
    assert first.startswith("dev-") and len(first) > 30
    assert load_settings(env).secret_key == first


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({}, "CERTSVC_SECRET_KEY is required"),
        ({"CERTSVC_SECRET_KEY": "dev-" + "x" * 40}, "development"),
        ({"CERTSVC_SECRET_KEY": "short"}, "too-short"),
        ({"CERTSVC_SECRET_KEY": STRONG}, "CERTSVC_KEY_PASSPHRASE"),
        (
            {
                "CERTSVC_SECRET_KEY": STRONG,
                "CERTSVC_KEY_PASSPHRASE": PASSPHRASE,
                "CERTSVC_BASE_URL": "http://x",
            },
            "https",
        ),
        (
            {
                "CERTSVC_SECRET_KEY": STRONG,
                "CERTSVC_KEY_PASSPHRASE": PASSPHRASE,
                "CERTSVC_BASE_URL": "https://x.example",
                "CERTSVC_RATELIMIT_STORAGE_URL": "certsvc-host:///srv/certsvc/ratelimits.bin",
            },
            "CERTSVC_RATELIMIT_STORAGE_URL must be memory:// .* or redis://",
        ),
        # Issue 16, finding 4: long but one repeated character, a one-character passphrase, SQLite.
        ({"CERTSVC_SECRET_KEY": "s" * 40}, "CERTSVC_SECRET_KEY is low-entropy"),
        ({"CERTSVC_SECRET_KEY": "ab" * 30}, "CERTSVC_SECRET_KEY is low-entropy"),
        (
            {"CERTSVC_SECRET_KEY": STRONG, "CERTSVC_KEY_PASSPHRASE": "p"},
            "CERTSVC_KEY_PASSPHRASE is too short",
        ),
        (
            {
                "CERTSVC_SECRET_KEY": STRONG,
                "CERTSVC_KEY_PASSPHRASE": PASSPHRASE,
                "CERTSVC_BASE_URL": "https://x.example",
            },
            "CERTSVC_DATABASE_URL is an SQLite file",
        ),
    ],
)
def test_production_refuses_unsafe_settings(env: dict[str, str], complaint: str) -> None:
    """Production mode will not start with a missing, development or low-entropy secret, a missing
    or too short key passphrase, http, an SQLite database, or a rate-limit store other than the
    one-process memory:// or Redis; each refusal names the setting."""
    with pytest.raises(ConfigurationError, match=complaint):
        load_settings({"CERTSVC_ENV": "production", **env})


def test_production_accepts_safe_settings() -> None:
    """A strong secret, a key passphrase and an https base URL are enough for production."""
    settings = load_settings(
        {
            "CERTSVC_ENV": "production",
            "CERTSVC_SECRET_KEY": STRONG,
            "CERTSVC_KEY_PASSPHRASE": PASSPHRASE,
            "CERTSVC_BASE_URL": "https://zhicheng.example.gov.cn/",
            "CERTSVC_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379",
            "CERTSVC_DATABASE_URL": POSTGRES,
        }
    )
    assert settings.is_production and not settings.unsafe_plaintext_keys
    assert settings.ratelimit_storage_is_shared
    assert settings.base_url == "https://zhicheng.example.gov.cn"


def test_the_default_rate_limit_store_is_the_one_serving_process() -> None:
    """With no store configured, budgets are counted in memory:// (``certsvc serve`` then runs one
    process with threads, so each client has one budget); production accepts it."""
    settings = load_settings(
        {
            "CERTSVC_ENV": "production",
            "CERTSVC_SECRET_KEY": STRONG,
            "CERTSVC_KEY_PASSPHRASE": PASSPHRASE,
            "CERTSVC_BASE_URL": "https://zhicheng.example.gov.cn/",
            "CERTSVC_DATABASE_URL": POSTGRES,
        }
    )
    assert settings.ratelimit_storage_url == "memory://"
    assert not settings.ratelimit_storage_is_shared


@pytest.mark.parametrize("url", ["memcached://127.0.0.1:11211", "certsvc-host:///tmp/limits.bin", "redis"])
def test_a_rate_limit_store_other_than_memory_or_redis_is_refused_by_name(url: str) -> None:
    """Any environment refuses a store that is neither memory:// nor Redis, naming the setting."""
    with pytest.raises(ConfigurationError, match="CERTSVC_RATELIMIT_STORAGE_URL"):
        load_settings({"CERTSVC_RATELIMIT_STORAGE_URL": url, "CERTSVC_SECRET_KEY": STRONG})


def test_unknown_environment_and_bad_integers_are_refused() -> None:
    """Typos in the mode or in numeric settings fail loudly instead of silently defaulting."""
    with pytest.raises(ConfigurationError, match="CERTSVC_ENV"):
        load_settings({"CERTSVC_ENV": "prod"})
    with pytest.raises(ConfigurationError, match="integer"):
        load_settings({"CERTSVC_REISSUE_FLAG_WORKING_DAYS": "ten", "CERTSVC_SECRET_KEY": STRONG})


def test_production_app_refuses_plaintext_private_keys(tmp_path: Path) -> None:
    """Issue 16, finding 4: a key directory holding unencrypted private keys (as development writes
    them) stops a production app from starting, naming CERTSVC_KEYS_DIR, instead of answering 500
    on the first sign-in."""
    import warnings

    from certsvc import create_app
    from certsvc.db.session import Database
    from certsvc.runtime import Runtime
    from certsvc.signing.keystore import FileKeyStore
    from tests.conftest import START

    keys_dir = tmp_path / "keys"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        FileKeyStore(keys_dir, None, unsafe_plaintext=True).ensure_initial_key(START)
    settings = load_settings(
        {
            "CERTSVC_ENV": "production",
            "CERTSVC_SECRET_KEY": STRONG,
            "CERTSVC_KEY_PASSPHRASE": PASSPHRASE,
            "CERTSVC_BASE_URL": "https://zhicheng.example.gov.cn/",
            "CERTSVC_DATABASE_URL": POSTGRES,
            "CERTSVC_KEYS_DIR": str(keys_dir),
            "CERTSVC_INSTANCE_DIR": str(tmp_path / "instance"),
        }
    )
    runtime = Runtime(settings=settings, database=Database(f"sqlite:///{tmp_path / 'x.sqlite3'}"))
    with pytest.raises(ConfigurationError, match=r"CERTSVC_KEYS_DIR .* unencrypted private keys"):
        create_app(runtime=runtime)


def test_rates_come_from_the_environment(tmp_path: Path) -> None:
    """The rate and status-list settings are read from their variables and reach the app's limits."""
    from certsvc import create_app

    env = {
        "CERTSVC_INSTANCE_DIR": str(tmp_path),
        "CERTSVC_RATELIMIT_STORAGE_URL": "memory://",
        "CERTSVC_VERIFY_RATE": "2/minute",
        "CERTSVC_VERIFY_NUMBER_RATE": "1/minute",
        "CERTSVC_STATUS_RATE": "3/minute",
        "CERTSVC_STATUS_TTL": "60",
        "CERTSVC_ISSUER_API_RATE": "4/minute",
    }
    app = create_app(load_settings(env))
    assert {name: str(app.config[name]) for name in env if name.endswith(("RATE", "TTL"))} == {
        name: value for name, value in env.items() if name.endswith(("RATE", "TTL"))
    }
    client = app.test_client()
    statuses = [client.post("/api/v1/verify", json={"qr": "garbage"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize("name", ["CERTSVC_VERIFY_RATE", "CERTSVC_STATUS_RATE", "CERTSVC_STATUS_TTL"])
def test_malformed_rate_is_refused_at_start(tmp_path: Path, name: str) -> None:
    """A rate or TTL that cannot be read stops start-up, naming the variable."""
    with pytest.raises(ConfigurationError, match=name):
        load_settings({"CERTSVC_INSTANCE_DIR": str(tmp_path), name: "often"})


def test_every_setting_is_documented_in_the_readme() -> None:
    """Each CERTSVC_* variable config.py reads has its row in the README's configuration table."""
    root = Path(__file__).resolve().parents[1]
    read = set(re.findall(r'"(CERTSVC_[A-Z_]+)"', (root / "certsvc" / "config.py").read_text()))
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert len(read) > 15
    assert sorted(name for name in read if f"| `{name}` |" not in readme) == []
