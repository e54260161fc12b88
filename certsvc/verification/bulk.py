"""Bulk verification (employers): the items of a pasted list or a CSV file, and their verdicts.

Each line is a QR text (URL or payload) or "certificate number, name"; a CSV file has a ``qr``
column or number and name columns. Lines are numbered as the user sees them, so a refused line
can be found again.
"""

from __future__ import annotations

import csv
import dataclasses
import io

from certsvc.domain.certno import normalize_certificate_number
from certsvc.errors import BadRequest, CertsvcError
from certsvc.runtime import Runtime
from certsvc.verification.schemas import MAX_BATCH
from certsvc.verification.services import OnlineVerdict, verify_by_number, verify_target

MAX_CSV_BYTES = 10 * 1024 * 1024
_FIELD_SEPARATORS = (",", "，", "\t", ";", "；")


@dataclasses.dataclass(frozen=True)
class BulkItem:
    line: int
    token: str | None = None
    number: str | None = None
    name: str | None = None


@dataclasses.dataclass(frozen=True)
class BulkRow:
    line: int
    number: str | None
    verdict: OnlineVerdict | None
    error: CertsvcError | None


def verify_bulk(runtime: Runtime, items: list[BulkItem]) -> list[BulkRow]:
    """One row per item, in order; an item that cannot be checked carries its error instead."""
    if not items:
        raise BadRequest(
            "nothing to verify: paste QR texts or number,name lines, or upload a CSV file",
            detail_zh="没有要查验的内容：请粘贴二维码内容或“证书编号,姓名”，或上传 CSV 文件",
        )
    if len(items) > MAX_BATCH:
        raise BadRequest(f"at most {MAX_BATCH} items per request", detail_zh=f"每次最多 {MAX_BATCH} 项")
    return [_bulk_row(runtime, item) for item in items]


def _bulk_row(runtime: Runtime, item: BulkItem) -> BulkRow:
    try:
        if item.number is not None and item.name is not None:
            verdict = verify_by_number(runtime, item.number, item.name, channel="bulk")
            return BulkRow(item.line, normalize_certificate_number(item.number), verdict, None)
        assert item.token is not None
        verdict = verify_target(runtime, item.token, channel="bulk")
    except CertsvcError as error:
        if error.status >= 500:
            raise
        return BulkRow(item.line, None, None, error)
    number = verdict.facts.certificate_number if verdict.facts is not None else None
    return BulkRow(item.line, number, verdict, None)


def parse_bulk_text(text: str) -> list[BulkItem]:
    """Items of the pasted list, one per non-blank line."""
    if len(text) > MAX_BATCH * 2048:
        raise BadRequest(f"at most {MAX_BATCH} items per request", detail_zh=f"每次最多 {MAX_BATCH} 项")
    items = []
    for line_number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line:
            items.append(_item_from_fields(line_number, _split_line(line)))
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


def parse_bulk_csv(data: bytes) -> list[BulkItem]:
    """Items of a CSV upload: a ``qr`` column, or ``certificate_number`` and ``name`` columns (Chinese
    headers too), or headerless number,name rows. UTF-8 (with or without BOM) or GBK."""
    if len(data) > MAX_CSV_BYTES:
        raise BadRequest("the CSV file is too large", detail_zh="CSV 文件过大")
    text = _decode_csv(data)
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    except csv.Error as error:  # a field beyond the csv module's size limit
        raise BadRequest(f"the CSV file cannot be read: {error}", detail_zh="无法读取该 CSV 文件") from None
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    columns = _csv_columns(header)
    body = rows[1:] if columns is not None else rows
    qr_col, number_col, name_col = columns if columns is not None else (None, 0, 1)
    items = []
    for line, row in enumerate(body, start=2 if columns is not None else 1):
        cells = [cell.strip() for cell in row]
        if qr_col is not None and qr_col < len(cells) and cells[qr_col]:
            items.append(BulkItem(line, token=cells[qr_col]))
        elif number_col is not None and name_col is not None and max(number_col, name_col) < len(cells):
            items.append(_item_from_fields(line, [cells[number_col], cells[name_col]]))
        elif cells:
            items.append(BulkItem(line, token=cells[0]))
    return items


def _csv_columns(header: list[str]) -> tuple[int | None, int | None, int | None] | None:
    def find(*names: str) -> int | None:
        return next((header.index(name) for name in names if name in header), None)

    qr = find("qr", "二维码", "credential")
    number = find("certificate_number", "number", "证书编号")
    name = find("name", "姓名")
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
