"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``CERTSVC_TEST_POSTGRES_URL`` (default: the local trust-auth server). Each test
gets a fresh database cloned from a migrated template, so tests never see each other's rows and the
append-only ledger tables never need to be emptied. Without a reachable server the PostgreSQL
variants skip with the reason, unless ``CERTSVC_REQUIRE_POSTGRES=1`` (CI), where they fail.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import certsvc.demo
from certsvc.config import Settings, load_settings
from certsvc.db.migrate import upgrade
from certsvc.db.session import Database
from certsvc.runtime import Runtime

SAMPLE_RESULTS = Path(certsvc.demo.__file__).parent
# The product's shared test data, when checked out beside the repository: extra inputs, never required.
SHARED_TESTDATA = Path(__file__).resolve().parents[2] / "shared" / "testdata"
POSTGRES_ADMIN_URL = os.environ.get(
    "CERTSVC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("CERTSVC_REQUIRE_POSTGRES") == "1"
DATABASE_KINDS = ("sqlite", "postgresql")
START = dt.datetime(2026, 11, 21, 2, 0, tzinfo=dt.UTC)


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: dt.datetime = START) -> None:
        self.current = start

    def __call__(self) -> dt.datetime:
        return self.current

    def advance(self, **delta: float) -> dt.datetime:
        self.current += dt.timedelta(**delta)
        return self.current


def _admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(
        POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )


def _url_for_database(name: str) -> str:
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    name = f"certsvc_tmpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        engine = _admin_engine()
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        message = f"PostgreSQL unavailable at {POSTGRES_ADMIN_URL}: {type(error).__name__}: {error}"
        if REQUIRE_POSTGRES:
            pytest.fail(message + " (CERTSVC_REQUIRE_POSTGRES=1)")
        pytest.skip(message)
    upgrade(_url_for_database(name))
    yield name
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


_clone_counter = itertools.count()


@pytest.fixture(params=DATABASE_KINDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "certsvc.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"{template}_t{next(_clone_counter)}"
    engine = _admin_engine()
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield _url_for_database(name)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_settings(tmp_path: Path, database_url: str, **overrides: str) -> Settings:
    env = {
        "CERTSVC_ENV": "test",
        "CERTSVC_INSTANCE_DIR": str(tmp_path / "instance"),
        "CERTSVC_DATABASE_URL": database_url,
        "CERTSVC_KEYS_DIR": str(tmp_path / "keys"),
        "CERTSVC_BASE_URL": "https://certs.example.test",
        "CERTSVC_SECRET_KEY": "test-secret-key-" + "x" * 32,
        "CERTSVC_LOG_LEVEL": "WARNING",
        # Each test's app counts in its own process; the default host-file store (one budget per
        # client across processes) has its own tests and the serve and reliability tests run it.
        "CERTSVC_RATELIMIT_STORAGE_URL": "memory://",
    }
    env.update(overrides)
    return load_settings(env)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url)


@pytest.fixture
def bare_runtime(settings: Settings, database: Database, clock: FakeClock) -> Runtime:
    """A runtime over a migrated, empty database, with no keys yet."""
    return Runtime(settings=settings, database=database, clock=clock)


@pytest.fixture
def runtime(bare_runtime: Runtime) -> Runtime:
    """A runtime with keys and the demo registry loaded (what `certsvc init --registry` leaves)."""
    from importlib import resources

    from certsvc.cli.setup import initialise

    registry = resources.files("certsvc.domain").joinpath("demo_registry.json").read_bytes()
    initialise(bare_runtime, registry)
    return bare_runtime


@pytest.fixture
def app(runtime: Runtime) -> Flask:
    from certsvc import create_app

    application = create_app(runtime=runtime)
    application.config.update(TESTING=True)
    return application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def sample_results() -> Path:
    """The folder of sample result batches shipped in the package (``certsvc init --demo`` issues them)."""
    return SAMPLE_RESULTS


def reachable_redis_url() -> str:
    """The local Redis the rate-limit tests share (``CERTSVC_TEST_REDIS_URL``, default database 11).

    Without Redis the caller is skipped, unless CERTSVC_REQUIRE_REDIS=1 (CI) makes that a failure."""
    import redis

    url = os.environ.get("CERTSVC_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("CERTSVC_REQUIRE_REDIS") == "1":
            raise AssertionError(
                f"Redis is required (CERTSVC_REQUIRE_REDIS=1) but {url} failed: {error}"
            ) from error
        pytest.skip(f"no Redis at {url} ({error}); set CERTSVC_TEST_REDIS_URL")
    return url
