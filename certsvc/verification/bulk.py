"""Bulk verification (employers): the items of a pasted list or an uploaded CSV/XLSX file, and their
verdicts.

Each line is a QR text (URL or payload) or "certificate number, name"; a file has a ``qr`` column
or number and name columns (Chinese headers too), or headerless number,name rows. Lines are
numbered as the user sees them (a file's header is line 1), so a refused line can be found again.

Anonymous checks take at most ``MAX_BATCH`` (100) items, an employer's ``MAX_EMPLOYER_ITEMS``
(1,000). Number + name lines are verified together: the registry is read once per chunk of
numbers (``services.verify_numbers``), so 1,000 lines cost a few statements, not 1,000.
"""

from __future__ import annotations

import collections
import csv
import dataclasses
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator

from certsvc.domain.certno import normalize_certificate_number
from certsvc.errors import BadRequest, CertsvcError
from certsvc.runtime import Runtime
from certsvc.texts import LABELS, label
from certsvc.verification.schemas import MAX_BATCH
from certsvc.verification.services import OnlineVerdict, verify_numbers, verify_target

MAX_EMPLOYER_ITEMS = 1000
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_CSV_BYTES = MAX_FILE_BYTES  # the old name, kept for callers
MAX_LINE_CHARS = 2048
# A list of 1,000 lines is text: a workbook unpacking to more than this is a zip bomb.
MAX_XLSX_UNCOMPRESSED = 64 * 1024 * 1024
MAX_XLSX_ROWS = 100_000  # rows read, blank ones included
_FIELD_SEPARATORS = (",", "，", "\t", ";", "；")
_ZIP_MAGIC = b"PK\x03\x04"
# The order a summary names wordings in: good news first, then what must not be trusted, then
# lines that could not be checked (``error``).
SUMMARY_ORDER = (
    "valid",
    "superseded",
    "suspended",
    "revoked",
    "forged",
    "no-match",
    "unreadable",
    "unreadable-file",
    "invalid",
    "unknown",
    "error",
)
_SUMMARY_RANK = {wording: rank for rank, wording in enumerate(SUMMARY_ORDER)}


@dataclasses.dataclass(frozen=True)
class BulkItem:
    line: int
    token: str | None = None
    number: str | None = None
    name: str | None = None

    @property
    def tests_a_name(self) -> bool:
        return self.number is not None

    def as_line(self) -> str:
        """The item as a line of the bulk form (what the form shows again after a check)."""
        return f"{self.number},{self.name}" if self.number is not None else self.token or ""


@dataclasses.dataclass(frozen=True)
class BulkRow:
    line: int
    number: str | None
    verdict: OnlineVerdict | None
    error: CertsvcError | None

    @property
    def outcome(self) -> str:
        """The verdict's outcome, or ``error`` for a line that could not be checked."""
        return self.verdict.outcome if self.verdict is not None else "error"

    @property
    def wording(self) -> str:
        """What the pages call the row: its verdict's wording (``services.wording``: "no-match"
        rather than "invalid" for a number and name that match nothing …), or ``error``."""
        return self.verdict.wording if self.verdict is not None else "error"


@dataclasses.dataclass(frozen=True)
class BulkResult:
    """The rows of one bulk check, in the order of its items, and when it was made."""

    rows: tuple[BulkRow, ...]
    checked_at: dt.datetime

    @property
    def counts(self) -> dict[str, int]:
        """How many rows per outcome (``error``: lines that could not be checked)."""
        return dict(collections.Counter(row.outcome for row in self.rows))

    @property
    def wording_counts(self) -> dict[str, int]:
        """How many rows per wording, in ``SUMMARY_ORDER``: what a summary in words counts."""
        return wording_counts(row.wording for row in self.rows)


def wording_counts(wordings: Iterable[str]) -> dict[str, int]:
    """How many of each wording (``services.WORDINGS`` and ``error``), in ``SUMMARY_ORDER``."""
    counted = collections.Counter(wordings)
    # A wording missing from SUMMARY_ORDER is still counted, after the others.
    return dict(sorted(counted.items(), key=lambda item: _SUMMARY_RANK.get(item[0], len(SUMMARY_ORDER))))


