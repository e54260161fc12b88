"""Sample files and builders for the intake tests."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

import openpyxl

from certsvc.certificates.intake.readers import RawRow
from certsvc.certificates.intake.validate import ValidationReport, validate_rows
from certsvc.domain.record import FIELD_LABELS_ZH, FIELDS, ResultRecord
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
) -> tuple[ValidationReport, list[ResultRecord]]:
    """The import's validation loop over a whole file: its report and the records that parsed."""
    report = ValidationReport()
    checked = validate_rows(raw_rows, registry, today, report, acting_authority=acting_authority)
    return report, [item.record for item in checked]
