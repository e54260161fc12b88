"""employers and their API keys, employer users (certsvc.accounts); verification reports
(certsvc.verification)

Revision ID: 0010_employers
Revises: 0009_audit
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_employers"
down_revision = "0009_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "employers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("quota", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employers")),
        sa.UniqueConstraint("uscc", name=op.f("uq_employers_uscc")),
    )
    op.create_table(
        "employer_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_employer_keys_employer_id_employers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer_keys")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_employer_keys_token_sha256")),
    )
    with op.batch_alter_table("employer_keys") as batch:
        batch.create_index(batch.f("ix_employer_keys_employer_id"), ["employer_id"], unique=False)
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("employer_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_users_employer_id"), ["employer_id"], unique=False)
        batch.create_foreign_key(op.f("fk_users_employer_id_employers"), "employers", ["employer_id"], ["id"])
    op.create_table(
        "verification_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_reports")),
        sa.UniqueConstraint("number", name=op.f("uq_verification_reports_number")),
    )


def downgrade() -> None:
    op.drop_table("verification_reports")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("fk_users_employer_id_employers"), type_="foreignkey")
        batch.drop_index(batch.f("ix_users_employer_id"))
        batch.drop_column("employer_id")
    with op.batch_alter_table("employer_keys") as batch:
        batch.drop_index(batch.f("ix_employer_keys_employer_id"))
    op.drop_table("employer_keys")
    op.drop_table("employers")
