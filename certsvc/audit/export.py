"""The action log as an Excel workbook: Chinese headers, one row per action, formula-safe.

A cell whose text a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``, a tab or a
carriage return first) is written as text with a leading apostrophe, and every text cell is typed
as a string, so opening the file never evaluates anything a staff member or a file name put there.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from certsvc.audit.services import ActionRow
from certsvc.texts import label
from certsvc.timefmt import china_minute

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADERS = (
    ("时间（北京时间）", 18),
    ("机构代码", 10),
    ("操作人账号", 22),
    ("操作人姓名", 12),
    ("角色", 12),
    ("工号（账本假名）", 18),
    ("客户端网络", 18),
    ("浏览器 · 设备", 18),
    ("操作", 16),
    ("对象类型", 10),
    ("对象", 22),
    ("原因", 18),
    ("文号", 22),
    ("说明", 30),
    ("审批编号", 10),
    ("账本序号", 10),
    ("详情", 40),
)


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as written, never as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _cells(row: ActionRow) -> list[Any]:
    return [
        china_minute(row.at),
        row.authority_code or "",
        row.actor,
        row.actor_name or "",
        label("role", row.actor_role, "zh"),
        row.staff_pseudonym or "",
        row.client_network,
        row.client_agent,
        label("audit_action", row.action, "zh"),
        label("audit_target", row.target_kind, "zh"),
        row.target,
        label("reason", row.reason, "zh") if row.reason else "",
        row.doc_no or "",
        row.note or "",
        row.proposal_id,
        row.ledger_index,
        json.dumps(row.details, ensure_ascii=False, sort_keys=True) if row.details else "",
    ]


def action_log_workbook(rows: Iterable[ActionRow]) -> bytes:
    """The .xlsx bytes of ``rows`` under Chinese headers."""
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "操作日志"
    for column, (header, width) in enumerate(HEADERS, start=1):
        sheet.cell(row=1, column=column, value=header)
        sheet.column_dimensions[get_column_letter(column)].width = width
    for line, row in enumerate(rows, start=2):
        for column, value in enumerate(_cells(row), start=1):
            cell = sheet.cell(row=line, column=column)
            if isinstance(value, str):
                cell.value = safe_text(value)
                cell.data_type = "s"  # never "f", whatever the text looks like
            else:
                cell.value = value
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
