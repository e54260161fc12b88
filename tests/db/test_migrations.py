"""The Alembic migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from certsvc.db.all_models import load_all
from certsvc.db.migrate import current_revision, head_revision, upgrade
from certsvc.db.session import SQLITE_PAGE_SIZE, Database


def test_schema_is_at_head_and_upgrade_is_idempotent(database: Database) -> None:
    """`certsvc init` may run any number of times: upgrading a current schema changes nothing."""
    assert current_revision(database.engine) == head_revision(database.url)
    upgrade(database.url)
    upgrade(database.url)
    assert current_revision(database.engine) == head_revision(database.url)


def test_migrations_match_the_models(database: Database) -> None:
    """No model change is left without its migration (autogenerate finds no difference)."""
    metadata = load_all().metadata
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_new_sqlite_files_get_8_kib_pages_and_existing_ones_keep_theirs(tmp_path: Path) -> None:
    """A database `certsvc init` creates has 8 KiB pages (three certificate versions per page, not
    one); a file created before keeps its page size and still opens and upgrades."""
    created = tmp_path / "new.sqlite3"
    upgrade(f"sqlite:///{created}")
    old = tmp_path / "old.sqlite3"
    connection = sqlite3.connect(old)  # SQLite's default page size, as files made before had
    connection.execute("CREATE TABLE created_before (x)")
    connection.close()
    upgrade(f"sqlite:///{old}")
    for path, expected in ((created, SQLITE_PAGE_SIZE), (old, 4096)):
        database = Database(f"sqlite:///{path}")
        try:
            with database.read() as session:
                page_size = session.execute(text("PRAGMA page_size")).scalar_one()
            assert page_size == expected
            assert current_revision(database.engine) == head_revision(database.url)
        finally:
            database.dispose()
