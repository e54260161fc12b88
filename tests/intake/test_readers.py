"""Reading files: formats, encodings, headers, row numbers, and every way a file can be unreadable."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from certsvc.certificates.intake.readers import RawRow, read_path, read_rows
from certsvc.domain.record import FIELDS
from certsvc.errors import BadHeader, UnreadableFile
from tests.intake.helpers import SAMPLES_DIR, chinese_header, csv_bytes, sample_table, valid_row, xlsx_bytes


def _rows(data: bytes, filename: str = "f.csv") -> list[RawRow]:
    return list(read_rows(data, filename))


def _unreadable(data: bytes, filename: str = "结果.csv") -> UnreadableFile:
    with pytest.raises(UnreadableFile) as caught:
        _rows(data, filename)
    assert filename in caught.value.message and caught.value.detail_zh
    return caught.value


@pytest.mark.parametrize("data", [b"", b"   \r\n", b"\xef\xbb\xbf", b"\n\n\n"])
def test_empty_file_is_unreadable(data: bytes) -> None:
    """An empty (or blank) file is refused, naming the file."""
    assert "empty" in _unreadable(data).message


def test_binary_garbage_with_nul_bytes_is_unreadable() -> None:
    """Binary content (NUL bytes) is refused rather than parsed as text."""
    assert "NUL" in _unreadable(bytes(range(256)) * 4).message


def test_nul_byte_in_an_otherwise_valid_csv_is_unreadable() -> None:
    """One NUL byte makes the file unreadable: it is not a text file Excel wrote."""
    data = csv_bytes(sample_table()).replace("雷俊怡".encode(), b"\x00")
    assert "NUL" in _unreadable(data).message


def test_truncated_xlsx_is_unreadable() -> None:
    """An .xlsx cut short (an interrupted upload) is refused as damaged."""
    data = xlsx_bytes([list(FIELDS), list(valid_row().values())])
    assert "damaged" in _unreadable(data[: len(data) // 2], "结果.xlsx").message


def test_xlsx_name_on_non_zip_content_is_unreadable() -> None:
    """A file called .xlsx that is not a workbook is refused, not parsed as CSV."""
    _unreadable(csv_bytes(sample_table()), "结果.xlsx")


@pytest.mark.parametrize(
    ("data", "hint"),
    [(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 600, ".xls"), (b"\xff\xfea\x00b\x00", "UTF-16")],
)
def test_formats_excel_can_write_but_we_do_not_read_say_what_to_do(data: bytes, hint: str) -> None:
    """Old .xls and UTF-16 text are refused with advice to save as .xlsx or CSV UTF-8."""
    assert hint in _unreadable(data).message


def test_text_in_neither_utf8_nor_gb18030_is_unreadable() -> None:
    """Bytes invalid in both encodings are refused with advice on how to save the file."""
    data = csv_bytes(sample_table()) + b"\x81\x20\xff\n"
    assert "GB18030" in _unreadable(data).message


def test_ragged_row_is_unreadable_naming_the_row() -> None:
    """A row with an extra cell (an unquoted comma) is refused naming its spreadsheet row."""
    table = sample_table()
    table[3] = [*table[3], "多出的一格"]
    assert "row 4" in _unreadable(csv_bytes(table)).message
    table = sample_table()
    table[5] = table[5][:10]
    assert "row 6" in _unreadable(csv_bytes(table)).message


def test_malformed_quoting_is_unreadable() -> None:
    """Broken CSV quoting is refused rather than silently merged into other cells."""
    data = csv_bytes(sample_table()) + b'a,"b"c,d\n'
    assert "malformed CSV" in _unreadable(data).message


def test_header_only_file_is_unreadable() -> None:
    """Column headers without data rows is refused: there is nothing to issue."""
    assert "no data rows" in _unreadable(csv_bytes(sample_table()[:1])).message


def test_missing_column_is_named_in_both_languages() -> None:
    """A missing required column is named; an unrecognised header is shown as a hint."""
    table = sample_table()
    index = table[0].index("id_number")
    table[0][index] = "身份证"
    with pytest.raises(BadHeader) as caught:
        _rows(csv_bytes(table))
    assert "id_number" in caught.value.message and "身份证" in caught.value.message
    assert caught.value.detail_zh is not None and "身份证号" in caught.value.detail_zh


def test_two_columns_for_one_field_are_refused() -> None:
    """姓名 and name together: which one counts would be a guess."""
    table = [[*row, row[11]] for row in sample_table()]
    table[0][-1] = "姓名"
    with pytest.raises(BadHeader, match="both name name"):
        _rows(csv_bytes(table))


def test_headers_tolerate_spacing_case_and_extra_columns() -> None:
    """Full-width spaces, case, spaces for underscores, and extra columns (序号, 备注) are fine."""
    table = sample_table()
    table[0] = ["\u3000" + h.replace("_", " ").upper() + " " for h in table[0]]
    table = [["序号" if i == 0 else str(i), *row, "备注"] for i, row in enumerate(table)]
    rows = _rows(csv_bytes(table))
    assert len(rows) == 100 and set(rows[0].fields) == set(FIELDS)
    assert rows[0].fields["name"] == "雷俊怡"


def test_rows_read_alike_with_or_without_unread_columns() -> None:
    """A file with only the known columns and the same file with extra columns give identical
    rows, so the shortcut for files without extra columns changes nothing."""
    table = sample_table()[:6]
    widened = [["序号" if i == 0 else str(i), *row, "备注" if i == 0 else ""] for i, row in enumerate(table)]
    widened[3] = widened[3][:-1]  # an unread trailing cell dropped, as some tools do
    assert _rows(csv_bytes(table)) == _rows(csv_bytes(widened))


def test_row_numbers_are_what_the_clerk_sees() -> None:
    """Header is row 1; blank rows are skipped but counted; a multi-line cell is one row."""
    table = sample_table()[:4]
    table.insert(2, [""] * len(table[0]))
    table[3][13] = "第一行\n第二行"
    rows = _rows(csv_bytes(table))
    assert [r.row for r in rows] == [2, 4, 5]
    assert rows[1].fields["employer"] == "第一行\n第二行"


def test_cells_are_kept_verbatim() -> None:
    """Leading whitespace survives reading, so the formula check can see '  =cmd'."""
    table = sample_table()[:2]
    table[1][13] = "  =cmd|' /C calc'!A0"
    assert _rows(csv_bytes(table))[0].fields["employer"] == "  =cmd|' /C calc'!A0"


def test_xlsx_cells_become_iso_text() -> None:
    """Date cells become ISO dates, whole floats integers; an 18-digit ID stored as a number
    (which Excel rounds) stays visibly wrong instead of becoming plausible digits; formulas are
    read as formulas, not as their cached values."""
    row = valid_row()
    values: list[object] = [row[f] for f in FIELDS]
    values[FIELDS.index("meeting_date")] = dt.datetime(2024, 10, 25)
    values[FIELDS.index("attendees")] = 7.0
    values[FIELDS.index("id_number")] = 421221197907225405.0
    values[FIELDS.index("employer")] = "=1+1"
    [raw] = _rows(xlsx_bytes([chinese_header(), values]), "结果.xlsx")
    assert raw.fields["meeting_date"] == "2024-10-25"
    assert raw.fields["attendees"] == "7"
    assert raw.fields["id_number"] == "4.212211979072254e+17"
    assert raw.fields["employer"] == "=1+1"


def test_xlsx_row_numbers_count_blank_rows() -> None:
    """In a workbook, row numbers are the sheet's row numbers, blank rows included."""
    row = list(valid_row().values())
    rows = _rows(xlsx_bytes([list(FIELDS), row, [], [None] * len(row), row]), "结果.xlsx")
    assert [r.row for r in rows] == [2, 5]


