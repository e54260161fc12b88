"""One SQLAlchemy Core select on a DBAPI connection kept for reads: the registry read of a verification.

Every public verification reads one row. Through a ``Session`` or even a Core ``Connection`` the
bookkeeping around that row (transaction begin/rollback events, result metadata, ORM identity
map) costs several times the query itself on SQLite; so did checking a connection out of the pool
and back in for each row (and, on PostgreSQL, the pool's ping on checkout, a second round trip).
Here the statement is compiled once per dialect with SQLAlchemy, its column types' own result
processors are kept, and each thread reads through one connection of its own, detached from the
pool, in autocommit mode: every SELECT is then its own snapshot on every engine, so a revocation
committed a moment ago is seen, and no transaction is left open between requests. A connection
that fails is dropped and the read tried once on a new one (a restarted server costs no verdict);
``engine.dispose()`` closes them all. Errors come out as ``RegistryUnavailable``.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import os
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Engine, Select, event
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
        raw = _fetch_one(_reader(engine), compiled, arguments)
    except compiled.errors:
        # A connection kept between requests may have died with its server: one more try on a new one.
        _drop_reader(engine)
        try:
            raw = _fetch_one(_reader(engine), compiled, arguments)
        except compiled.errors as error:
            _drop_reader(engine)
            raise RegistryUnavailable(type(error).__name__) from error
    if raw is None:
        return None
    values = list(raw)
    for position, process in compiled.processors:
        values[position] = process(values[position])
    return compiled.record._make(values)


def _fetch_one(connection: Any, compiled: _Compiled, arguments: Any) -> Any:
    cursor = connection.cursor()
    try:
        cursor.execute(compiled.sql, arguments)
        return cursor.fetchone()
    finally:
        cursor.close()


# engine -> thread id -> that thread's read connection (a DBAPI connection detached from the pool)
_readers: weakref.WeakKeyDictionary[Engine, dict[int, Any]] = weakref.WeakKeyDictionary()
_readers_lock = threading.Lock()


def _reader(engine: Engine) -> Any:
    by_thread = _readers.get(engine)
    thread = threading.get_ident()
    if by_thread is not None:
        connection = by_thread.get(thread)
        if connection is not None:
            return connection
    connection = engine.raw_connection()
    if engine.dialect.name != "sqlite":
        # A fresh snapshot per SELECT, and no transaction left open between requests. (certsvc's
        # sqlite3 connections already run without implicit transactions: ``isolation_level = None``
        # is set on connect.)
        connection.driver_connection.autocommit = True  # type: ignore[union-attr]
    connection.detach()
    with _readers_lock:
        if engine not in _readers:
            _readers[engine] = {}
            event.listen(engine, "engine_disposed", _close_readers)
        _readers[engine][thread] = connection
    return connection


def _drop_reader(engine: Engine) -> None:
    with _readers_lock:
        connection = _readers.get(engine, {}).pop(threading.get_ident(), None)
    _close_quietly(connection)


def _close_readers(engine: Engine) -> None:
    with _readers_lock:
        connections = list(_readers.pop(engine, {}).values())
    for connection in connections:
        _close_quietly(connection)


def _close_quietly(connection: Any) -> None:
    # A connection that is already broken has nothing left to close.
    with contextlib.suppress(Exception):
        if connection is not None:
            connection.close()


def _forget_parent_readers() -> None:
    # A forked child must not talk over its parent's sockets or SQLite handles: it opens its own.
    _readers.clear()


os.register_at_fork(after_in_child=_forget_parent_readers)


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
