"""Engine and sessions.

Writers and readers get different transactions on SQLite: a writer starts with
``BEGIN IMMEDIATE`` so that two processes serialise at the start of the transaction (a deferred
transaction that later tries to write would fail with SQLITE_BUSY instead of waiting), while readers
use plain ``BEGIN`` so that verification never waits for an import. On PostgreSQL the ledger takes
its own lock row inside the write transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

_WRITE_OPTION = "certsvc_write"
# A connection that runs one SELECT and closes: on SQLite it needs no BEGIN, the statement is its
# own snapshot (PostgreSQL's driver begins implicitly in any case).
SINGLE_SELECT_OPTION = "certsvc_single_select"


class Database:
    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 5) -> None:
        self.url = url
        is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if is_sqlite:
            kwargs["connect_args"] = {"timeout": 60, "check_same_thread": False}
        else:
            kwargs["pool_size"] = pool_size
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **kwargs)
        if is_sqlite:
            _install_sqlite_transaction_control(self.engine)
        self._read = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            bind=self.engine.execution_options(**{_WRITE_OPTION: True}), expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work; rolled back at the end."""
        with self._read() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction committed on success, rolled back on any error."""
        with self._write() as session, session.begin():
            yield session

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


SQLITE_PAGE_SIZE = 8192


def prepare_new_sqlite_file(dbapi_connection: Any) -> None:
    """Settings a SQLite database file gets when it is created; an existing file keeps its own.

    Page size: a certificate version row (signed credential and QR payload) is ~2.1 KB, so a 4 KiB
    page (SQLite's default) held one, half empty, and an 8 KiB page holds three: an import writes
    a quarter fewer bytes, to the WAL and again to the database file. Whoever creates the file
    calls this first: the migrations (``certsvc init``) and every connection of ``Database``.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
    cursor.close()


def _install_sqlite_transaction_control(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event decide how each transaction starts.
        dbapi_connection.isolation_level = None
        prepare_new_sqlite_file(dbapi_connection)  # before WAL mode fixes the page size
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get(SINGLE_SELECT_OPTION, False):
            return
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(_WRITE_OPTION, False) else "BEGIN")
