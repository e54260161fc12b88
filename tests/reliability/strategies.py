"""Hypothesis strategies shared by the fuzz tests: results files that are almost right, and mutations.

Purely random bytes mostly die at the first check of a parser; inputs that start from a real
results row and break one field at a time reach the deep code paths (dates, ID numbers, the rules).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from functools import cache
from typing import Any

import openpyxl
from hypothesis import strategies as st

from certsvc.domain.record import FIELD_LABELS_ZH, FIELDS
from tests.conftest import SAMPLE_RESULTS, SHARED_TESTDATA

# A real row of the shared sample data (used when the shared data is not mounted).
FALLBACK_ROW = {
    "confirmation_doc_no": "测职改〔2024〕421号",
    "confirmation_date": "2024-11-20",
    "authority_code": "421200",
    "committee_code": "421200-GC-中级",
    "committee_name": "咸宁市人力资源和社会保障局工程技术中级评审委员会",
    "committee_size": "15",
    "meeting_date": "2024-10-25",
    "publicity_start": "2024-11-04",
    "publicity_end": "2024-11-08",
    "series": "工程技术",
    "specialty": "数字技术",
    "name": "雷俊怡",
    "id_number": "421221197907225405",
    "employer": "重庆云链数据服务有限公司",
    "title": "工程师",
    "level": "中级",
    "attendees": "15",
    "votes_for": "14",
}


@cache
def sample_rows() -> tuple[dict[str, str], ...]:
    """Up to 40 real rows from the review sample files (valid, so mutations start from a pass): the
    packaged batches, and the shared test data's when it is checked out beside the repository."""
    rows: list[dict[str, str]] = []
    paths = {path.name: path for path in sorted(SAMPLE_RESULTS.glob("sample-*.csv"))}
    paths |= {path.name: path for path in sorted((SHARED_TESTDATA / "results").glob("*.csv"))}
    for path in paths.values():
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            if "route" in (reader.fieldnames or ()):
                continue  # the tables here have review headers; other routes' batches lack their columns
            rows.extend(dict(row) for _, row in zip(range(10), reader, strict=False))
    return tuple(rows) or (FALLBACK_ROW,)


# Cell text: anything, spreadsheet formulas, dates in odd forms, numbers in odd forms, huge cells.
_NASTY_CELLS = st.sampled_from(
    [
        "",
        " ",
        "\u3000",
        "=1+1",
        "+86",
        "-0",
        "@SUM(A1)",
        "{{7*7}}",
        "<script>alert(1)</script>",
        "2024-02-30",
        "2024年13月1日",
        "0000-00-00",
        "9999-12-31",
        "1900-01-01",
        "20241301",
        "1e400",
        "NaN",
        "-1",
        "99999999999999999999",
        "１５",
        "４２１２２１１９７９０７２２５４０５",
        "421221197907225405 ",
        "42122119790722540x",
        "正高级",
        "初级",
        "张·三",
        "A" * 300,
        "\x00",
        "\ufeff",
        "\ud7ff",
    ]
)
CELL_TEXT = st.one_of(_NASTY_CELLS, st.text(max_size=40))
# openpyxl refuses control characters in cells; an office's spreadsheet cannot contain them either.
XLSX_CELL_TEXT = st.one_of(
    _NASTY_CELLS.filter(lambda s: s.isprintable() or not s),
    st.text(st.characters(categories=["L", "N", "P", "S", "Zs"]), max_size=40),
)


@st.composite
def result_rows(draw: st.DrawFn, cell: st.SearchStrategy[str] = CELL_TEXT) -> dict[str, str]:
    """A real row with some fields replaced (or removed)."""
    row = dict(draw(st.sampled_from(sample_rows())))
    for field in draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True)):
        if draw(st.integers(0, 9)) == 0:
            del row[field]
        else:
            row[field] = draw(cell)
    return row


