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

from sqlalchemy import (
    Column,
    Select,
    and_,
    bindparam,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from certsvc.db.base import Base
from certsvc.db.bulk import insert_rows
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

# The stored hashes of a set of perfect subtrees, leaves (level 0) and inner nodes alike, in one
# statement of one shape whatever the set: compiled once, its IN lists filled in per call. Inner
# nodes are asked for by level IN (...) AND idx IN (...), a superset of the pairs wanted that both
# engines answer from the primary key (a proof needs about 20 pairs, so at most ~400 probes);
# "(level, idx) IN ((…), (…))" made SQLite scan the table: 57 ms a proof at 200,000 entries.
_LOOKUP = union_all(
    select(literal(0).label("level"), _ENTRIES.c.idx, _ENTRIES.c.leaf_hash).where(
        _ENTRIES.c.idx.in_(bindparam("leaves", expanding=True))
    ),
    select(_NODES.c.level, _NODES.c.idx, _NODES.c.hash).where(
        _NODES.c.level.in_(bindparam("levels", expanding=True)),
        _NODES.c.idx.in_(bindparam("indexes", expanding=True)),
    ),
)


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
        insert_rows(
            self._session,
            _ENTRIES,
            [
                {"idx": size + offset, "leaf_hash": leaf, "content": content, "created_at": now}
                for offset, (leaf, content) in enumerate(zip(leaf_hashes, entries, strict=True))
            ],
        )
        insert_rows(
            self._session,
            _NODES,
            [{"level": level, "idx": index, "hash": digest} for level, index, digest in inner_nodes],
        )
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
        """Stored hashes of these perfect subtrees in one query by primary key (a ``merkle.HashLookup``)."""
        if not nodes:
            return {}
        wanted = set(nodes)
        leaves = [node.index for node in wanted if node.level == 0]
        inner = [node for node in wanted if node.level]
        parameters = {
            "leaves": leaves,
            "levels": list({node.level for node in inner}),
            "indexes": list({node.index for node in inner}),
        }
        rows = self._session.connection().execute(_LOOKUP, parameters)
        found = {NodeRef(level, index): bytes(digest) for level, index, digest in rows}
        return {node: digest for node, digest in found.items() if node in wanted}

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
    def iter_entries(self, *, batch: int = STREAM_BATCH) -> Iterator[tuple[int, bytes, bytes]]:
        """(index, stored leaf hash, content) in index order, read in keyset-paginated batches."""
        columns = select(_ENTRIES.c.idx, _ENTRIES.c.leaf_hash, _ENTRIES.c.content)
        yield from self._keyset(columns, _ENTRIES.c.idx, batch)

    def iter_nodes(self, level: int, *, batch: int = STREAM_BATCH) -> Iterator[tuple[int, bytes]]:
        """(index, hash) of the stored nodes of one level, in index order."""
        columns = select(_NODES.c.idx, _NODES.c.hash).where(_NODES.c.level == level)
        yield from self._keyset(columns, _NODES.c.idx, batch)

    def iter_checkpoints(self, *, batch: int = 1_000) -> Iterator[tuple[int, bytes, str]]:
        """(size, stored root, note) in size order."""
        columns = select(_CHECKPOINTS.c.size, _CHECKPOINTS.c.root, _CHECKPOINTS.c.note)
        yield from self._keyset(columns, _CHECKPOINTS.c.size, batch)

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
    def _keyset(self, statement: Select[Any], key: Column[int], batch: int) -> Iterator[Any]:
        """Rows (sort key first) ``batch`` at a time, each batch found through the index, no OFFSET."""
        start = 0
        while True:
            rows = self._session.execute(statement.where(key >= start).order_by(key).limit(batch)).all()
            yield from rows
            if len(rows) < batch:
                return
            start = rows[-1][0] + 1

    def _require_size(self, size: int) -> None:
        current = self.size()
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= current:
            raise LedgerRangeError(f"the ledger has {current} entries; no tree of size {size}")


def _stored_checkpoint(row: LedgerCheckpoint) -> StoredCheckpoint:
    return StoredCheckpoint(row.size, row.root, row.note, row.created_at)
