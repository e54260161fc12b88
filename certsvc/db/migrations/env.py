"""Alembic environment: one linear chain of migrations for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine, event, pool

from certsvc.db.all_models import load_all
from certsvc.db.session import prepare_new_sqlite_file

target_metadata = load_all().metadata


def run_migrations() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = create_engine(url, poolclass=pool.NullPool)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _prepare_new_sqlite_file)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def _prepare_new_sqlite_file(dbapi_connection: Any, _record: Any) -> None:
    prepare_new_sqlite_file(dbapi_connection)  # the migrations usually create the file


run_migrations()
