"""The registry read of a verification: one Core select through the database's engine (one per
verification, or one per chunk of a bulk check's numbers).

Each read checks a connection out of the engine's pool, runs the one statement (its own snapshot)
and gives the connection back, so every read sees what was committed before it (a revocation a
moment ago) and no transaction stays open between requests. Errors come
out as ``RegistryUnavailable``: the verdict then says the registry could not be read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, Select
from sqlalchemy.exc import SQLAlchemyError

from certsvc.db.session import SINGLE_SELECT_OPTION


class RegistryUnavailable(Exception):
    """The database could not be read (down, locked too long, missing table …)."""


def first_row(engine: Engine, statement: Select[Any], parameters: Mapping[str, Any]) -> Any | None:
    """The first row of ``statement`` (attributes by column label), or None."""
    try:
        with engine.connect() as connection:
            connection.execution_options(**{SINGLE_SELECT_OPTION: True})
            return connection.execute(statement, dict(parameters)).first()
    except SQLAlchemyError as error:
        raise RegistryUnavailable(type(error).__name__) from error


def all_rows(engine: Engine, statement: Select[Any], parameters: Mapping[str, Any]) -> list[Any]:
    """Every row of ``statement``: one statement, one snapshot, like ``first_row``."""
    try:
        with engine.connect() as connection:
            connection.execution_options(**{SINGLE_SELECT_OPTION: True})
            return list(connection.execute(statement, dict(parameters)).all())
    except SQLAlchemyError as error:
        raise RegistryUnavailable(type(error).__name__) from error
