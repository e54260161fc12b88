"""One confirmed review result (one row of a results file), typed; and the names of its fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from certsvc.domain.levels import Level

# Field name -> the Chinese column header clerks know it by (also used in Chinese messages).
FIELD_LABELS_ZH: Mapping[str, str] = MappingProxyType(
    {
        "confirmation_doc_no": "确认文号",
        "confirmation_date": "确认日期",
        "authority_code": "发证机构代码",
        "committee_code": "评委会代码",
        "committee_name": "评委会名称",
        "committee_size": "评委会人数",
        "meeting_date": "评审日期",
        "publicity_start": "公示开始日期",
        "publicity_end": "公示结束日期",
        "series": "职称系列",
        "specialty": "专业",
        "name": "姓名",
        "id_number": "身份证号",
        "employer": "工作单位",
        "title": "资格名称",
        "level": "级别",
        "attendees": "出席人数",
        "votes_for": "同意票数",
    }
)
FIELDS: tuple[str, ...] = tuple(FIELD_LABELS_ZH)


@dataclass(frozen=True, slots=True)
class ResultRecord:
    """A parsed row: strings NFC-normalised and stripped, ``row`` as the clerk sees it."""

    row: int
    confirmation_doc_no: str
    confirmation_date: dt.date
    authority_code: str
    committee_code: str
    committee_name: str
    committee_size: int
    meeting_date: dt.date
    publicity_start: dt.date
    publicity_end: dt.date
    series: str
    specialty: str
    name: str
    id_number: str
    employer: str
    title: str
    level: Level
    attendees: int
    votes_for: int