def error_zh(error: CertsvcError) -> str:
    """Why a line could not be checked, in Chinese: the error's Chinese words, else the Chinese
    title of its code (as pages say it, ``web.language.error_text``), never its English message:
    a Chinese document prints no English."""
    return error.detail_zh or label(
        "error", error.code if error.code in LABELS["error"] else "bad-request", "zh"
    )


def too_many(max_items: int) -> BadRequest:
    return BadRequest(
        f"at most {max_items} items per check; split the list",
        detail_zh=f"每次最多 {max_items} 项，请分批查验",
    )


def verify_bulk(
    runtime: Runtime, items: Iterable[BulkItem], *, max_items: int = MAX_BATCH, channel: str = "bulk"
) -> BulkResult:
    """One row per item, in order; an item that cannot be checked carries its error instead."""
    items = list(items)
    if not items:
        raise BadRequest(
            "nothing to verify: paste QR texts or number,name lines, or upload a CSV or Excel file",
            detail_zh="没有要查验的内容：请粘贴二维码内容或“证书编号,姓名”，或上传 CSV 或 Excel 文件",
        )
    if len(items) > max_items:
        raise too_many(max_items)
    checked_at = runtime.now()
    by_number = [item for item in items if item.number is not None and item.name is not None]
    verdicts = verify_numbers(
        runtime, [(item.number or "", item.name or "") for item in by_number], channel=channel
    )
    rows: dict[int, BulkRow] = {}
    for item, result in zip(by_number, verdicts, strict=True):
        if isinstance(result, CertsvcError):
            rows[id(item)] = BulkRow(item.line, None, None, result)
        else:
            number = normalize_certificate_number(item.number or "")
            rows[id(item)] = BulkRow(item.line, number, result, None)
    for item in items:
        if id(item) not in rows:
            rows[id(item)] = _token_row(runtime, item, channel)
    return BulkResult(tuple(rows[id(item)] for item in items), checked_at)


def _token_row(runtime: Runtime, item: BulkItem, channel: str) -> BulkRow:
    assert item.token is not None
    try:
        verdict = verify_target(runtime, item.token, channel=channel, evidence=False)
    except CertsvcError as error:
        if error.status >= 500:
            raise
        return BulkRow(item.line, None, None, error)
    number = verdict.facts.certificate_number if verdict.facts is not None else None
    return BulkRow(item.line, number, verdict, None)


# --- pasted lines ----------------------------------------------------------------------------------
def parse_bulk_text(text: str, *, max_items: int = MAX_BATCH) -> list[BulkItem]:
    """Items of the pasted list, one per non-blank line."""
    if len(text) > max_items * MAX_LINE_CHARS:
        raise too_many(max_items)
    items = []
    for line_number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line:
            items.append(_item_from_fields(line_number, _split_line(line)))
            if len(items) > max_items:
                raise too_many(max_items)
    return items


def _split_line(line: str) -> list[str]:
    if "://" in line or line.count(".") == 2:
        return [line]
    for separator in _FIELD_SEPARATORS:
        if separator in line:
            return [part.strip() for part in line.split(separator, 1)]
    parts = line.split(None, 1)
    return parts if len(parts) == 2 and len(parts[0]) <= 40 else [line]


def _item_from_fields(line: int, fields: list[str]) -> BulkItem:
    if len(fields) >= 2 and fields[1]:
        return BulkItem(line, number=fields[0], name=fields[1])
    return BulkItem(line, token=fields[0])


# --- files -----------------------------------------------------------------------------------------
def parse_bulk_file(data: bytes, *, max_items: int = MAX_BATCH) -> list[BulkItem]:
    """Items of an uploaded list: an Excel workbook (.xlsx, first worksheet) or CSV text. The
    content decides the format, not the file name."""
    if len(data) > MAX_FILE_BYTES:
        raise BadRequest(
            f"the file is larger than {MAX_FILE_BYTES // 2**20} MiB",
            detail_zh=f"文件超过 {MAX_FILE_BYTES // 2**20} MiB",
        )
    if data.startswith(_ZIP_MAGIC):
        return _table_items(_xlsx_rows(data), max_items)
    return parse_bulk_csv(data, max_items=max_items)


