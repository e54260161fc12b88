"""Read a confirmed-results file into raw rows: CSV (UTF-8 with or without BOM, else GBK/GB18030),
.xlsx, or JSON. The content decides the format, not the file name.

``RawRow.row`` is the row number a clerk sees in the spreadsheet (header = row 1, first data row =
row 2; blank rows are skipped but still counted); for JSON it is the 1-based record index.
``RawRow.fields`` maps field names to the cell text exactly as found (not stripped: the formula
check needs leading whitespace). Columns whose headers name no field are dropped (see headers.py).

Anything that is not a readable results file raises ``UnreadableFile`` (or its ``BadHeader``)
with a message naming the file: empty, binary, NUL bytes, truncated or damaged .xlsx, neither
UTF-8 nor GB18030, malformed CSV quoting, rows longer or shorter than the header, no data rows.

CSV and .xlsx are streamed: ``read_path`` holds one row at a time (plus openpyxl's shared-strings
table), so 100,000-row files read in bounded memory. The CSV encoding is decided by a first pass
that checks the whole file is strict UTF-8; only then is GB18030 (a superset of GBK) tried. JSON is
parsed whole; it is the machine-to-machine format and arrives in request-sized pieces.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import os
import zipfile
from collections.abc import Iterator, Sequence
from typing import IO, Any, NamedTuple

import openpyxl

from certsvc.certificates.intake.headers import field_for, map_headers
from certsvc.errors import BadHeader, UnreadableFile

_CHUNK = 1 << 16
_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# A results workbook is text; more than this uncompressed is a zip bomb, not a spreadsheet.
MAX_XLSX_UNCOMPRESSED = 1 << 30


class RawRow(NamedTuple):
    row: int
    fields: dict[str, str]


def read_rows(data: bytes, filename: str) -> Iterator[RawRow]:
    """Raw rows of a results file given as bytes; ``filename`` is used only in messages."""
    return _read(io.BytesIO(data), filename)


def read_path(path: str | os.PathLike[str], filename: str | None = None) -> Iterator[RawRow]:
    """Raw rows of the file at ``path``, streamed; messages name ``filename`` or the path's base name."""
    name = filename or os.path.basename(os.fspath(path))
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed by the generator below
    except OSError as exc:
        raise _unreadable(name, f"cannot be opened ({exc.strerror})", f"无法打开（{exc.strerror}）") from None
    try:
        rows = _read(stream, name)
    except BaseException:
        stream.close()
        raise
    return _closing(stream, rows)


def _closing(stream: IO[bytes], rows: Iterator[RawRow]) -> Iterator[RawRow]:
    with stream:
        yield from rows


def _unreadable(filename: str, en: str, zh: str) -> UnreadableFile:
    return UnreadableFile(f"{filename}: {en}", detail_zh=f"{filename}：{zh}")


def _read(stream: IO[bytes], filename: str) -> Iterator[RawRow]:
    head = stream.read(64)
    stream.seek(0)
    stripped = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if not stripped and not _has_content_after(stream, len(head)):
        raise _unreadable(filename, "the file is empty", "文件为空")
    if head.startswith((_ZIP_MAGIC, _EMPTY_ZIP_MAGIC)):
        return _read_xlsx(stream, filename)
    if head.startswith(_OLE2_MAGIC):
        raise _unreadable(
            filename,
            "old Excel .xls format: save it as .xlsx or CSV",
            "为旧版 Excel .xls 格式，请另存为 .xlsx 或 CSV",
        )
    if head.startswith(_UTF16_BOMS):
        raise _unreadable(
            filename,
            "UTF-16 text: save it as CSV (UTF-8) or .xlsx",
            "为 UTF-16 文本，请另存为 CSV（UTF-8）或 .xlsx",
        )
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise _unreadable(filename, "is not a valid .xlsx workbook", "不是有效的 .xlsx 工作簿")
    if stripped[:1] in (b"[", b"{"):
        return _read_json(stream, filename)
    return _read_csv(stream, filename)


def _has_content_after(stream: IO[bytes], offset: int) -> bool:
    stream.seek(offset)
    while chunk := stream.read(_CHUNK):
        if chunk.strip():
            stream.seek(0)
            return True
    stream.seek(0)
    return False


# --- CSV ---------------------------------------------------------------------------------------
def _csv_encoding(stream: IO[bytes], filename: str) -> str:
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    utf8 = True
    while chunk := stream.read(_CHUNK):
        if b"\x00" in chunk:
            raise _unreadable(
                filename, "contains NUL bytes: it is not a text (CSV) file", "含有空字节，不是文本（CSV）文件"
            )
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    stream.seek(0)
    return "utf-8-sig" if utf8 else "gb18030"


