"""One confirmed result (one row of a results file), typed by its acquisition route; the names of
the fields of every route; and ``Violation``, what a rule says about a row.

A title is obtained by review (评审, the row is a ``ResultRecord``), by recognition (认定,
``RecognitionRecord``), by reconfirmation of a title from another province (重新确认,
``ReconfirmationRecord``) or by a national exam (考试, ``ExamRecord``) (DESIGN §2, 广西办法 第五章).
Every route shares the common fields; each adds its own. A file says a row's route in its
``route`` column (取得方式); a file without that column is a review file, as files always were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar

from certsvc.domain.idnumber import mask_id
from certsvc.domain.levels import Level
from certsvc.domain.names import mask_name

REVIEW = "评审"
RECOGNITION = "认定"
RECONFIRMATION = "重新确认"
EXAM = "考试"
ROUTES = (REVIEW, RECOGNITION, RECONFIRMATION, EXAM)

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
        # the route column and the columns of the other routes
        "route": "取得方式",
        "education": "学历",
        "graduation_date": "毕业日期",
        "work_start_date": "参加工作日期",
        "employment_start_date": "劳动关系建立日期",
        "original_certificate_number": "原证书编号",
        "original_issuer": "原发证机构",
        "original_date": "原取得时间",
        "original_route": "原取得方式",
        "exam_name": "考试名称",
        "exam_date": "考试日期",
        "exam_authority": "考试组织机构",
        "exam_certificate_number": "资格证书编号",
    }
)
# The columns of a review file, in the order files have always had them: all required when a
# file has no ``route`` column.
FIELDS: tuple[str, ...] = (
    "confirmation_doc_no",
    "confirmation_date",
    "authority_code",
    "committee_code",
    "committee_name",
    "committee_size",
    "meeting_date",
    "publicity_start",
    "publicity_end",
    "series",
    "specialty",
    "name",
    "id_number",
    "employer",
    "title",
    "level",
    "attendees",
    "votes_for",
)
# Every route's rows have these.
COMMON_FIELDS: tuple[str, ...] = (
    "confirmation_doc_no",
    "confirmation_date",
    "authority_code",
    "series",
    "specialty",
    "name",
    "id_number",
    "employer",
    "title",
    "level",
)
# Each route's own columns (DESIGN §2), in template order. Which of them a row must fill is the
# route's rule (e.g. ``employment_start_date`` of 认定 only for 博士).
ROUTE_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        REVIEW: tuple(f for f in FIELDS if f not in COMMON_FIELDS),
        RECOGNITION: ("education", "graduation_date", "work_start_date", "employment_start_date"),
        RECONFIRMATION: (
            "original_certificate_number",
            "original_issuer",
            "original_date",
            "original_route",
            "employment_start_date",
        ),
        EXAM: ("exam_name", "exam_date", "exam_authority", "exam_certificate_number"),
    }
)
# Every field a results file may have.
ALL_FIELDS: tuple[str, ...] = tuple(FIELD_LABELS_ZH)
# Other Chinese headers clerks use for the same fields.
EXTRA_LABELS_ZH: Mapping[str, str] = MappingProxyType(
    {
        "身份证号码": "id_number",
        "公民身份号码": "id_number",
        "取得途径": "route",
        "毕业时间": "graduation_date",
        "出站日期": "graduation_date",
        "博士后出站日期": "graduation_date",
        "参加工作时间": "work_start_date",
        "从事专业技术工作日期": "work_start_date",
        "入职日期": "employment_start_date",
        "建立劳动关系日期": "employment_start_date",
        "原证书号": "original_certificate_number",
        "原取得日期": "original_date",
        "原发证单位": "original_issuer",
        "考试机构": "exam_authority",
        "考试证书编号": "exam_certificate_number",
        "资格证书号": "exam_certificate_number",
    }
)


@dataclass(frozen=True, slots=True)
class Violation:
    """What one rule says about one row: the field and rule it concerns, in English and Chinese."""

    row: int
    field: str
    rule: str
    message_en: str
    message_zh: str


@dataclass(frozen=True, slots=True)
class RecordBase:
    """The fields every route has: strings NFC-normalised and stripped, ``row`` as the clerk sees it."""

    route: ClassVar[str]  # set by each route's record type

    row: int
    confirmation_doc_no: str
    confirmation_date: dt.date
    authority_code: str
    series: str
    specialty: str
    name: str
    id_number: str
    employer: str
    title: str
    level: Level


def masked_person(record: RecordBase) -> tuple[str, str]:
    """How a violation names the person of ``record``, in English and in Chinese: by name and ID
    number, both masked (a message never shows personal data in full)."""
    name, id_number = mask_name(record.name), mask_id(record.id_number)
    return f"{name} (ID number {id_number})", f"{name}（身份证号 {id_number}）"


@dataclass(frozen=True, slots=True)
class ResultRecord(RecordBase):
    """A title obtained by review (评审): the committee, its meeting, the publicity and the vote."""

    route: ClassVar[str] = REVIEW

    committee_code: str
    committee_name: str
    committee_size: int
    meeting_date: dt.date
    publicity_start: dt.date
    publicity_end: dt.date
    attendees: int
    votes_for: int

    @property
    def obtained(self) -> dt.date:
        """取得时间: the day the result was confirmed."""
        return self.confirmation_date


@dataclass(frozen=True, slots=True)
class RecognitionRecord(RecordBase):
    """A title recognised directly (认定, 广西办法 第三十四、三十五条) by education and work.

    ``graduation_date`` is the station exit date for 博士后; ``employment_start_date`` is the day
    the 博士 (or 博士后) entered the employment relation with the recognising employer.
    """

    route: ClassVar[str] = RECOGNITION

    education: str
    graduation_date: dt.date
    work_start_date: dt.date | None
    employment_start_date: dt.date | None

    @property
    def obtained(self) -> dt.date:
        """取得时间 (第三十四条第二款, 第三十五条): 博士 from the employment relation (never before
        the degree), 博士后 from the station exit date, everyone else from the recognition."""
        if self.education == "博士后":
            return self.graduation_date
        if self.education == "博士" and self.employment_start_date is not None:
            return max(self.employment_start_date, self.graduation_date)
        return self.confirmation_date


@dataclass(frozen=True, slots=True)
class ReconfirmationRecord(RecordBase):
    """A title obtained in another province, reconfirmed here (重新确认, 第三十六条): the original
    certificate's number, issuer, date and route are kept, and the employment here is dated."""

    route: ClassVar[str] = RECONFIRMATION

    original_certificate_number: str
    original_issuer: str
    original_date: dt.date
    original_route: str
    employment_start_date: dt.date

    @property
    def obtained(self) -> dt.date:
        """取得时间: the original title's date (the title is not new, only confirmed here)."""
        return self.original_date


@dataclass(frozen=True, slots=True)
class ExamRecord(RecordBase):
    """A title obtained through a national exam (考试: 以考代评 or 考评结合)."""

    route: ClassVar[str] = EXAM

    exam_name: str
    exam_date: dt.date
    exam_authority: str
    exam_certificate_number: str

    @property
    def obtained(self) -> dt.date:
        """取得时间: the day the result was confirmed (the qualification's approval), after the exam."""
        return self.confirmation_date


AnyRecord = ResultRecord | RecognitionRecord | ReconfirmationRecord | ExamRecord