def parse_bulk_csv(data: bytes, *, max_items: int = MAX_BATCH) -> list[BulkItem]:
    """Items of a CSV upload: a ``qr`` column, or ``certificate_number`` and ``name`` columns (Chinese
    headers too), or headerless number,name rows. UTF-8 (with or without BOM) or GBK."""
    if len(data) > MAX_FILE_BYTES:
        raise BadRequest("the CSV file is too large", detail_zh="CSV 文件过大")
    if b"\x00" in data:
        raise BadRequest(
            "the file is neither CSV text nor an .xlsx workbook",
            detail_zh="文件既不是 CSV 文本，也不是 .xlsx 工作簿",
        )
    text = _decode_csv(data)
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    except csv.Error as error:  # a field beyond the csv module's size limit
        raise BadRequest(f"the CSV file cannot be read: {error}", detail_zh="无法读取该 CSV 文件") from None
    return _table_items(iter(rows), max_items)


def _table_items(rows: Iterator[list[str]], max_items: int) -> list[BulkItem]:
    """Items of a table's non-blank rows: the first row is a header when it names the columns."""
    first = next(rows, None)
    if first is None:
        return []
    header = [cell.strip().lower() for cell in first]
    columns = _columns(header)
    qr_col, number_col, name_col = columns if columns is not None else (None, 0, 1)
    items: list[BulkItem] = []
    body = rows if columns is not None else _prepend(first, rows)
    for line, row in enumerate(body, start=2 if columns is not None else 1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if len(items) >= max_items:
            raise too_many(max_items)
        if qr_col is not None and qr_col < len(cells) and cells[qr_col]:
            items.append(BulkItem(line, token=cells[qr_col]))
        elif number_col is not None and name_col is not None and max(number_col, name_col) < len(cells):
            items.append(_item_from_fields(line, [cells[number_col], cells[name_col]]))
        else:
            items.append(BulkItem(line, token=next(cell for cell in cells if cell)))
    return items


def _prepend(first: list[str], rows: Iterator[list[str]]) -> Iterator[list[str]]:
    yield first
    yield from rows


def _columns(header: list[str]) -> tuple[int | None, int | None, int | None] | None:
    def find(*names: str) -> int | None:
        return next((header.index(name) for name in names if name in header), None)

    qr = find("qr", "二维码", "二维码内容", "credential")
    number = find("certificate_number", "number", "证书编号")
    name = find("name", "姓名", "持证人姓名")
    if qr is None and (number is None or name is None):
        return None
    return qr, number, name


def _decode_csv(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadRequest("the CSV file is neither UTF-8 nor GBK text", detail_zh="CSV 文件编码应为 UTF-8 或 GBK")


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    """The rows of the first worksheet as text (formulas as their last computed values), streamed."""
    import openpyxl

    damaged = BadRequest(
        "the file is not a readable .xlsx workbook (truncated or damaged?)",
        detail_zh="文件不是可读取的 .xlsx 工作簿（不完整或已损坏？）",
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
        if inflated > MAX_XLSX_UNCOMPRESSED:
            raise BadRequest(
                "the workbook unpacks to more than 64 MiB: refused",
                detail_zh="工作簿解压后超过 64 MiB，拒绝读取",
            )
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except BadRequest:
        raise
    except Exception:  # openpyxl and zipfile fail on damaged input in many unrelated ways
        raise damaged from None
    try:
        if not workbook.worksheets:
            raise BadRequest("the workbook has no worksheet", detail_zh="工作簿中没有工作表")
        for index, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True)):
            if index >= MAX_XLSX_ROWS:
                raise BadRequest(
                    f"the worksheet has more than {MAX_XLSX_ROWS} rows",
                    detail_zh=f"工作表超过 {MAX_XLSX_ROWS} 行",
                )
            yield [_cell_text(value) for value in values]
    except BadRequest:
        raise
    except Exception:  # damage found only while streaming the sheet
        raise damaged from None
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)
