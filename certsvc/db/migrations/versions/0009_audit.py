"""action log (certsvc.audit) and proposals of the two-person rule (certsvc.certificates), issue 20

Revision ID: 0009_audit
Revises: 0008_routes

The action log is append-only like the ledger: UPDATE and DELETE are refused by trigger on both
engines (PostgreSQL also refuses TRUNCATE; its triggers are ``ENABLE ALWAYS``), so a row, once
written in the transaction of the change it records, stays as written. Proposals change state
(pending → approved, rejected or withdrawn) and are an ordinary table; at most one proposal per
certificate is pending (a partial unique index).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_audit"
down_revision = "0008_routes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "action_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("authority_code", sa.String(length=32), nullable=True),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("actor_ref", sa.String(length=100), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_authority", sa.String(length=32), nullable=True),
        sa.Column("staff_pseudonym", sa.String(length=16), nullable=True),
        sa.Column("client_network", sa.String(length=64), nullable=False),
        sa.Column("client_agent", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("doc_no", sa.String(length=100), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("ledger_index", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_log")),
    )
    op.create_index(op.f("ix_action_log_at"), "action_log", ["at"])
    op.create_index(op.f("ix_action_log_action"), "action_log", ["action"])
    op.create_index(op.f("ix_action_log_target"), "action_log", ["target"])
    op.create_index(op.f("ix_action_log_actor_user_id"), "action_log", ["actor_user_id"])
    op.create_index("ix_action_log_authority_at", "action_log", ["authority_code", "at"])

    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_code", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("doc_no", sa.String(length=100), nullable=True),
        sa.Column("effective", sa.Date(), nullable=True),
        sa.Column("kid", sa.String(length=128), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("file_rows", sa.Integer(), nullable=True),
        sa.Column("file_data", sa.LargeBinary(), nullable=True),
        sa.Column("file_binding", sa.String(length=64), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("proposed_by_user", sa.Integer(), nullable=False),
        sa.Column("proposed_by", sa.String(length=100), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_user", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("outcome", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["authority_code"], ["authorities.code"], name=op.f("fk_proposals_authority_code_authorities")
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"], ["certificates.id"], name=op.f("fk_proposals_certificate_id_certificates")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_user"], ["users.id"], name=op.f("fk_proposals_proposed_by_user_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_user"], ["users.id"], name=op.f("fk_proposals_decided_by_user_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
    )
    op.create_index("ix_proposals_authority_status", "proposals", ["authority_code", "status"])
    op.create_index(
        "uq_proposals_pending_certificate",
        "proposals",
        ["certificate_id"],
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_triggers()
    else:
        _postgresql_triggers()


def downgrade() -> None:
    op.drop_index("uq_proposals_pending_certificate", table_name="proposals")
    op.drop_index("ix_proposals_authority_status", table_name="proposals")
    op.drop_table("proposals")
    op.drop_table("action_log")  # its triggers go with it
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS action_log_refuse_change()")


def _sqlite_triggers() -> None:
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER action_log_no_{operation.lower()} BEFORE {operation} ON action_log "
            f"BEGIN SELECT RAISE(ABORT, 'action_log is append-only: {operation} refused'); END"
        )
    # INSERT OR REPLACE deletes the conflicting row without a DELETE trigger firing.
    op.execute(
        "CREATE TRIGGER action_log_no_replace BEFORE INSERT ON action_log "
        "WHEN EXISTS (SELECT 1 FROM action_log WHERE id = NEW.id) "
        "BEGIN SELECT RAISE(ABORT, 'action_log is append-only: replacing a row refused'); END"
    )


def _postgresql_triggers() -> None:
    op.execute(
        """
        CREATE FUNCTION action_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'action_log is append-only: % refused', TG_OP
                USING ERRCODE = 'restrict_violation';
        END
        $$
        """
    )
    for name, when, granularity in (
        ("action_log_no_change", "BEFORE UPDATE OR DELETE", "ROW"),
        ("action_log_no_truncate", "BEFORE TRUNCATE", "STATEMENT"),
    ):
        op.execute(
            f"CREATE TRIGGER {name} {when} ON action_log FOR EACH {granularity} "
            "EXECUTE FUNCTION action_log_refuse_change()"
        )
        op.execute(f"ALTER TABLE action_log ENABLE ALWAYS TRIGGER {name}")
