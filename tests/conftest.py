"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``CERTSVC_TEST_POSTGRES_URL`` (default: the local trust-auth server). Each test
process clones one database from a migrated template and empties it back to the template's rows
after every test (``PostgresWorkspace``), so tests never see each other's rows; a clone per test cost
0.3-0.5 s of the server's disk syncs, emptying about 0.05 s. Without a reachable server the
PostgreSQL variants skip with the reason, unless ``CERTSVC_REQUIRE_POSTGRES=1`` (CI), where they fail.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Connection, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

import certsvc.db.all_models  # every table, for PostgresWorkspace
import certsvc.demo
from certsvc.config import Settings, load_settings
from certsvc.db.base import Base
from certsvc.db.migrate import upgrade
from certsvc.db.session import Database
from certsvc.runtime import Runtime

# Property tests check behaviour, never speed: the machine is shared and a slow example is not a
# failure (speed is measured by the benchmarks in bench/). Profiles keep their example counts.
hypothesis_settings.register_profile("certsvc", deadline=None)
hypothesis_settings.load_profile("certsvc")

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


class PostgresWorkspace:
    """This test process's PostgreSQL database: cloned once from the template, and after each test
    emptied back to the template's rows (and its sequences restarted), or cloned afresh when a test
    changed its schema (dropped a trigger, as the tamper tests do, or migrated down).

    Emptying goes around the append-only guards on purpose: the ``ENABLE ALWAYS`` triggers that
    refuse to delete ledger and action-log rows are disabled inside the emptying transaction and
    enabled again before it commits, so every test meets them as a new database has them.
    """

    def __init__(self, template: str) -> None:
        self.template = template
        self.name = f"{template}_w{os.getpid()}"
        self.url = _url_for_database(self.name)
        self._admin = _admin_engine()
        self._clone()
        self._engine = create_engine(self.url, poolclass=NullPool)
        with self._engine.connect() as connection:
            self._schema = _schema_of(connection)
            self._guards = [
                (table, trigger)
                for kind, table, trigger, state in self._schema
                if kind == "trigger" and state == "A"
            ]
            self._sequences = [
                name for kind, name, relkind, _ in self._schema if (kind, relkind) == ("relation", "S")
            ]
            self._seed = {
                table.name: [dict(row) for row in connection.execute(select(table)).mappings()]
                for table in Base.metadata.sorted_tables
            }

    def reset(self) -> None:
        """Back to the template's rows; a fresh clone if that cannot be done."""
        with self._admin.connect() as connection:
            connection.execute(  # a server or helper the test started may still be connected
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": self.name},
            )
        try:
            self._empty()
        except Exception:  # a schema the test changed: start again from the template
            self._clone()

    def drop(self) -> None:
        self._engine.dispose()
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self._admin.dispose()

    def _empty(self) -> None:
        with self._engine.begin() as connection:
            if _schema_of(connection) != self._schema:
                raise RuntimeError("the test changed the schema (dropped a trigger, migrated down, ...)")
            for table, trigger in self._guards:
                connection.execute(text(f'ALTER TABLE "{table}" DISABLE TRIGGER "{trigger}"'))
            for table in reversed(Base.metadata.sorted_tables):  # children before their parents
                connection.execute(table.delete())
            for sequence in self._sequences:
                connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
            for table in Base.metadata.sorted_tables:
                if self._seed[table.name]:
                    connection.execute(table.insert(), self._seed[table.name])
            for table, trigger in self._guards:
                connection.execute(text(f'ALTER TABLE "{table}" ENABLE ALWAYS TRIGGER "{trigger}"'))

    def _clone(self) -> None:
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.template}"'))


# What a test could change in the schema: relations, columns, constraints, functions, and each
# trigger with its firing state. A workspace whose schema differs from the template's is cloned anew.
_SCHEMA = text(
    """
    SELECT 'relation', c.relname, c.relkind::text, '' FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
    UNION ALL
    SELECT 'column', c.relname, a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
      WHERE connamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'function', p.proname, md5(p.prosrc), '' FROM pg_proc p WHERE pronamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'trigger', c.relname, t.tgname, t.tgenabled::text FROM pg_trigger t
      JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal
    UNION ALL
    SELECT 'revision', version_num, '', '' FROM alembic_version
    ORDER BY 1, 2, 3, 4
    """
)


def _schema_of(connection: Connection) -> list[tuple[str, str, str, str]]:
    return [tuple(row) for row in connection.execute(_SCHEMA)]  # type: ignore[misc]


@pytest.fixture(scope="session")
def postgres_workspace(postgres_template: str) -> Iterator[PostgresWorkspace]:
    workspace = PostgresWorkspace(postgres_template)
    yield workspace
    workspace.drop()


@pytest.fixture(params=DATABASE_KINDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "certsvc.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    workspace: PostgresWorkspace = request.getfixturevalue("postgres_workspace")
    yield workspace.url
    workspace.reset()


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
