"""ledger tables and immutability triggers (owned by certsvc.ledger)

Revision ID: 0002_ledger
Revises: 0001_core

Entries, nodes and checkpoints refuse UPDATE and DELETE by trigger on both engines. SQLite's
``INSERT OR REPLACE`` deletes the conflicting row without firing DELETE triggers (unless
``PRAGMA recursive_triggers`` is on, which we cannot count on), so a BEFORE INSERT trigger refuses
an insert whose key already exists. PostgreSQL adds a statement trigger against TRUNCATE, and every
trigger is ``ENABLE ALWAYS`` so that ``session_replication_role = replica`` does not switch it off.
The head row may only grow.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_ledger"
down_revision = "0001_core"
branch_labels = None
depends_on = None

LedgerInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# table -> its primary-key columns
APPEND_ONLY = {
    "ledger_entries": ("idx",),
    "ledger_nodes": ("level", "idx"),
    "ledger_checkpoints": ("size",),
}


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("idx", LedgerInt, autoincrement=False, nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("idx", name=op.f("pk_ledger_entries")),
    )
    op.create_table(
        "ledger_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", LedgerInt, autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_ledger_nodes")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "ledger_checkpoints",
        sa.Column("size", LedgerInt, autoincrement=False, nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_ledger_checkpoints")),
    )
    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_ledger_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_head")),
    )
    op.execute("INSERT INTO ledger_head (id, size) VALUES (1, 0)")
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_triggers()
    else:
        _postgresql_triggers()


def downgrade() -> None:
    # Dropping a table drops its triggers; on PostgreSQL the trigger functions remain to remove.
    for table in ("ledger_head", "ledger_checkpoints", "ledger_nodes", "ledger_entries"):
        op.drop_table(table)
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS ledger_refuse_change()")
        op.execute("DROP FUNCTION IF EXISTS ledger_head_only_grows()")


def _sqlite_triggers() -> None:
    for table, key in APPEND_ONLY.items():
        message = f"{table} is append-only"
        same_key = " AND ".join(f"{column} = NEW.{column}" for column in key)
        op.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}: UPDATE refused'); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}: DELETE refused'); END"
        )
        # Table and column names are the constants above, not input.
        op.execute(
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "  # noqa: S608
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {same_key}) "
            f"BEGIN SELECT RAISE(ABORT, '{message}: replacing a row refused'); END"
        )
    op.execute(
        "CREATE TRIGGER ledger_head_only_grows BEFORE UPDATE ON ledger_head "
        "WHEN NEW.size < OLD.size OR NEW.id <> OLD.id "
        "BEGIN SELECT RAISE(ABORT, 'ledger_head may only grow'); END"
    )
    op.execute(
        "CREATE TRIGGER ledger_head_no_delete BEFORE DELETE ON ledger_head "
        "BEGIN SELECT RAISE(ABORT, 'ledger_head may only grow: DELETE refused'); END"
    )
    op.execute(
        "CREATE TRIGGER ledger_head_no_replace BEFORE INSERT ON ledger_head "
        "WHEN EXISTS (SELECT 1 FROM ledger_head) "
        "BEGIN SELECT RAISE(ABORT, 'ledger_head may only grow: replacing it refused'); END"
    )


def _postgresql_triggers() -> None:
    # restrict_violation (class 23) surfaces as an IntegrityError, as SQLite's RAISE(ABORT) does.
    op.execute(
        """
        CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'restrict_violation';
        END
        $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION ledger_head_only_grows() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' OR NEW.size < OLD.size OR NEW.id <> OLD.id THEN
                RAISE EXCEPTION 'ledger_head may only grow: % refused', TG_OP
                    USING ERRCODE = 'restrict_violation';
            END IF;
            RETURN NEW;
        END
        $$
        """
    )
    for table in APPEND_ONLY:
        _pg_trigger(table, f"{table}_no_change", "BEFORE UPDATE OR DELETE", "ROW", "ledger_refuse_change")
        _pg_trigger(table, f"{table}_no_truncate", "BEFORE TRUNCATE", "STATEMENT", "ledger_refuse_change")
    _pg_trigger(
        "ledger_head", "ledger_head_only_grows", "BEFORE UPDATE OR DELETE", "ROW", "ledger_head_only_grows"
    )
    _pg_trigger(
        "ledger_head", "ledger_head_no_truncate", "BEFORE TRUNCATE", "STATEMENT", "ledger_refuse_change"
    )


def _pg_trigger(table: str, name: str, when: str, granularity: str, function: str) -> None:
    op.execute(
        f"CREATE TRIGGER {name} {when} ON {table} FOR EACH {granularity} EXECUTE FUNCTION {function}()"
    )
    op.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name}")
