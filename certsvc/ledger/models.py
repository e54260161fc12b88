"""Ledger tables: entries, perfect-subtree hashes, signed checkpoints and the one-row head.

Entries, nodes and checkpoints are append-only: migration 0002 installs triggers refusing UPDATE
and DELETE (and TRUNCATE, and SQLite's ``INSERT OR REPLACE``). Only the head row changes, and
only upwards; it is also the append lock on PostgreSQL.

Level-0 hashes (the leaves) live in ``ledger_entries.leaf_hash`` and are not repeated in
``ledger_nodes``, which holds every complete subtree of level 1 and up: about one node row per
entry instead of two, which halves the write cost of an append.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, Integer, LargeBinary, SmallInteger, Text
from sqlalchemy.orm import Mapped, mapped_column

from certsvc.db.base import Base, UTCDateTime

# SQLite only treats a column declared exactly "INTEGER PRIMARY KEY" as the rowid: the fast path.
LedgerInt = BigInteger().with_variant(Integer(), "sqlite")

HEAD_ROW_ID = 1


class LedgerEntry(Base):
    """Entry ``idx`` of the log: its canonical bytes and RFC 6962 leaf hash."""

    __tablename__ = "ledger_entries"

    idx: Mapped[int] = mapped_column(LedgerInt, primary_key=True, autoincrement=False)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class LedgerNode(Base):
    """The hash of the perfect subtree at ``level`` ≥ 1 covering leaves [idx·2^level, (idx+1)·2^level)."""

    __tablename__ = "ledger_nodes"
    __table_args__ = ({"sqlite_with_rowid": False},)

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(LedgerInt, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerCheckpoint(Base):
    """The signed checkpoint (C2SP signed note) of the tree of ``size`` entries."""

    __tablename__ = "ledger_checkpoints"

    size: Mapped[int] = mapped_column(LedgerInt, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class LedgerHead(Base):
    """The one row holding the current tree size; locked by every append."""

    __tablename__ = "ledger_head"
    __table_args__ = (CheckConstraint(f"id = {HEAD_ROW_ID}", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
