"""holder share links and their access log (certsvc.certificates), activation codes (certsvc.accounts)

Revision ID: 0008
Revises: 0004_verification
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certificate_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=100), nullable=False),
        sa.Column("show_full_name", sa.Boolean(), nullable=False),
        sa.Column("show_id_last4", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_shares_certificate_id_certificates"),
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["holders.id"], name=op.f("fk_certificate_shares_holder_id_holders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_shares")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_certificate_shares_token_sha256")),
    )
    with op.batch_alter_table("certificate_shares", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificate_shares_certificate_id"), ["certificate_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_certificate_shares_holder_id"), ["holder_id"], unique=False)

    op.create_table(
        "share_accesses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("share_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("visitor", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["share_id"],
            ["certificate_shares.id"],
            name=op.f("fk_share_accesses_share_id_certificate_shares"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_accesses")),
    )
    with op.batch_alter_table("share_accesses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_share_accesses_share_id"), ["share_id"], unique=False)

    op.create_table(
        "activation_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_sha256", sa.String(length=64), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["holders.id"], name=op.f("fk_activation_codes_holder_id_holders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activation_codes")),
        sa.UniqueConstraint("code_sha256", name=op.f("uq_activation_codes_code_sha256")),
    )
    with op.batch_alter_table("activation_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activation_codes_holder_id"), ["holder_id"], unique=False)


def downgrade() -> None:
    op.drop_table("activation_codes")
    op.drop_table("share_accesses")
    op.drop_table("certificate_shares")