@pytest.mark.parametrize(
    ("data", "hint"),
    [
        (b"{", "not valid JSON"),
        (b'{"rows": []}', "array"),
        (b"[]", "no results"),
        (b"[1]", "record 1 is not an object"),
        (b'[{"name": ["a"]}]', "expected text or a number"),
        (b'[{"name": "a", "\xe5\xa7\x93\xe5\x90\x8d": "b"}]', "twice"),
        (b"[" * 100000, "not valid JSON"),
    ],
)
def test_malformed_json_is_unreadable(data: bytes, hint: str) -> None:
    """Every malformed JSON shape is refused with a message saying what is wrong."""
    assert hint in _unreadable(data, "batch.json").message


def test_json_missing_keys_become_empty_fields() -> None:
    """A JSON record lacking a field yields no cell for it; parsing then reports it missing."""
    [raw] = _rows(b'[{"name": "\xe5\xbc\xa0\xe4\xb8\x89", "attendees": 7, "votes_for": null}]', "b.json")
    assert raw == RawRow(1, {"name": "张三", "attendees": "7", "votes_for": ""})


def test_read_path_names_the_file_and_streams(tmp_path: Path) -> None:
    """read_path reads a 20,000-row file holding only a bounded amount of memory at a time."""
    big = tmp_path / "big.csv"
    tool = Path("/work/shared/tools/gen-results")
    if not tool.exists():
        pytest.skip("generator tool not present")
    subprocess.run([sys.executable, str(tool), "-n", "20000", "-o", str(big)], check=True)
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_path(big))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20000
    assert peak < 1_000_000 and big.stat().st_size > 5_000_000  # a fraction of the file itself


def test_read_path_of_missing_file_is_unreadable(tmp_path: Path) -> None:
    """A path that cannot be opened is refused naming the file."""
    with pytest.raises(UnreadableFile, match=r"nope\.csv"):
        read_path(tmp_path / "nope.csv")


def test_read_path_and_read_rows_agree() -> None:
    """The streaming reader and the in-memory reader give the same rows."""
    path = SAMPLES_DIR / "sample-500000.csv"
    assert list(read_path(path)) == _rows(path.read_bytes())