def _read_csv(stream: IO[bytes], filename: str) -> Iterator[RawRow]:
    encoding = _csv_encoding(stream, filename)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    reader = csv.reader(text, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise _unreadable(filename, "the file is empty", "文件为空")
        yield from _table_rows(header, reader, filename, first_row=2)
    except UnicodeDecodeError:
        raise _unreadable(
            filename,
            "is neither UTF-8 nor GBK/GB18030 text: save it as CSV (UTF-8) or .xlsx",
            "既不是 UTF-8 也不是 GBK/GB18030 文本，请另存为 CSV（UTF-8）或 .xlsx",
        ) from None
    except csv.Error as exc:
        raise _unreadable(
            filename,
            f"malformed CSV near line {reader.line_num}: {exc}",
            f"CSV 格式错误（约第 {reader.line_num} 行）：{exc}",
        ) from None
    finally:
        text.detach()


# --- shared by CSV and XLSX -------------------------------------------------------------------
def _table_rows(
    header: Sequence[str], rows: Iterator[Sequence[str]], filename: str, first_row: int
) -> Iterator[RawRow]:
    columns = map_headers(header, filename)
    width = len(columns)
    # Cells may be missing at the end only where no field is read (tools drop trailing empties).
    needed = max(i for i, field in enumerate(columns) if field is not None) + 1
    every_column_read = None not in columns  # the usual file: a plain dict(zip(...)) per row
    data_rows = 0
    for number, cells in enumerate(rows, start=first_row):
        # "".join(...).strip() is empty exactly when every cell is blank (one C call, not one per cell).
        if not "".join(cells).strip():
            continue
        if len(cells) < needed or "".join(cells[width:]).strip():
            raise _unreadable(
                filename,
                f"row {number} has {len(cells)} cells but the header has {width} "
                "(an unquoted comma in a cell?)",
                f"第 {number} 行有 {len(cells)} 个单元格，而表头有 {width} 列"
                "（单元格内是否有未加引号的逗号？）",
            )
        data_rows += 1
        if every_column_read:
            yield RawRow(number, dict(zip(columns, cells, strict=False)))  # type: ignore[arg-type]  # no None column
        else:
            yield RawRow(number, {f: c for f, c in zip(columns, cells, strict=False) if f is not None})
    if data_rows == 0:
        raise _unreadable(filename, "has column headers but no data rows", "只有表头，没有数据行")


# --- XLSX --------------------------------------------------------------------------------------
def _read_xlsx(stream: IO[bytes], filename: str) -> Iterator[RawRow]:
    damaged = _unreadable(
        filename,
        "is not a readable .xlsx workbook (truncated or damaged?)",
        "不是可读取的 .xlsx 工作簿（文件不完整或已损坏？）",
    )
    try:
        with zipfile.ZipFile(stream) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
        stream.seek(0)
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=False)
    except Exception:  # openpyxl and zipfile fail on damaged input in many unrelated ways
        raise damaged from None
    if inflated > MAX_XLSX_UNCOMPRESSED:
        workbook.close()
        raise _unreadable(filename, "unpacks to more than 1 GiB: refused", "解压后超过 1 GiB，拒绝读取")
    try:
        if not workbook.worksheets:
            raise _unreadable(filename, "has no worksheet", "没有工作表")
        rows = (
            tuple(_cell_text(v) for v in values)
            for values in workbook.worksheets[0].iter_rows(values_only=True)
        )
        header = next(rows, None)
        if header is None:
            raise _unreadable(filename, "the first worksheet is empty", "第一个工作表为空")
        yield from _table_rows(_trim_trailing_blanks(header), rows, filename, first_row=2)
    except UnreadableFile:
        raise
    except Exception:  # damage found only while streaming the sheet
        raise damaged from None
    finally:
        workbook.close()


def _trim_trailing_blanks(cells: Sequence[str]) -> Sequence[str]:
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Beyond 2**53 a float has lost digits (an 18-digit ID typed as a number): show it as it is
        # so the ID check refuses it instead of validating digits Excel invented.
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


# --- JSON --------------------------------------------------------------------------------------
def _read_json(stream: IO[bytes], filename: str) -> Iterator[RawRow]:
    try:
        document = json.loads(stream.read().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _unreadable(filename, "JSON must be UTF-8", "JSON 文件必须为 UTF-8 编码") from None
    except (ValueError, RecursionError) as exc:
        raise _unreadable(filename, f"is not valid JSON ({exc})", "不是有效的 JSON") from None
    records = document.get("results") if isinstance(document, dict) else document
    if not isinstance(records, list):
        raise _unreadable(
            filename,
            'JSON must be an array of result objects or {"results": [...]}',
            'JSON 应为结果对象数组，或 {"results": [...]}',
        )
    if not records:
        raise _unreadable(filename, "contains no results", "没有任何结果记录")
    return (RawRow(index, _json_fields(item, index, filename)) for index, item in enumerate(records, start=1))


def _json_fields(item: Any, index: int, filename: str) -> dict[str, str]:
    if not isinstance(item, dict):
        raise _unreadable(filename, f"record {index} is not an object", f"第 {index} 条记录不是对象")
    fields: dict[str, str] = {}
    for key, value in item.items():
        field = field_for(key)
        if field is None:
            continue
        if field in fields:
            raise BadHeader(
                f"{filename}: record {index} names {field} twice",
                detail_zh=f"{filename}：第 {index} 条记录重复给出字段 {field}",
            )
        if value is None:
            fields[field] = ""
        elif isinstance(value, str):
            fields[field] = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            fields[field] = _cell_text(value)
        else:
            raise _unreadable(
                filename,
                f"record {index}, {field}: expected text or a number",
                f"第 {index} 条记录的 {field} 应为文本或数字",
            )
    return fields
