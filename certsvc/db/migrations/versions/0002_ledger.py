"""ledger tables and immutability triggers (owned by certsvc.ledger)

Revision ID: 0002_ledger
Revises: 0001_core
"""

from __future__ import annotations

revision = "0002_ledger"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
