"""Reading results of every acquisition route: the ``route`` (取得方式) column, the Chinese headers of
every route's columns in CSV (UTF-8, GBK) and XLSX, files mixing routes, and each route's form."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certsvc.certificates.intake.readers import RawRow, read_rows
from certsvc.certificates.intake.records import parse_row
from certsvc.certificates.intake.templates import (
    EXAMPLES,
    TEXT_FORMAT,
    template_columns,
    template_route,
    template_xlsx,
)
from certsvc.domain.record import (
    ALL_FIELDS,
    FIELD_LABELS_ZH,
    ROUTE_FIELDS,
    ExamRecord,
    RecognitionRecord,
    ReconfirmationRecord,
    ResultRecord,
)
from certsvc.domain.registry import demo_registry
from certsvc.domain.rules import RULES
from certsvc.errors import BadHeader, BadRequest
from tests.intake.helpers import csv_bytes, mixed_route_table, sample_table, validate, xlsx_bytes

TODAY = dt.date(2026, 11, 21)


def chinese(table: list[list[str]]) -> list[list[str]]:
    return [[FIELD_LABELS_ZH[f] for f in table[0]], *table[1:]]


def test_chinese_headers_name_every_field() -> None:
    """Every field of every route has its own Chinese header (no two fields share one)."""
    assert set(FIELD_LABELS_ZH) == set(ALL_FIELDS)
    assert len(set(FIELD_LABELS_ZH.values())) == len(FIELD_LABELS_ZH)
    for fields in ROUTE_FIELDS.values():
        assert all(field in FIELD_LABELS_ZH for field in fields)


@pytest.mark.parametrize("variant", ["utf-8", "gbk", "xlsx", "english-xlsx"])
def test_a_mixed_file_reads_the_same_in_every_format(variant: str) -> None:
    """A file mixing 评审, 认定, 重新确认 and 考试 rows, with Chinese headers in UTF-8 CSV, GBK CSV
    and XLSX (or English headers), gives the same typed records, each of its route's type, and
    breaks no rule under the demo registry."""
    table = mixed_route_table()
    reference, _ = validate(read_rows(csv_bytes(table), "mixed.csv"), demo_registry(), TODAY)
    data = {
        "utf-8": lambda: csv_bytes(chinese(table)),
        "gbk": lambda: csv_bytes(chinese(table), encoding="gbk"),
        "xlsx": lambda: xlsx_bytes(chinese(table)),
        "english-xlsx": lambda: xlsx_bytes(table),
    }[variant]()
    report, records = validate(read_rows(data, f"mixed.{variant}"), demo_registry(), TODAY)
    assert report.violations == [] == reference.violations
    assert [type(r).__name__ for r in records] == ["ResultRecord"] * 2 + ["RecognitionRecord"] * 7 + [
        "ReconfirmationRecord"
    ] * 2 + ["ExamRecord"] * 2
    _, english = validate(read_rows(csv_bytes(table), "mixed.csv"), demo_registry(), TODAY)
    assert records == english


def test_a_file_without_route_column_is_a_review_file() -> None:
    """No 取得方式 column: every row is a review and every review column is required, as always; a
    file with another route's columns but no route column is told to add one."""
    header, *rows = sample_table("sample-421221.csv")
    report, records = validate(read_rows(csv_bytes([header, *rows[:3]]), "r.csv"), demo_registry(), TODAY)
    assert report.violations == [] and all(isinstance(r, ResultRecord) for r in records)
    recognition_header, *recognition_rows = sample_table("sample-450305-recognition.csv")
    without_route = [row[1:] for row in [recognition_header, *recognition_rows]]
    with pytest.raises(BadHeader) as raised:
        list(read_rows(csv_bytes(chinese(without_route)), "认定.csv"))
    assert "committee_code" in raised.value.message and "route column" in raised.value.message
    assert raised.value.detail_zh is not None and "取得方式" in raised.value.detail_zh
    assert "评委会代码" in raised.value.detail_zh


