"""Import every models module so ``Base.metadata`` knows every table (alembic, tests)."""

from __future__ import annotations

import importlib

from certsvc.db.base import Base

MODEL_MODULES = (
    "certsvc.registry.models",
    "certsvc.certificates.models",
    "certsvc.ledger.models",
    "certsvc.accounts.models",
    "certsvc.verification.models",
)


def load_all() -> type[Base]:
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as error:
            # A feature package without tables yet is fine; a broken import inside one is not.
            if error.name is None or not name.startswith(error.name):
                raise
    return Base
