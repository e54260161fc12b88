"""The ledger in SQL: append, roots and proofs over stored perfect-subtree hashes.

Every read goes through ``merkle``'s plans, so the store and the pure functions share one
algorithm: a root or proof is O(log n) rows fetched by primary key in one query, never a scan.
An append locks the head row, reads the current frontier (at most log2 n nodes), and bulk-inserts
the new entries and the subtrees they complete, then the signed checkpoint of the new size, all in
the caller's transaction. Sequence numbers come from the head row, so a rolled-back append leaves
no gap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Dialect, Table, and_, insert, or_, select, update
from sqlalchemy.orm import Session

from certsvc.db.base import Base
from certsvc.errors import LedgerRangeError
from certsvc.ledger import merkle
from certsvc.ledger.merkle import NodeRef
from certsvc.ledger.models import HEAD_ROW_ID, LedgerCheckpoint, LedgerEntry, LedgerHead, LedgerNode

CheckpointSigner = Callable[[int, bytes], str]
"""(tree size, root hash) -> signed checkpoint note text."""

_ENTRIES = Base.metadata.tables[LedgerEntry.__tablename__]
_NODES = Base.metadata.tables[LedgerNode.__tablename__]
_CHECKPOINTS = Base.metadata.tables[LedgerCheckpoint.__tablename__]
STREAM_BATCH = 10_000


@dataclass(frozen=True, slots=True)
class StoredEntry:
    index: int
    leaf_hash: bytes
    content: bytes
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    size: int
    root: bytes
    note: str
    created_at: dt.datetime


class LedgerStore:
    """The ledger tables seen through one session (and its transaction)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # --- writing ---------------------------------------------------------------------------------
    def lock(self) -> int:
        """Take the append lock (the head row, FOR UPDATE) and return the current size.

        On SQLite the writer's BEGIN IMMEDIATE already serialises writers; FOR UPDATE is omitted
        there by SQLAlchemy.
        """
        statement = select(LedgerHead.size).where(LedgerHead.id == HEAD_ROW_ID).with_for_update()
        return int(self._session.execute(statement).scalar_one())

    def append(self, entries: Sequence[bytes], *, now: dt.datetime, sign_checkpoint: CheckpointSigner) -> int:
        """Append ``entries`` and store the signed checkpoint of the new size; return the first index."""
        size = self.lock()
        if not entries:
            return size
        leaf_hashes = [merkle.leaf_hash(content) for content in entries]
        inner_nodes, root = merkle.append_leaves(size, leaf_hashes, self.lookup)
        new_size = size + len(entries)
        created_at = self._bind_value(_ENTRIES.c.created_at, now)
        self._bulk_insert(
            _ENTRIES,
            ("idx", "leaf_hash", "content", "created_at"),
            [
                (size + offset, leaf, content, created_at)
                for offset, (leaf, content) in enumerate(zip(leaf_hashes, entries, strict=True))
            ],
        )
        self._bulk_insert(_NODES, ("level", "idx", "hash"), inner_nodes)
        self._session.execute(update(LedgerHead).where(LedgerHead.id == HEAD_ROW_ID).values(size=new_size))
        self._session.execute(
            insert(_CHECKPOINTS),
            [{"size": new_size, "root": root, "note": sign_checkpoint(new_size, root), "created_at": now}],
        )
        return size

    # --- reading ---------------------------------------------------------------------------------
    def size(self) -> int:
        """Entries committed (as seen by this transaction)."""
        return int(
            self._session.execute(select(LedgerHead.size).where(LedgerHead.id == HEAD_ROW_ID)).scalar_one()
        )

    def lookup(self, nodes: Sequence[NodeRef]) -> dict[NodeRef, bytes]:
        """Stored hashes of these perfect subtrees in one query by primary key (a ``merkle.HashLookup``).

        The SQL is written out rather than built as a SQLAlchemy expression: a proof's node set
        changes shape with every index, so an expression would be rebuilt and recompiled per
        call, which measured at over 1 ms of a 2 ms budget for a proof at 1,000,000 entries.
        """
        leaves = [node.index for node in nodes if node.level == 0]
        inner = [node for node in nodes if node.level]
        parts: list[str] = []
        parameters: list[int] = []
        # Only placeholders are interpolated into the SQL; every value is a bound parameter.
        if leaves:
            marks = ", ".join("?" * len(leaves))
            parts.append(f"SELECT 0, idx, leaf_hash FROM ledger_entries WHERE idx IN ({marks})")  # noqa: S608
            parameters += leaves
        if inner:
            match = " OR ".join(["(level = ? AND idx = ?)"] * len(inner))
            parts.append(f"SELECT level, idx, hash FROM ledger_nodes WHERE {match}")  # noqa: S608
            parameters += [number for node in inner for number in (node.level, node.index)]
        if not parts:
            return {}
        rows = self._fetch(" UNION ALL ".join(parts), parameters)
        return {NodeRef(level, idx): bytes(digest) for level, idx, digest in rows}

    def root(self, size: int) -> bytes:
        self._require_size(size)
        return merkle.root_from(size, self.lookup)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """Audit path of entry ``index`` in the tree of the first ``size`` entries."""
        self._require_size(size)
        return merkle.inclusion_proof_from(index, size, self.lookup)

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        """Proof that the tree of ``second`` entries extends the tree of ``first`` entries."""
        self._require_size(second)
        return merkle.consistency_proof_from(first, second, self.lookup)

    def entry(self, index: int) -> StoredEntry | None:
        row = self._session.get(LedgerEntry, index) if 0 <= index < self.size() else None
        if row is None:
            return None
        return StoredEntry(row.idx, row.leaf_hash, row.content, row.created_at)

    def checkpoint(self, size: int) -> StoredCheckpoint | None:
        row = self._session.get(LedgerCheckpoint, size) if 0 <= size <= self.size() else None
        return None if row is None else _stored_checkpoint(row)

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        row = self._session.scalars(
            select(LedgerCheckpoint).order_by(LedgerCheckpoint.size.desc()).limit(1)
        ).first()
        return None if row is None else _stored_checkpoint(row)

    # --- streaming, for the audit ----------------------------------------------------------------
    # Plain driver queries: at a million rows, SQLAlchemy's result processing cost more than the
    # database's work, and these rows are only ints and bytes.
    def iter_entries(self, *, batch: int = STREAM_BATCH) -> Iterator[tuple[int, bytes, bytes]]:
        """(index, stored leaf hash, content) in index order, read in keyset-paginated batches."""
        sql = "SELECT idx, leaf_hash, content FROM ledger_entries WHERE idx >= ? ORDER BY idx LIMIT ?"
        yield from self._keyset(sql, (), batch)

    def iter_nodes(self, level: int, *, batch: int = STREAM_BATCH) -> Iterator[tuple[int, bytes]]:
        """(index, hash) of the stored nodes of one level, in index order."""
        sql = "SELECT idx, hash FROM ledger_nodes WHERE level = ? AND idx >= ? ORDER BY idx LIMIT ?"
        yield from self._keyset(sql, (level,), batch)

    def iter_checkpoints(self, *, batch: int = 1_000) -> Iterator[tuple[int, bytes, str]]:
        """(size, stored root, note) in size order."""
        sql = "SELECT size, root, note FROM ledger_checkpoints WHERE size >= ? ORDER BY size LIMIT ?"
        yield from self._keyset(sql, (), batch)

    def node_beyond(self, counts: Mapping[int, int]) -> NodeRef | None:
        """A stored node outside the expected ``counts`` (level -> number of nodes), if any."""
        top = max(counts, default=0)
        condition = or_(
            LedgerNode.level > top,
            LedgerNode.level < 1,
            *(and_(LedgerNode.level == level, LedgerNode.idx >= count) for level, count in counts.items()),
            *(LedgerNode.level == level for level in range(1, top) if level not in counts),
        )
        row = self._session.execute(
            select(LedgerNode.level, LedgerNode.idx).where(condition).limit(1)
        ).first()
        return None if row is None else NodeRef(row[0], row[1])

    # --- helpers ---------------------------------------------------------------------------------
    def _bulk_insert(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Insert many rows straight through the driver: COPY on PostgreSQL, executemany on SQLite.

        Measured on 20,000 entries, SQLAlchemy's per-value parameter processing cost more than
        the database itself (SQLite 0.7 s -> 0.2 s, PostgreSQL 1.0 s -> 0.3 s); the values here
        are plain ints and bytes plus one pre-processed timestamp, so nothing is lost by skipping it.
        """
        if not rows:
            return
        column_list = ", ".join(columns)
        driver_connection = self._session.connection().connection.driver_connection
        assert driver_connection is not None
        cursor = driver_connection.cursor()
        try:
            if self._dialect.name == "postgresql":
                with cursor.copy(f"COPY {table.name} ({column_list}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            elif self._dialect.name == "sqlite":
                placeholders = ", ".join("?" for _ in columns)
                # Identifiers come from our own table metadata; values are bound parameters.
                sql = f"INSERT INTO {table.name} ({column_list}) VALUES ({placeholders})"  # noqa: S608
                cursor.executemany(sql, rows)
            else:  # pragma: no cover - certsvc supports SQLite and PostgreSQL only
                self._session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        finally:
            cursor.close()

    def _bind_value(self, column: Column[Any], value: Any) -> Any:
        """``value`` as the driver receives it for ``column`` (e.g. UTCDateTime on SQLite)."""
        processor = column.type.dialect_impl(self._dialect).bind_processor(self._dialect)
        return processor(value) if processor else value

    @property
    def _dialect(self) -> Dialect:
        return self._session.get_bind().dialect

    def _keyset(self, sql: str, parameters: tuple[int, ...], batch: int) -> Iterator[Any]:
        """Rows (sort key first) ``batch`` at a time, each batch found through the index, no OFFSET."""
        start = 0
        while True:
            rows = self._fetch(sql, (*parameters, start, batch))
            yield from rows
            if len(rows) < batch:
                return
            start = rows[-1][0] + 1

    def _fetch(self, sql: str, parameters: Sequence[int]) -> list[Any]:
        """Rows (plain tuples) of ``sql``, written with ``?`` placeholders, in this transaction."""
        driver_connection = self._session.connection().connection.driver_connection
        assert driver_connection is not None
        if self._dialect.paramstyle != "qmark":
            sql = sql.replace("?", "%s")
        cursor = driver_connection.cursor()
        try:
            cursor.execute(sql, tuple(parameters))
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def _require_size(self, size: int) -> None:
        current = self.size()
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= current:
            raise LedgerRangeError(f"the ledger has {current} entries; no tree of size {size}")


def _stored_checkpoint(row: LedgerCheckpoint) -> StoredCheckpoint:
    return StoredCheckpoint(row.size, row.root, row.note, row.created_at)
