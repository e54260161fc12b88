"""acquisition routes (DESIGN §2 取得方式): each certificate's route, its route's facts, the date the
title was obtained (取得时间) and the province's supervising body; the review meeting date only for
reviewed titles (owned by certsvc.certificates)

Certificates issued before keep their meaning: route 评审, obtained on their confirmation date (as
they were printed and signed), supervised by their authority's province as the registry has it.

Revision ID: 0008_routes
Revises: 0007_registry
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_routes"
down_revision = "0007_registry"
branch_labels = None
depends_on = None

_SUPERVISOR_OF_AUTHORITY = sa.text(
    "UPDATE certificates SET supervisor = ("
    " SELECT p.supervisor FROM registry_policies p JOIN authorities a"
    " ON p.region = substr(COALESCE(a.region, a.code), 1, 2) || '0000'"
    " WHERE a.code = certificates.authority_code)"
)


def upgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(
            sa.Column("route", sa.String(length=8), server_default=sa.text("'评审'"), nullable=False)
        )
        batch.add_column(sa.Column("acquisition", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("obtained_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("supervisor", sa.String(length=200), nullable=True))
        batch.alter_column("meeting_date", existing_type=sa.Date(), nullable=True)
    op.execute("UPDATE certificates SET obtained_date = confirmation_date")
    op.execute(_SUPERVISOR_OF_AUTHORITY)
    with op.batch_alter_table("certificates") as batch:
        batch.alter_column("obtained_date", existing_type=sa.Date(), nullable=False)
    _recreate_active_title_index()


def downgrade() -> None:
    # The old schema has a meeting for every title: titles of other routes get their confirmation
    # date there, and lose their route (they would read as reviewed).
    op.execute("UPDATE certificates SET meeting_date = confirmation_date WHERE meeting_date IS NULL")
    with op.batch_alter_table("certificates") as batch:
        batch.alter_column("meeting_date", existing_type=sa.Date(), nullable=False)
        batch.drop_column("supervisor")
        batch.drop_column("obtained_date")
        batch.drop_column("acquisition")
        batch.drop_column("route")
    _recreate_active_title_index()


def _recreate_active_title_index() -> None:
    """SQLite's batch mode rebuilds the table; the partial unique index of rule 8 is made anew so
    its WHERE clause survives on every engine."""
    op.drop_index("uq_certificates_active_title", table_name="certificates", if_exists=True)
    op.create_index(
        "uq_certificates_active_title",
        "certificates",
        ["holder_id", "series", "specialty", "title"],
        unique=True,
        sqlite_where=sa.text("status <> 'revoked'"),
        postgresql_where=sa.text("status <> 'revoked'"),
    )