def test_a_file_with_route_column_needs_the_common_columns_only() -> None:
    """With a 取得方式 column, only the columns every route has are required of the file: a file of
    recognitions has no committee columns; a missing common column is still named."""
    header, *rows = sample_table("sample-450305-recognition.csv")
    report, records = validate(read_rows(csv_bytes([header, *rows]), "认定.csv"), demo_registry(), TODAY)
    assert report.violations == [] and len(records) == 7
    without_name = [
        [cell for field, cell in zip(header, row, strict=True) if field != "name"] for row in [header, *rows]
    ]
    with pytest.raises(BadHeader) as raised:
        list(read_rows(csv_bytes(without_name), "认定.csv"))
    assert raised.value.detail_zh is not None and "姓名" in raised.value.detail_zh


def test_rows_must_fill_their_own_routes_columns() -> None:
    """In a mixed file, a recognition row without education or graduation date, and a review row
    without its committee, are refused under ``form`` naming row and field; other rows pass."""
    table = mixed_route_table()
    header = table[0]
    table[1][header.index("committee_code")] = ""
    table[3][header.index("education")] = ""
    table[3][header.index("graduation_date")] = ""
    report, _ = validate(read_rows(csv_bytes(table), "mixed.csv"), demo_registry(), TODAY)
    found = {(v.row, v.field, v.rule) for v in report.violations}
    assert found == {(2, "committee_code", "form"), (4, "education", "form"), (4, "graduation_date", "form")}
    zh = {v.field: v.message_zh for v in report.violations}
    assert zh["education"] == "缺少学历" and zh["graduation_date"] == "缺少毕业日期"


def test_unknown_route_is_refused_naming_the_rule() -> None:
    """A 取得方式 none of 评审, 认定, 重新确认, 考试 is refused under ``route`` in English and Chinese."""
    table = mixed_route_table()
    table[2][0] = "认证"
    report, records = validate(read_rows(csv_bytes(table), "mixed.csv"), demo_registry(), TODAY)
    assert [(v.row, v.field, v.rule) for v in report.violations] == [(3, "route", "route")]
    assert (
        "认证" in report.violations[0].message_zh
        and "评审、认定、重新确认、考试" in report.violations[0].message_zh
    )
    assert "unknown route" in report.violations[0].message_en
    assert len(records) == len(table) - 2


def _raw(**fields: str) -> RawRow:
    header, *rows = sample_table("sample-450305-recognition.csv")
    values = dict(zip(header, rows[0], strict=True))
    values.update(fields)
    return RawRow(2, values)


def test_recognition_form_by_education() -> None:
    """博士 must date the employment relation; 博士后 need not date the start of work; everyone else
    must; education takes the usual synonyms, and an unknown one is a ``form`` refusal."""
    doctor = parse_row(_raw(education="博士", employment_start_date=""))
    assert isinstance(doctor, list) and [(v.field, v.rule) for v in doctor] == [
        ("employment_start_date", "form")
    ]
    postdoc = parse_row(_raw(education="博士后", work_start_date="", level="副高级"))
    assert isinstance(postdoc, RecognitionRecord) and postdoc.work_start_date is None
    missing_work = parse_row(_raw(work_start_date="\u3000"))
    assert isinstance(missing_work, list) and [v.field for v in missing_work] == ["work_start_date"]
    synonym = parse_row(_raw(education="大学本科", route="recognition"))
    assert isinstance(synonym, RecognitionRecord) and synonym.education == "本科"
    unknown = parse_row(_raw(education="小学"))
    assert isinstance(unknown, list) and [(v.field, v.rule) for v in unknown] == [("education", "form")]
    assert "小学" in unknown[0].message_zh


