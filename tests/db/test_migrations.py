"""The Alembic migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from certsvc.db.all_models import load_all
from certsvc.db.migrate import current_revision, head_revision, upgrade
from certsvc.db.session import Database


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
