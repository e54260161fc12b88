"""Whole-file validation: parse + rules + duplicates in the file + the acting authority."""

from __future__ import annotations

import datetime as dt

from certsvc.certificates.intake.readers import RawRow, read_rows
from certsvc.certificates.intake.validate import ValidationReport, validate_rows
from certsvc.domain.registry import demo_registry
from tests.intake.helpers import csv_bytes, sample_table, validate

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
    report, records = validate(read_rows(data, "f.csv"), demo_registry(), TODAY)
    assert not report.ok
    found = {(v.row, v.field, v.rule) for v in report.violations}
    assert found == {(4, "attendees", "attendance"), (11, "employer", "form"), (51, "meeting_date", "form")}
    assert report.rows == 100 and len(records) == 99  # the malformed-date row has no record


def test_duplicate_person_in_the_file() -> None:
    """A person appearing twice is refused at the second row, naming the first."""
    table = sample_table()
    table.append(list(table[5]))
    report, _ = validate(read_rows(csv_bytes(table), "f.csv"), demo_registry(), TODAY)
    [v] = report.violations
    assert (v.row, v.rule) == (102, "duplicate") and "第 6 行" in v.message_zh


def test_rows_are_yielded_in_file_order_with_their_standing() -> None:
    """Each row that parses is handed on as it is checked, in file order, marked refused when it broke
    a rule and repeated when its person appeared in an earlier row; the report counts every row."""
    table = sample_table()
    table[3][table[0].index("attendees")] = "4"  # row 4 breaks the attendance rule
    table[3][table[0].index("votes_for")] = "3"
    table[5][table[0].index("level")] = "未知"  # row 6 does not parse
    table.append(list(table[2]))  # row 102 repeats the person of row 3
    report = ValidationReport()
    checked = list(validate_rows(read_rows(csv_bytes(table), "f.csv"), demo_registry(), TODAY, report))
    assert [item.record.row for item in checked] == [r for r in range(2, 103) if r != 6]
    assert {item.record.row for item in checked if item.refused} == {4, 102}
    assert {item.record.row for item in checked if item.repeated} == {102}
    assert report.rows == 101
    assert {(v.row, v.rule) for v in report.violations} == {
        (4, "attendance"),
        (6, "form"),
        (102, "duplicate"),
    }


def test_rows_of_another_authority_are_refused_for_an_acting_authority() -> None:
    """With an acting authority (an API token's), a row confirmed by any other authority is refused
    under jurisdiction, naming both authorities; without one the same file is accepted."""
    rows = list(read_rows(csv_bytes(sample_table()), "f.csv"))
    report, _ = validate(rows, demo_registry(), TODAY, acting_authority="450000")
    assert len(report.violations) == 100
    assert {(v.field, v.rule) for v in report.violations} == {("authority_code", "jurisdiction")}
    assert "450000" in report.violations[0].message_en and "421221" in report.violations[0].message_zh
    assert validate(rows, demo_registry(), TODAY, acting_authority="421221")[0].ok


def test_clean_file_reports_ok_with_all_records() -> None:
    """A valid batch is ok and yields a record per row, in file order."""
    report, records = validate(read_rows(csv_bytes(sample_table()), "f.csv"), demo_registry(), TODAY)
    assert report.ok and [r.row for r in records] == list(range(2, 102))


def test_formula_and_parse_problems_are_both_reported() -> None:
    """A leading '-' in a count is reported both as a formula prefix and as not a whole number."""
    fields = dict(zip(sample_table()[0], sample_table()[1], strict=True)) | {"votes_for": "-1"}
    report, _ = validate([RawRow(2, fields)], demo_registry(), TODAY)
    assert {(v.field, v.rule) for v in report.violations} == {("votes_for", "form")}
    assert len(report.violations) == 2
