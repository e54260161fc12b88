"""The registry read of a verification: one Core select through the database's engine.

Each read checks a connection out of the engine's pool, runs the statement in its own short
transaction and gives the connection back (rolled back), so every read sees what was committed
before it (a revocation a moment ago) and no transaction stays open between requests. Errors come
out as ``RegistryUnavailable``: the verdict then says the registry could not be read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, Select
from sqlalchemy.exc import SQLAlchemyError


class RegistryUnavailable(Exception):
    """The database could not be read (down, locked too long, missing table …)."""


def first_row(engine: Engine, statement: Select[Any], parameters: Mapping[str, Any]) -> Any | None:
    """The first row of ``statement`` (attributes by column label), or None."""
    try:
        with engine.connect() as connection:
            return connection.execute(statement, dict(parameters)).first()
    except SQLAlchemyError as error:
        raise RegistryUnavailable(type(error).__name__) from error
