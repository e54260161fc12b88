"""A bulk check's results as an Excel workbook: one row per checked line, Chinese headers.

Every text cell is formula-safe: a value starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading apostrophe, so no spreadsheet evaluates what a line carried
(OWASP "CSV injection"). Names are the masked ones the verdict pages show; nothing else about the
holder is written.
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from certsvc.texts import label
from certsvc.timefmt import china_minute
from certsvc.verification.bulk import BulkResult, BulkRow

SHEET_TITLE = "查验结果"
HEADERS = (
    "行号",
    "查验结果",
    "说明",
    "证书编号",
    "版本",
    "持证人（部分隐去）",
    "资格名称",
    "级别",
    "系列",
    "专业",
    "发证机构",
    "取得资格日期",
    "状态生效日期",
    "状态原因",
    "决定文号",
    "查验时间",
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
COLUMN_WIDTHS = (6, 12, 30, 22, 6, 12, 18, 8, 12, 12, 28, 14, 14, 18, 22, 20)
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_text(value: str) -> str:
    """``value`` as a spreadsheet shows it without evaluating it."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def results_workbook(result: BulkResult) -> bytes:
    """The .xlsx file of ``result``: a header row, then one row per checked line, in order."""
    workbook = Workbook(write_only=True)
    sheet: Worksheet = workbook.create_sheet(SHEET_TITLE)
    for position, width in enumerate(COLUMN_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + position)].width = width
    bold = Font(bold=True)
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    checked = china_minute(result.checked_at)
    for row in result.rows:
        sheet.append([_cell(value) for value in _values(row, checked)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _values(row: BulkRow, checked: str) -> list[str | int | None]:
    verdict = row.verdict
    if verdict is None:
        error = row.error
        detail = (error.detail_zh or error.message) if error is not None else ""
        return [
            row.line,
            "无法查验",
            detail,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            checked,
        ]
    facts, status = verdict.facts, verdict.status
    explanation = verdict.reason_zh
    return [
        row.line,
        label("outcome", verdict.outcome, "zh"),
        explanation,
        row.number,
        facts.version if facts else None,
        facts.holder if facts else None,
        facts.title if facts else None,
        facts.level if facts else None,
        facts.series if facts else None,
        facts.specialty if facts else None,
        facts.issuer_name if facts else None,
        _date(facts.obtained) if facts else None,
        _date(status.effective) if status else None,
        label("reason", status.reason_category, "zh") if status and status.reason_category else None,
        status.document_number if status else None,
        checked,
    ]


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _cell(value: str | int | None) -> str | int | None:
    return safe_text(value) if isinstance(value, str) else value
