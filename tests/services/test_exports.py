"""Excel exports: they open with openpyxl, hold exactly the listed rows, and never start a formula."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest

from certsvc.certificates import listing
from certsvc.certificates.exports import (
    BATCH_HEADERS,
    CERTIFICATE_HEADERS,
    batches_workbook,
    certificates_workbook,
    refusal_report_workbook,
    safe_text,
    workbook,
)
from certsvc.certificates.preview import preview_import
from certsvc.domain.rules import CONTROL_PREFIXES, FORMULA_PREFIXES
from certsvc.runtime import Runtime
from tests.services.lists_support import COUNTY, Office, county_numbers
from tests.services.support import edit, rows_of, sample, to_csv

TODAY = dt.date(2026, 11, 21)
HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tcmd",
    "\r=1",
    "  =1+1",
    "　=1",  # after a full-width space
    "a\x00b\x1fc",
    "plain",
]


def _sheet(data: bytes) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def _cells(data: bytes) -> Iterator[Any]:
    """Every cell of every sheet, raw (``data_type`` intact)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def assert_formula_safe(data: bytes) -> None:
    """No cell is a formula, and no text cell starts like one (after spaces too)."""
    for cell in _cells(data):
        assert cell.data_type != "f", cell.coordinate
        if isinstance(cell.value, str):
            assert cell.value[:1] not in CONTROL_PREFIXES, (cell.coordinate, cell.value)
            assert cell.value.lstrip()[:1] not in FORMULA_PREFIXES, (cell.coordinate, cell.value)


def test_text_that_would_start_a_formula_is_kept_as_text() -> None:
    """Every formula prefix (=, +, -, @, after spaces; a leading tab or CR) gets an apostrophe in
    front and control characters XML cannot hold are replaced; the text is otherwise unchanged."""
    data = workbook("测试", ["值"], [[value] for value in HOSTILE])
    assert_formula_safe(data)
    values = [row[0] for row in _sheet(data)[1:]]
    assert values[:8] == ["'" + v for v in HOSTILE[:8]]
    assert values[8:] == ["a\ufffdb\ufffdc", "plain"]
    assert safe_text("-") == "'-" and safe_text("") == ""


def test_certificate_export_holds_exactly_the_filtered_rows(office: Office) -> None:
    """The export of a filter has the Chinese headers and one row per listed certificate, in the
    list's order, with the list's values (status in Chinese, dates as dates)."""
    rt = office.runtime
    for values in ({}, {"level": "员级", "status": "valid"}, {"status": "revoked"}, {"batch": "999"}):
        filters = listing.certificate_filters(values, person=False, today=TODAY)
        with rt.database.read() as session:
            listed = list(listing.iter_certificates(session, rt, COUNTY, filters))
            data = certificates_workbook(listing.iter_certificates(session, rt, COUNTY, filters))
        rows = _sheet(data)
        assert rows[0] == CERTIFICATE_HEADERS
        assert [row[0] for row in rows[1:]] == [r.number for r in listed], values
        assert_formula_safe(data)
    revoked = _sheet(_export(rt, {"status": "revoked"}))[1:]
    assert {row[0] for row in revoked} == set(office.revoked)
    assert {row[11] for row in revoked} == {"已撤销"}
    assert all(isinstance(row[9], dt.datetime) and isinstance(row[10], dt.datetime) for row in revoked)
    assert {row[13] for row in _sheet(_export(rt, {"batch": str(office.batches[1])}))[1:]} == {
        office.batches[1]
    }
    assert len(_sheet(_export(rt, {}))) == 1 + len(county_numbers(rt))


def _export(runtime: Runtime, values: dict[str, str]) -> bytes:
    filters = listing.certificate_filters(values, person=False, today=TODAY)
    with runtime.database.read() as session:
        return certificates_workbook(listing.iter_certificates(session, runtime, COUNTY, filters))


def test_batch_export_holds_exactly_the_listed_batches(office: Office) -> None:
    """The batch history's export: headers, then the listed batches with importer and counts."""
    with office.runtime.database.read() as session:
        data = batches_workbook(listing.iter_batches(session, COUNTY, listing.BatchFilters()))
    rows = _sheet(data)
    assert rows[0] == BATCH_HEADERS
    assert [(r[0], r[2], r[3], r[4], r[5], r[6]) for r in rows[1:]] == [
        (office.batches[1], "county-second.csv", "clerk", "命令行", 50, 50),
        (office.batches[0], "county-first.csv", "clerk", "命令行", 50, 50),
    ]
    assert_formula_safe(data)


@pytest.mark.parametrize("full_names", [False, True])
def test_refusal_report_has_one_line_per_refused_row_and_no_formula(
    runtime: Runtime, sample_results: Any, full_names: bool
) -> None:
    """A file whose row 3 has two problems and whose row 5 carries a formula in the name gives a
    report of two lines (rows, not problems), naming rules in Chinese with the fix, the name
    masked unless chosen; the hostile name never becomes a formula."""
    rows = rows_of(sample(sample_results, f"sample-{COUNTY}.csv"))[:8]
    rows = edit(rows, 3, "votes_for", "十")
    rows = edit(rows, 3, "meeting_date", "2024-13-40")
    rows = edit(rows, 5, "name", '=HYPERLINK("http://evil","点我")')
    preview = preview_import(
        runtime,
        to_csv(rows).encode(),
        "bad.csv",
        acting_authority=COUNTY,
        actor="test",
        full_names=full_names,
        limit=0,
    )
    assert preview.refused_rows == 2 and preview.problems >= 3
    data = refusal_report_workbook(preview)
    assert_formula_safe(data)
    lines = _sheet(data)[1:]
    assert [line[0] for line in lines] == [3, 5]
    third, fifth = lines
    assert third[5] == len(preview.refused[0].findings) >= 2
    assert "评审日期 · 填写格式" in third[6] and "同意票数 · 填写格式" in third[6]
    assert third[7].count("按模板填写") == 1  # one fix per rule, however many findings
    assert fifth[1].startswith("'=") and ("*" in fifth[1]) is not full_names
    original = rows[2][rows[0].index("name")]
    assert (third[1] == original) is full_names
