"""Import every models module so ``Base.metadata`` knows every table (alembic, tests)."""

from __future__ import annotations

import certsvc.accounts.models
import certsvc.audit.models
import certsvc.certificates.models
import certsvc.ledger.models
import certsvc.registry.models
import certsvc.verification.models  # noqa: F401 - imported for the tables they declare
from certsvc.db.base import Base


def load_all() -> type[Base]:
    return Base
