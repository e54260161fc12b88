"""Sample files and builders for the intake tests."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

import openpyxl

from certsvc.certificates.intake.readers import RawRow
from certsvc.certificates.intake.validate import ValidationReport, validate_rows
from certsvc.domain.record import ALL_FIELDS, FIELD_LABELS_ZH, FIELDS, AnyRecord
from certsvc.domain.registry import Registry
from tests.conftest import SAMPLE_RESULTS

SAMPLES_DIR = SAMPLE_RESULTS
SAMPLES = sorted(SAMPLES_DIR.glob("sample-*.csv"))


def sample_text(name: str = "sample-421221.csv") -> str:
    return (SAMPLES_DIR / name).read_text(encoding="utf-8")


def sample_table(name: str = "sample-421221.csv") -> list[list[str]]:
    return list(csv.reader(io.StringIO(sample_text(name))))


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def chinese_header() -> list[str]:
    return [FIELD_LABELS_ZH[f] for f in FIELDS]


def valid_row() -> dict[str, str]:
    """Row 2 of sample-421221.csv as a field -> text mapping."""
    header, first = sample_table()[:2]
    return dict(zip(header, first, strict=True))


def validate(
    raw_rows: Iterable[RawRow], registry: Registry, today: dt.date, *, acting_authority: str | None = None
) -> tuple[ValidationReport, list[AnyRecord]]:
    """The import's validation loop over a whole file: its report and the records that parsed."""
    report = ValidationReport()
    checked = validate_rows(raw_rows, registry, today, report, acting_authority=acting_authority)
    return report, [item.record for item in checked]


ROUTE_FILES = ("sample-450305-recognition.csv", "sample-450300-reconfirmation.csv", "sample-450300-exam.csv")


def mixed_route_table() -> list[list[str]]:
    """One table with the columns of every route (English headers): two review rows of the county
    421221, then the demo batches of 认定 (7 rows), 重新确认 (2) and 考试 (2), valid together."""
    header = ["route", *(f for f in ALL_FIELDS if f != "route")]
    rows: list[list[str]] = [header]
    review_header, *review_rows = sample_table("sample-421221.csv")
    for row in review_rows[:2]:
        values = {"route": "", **dict(zip(review_header, row, strict=True))}
        rows.append([values.get(f, "") for f in header])
    for name in ROUTE_FILES:
        batch_header, *batch_rows = sample_table(name)
        for row in batch_rows:
            values = dict(zip(batch_header, row, strict=True))
            rows.append([values.get(f, "") for f in header])
    return rows
