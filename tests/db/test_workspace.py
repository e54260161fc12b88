"""The per-process PostgreSQL test database (tests/conftest.py ``PostgresWorkspace``): after a test it
must be indistinguishable from a fresh clone of the template, or the suite's isolation is a lie."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from tests.conftest import PostgresWorkspace


@pytest.fixture
def workspace(postgres_workspace: PostgresWorkspace) -> Iterator[PostgresWorkspace]:
    """The session's workspace, emptied again afterwards even if the test failed half-way."""
    yield postgres_workspace
    postgres_workspace.reset()


def _ledger_guards_refuse(url: str) -> bool:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM ledger_head"))
    except DBAPIError as error:
        return "append-only" in str(error) or "may only grow" in str(error)
    finally:
        engine.dispose()
    return False


def test_emptying_removes_every_row_restarts_ids_and_keeps_the_guards(workspace: PostgresWorkspace) -> None:
    """Rows a test wrote are gone, ids start again at 1, the ledger head is back at size 0, and the
    append-only triggers refuse changes again."""
    engine = create_engine(workspace.url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO import_batches (authority_code, source_name, source_sha256, row_count, "
                "issued_count, imported_by, created_at) VALUES ('450000', 'a.csv', '', 1, 1, 'cli', now())"
            )
        )
        connection.execute(text("UPDATE ledger_head SET size = 5"))
    workspace.reset()
    with engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM import_batches")).scalar_one() == 0
        assert connection.execute(text("SELECT size FROM ledger_head")).scalar_one() == 0
        new_id = connection.execute(
            text(
                "INSERT INTO import_batches (authority_code, source_name, source_sha256, row_count, "
                "issued_count, imported_by, created_at) VALUES ('450000', 'b.csv', '', 1, 1, 'cli', now()) "
                "RETURNING id"
            )
        ).scalar_one()
        assert new_id == 1
    engine.dispose()
    workspace.reset()
    assert _ledger_guards_refuse(workspace.url)


def test_a_dropped_guard_is_back_after_the_test(workspace: PostgresWorkspace) -> None:
    """A test that drops the append-only triggers (as the tamper tests do) leaves the next test a
    database that has them again."""
    engine = create_engine(workspace.url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(text('DROP TRIGGER "ledger_head_only_grows" ON ledger_head'))
    engine.dispose()
    assert not _ledger_guards_refuse(workspace.url)
    workspace.reset()
    assert _ledger_guards_refuse(workspace.url)
