"""holder facts per certificate version (owned by certsvc.certificates; issue 16, ADR 0011)

Each certificate version keeps the holder's name as its issuing authority registered it, so another
authority's import or correction can no longer change what this certificate shows or verifies
against. Existing versions are filled from today's holder rows (what they verified against until now).

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


def downgrade() -> None:
    with op.batch_alter_table("certificate_versions", schema=None) as batch_op:
        batch_op.drop_column("holder_name")
