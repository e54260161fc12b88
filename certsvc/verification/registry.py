"""One SQLAlchemy Core select, run on a pooled DBAPI connection: the registry read of a verification.

Every public verification reads one row. Through a ``Session`` or even a Core ``Connection`` the
bookkeeping around that row (transaction begin/rollback events, result metadata, ORM identity
map) costs several times the query itself on SQLite. Here the statement is compiled once per
dialect with SQLAlchemy, its column types' own result processors are kept, and each lookup is a
pool checkout, one ``execute``/``fetchone`` and a checkin. A single SELECT reads one consistent
snapshot on every engine, so no explicit transaction is needed; on PostgreSQL the pool's
reset-on-return ends the implicit one. Errors come out as ``RegistryUnavailable``.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Engine, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import SQLAlchemyError


class RegistryUnavailable(Exception):
    """The database could not be read (down, locked too long, missing table …)."""


@dataclasses.dataclass(frozen=True)
class _Compiled:
    sql: str
    positions: tuple[str, ...] | None  # bind names in order, for positional paramstyles
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column position, type's result processor)
    record: Any  # a namedtuple class: fields by the statement's column labels
    errors: tuple[type[Exception], ...]  # what a failed read raises: SQLAlchemy's and the DBAPI's


_compiled: dict[tuple[int, type[Dialect], str], _Compiled] = {}
_compiled_lock = threading.Lock()


def first_row(engine: Engine, statement: Select[Any], parameters: Mapping[str, Any]) -> Any | None:
    """The first row of ``statement`` as a named tuple (attributes by column label), or None.

    ``statement`` must live as long as the process (a module constant): compilations are cached
    by its identity.
    """
    compiled = _compile(statement, engine.dialect)
    arguments: Any = (
        parameters if compiled.positions is None else tuple(parameters[name] for name in compiled.positions)
    )
    try:
        connection = engine.raw_connection()
    except compiled.errors as error:
        raise RegistryUnavailable(type(error).__name__) from error
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(compiled.sql, arguments)
            raw = cursor.fetchone()
        finally:
            cursor.close()
    except compiled.errors as error:
        # The connection may be broken (server restarted): the pool must not hand it out again.
        connection.invalidate(error)
        raise RegistryUnavailable(type(error).__name__) from error
    finally:
        connection.close()
    if raw is None:
        return None
    values = list(raw)
    for position, process in compiled.processors:
        values[position] = process(values[position])
    return compiled.record._make(values)


def _compile(statement: Select[Any], dialect: Dialect) -> _Compiled:
    key = (id(statement), type(dialect), dialect.paramstyle)
    compiled = _compiled.get(key)
    if compiled is None:
        with _compiled_lock:
            compiled = _compiled[key] = _build(statement, dialect)
    return compiled


def _build(statement: Select[Any], dialect: Dialect) -> _Compiled:
    sql = statement.compile(dialect=dialect)
    columns = list(statement.selected_columns)
    processing = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]
    processors = tuple((position, process) for position, process in enumerate(processing) if process)
    names = [str(column.key) for column in columns]
    return _Compiled(
        sql=sql.string,
        positions=tuple(sql.positiontup or ()) if sql.positional else None,
        processors=processors,
        record=collections.namedtuple("RegistryRow", names),
        errors=_read_errors(dialect),
    )


def _read_errors(dialect: Dialect) -> tuple[type[Exception], ...]:
    dbapi = getattr(dialect, "loaded_dbapi", None) or getattr(dialect, "dbapi", None)
    error = getattr(dbapi, "Error", None)
    if isinstance(error, type) and issubclass(error, Exception):
        return (SQLAlchemyError, error)
    return (SQLAlchemyError,)
