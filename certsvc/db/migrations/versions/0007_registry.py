"""registry of DESIGN §2 (policies, grants, committee organisation, commissions), integrity
records, and rule 8's uniqueness by series, specialty and title (owned by certsvc.registry and
certsvc.certificates)

Revision ID: 0007_registry
Revises: 0006_holders
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_registry"
down_revision = "0006_holders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_policies",
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("supervisor", sa.String(length=200), nullable=True),
        sa.Column("committee_minimums", sa.JSON(), nullable=False),
        sa.Column("adjustable", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("region", name=op.f("pk_registry_policies")),
    )
    with op.batch_alter_table("authorities") as batch:
        batch.add_column(sa.Column("region", sa.String(length=6), nullable=True))
        batch.add_column(sa.Column("grants", sa.JSON(), nullable=True))
    with op.batch_alter_table("committee_registrations") as batch:
        batch.add_column(sa.Column("registered_by", sa.String(length=32), nullable=True))
        batch.add_column(
            sa.Column("confirms_own_results", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("specialty", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column(
                "organisation", sa.String(length=16), server_default=sa.text("'series'"), nullable=False
            )
        )
        batch.add_column(sa.Column("size_adjustment", sa.JSON(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_committee_registrations_registered_by_authorities"),
            "authorities",
            ["registered_by"],
            ["code"],
        )
    op.create_table(
        "commissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_code", sa.String(length=32), nullable=False),
        sa.Column("committee_code", sa.String(length=64), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("letter", sa.String(length=100), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_code"], ["authorities.code"], name=op.f("fk_commissions_authority_code_authorities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commissions")),
        sa.UniqueConstraint(
            "authority_code", "committee_code", "letter", name=op.f("uq_commissions_authority_code")
        ),
    )
    op.create_index(op.f("ix_commissions_authority_code"), "commissions", ["authority_code"])
    op.create_index(op.f("ix_commissions_committee_code"), "commissions", ["committee_code"])
    op.create_table(
        "integrity_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_index", sa.String(length=64), nullable=False),
        sa.Column("authority_code", sa.String(length=32), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=True),
        sa.Column("doc_no", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("runs_until", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_doc_no", sa.String(length=100), nullable=True),
        sa.Column("ended_by", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_code"],
            ["authorities.code"],
            name=op.f("fk_integrity_records_authority_code_authorities"),
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_integrity_records_certificate_id_certificates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_records")),
    )
    op.create_index(op.f("ix_integrity_records_id_index"), "integrity_records", ["id_index"])
    op.create_index(op.f("ix_integrity_records_authority_code"), "integrity_records", ["authority_code"])
    # Rule 8: the same title in another specialty or series (多评同级) may be held side by side.
    op.drop_index("uq_certificates_active_title", table_name="certificates")
    op.create_index(
        "uq_certificates_active_title",
        "certificates",
        ["holder_id", "series", "specialty", "title"],
        unique=True,
        sqlite_where=sa.text("status <> 'revoked'"),
        postgresql_where=sa.text("status <> 'revoked'"),
    )


def downgrade() -> None:
    op.drop_index("uq_certificates_active_title", table_name="certificates")
    op.create_index(
        "uq_certificates_active_title",
        "certificates",
        ["holder_id", "title"],
        unique=True,
        sqlite_where=sa.text("status <> 'revoked'"),
        postgresql_where=sa.text("status <> 'revoked'"),
    )
    op.drop_index(op.f("ix_integrity_records_authority_code"), table_name="integrity_records")
    op.drop_index(op.f("ix_integrity_records_id_index"), table_name="integrity_records")
    op.drop_table("integrity_records")
    op.drop_index(op.f("ix_commissions_committee_code"), table_name="commissions")
    op.drop_index(op.f("ix_commissions_authority_code"), table_name="commissions")
    op.drop_table("commissions")
    with op.batch_alter_table("committee_registrations") as batch:
        batch.drop_constraint(
            op.f("fk_committee_registrations_registered_by_authorities"), type_="foreignkey"
        )
        batch.drop_column("size_adjustment")
        batch.drop_column("organisation")
        batch.drop_column("specialty")
        batch.drop_column("confirms_own_results")
        batch.drop_column("registered_by")
    with op.batch_alter_table("authorities") as batch:
        batch.drop_column("grants")
        batch.drop_column("region")
    op.drop_table("registry_policies")
