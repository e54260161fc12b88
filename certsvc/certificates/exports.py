"""Excel exports of the console: the certificate and batch lists, and an import's refusal report.

Workbooks are written with openpyxl in write-only mode (rows streamed, not held as cells), with
Chinese column headers (the office's working language; the console's English only labels the
buttons). Every cell is formula-safe: text that a spreadsheet would run as a formula — starting
with ``=``, ``+``, ``-`` or ``@`` (after any spaces), or with a tab or carriage return — is written
with a leading apostrophe, so no cell starts a formula (OWASP "CSV injection"), and the control
characters XML cannot hold are replaced by U+FFFD. Dates are real date cells; times are China time.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from certsvc.certificates.listing import BatchRow, CertificateRow
from certsvc.domain.rules import CONTROL_PREFIXES, FORMULA_PREFIXES
from certsvc.texts import label
from certsvc.timefmt import CHINA_TZ

if TYPE_CHECKING:
    from certsvc.certificates.preview import ImportPreview

Cell = str | int | dt.date | dt.datetime | None
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BOLD = Font(bold=True)
_WRAPPED = Alignment(wrap_text=True, vertical="top")

CERTIFICATE_HEADERS = (
    "证书编号",
    "姓名",
    "资格名称",
    "级别",
    "职称系列",
    "专业",
    "工作单位",
    "评委会",
    "确认文号",
    "确认日期",
    "发证时间",
    "状态",
    "当前版本",
    "批次",
)
BATCH_HEADERS = ("批次", "导入时间", "文件名", "导入人", "导入方式", "文件行数", "本机构发证数")
CERTIFICATE_WIDTHS = (22, 10, 18, 8, 12, 12, 28, 34, 22, 12, 17, 8, 8, 8)
BATCH_WIDTHS = (8, 17, 30, 24, 10, 10, 12)
REFUSAL_HEADERS = (
    "行",
    "姓名",
    "资格名称",
    "级别",
    "评委会",
    "问题数",
    "问题（字段 · 规则：说明）",
    "修改方法",
)
REFUSAL_WIDTHS = (6, 10, 18, 8, 34, 8, 70, 60)


def safe_text(value: str) -> str:
    """``value`` as a cell may hold it: never starting a formula, no control characters XML forbids."""
    value = _ILLEGAL.sub("\ufffd", value)
    if value[:1] in CONTROL_PREFIXES or value.lstrip()[:1] in FORMULA_PREFIXES:
        return "'" + value
    return value


def workbook(
    title: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]], widths: Sequence[int] = ()
) -> bytes:
    """An .xlsx file of one sheet named ``title``: a bold header row, then ``rows``."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for index, width in enumerate(widths):
        sheet.column_dimensions[_column(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_header(sheet, header) for header in headers])
    for row in rows:
        sheet.append([_value(sheet, value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _header(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=safe_text(text))
    cell.font = _BOLD
    return cell


def _value(sheet: WriteOnlyWorksheet, value: Cell) -> Cell | WriteOnlyCell:
    """A cell's value as openpyxl takes it (a plain value where its defaults do: it is much faster
    than a styled cell each): text made safe (openpyxl types text as a formula only when it starts
    with "=", which safe text never does), wrapped when it has several lines; a time in China time,
    naive (Excel has no time zones)."""
    if isinstance(value, str):
        value = safe_text(value)
        if "\n" not in value:
            return value
        cell = WriteOnlyCell(sheet, value=value)
        cell.alignment = _WRAPPED
        return cell
    if isinstance(value, dt.datetime):
        return value.astimezone(CHINA_TZ).replace(tzinfo=None, microsecond=0)
    return value


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def certificates_workbook(rows: Iterable[CertificateRow]) -> bytes:
    """The certificate list as .xlsx: one row per certificate, statuses in Chinese."""
    return workbook(
        "证书",
        CERTIFICATE_HEADERS,
        (
            (
                r.number,
                r.name,
                r.title,
                r.level,
                r.series,
                r.specialty,
                r.employer,
                r.committee,
                r.doc_no,
                r.confirmation_date,
                r.issued_at,
                label("status", r.status, "zh"),
                r.version,
                r.batch_id,
            )
            for r in rows
        ),
        CERTIFICATE_WIDTHS,
    )


def batches_workbook(rows: Iterable[BatchRow]) -> bytes:
    """The batch history as .xlsx."""
    return workbook(
        "导入批次",
        BATCH_HEADERS,
        (
            (
                r.id,
                r.created_at,
                r.source_name,
                r.imported_by.name,
                label("actor", r.imported_by.kind, "zh"),
                r.rows,
                r.issued_here,
            )
            for r in rows
        ),
        BATCH_WIDTHS,
    )


def refusal_report_workbook(preview: ImportPreview) -> bytes:
    """The refused rows of an upload as .xlsx: one line per row of the file, its problems in one
    cell (one per line) and the fixes beside them, so the clerk corrects the file row by row."""
    return workbook(
        "不合格的行",
        REFUSAL_HEADERS,
        (
            (
                row.row,
                row.name,
                row.title,
                row.level,
                row.committee,
                len(row.findings),
                _numbered(
                    f"{label('column', f.field, 'zh')} · {label('rule', f.rule, 'zh')}：{f.message_zh}"
                    for f in row.findings
                ),
                _numbered(dict.fromkeys(label("rule_fix", f.rule, "zh") for f in row.findings)),
            )
            for row in preview.refused
        ),
        REFUSAL_WIDTHS,
    )


def _numbered(lines: Iterable[str]) -> str:
    return "\n".join(f"{number}. {line}" for number, line in enumerate(lines, 1))
