"""The packaged sample batches, and the same batch in every encoding and format clerks use."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from certsvc.certificates.intake.readers import read_path, read_rows
from certsvc.domain.record import FIELDS, ResultRecord
from certsvc.domain.registry import demo_registry
from tests.intake.helpers import SAMPLES, chinese_header, csv_bytes, sample_table, validate, xlsx_bytes

TODAY = dt.date(2026, 11, 21)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_batch_is_valid(path: Path) -> None:
    """Each of the four demo batches reads 100 rows and validates with zero violations."""
    report, records = validate(read_path(path), demo_registry(), TODAY)
    assert report.violations == []
    assert report.rows == len(records) == 100
    assert [r.row for r in records] == list(range(2, 102))


def _records(data: bytes, filename: str) -> list[ResultRecord]:
    report, records = validate(read_rows(data, filename), demo_registry(), TODAY)
    assert report.violations == []
    return records


@pytest.fixture(scope="module")
def reference() -> list[ResultRecord]:
    return _records(csv_bytes(sample_table("sample-450000.csv")), "sample.csv")


def test_gbk_csv_gives_identical_records(reference: list[ResultRecord]) -> None:
    """Excel's default Chinese CSV (GBK) reads to the same records as UTF-8."""
    data = csv_bytes(sample_table("sample-450000.csv"), encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the test really exercises the fallback
    assert _records(data, "sample-gbk.csv") == reference


def test_utf8_bom_csv_gives_identical_records(reference: list[ResultRecord]) -> None:
    """Excel's "CSV UTF-8" (with BOM) reads to the same records; the BOM does not spoil the header."""
    data = b"\xef\xbb\xbf" + csv_bytes(sample_table("sample-450000.csv"))
    assert _records(data, "sample-bom.csv") == reference


def test_xlsx_with_chinese_headers_gives_identical_records(reference: list[ResultRecord]) -> None:
    """An .xlsx with Chinese headers, real date cells and number cells reads to the same records."""
    header, *rows = sample_table("sample-450000.csv")
    typed: list[list[object]] = [list(chinese_header())]
    for row in rows:
        values = dict(zip(header, row, strict=True))
        typed.append([_excel_value(f, values[f]) for f in FIELDS])
    assert _records(xlsx_bytes(typed), "结果.xlsx") == reference


def _excel_value(field: str, text: str) -> object:
    if field.endswith("_date") or field.startswith("publicity_"):
        return dt.date.fromisoformat(text)
    if field in ("committee_size", "attendees", "votes_for"):
        return int(text)
    return text


def test_json_array_and_wrapped_object_give_identical_records(reference: list[ResultRecord]) -> None:
    """JSON as an array of objects or as {"results": [...]}, numbers as numbers, reads the same."""
    header, *rows = sample_table("sample-450000.csv")
    objects: list[dict[str, object]] = [dict(zip(header, row, strict=True)) for row in rows]
    for obj in objects:
        for field in ("committee_size", "attendees", "votes_for"):
            obj[field] = int(str(obj[field]))
    as_array = json.dumps(objects, ensure_ascii=False).encode()
    as_object = json.dumps({"results": objects}, ensure_ascii=False).encode()
    # JSON rows are numbered by record (1-based), not by spreadsheet row.
    renumbered = [dataclasses.replace(r, row=r.row - 1) for r in reference]
    assert _records(as_array, "batch.json") == renumbered
    assert _records(as_object, "batch.json") == renumbered
