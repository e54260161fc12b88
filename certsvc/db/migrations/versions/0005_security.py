"""holder facts per certificate version; sign-in throttles per account and client (issue 16, ADR 0011)

Each certificate version keeps the holder's name as its issuing authority registered it, so another
authority's import or correction can no longer change what this certificate shows or verifies
against. Existing versions are filled from today's holder rows (what they verified against until now).

``login_throttles`` (owned by certsvc.accounts) counts failed sign-ins per (account, client address).

Revision ID: 0005
Revises: 0004_verification
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004_verification"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("certificate_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holder_name", sa.String(length=100), nullable=True))
    op.execute(
        "UPDATE certificate_versions SET holder_name = (SELECT holders.name FROM holders "
        "JOIN certificates ON certificates.holder_id = holders.id "
        "WHERE certificates.id = certificate_versions.certificate_id)"
    )
    with op.batch_alter_table("certificate_versions", schema=None) as batch_op:
        batch_op.alter_column("holder_name", existing_type=sa.String(length=100), nullable=False)
    op.create_table(
        "login_throttles",
        sa.Column("key_sha256", sa.String(length=64), nullable=False),
        sa.Column("login_sha256", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_sha256", name=op.f("pk_login_throttles")),
    )
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_throttles_login_sha256"), ["login_sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_throttles_updated_at"), ["updated_at"], unique=False)


def downgrade() -> None:
    op.drop_table("login_throttles")
    with op.batch_alter_table("certificate_versions", schema=None) as batch_op:
        batch_op.drop_column("holder_name")
