"""The one bulk insert (``certsvc.db.bulk.insert_rows``) on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from certsvc.certificates.models import Holder
from certsvc.db.bulk import insert_rows
from certsvc.db.session import Database

CREATED = dt.datetime(2026, 12, 6, 5, 0, tzinfo=dt.UTC)


def _holder(index: int, **changes: object) -> dict[str, object]:
    # Members deliberately in an order unlike the table's: the insert must place them by name.
    row: dict[str, object] = {
        "created_at": CREATED,
        "sex": "F" if index % 2 else "M",
        "birth_date": dt.date(1980, 1, 1) + dt.timedelta(days=index),
        "name": f"张{index}",
        "id_ciphertext": bytes([index % 256]) * 4,
        "id_index": f"index-{index:05d}",
    }
    row.update(changes)
    return row


def test_rows_land_in_their_named_columns_and_ids_come_back(database: Database) -> None:
    """Each value is stored in the column its key names, whatever the order of the keys, dates and
    times survive the round trip, and ``ids_by`` maps each row's unique value to its new id."""
    rows = [_holder(index) for index in range(1, 301)]
    with database.write() as session:
        ids = insert_rows(session, Holder.__table__, rows, ids_by="id_index")  # type: ignore[arg-type]
    assert len(ids) == 300 and len(set(ids.values())) == 300
    with database.read() as session:
        stored = {
            holder.id: (holder.name, holder.sex, holder.birth_date, holder.id_ciphertext, holder.created_at)
            for holder in session.scalars(select(Holder))
        }
    for row in rows:
        expected = (row["name"], row["sex"], row["birth_date"], row["id_ciphertext"], CREATED)
        assert stored[ids[row["id_index"]]] == expected


def test_an_unknown_column_or_a_naive_time_is_refused_and_nothing_is_written(database: Database) -> None:
    """A row naming a column the table lacks is refused before anything is sent, and a naive
    datetime is refused by the column's own type: the bulk path keeps the model's rules."""
    with pytest.raises(ValueError, match="no column"), database.write() as session:
        insert_rows(session, Holder.__table__, [_holder(1, nickname="x")])  # type: ignore[arg-type]
    with pytest.raises(Exception, match=r"(?i)naive|timezone|aware"), database.write() as session:
        insert_rows(session, Holder.__table__, [_holder(2, created_at=dt.datetime(2026, 1, 1))])  # type: ignore[arg-type]
    with database.read() as session:
        assert session.scalars(select(Holder)).first() is None


def test_a_shared_timestamp_and_then_a_different_one_each_keep_their_own_value(database: Database) -> None:
    """Rows that share one timestamp object and rows with their own each store their own time,
    and a naive time after a run of shared aware ones is still refused: a repeated value is
    converted once, never carried over to a different one."""
    later = CREATED + dt.timedelta(hours=3)
    rows = [_holder(index) for index in range(1, 4)] + [_holder(4, created_at=later), _holder(5)]
    with database.write() as session:
        ids = insert_rows(session, Holder.__table__, rows, ids_by="id_index")  # type: ignore[arg-type]
    with database.read() as session:
        stored = {holder.id: holder.created_at for holder in session.scalars(select(Holder))}
    assert [stored[ids[row["id_index"]]] for row in rows] == [CREATED, CREATED, CREATED, later, CREATED]
    naive_after_shared = [_holder(index) for index in range(6, 9)] + [
        _holder(9, created_at=dt.datetime(2026, 1, 1))
    ]
    with pytest.raises(Exception, match=r"(?i)naive|timezone|aware"), database.write() as session:
        insert_rows(session, Holder.__table__, naive_after_shared)  # type: ignore[arg-type]