def test_reconfirmation_and_exam_form() -> None:
    """An original route must be a route; dates must be dates; each refusal names its field."""
    header, *rows = sample_table("sample-450300-reconfirmation.csv")
    values = dict(zip(header, rows[0], strict=True))
    record = parse_row(RawRow(2, values))
    assert isinstance(record, ReconfirmationRecord) and record.original_route == "评审"
    bad = parse_row(RawRow(2, {**values, "original_route": "转评", "original_date": "2018/13/01"}))
    assert isinstance(bad, list) and {(v.field, v.rule) for v in bad} == {
        ("original_route", "form"),
        ("original_date", "form"),
    }
    header, *rows = sample_table("sample-450300-exam.csv")
    exam = parse_row(RawRow(2, dict(zip(header, rows[0], strict=True))))
    assert isinstance(exam, ExamRecord) and exam.exam_date == dt.date(2024, 9, 7)


def test_json_results_of_every_route_with_chinese_keys() -> None:
    """A JSON file mixing routes, keyed by Chinese headers, reads to the same records as the CSV."""
    table = mixed_route_table()
    header = table[0]
    records = [
        {FIELD_LABELS_ZH[f]: value for f, value in zip(header, row, strict=True) if value}
        for row in table[1:]
    ]
    data = json.dumps({"results": records}, ensure_ascii=False).encode()
    report, from_json = validate(read_rows(data, "mixed.json"), demo_registry(), TODAY)
    _, from_csv = validate(read_rows(csv_bytes(table), "mixed.csv"), demo_registry(), TODAY)
    assert report.violations == []
    assert [r.__class__ for r in from_json] == [r.__class__ for r in from_csv]
    assert [r.name for r in from_json] == [r.name for r in from_csv]


@pytest.mark.parametrize("route", ["评审", "认定", "重新确认", "考试"])
def test_each_route_template_reads_back_with_a_valid_example(route: str) -> None:
    """The Excel template of each route has the Chinese headers of its columns (取得方式 first), every
    cell formatted as text, and one example row that intake reads as that route and accepts under
    the demo registry; a second sheet explains the columns."""
    workbook = openpyxl.load_workbook(__import__("io").BytesIO(template_xlsx(route)))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header == [FIELD_LABELS_ZH[f] for f in template_columns(route)]
    assert header[0] == "取得方式" and sheet.cell(row=2, column=1).value == route
    assert all(cell.number_format == TEXT_FORMAT for row in sheet.iter_rows(max_row=2) for cell in row)
    assert sheet.max_row == 2 and workbook.sheetnames[1] == "填写说明"
    report, records = validate(read_rows(template_xlsx(route), "模板.xlsx"), demo_registry(), TODAY)
    assert report.violations == [] and len(records) == 1
    assert records[0].route == route and records[0].name == EXAMPLES[route]["name"]


def test_template_routes_by_name_or_slug() -> None:
    """Templates are asked for by Chinese name or English slug; anything else is a bilingual 400."""
    assert template_route("exam") == "考试" and template_route("重新确认") == "重新确认"
    with pytest.raises(BadRequest) as raised:
        template_route("all")
    assert raised.value.detail_zh is not None and "取得方式" in raised.value.detail_zh


_CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", "认定", "exam", "博士后", "2024-02-30", "=1+1", "99999999", "考试", "重新确认", "大学本科"]
    ),
)


@settings(max_examples=60)
@given(st.lists(st.tuples(st.integers(1, 13), st.sampled_from(ALL_FIELDS), _CELLS), max_size=6))
def test_mutated_rows_of_any_route_are_read_or_refused_never_crash(edits: list[tuple[int, str, str]]) -> None:
    """Whatever lands in any column of a mixed file's rows, intake answers with records and
    violations (each naming a known rule, in English and Chinese), never an exception."""
    table = mixed_route_table()
    header = table[0]
    for row, field, text in edits:
        table[row][header.index(field)] = text.replace("\x00", "")
    report, records = validate(read_rows(csv_bytes(table), "fuzz.csv"), demo_registry(), TODAY)
    assert report.rows == len(table) - 1 >= len(records)
    for violation in report.violations:
        assert violation.rule in RULES and violation.message_en and violation.message_zh
