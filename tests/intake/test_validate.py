"""Whole-file validation: parse + rules + duplicates in the file + already-issued certificates."""

from __future__ import annotations

import datetime as dt

from certsvc.certificates.intake.readers import RawRow, read_rows
from certsvc.certificates.intake.validate import validate_rows
from certsvc.domain.registry import demo_registry
from tests.intake.helpers import csv_bytes, sample_table

TODAY = dt.date(2026, 11, 21)


def _table_with(**cells: tuple[int, str]) -> bytes:
    """The 421221 sample with some cells replaced: field=(data row index from 1, text)."""
    table = sample_table()
    for field, (index, text) in cells.items():
        table[index][table[0].index(field)] = text
    return csv_bytes(table)


def test_violations_name_row_field_and_rule_across_the_file() -> None:
    """Problems in different rows are all reported, each with its spreadsheet row number."""
    data = _table_with(
        attendees=(3, "4"),
        votes_for=(3, "3"),
        employer=(10, '=HYPERLINK("x")'),
        meeting_date=(50, "2024/13/01"),
    )
    report = validate_rows(read_rows(data, "f.csv"), demo_registry(), TODAY)
    assert not report.ok
    found = {(v.row, v.field, v.rule) for v in report.violations}
    assert found == {(4, "attendees", "attendance"), (11, "employer", "form"), (51, "meeting_date", "form")}
    assert report.rows == 100 and len(report.records) == 99  # the malformed-date row has no record


def test_duplicate_person_in_the_file() -> None:
    """A person appearing twice is refused at the second row, naming the first."""
    table = sample_table()
    table.append(list(table[5]))
    report = validate_rows(read_rows(csv_bytes(table), "f.csv"), demo_registry(), TODAY)
    [v] = report.violations
    assert (v.row, v.rule) == (102, "duplicate") and "第 6 行" in v.message_zh


def test_already_issued_certificates_come_from_the_callback() -> None:
    """holds_active(id_number, title) flags holders who already have that title."""
    asked: list[tuple[str, str]] = []

    def holds_active(id_number: str, title: str) -> bool:
        asked.append((id_number, title))
        return id_number == "421221197907225405" and title == "助理工程师"

    report = validate_rows(
        read_rows(csv_bytes(sample_table()), "f.csv"), demo_registry(), TODAY, holds_active
    )
    [v] = report.violations
    assert (v.row, v.field, v.rule) == (2, "title", "duplicate")
    assert len(asked) == 100


def test_clean_file_reports_ok_with_all_records() -> None:
    """A valid batch is ok and yields a record per row, in file order."""
    report = validate_rows(read_rows(csv_bytes(sample_table()), "f.csv"), demo_registry(), TODAY)
    assert report.ok and [r.row for r in report.records] == list(range(2, 102))


def test_formula_and_parse_problems_are_both_reported() -> None:
    """A leading '-' in a count is reported both as a formula prefix and as not a whole number."""
    fields = dict(zip(sample_table()[0], sample_table()[1], strict=True)) | {"votes_for": "-1"}
    report = validate_rows([RawRow(2, fields)], demo_registry(), TODAY)
    assert {(v.field, v.rule) for v in report.violations} == {("votes_for", "form")}
    assert len(report.violations) == 2