@st.composite
def headers(draw: st.DrawFn) -> list[str]:
    """Column headers: English or Chinese, shuffled, with a stray extra or duplicate column at times."""
    chinese = draw(st.booleans())
    names = [FIELD_LABELS_ZH[f] if chinese else f for f in FIELDS]
    names = draw(st.permutations(names))
    extra = draw(st.sampled_from([None] * 8 + ["备注", "序号", names[0], " ", "ID Number", "身份证号码"]))
    if extra is not None:
        names = [*names, extra]
    return names


def _field_of(header: str) -> str | None:
    for field in FIELDS:
        if header in (field, FIELD_LABELS_ZH[field]):
            return field
    return None


@st.composite
def tables(draw: st.DrawFn, cell: st.SearchStrategy[str] = CELL_TEXT) -> list[list[str]]:
    """A header row and 0-6 data rows, cells aligned to the header (sometimes not)."""
    header = draw(headers())
    table = [header]
    for row in draw(st.lists(result_rows(cell), min_size=draw(st.sampled_from([0, 1, 1, 1])), max_size=6)):
        cells = [row.get(_field_of(h) or "", "") for h in header]
        if draw(st.integers(0, 29)) == 0:
            cells = cells[: draw(st.integers(0, len(cells)))] + draw(st.lists(cell, max_size=2))
        table.append(cells)
    return table


def csv_text(table: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(table)
    return out.getvalue()


CSV_ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "gb18030")


def encode_csv(text: str, encoding: str) -> bytes:
    # Characters GBK cannot hold become "?": an office's Excel export would do the same.
    return text.encode(encoding, errors="replace")


def xlsx_bytes(table: list[list[str]], *, numeric: bool = False) -> bytes:
    """An .xlsx workbook holding ``table`` (digits stored as numbers when ``numeric``, like Excel)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for cells in table:
        sheet.append(
            [int(c) if numeric and c.isascii() and c.isdigit() and len(c) < 16 else c for c in cells]
        )
    out = io.BytesIO()
    workbook.save(out)
    return _deterministic_zip(out.getvalue())


_TIMESTAMP = re.compile(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?")


def _deterministic_zip(data: bytes) -> bytes:
    """The same workbook bytes for the same table: openpyxl stamps the save time into the archive and
    into docProps/core.xml, and hypothesis needs a replayed example to see identical input."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/core.xml":
                content = _TIMESTAMP.sub(b"2024-11-20T00:00:00Z", content)
            entry = zipfile.ZipInfo(info.filename, date_time=(2024, 11, 20, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return out.getvalue()


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    CELL_TEXT,
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def json_documents(draw: st.DrawFn) -> bytes:
    """JSON results: rows as objects (values of any JSON type at times), wrapped or not, or random JSON."""
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return json.dumps(draw(JSON_VALUES)).encode()
    records: list[Any] = []
    for row in draw(st.lists(result_rows(), max_size=5)):
        record: dict[str, Any] = dict(row)
        if draw(st.integers(0, 3)) == 0:
            record[draw(st.sampled_from(FIELDS))] = draw(JSON_VALUES)
        if draw(st.booleans()):
            record = {FIELD_LABELS_ZH.get(k, k): v for k, v in record.items()}
        records.append(record)
    if draw(st.integers(0, 9)) == 0:
        records.append(draw(JSON_VALUES))
    document: Any = {"results": records} if kind == 1 else records
    return json.dumps(document, ensure_ascii=draw(st.booleans())).encode()


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` with bytes flipped, inserted, deleted, or cut short."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        position = draw(st.integers(0, len(data) - 1))
        action = draw(st.integers(0, 3))
        if action == 0:
            data[position] ^= draw(st.integers(1, 255))
        elif action == 1:
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif action == 2:
            del data[position : position + draw(st.integers(1, 16))]
        else:
            del data[position:]
    return bytes(data)


@st.composite
def char_substitutions(draw: st.DrawFn, text: str, alphabet: str) -> str:
    """``text`` with exactly one character replaced by a different one from ``alphabet``."""
    position = draw(st.integers(0, len(text) - 1))
    replacement = draw(st.sampled_from([c for c in alphabet if c != text[position]]))
    return text[:position] + replacement + text[position + 1 :]
