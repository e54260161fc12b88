"""aggregate verification counters (owned by certsvc.verification)

Revision ID: 0004_verification
Revises: 0003_accounts
"""

from __future__ import annotations

revision = "0004_verification"
down_revision = "0003_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
