"""Helpers for the issuing tests: sample files, re-encodings, table counts."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
from sqlalchemy import func, select

from certsvc.db.base import Base
from certsvc.domain.record import FIELD_LABELS_ZH
from certsvc.runtime import Runtime

SAMPLES = ("sample-421200.csv", "sample-421221.csv", "sample-450000.csv", "sample-500000.csv")


def sample(sample_results: Path, name: str = "sample-500000.csv") -> bytes:
    return (sample_results / name).read_bytes()


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def to_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def with_chinese_headers(rows: list[list[str]]) -> list[list[str]]:
    return [[FIELD_LABELS_ZH[name] for name in rows[0]], *rows[1:]]


def as_xlsx(rows: list[list[str]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def edit(rows: list[list[str]], row: int, field: str, value: str) -> list[list[str]]:
    """A copy of ``rows`` with ``field`` of spreadsheet row ``row`` (header = 1) set to ``value``."""
    copy = [list(r) for r in rows]
    copy[row - 1][copy[0].index(field)] = value
    return copy


def table_counts(runtime: Runtime) -> dict[str, int]:
    """Rows in every table, for before/after comparisons."""
    import certsvc.db.all_models  # noqa: F401 - registers every table on Base.metadata

    with runtime.database.read() as session:
        return {
            name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in sorted(Base.metadata.tables.items())
        }
