"""A bulk check's results as an Excel workbook: one row per checked line, Chinese headers, each
result in the words the bulk page shows for it (``services.wording_label``).

Written by the console's workbook writer (``certificates.exports.workbook``), so every text cell is
formula-safe the one way: a value a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``,
a tab or a carriage return first) gets a leading apostrophe (OWASP "CSV injection"). Names are the
masked ones the verdict pages show; nothing else about the holder is written.
"""

from __future__ import annotations

import datetime as dt

from certsvc.certificates.exports import workbook
from certsvc.texts import label
from certsvc.verification.bulk import BulkResult, BulkRow, error_zh
from certsvc.verification.services import wording_label

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
COLUMN_WIDTHS = (6, 12, 30, 22, 6, 12, 18, 8, 12, 12, 28, 14, 14, 18, 22, 18)
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def results_workbook(result: BulkResult) -> bytes:
    """The .xlsx file of ``result``: a header row, then one row per checked line, in order. Dates
    are date cells, the check time a China-time cell."""
    return workbook(
        SHEET_TITLE, HEADERS, (_values(row, result.checked_at) for row in result.rows), COLUMN_WIDTHS
    )


Cell = str | int | dt.date | dt.datetime | None


def _values(row: BulkRow, checked: dt.datetime) -> list[Cell]:
    verdict = row.verdict
    if verdict is None:
        detail = error_zh(row.error) if row.error is not None else ""
        return [row.line, "无法查验", detail, *([None] * (len(HEADERS) - 4)), checked]
    facts, status = verdict.facts, verdict.status
    return [
        row.line,
        # The pages' words ("未找到匹配的证书", not "无效", for a number and name matching nothing).
        wording_label(verdict.outcome, verdict.step, "zh"),
        verdict.reason_zh,
        row.number,
        facts.version if facts else None,
        facts.holder if facts else None,
        facts.title if facts else None,
        facts.level if facts else None,
        facts.series if facts else None,
        facts.specialty if facts else None,
        facts.issuer_name if facts else None,
        facts.obtained if facts else None,
        status.effective if status else None,
        label("reason", status.reason_category, "zh") if status and status.reason_category else None,
        status.document_number if status else None,
        checked,
    ]
