"""Fuzzing the intake readers: whatever an office uploads, the answer is a refusal it can read.

Property under test: for any bytes, reading, parsing and validating either succeeds, or raises
``UnreadableFile`` (incl. ``BadHeader``), or yields rule violations; never any other exception,
since anything else would be a 500 on the upload form and a traceback instead of a clerk's message.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certsvc.certificates.intake.readers import read_rows
from certsvc.certificates.intake.records import parse_row
from certsvc.domain.record import ResultRecord
from certsvc.domain.registry import demo_registry
from certsvc.domain.rules import Violation
from certsvc.errors import UnreadableFile
from tests.intake.helpers import validate
from tests.reliability import strategies as fs
from tests.reliability.figures import Tally, fuzz_settings

TODAY = dt.date(2025, 1, 15)
FUZZ = fuzz_settings(200)
XLSX_FUZZ = fuzz_settings(60)
REGISTRY = demo_registry()
FORMAT_SIGNATURES = [
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\xef\xbb\xbf",
    b"[",
    b"{",
    b"\xd0\xcf\x11\xe0",
    b"\xff\xfe",
]
ZIP_MEMBERS = ["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "x"]


def read_parse_validate(data: bytes, filename: str) -> str:
    """What a clerk would get: accepted, refused (violations) or unreadable; anything else is a bug."""
    try:
        rows = list(read_rows(data, filename))
    except UnreadableFile as error:
        assert filename in error.message, "the refusal names the file"
        assert error.detail_zh, "every refusal has a Chinese message too"
        return "unreadable"
    for raw in rows:
        parsed = parse_row(raw)
        assert isinstance(parsed, ResultRecord) or (parsed and all(isinstance(v, Violation) for v in parsed))
    report, _ = validate(rows, REGISTRY, TODAY)
    for violation in report.violations:
        assert violation.message_en and violation.message_zh and violation.rule, violation
    return "accepted" if report.ok else "refused"


@pytest.fixture(scope="module")
def tally() -> Iterator[Tally]:
    counts = Tally()
    yield counts
    counts.flush()


@FUZZ
@given(data=st.binary(max_size=3000), filename=st.sampled_from(["results.csv", "results.xlsx", "r.json", ""]))
def test_arbitrary_bytes_are_refused_cleanly(tally: Tally, data: bytes, filename: str) -> None:
    """Random bytes under any file name give a readable refusal, never another exception."""
    tally.tick("intake: arbitrary bytes", read_parse_validate(data, filename))


@FUZZ
@given(prefix=st.sampled_from(FORMAT_SIGNATURES), rest=st.binary(max_size=2000))
def test_bytes_behind_a_format_signature_are_refused_cleanly(
    tally: Tally, prefix: bytes, rest: bytes
) -> None:
    """Garbage that starts like a zip, a BOM, JSON or an old .xls is refused by the reader it picks."""
    tally.tick("intake: format signature + garbage", read_parse_validate(prefix + rest, "upload.csv"))


@FUZZ
@given(table=fs.tables(), encoding=st.sampled_from(fs.CSV_ENCODINGS))
def test_csv_in_every_encoding_is_read_or_refused(
    tally: Tally, table: list[list[str]], encoding: str
) -> None:
    """Near-valid CSV tables (English or Chinese headers, broken cells) in UTF-8, BOM, GBK, GB18030."""
    data = fs.encode_csv(fs.csv_text(table), encoding)
    tally.tick("intake: CSV (UTF-8/BOM/GBK/GB18030)", read_parse_validate(data, "results.csv"))


@FUZZ
@given(data=st.data(), encoding=st.sampled_from(fs.CSV_ENCODINGS))
def test_damaged_csv_is_read_or_refused(tally: Tally, data: st.DataObject, encoding: str) -> None:
    """A valid CSV with bytes flipped, inserted, deleted or cut short (a damaged upload)."""
    original = fs.encode_csv(fs.csv_text(data.draw(fs.tables())), encoding)
    tally.tick("intake: damaged CSV", read_parse_validate(data.draw(fs.mutated(original)), "results.csv"))


def test_unmodified_sample_rows_are_accepted() -> None:
    """Guard for the fuzzers above: the rows they start from are valid, so mutations reach the rules."""
    rows = fs.sample_rows()[:5]
    table = [list(rows[0]), *[list(row.values()) for row in rows]]
    assert read_parse_validate(fs.encode_csv(fs.csv_text(table), "gbk"), "results.csv") == "accepted"


@XLSX_FUZZ
@given(table=fs.tables(fs.XLSX_CELL_TEXT), numeric=st.booleans())
def test_xlsx_workbooks_are_read_or_refused(tally: Tally, table: list[list[str]], numeric: bool) -> None:
    """Near-valid .xlsx workbooks (numbers stored as numbers, as Excel does) are read or refused."""
    tally.tick("intake: XLSX", read_parse_validate(fs.xlsx_bytes(table, numeric=numeric), "results.xlsx"))


@XLSX_FUZZ
@given(data=st.data())
def test_damaged_xlsx_is_refused_cleanly(tally: Tally, data: st.DataObject) -> None:
    """A workbook with damaged bytes (truncated download, bit rot) is read or refused, never a crash."""
    original = fs.xlsx_bytes(data.draw(fs.tables(fs.XLSX_CELL_TEXT)))
    tally.tick("intake: damaged XLSX", read_parse_validate(data.draw(fs.mutated(original)), "results.xlsx"))


@XLSX_FUZZ
@given(members=st.dictionaries(st.sampled_from(ZIP_MEMBERS), st.binary(max_size=300), max_size=3))
def test_zip_archives_that_are_not_workbooks_are_refused(tally: Tally, members: dict[str, bytes]) -> None:
    """Valid zip archives with random members (a renamed .zip) are refused, never accepted."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    outcome = read_parse_validate(out.getvalue(), "results.xlsx")
    assert outcome == "unreadable"
    tally.tick("intake: zip that is not a workbook", outcome)


@FUZZ
@given(document=fs.json_documents())
def test_json_documents_are_read_or_refused(tally: Tally, document: bytes) -> None:
    """JSON results with values of every JSON type, Chinese keys, wrappers, or random JSON."""
    tally.tick("intake: JSON", read_parse_validate(document, "results.json"))


@FUZZ
@given(data=st.data())
def test_damaged_json_is_refused_cleanly(tally: Tally, data: st.DataObject) -> None:
    """A JSON upload with damaged bytes is read (if still JSON) or refused."""
    damaged = data.draw(fs.mutated(data.draw(fs.json_documents())))
    tally.tick("intake: damaged JSON", read_parse_validate(damaged, "results.json"))


def test_deeply_nested_json_is_refused_cleanly() -> None:
    """A JSON bomb of nesting (a recursion attack) is refused, not a RecursionError."""
    assert read_parse_validate(b"[" * 100_000 + b"]" * 100_000, "results.json") == "unreadable"
