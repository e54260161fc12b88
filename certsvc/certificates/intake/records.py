"""Raw row → typed ``ResultRecord``, or the form violations that prevent it.

Normalisation: every text is NFC and stripped (Python's strip also removes the full-width space);
names go through ``normalize_name`` (middle-dot variants → U+00B7), ID numbers through
``normalize_id_number`` (full-width digits, lower-case x), authority codes are upper-cased.

Routes: the ``route`` field (取得方式: 评审, 认定, 重新确认, 考试, or review, recognition,
reconfirmation, exam) decides the record type and which fields the row must fill; a row without
it is a review. Education (学历) and the original route (原取得方式) take the names of DESIGN §2
and their usual synonyms.

Dates: ``2024-11-20``, ``2024/11/20``, ``2024.11.20``, ``2024年11月20日`` (month and day may have
one digit), ``20241120``, and any of these followed by a midnight time ``00:00[:00]`` (what some
spreadsheet exports append). Day-first or month-first forms such as ``11/20/2024`` are refused:
which is the month would be a guess. Whole numbers: 1-6 ASCII or full-width digits, nothing else.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from typing import TypedDict

from certsvc.certificates.intake.readers import RawRow
from certsvc.domain.idnumber import normalize_id_number
from certsvc.domain.levels import Level
from certsvc.domain.names import normalize_name
from certsvc.domain.record import (
    EXAM,
    FIELD_LABELS_ZH,
    RECOGNITION,
    RECONFIRMATION,
    ROUTES,
    AnyRecord,
    ExamRecord,
    RecognitionRecord,
    ReconfirmationRecord,
    ResultRecord,
    Violation,
)
from certsvc.domain.routes import (
    EDUCATIONS,
    needs_employment_start,
    needs_work_start,
    parse_education,
    parse_route,
)

__all__ = ["ResultRecord", "parse_date", "parse_row"]

_DATE = re.compile(
    r"(?P<y>\d{4})(?:(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})|年(?P<m2>\d{1,2})月(?P<d2>\d{1,2})日"
    r"|(?P<m3>\d{2})(?P<d3>\d{2}))(?:[ T]00:00(?::00)?)?"
)
_WHOLE_NUMBER = re.compile(r"[0-9]{1,6}")
_LEVEL_NAMES = "、".join(level.value for level in Level)
_ROUTE_NAMES = "、".join(ROUTES)
_EDUCATION_NAMES = "、".join(EDUCATIONS)


@functools.lru_cache(maxsize=4096)
def parse_date(text: str) -> dt.date | None:
    """The date ``text`` names in one of the accepted forms, or None."""
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    month = match["m"] or match["m2"] or match["m3"]
    day = match["d"] or match["d2"] or match["d3"]
    try:
        return dt.date(int(match["y"]), int(month), int(day))
    except ValueError:
        return None


def parse_row(raw: RawRow, *, shared: dict[str, str] | None = None) -> AnyRecord | list[Violation]:
    """The typed record of ``raw`` (of its route's type), or one violation per missing or
    malformed field (an unknown route: one ``route`` violation).

    ``shared``, when given, is used to share equal strings between the records of one batch.
    """
    route_text = raw.fields.get("route", "")
    route = parse_route(unicodedata.normalize("NFKC", route_text)) if route_text else ResultRecord.route
    if route is None:
        shown = route_text.strip()
        return [
            Violation(
                raw.row,
                "route",
                "route",
                f"unknown route {shown!r}: use one of {_ROUTE_NAMES} (or review, recognition, "
                "reconfirmation, exam)",
                f"取得方式“{shown}”无法识别，应为 {_ROUTE_NAMES} 之一",
            )
        ]
    p = _RowParser(raw, shared)
    common: _Common = {
        "row": raw.row,
        "confirmation_doc_no": p.text("confirmation_doc_no"),
        "confirmation_date": p.date("confirmation_date"),
        "authority_code": unicodedata.normalize("NFKC", p.text("authority_code")).upper(),
        "series": p.text("series"),
        "specialty": p.text("specialty"),
        "name": normalize_name(p.text("name", share=False)),
        "id_number": normalize_id_number(p.text("id_number", share=False)),
        "employer": p.text("employer"),
        "title": p.text("title"),
        "level": p.level(),
    }
    record: AnyRecord
    if route == RECOGNITION:
        education = p.education()
        record = RecognitionRecord(
            **common,
            education=education,
            graduation_date=p.date("graduation_date"),
            work_start_date=p.optional_date("work_start_date", required=needs_work_start(education)),
            employment_start_date=p.optional_date(
                "employment_start_date", required=needs_employment_start(education)
            ),
        )
    elif route == RECONFIRMATION:
        record = ReconfirmationRecord(
            **common,
            original_certificate_number=p.text("original_certificate_number"),
            original_issuer=p.text("original_issuer"),
            original_date=p.date("original_date"),
            original_route=p.original_route(),
            employment_start_date=p.date("employment_start_date"),
        )
    elif route == EXAM:
        record = ExamRecord(
            **common,
            exam_name=p.text("exam_name"),
            exam_date=p.date("exam_date"),
            exam_authority=p.text("exam_authority"),
            exam_certificate_number=p.text("exam_certificate_number", share=False),
        )
    else:
        record = ResultRecord(
            **common,
            committee_code=p.text("committee_code"),
            committee_name=p.text("committee_name"),
            committee_size=p.whole_number("committee_size"),
            meeting_date=p.date("meeting_date"),
            publicity_start=p.date("publicity_start"),
            publicity_end=p.date("publicity_end"),
            attendees=p.whole_number("attendees"),
            votes_for=p.whole_number("votes_for"),
        )
    return p.problems or record


class _Common(TypedDict):
    """The fields every route's record has (``RecordBase``)."""

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


class _RowParser:
    """Reads one field at a time; a bad field records a violation and yields a placeholder, so
    the caller sees every problem of the row at once and never a record built from placeholders."""

    def __init__(self, raw: RawRow, shared: dict[str, str] | None) -> None:
        self.raw = raw
        self.shared = shared
        self.problems: list[Violation] = []

    def _problem(self, field: str, en: str, zh: str) -> None:
        self.problems.append(Violation(self.raw.row, field, "form", en, zh))

    def text(self, field: str, *, share: bool = True) -> str:
        text = unicodedata.normalize("NFC", self.raw.fields.get(field, "")).strip()
        if not text:
            self._problem(field, f"{field} is missing", f"缺少{FIELD_LABELS_ZH[field]}")
        if share and self.shared is not None:
            text = self.shared.setdefault(text, text)
        return text

    def optional_date(self, field: str, *, required: bool) -> dt.date | None:
        """The date, None when the field is empty and not ``required`` (a full-width space is empty)."""
        if not required and not self.raw.fields.get(field, "").strip():
            return None
        return self.date(field)

    def date(self, field: str) -> dt.date:
        text = self.text(field, share=False)
        day = parse_date(unicodedata.normalize("NFKC", text)) if text else dt.date.min
        if day is None:
            self._problem(
                field,
                f"{field} {text!r} is not a date such as 2024-11-20",
                f"{FIELD_LABELS_ZH[field]}“{text}”不是有效日期，应写作 2024-11-20",
            )
            return dt.date.min
        return day

    def whole_number(self, field: str) -> int:
        text = self.text(field, share=False)
        digits = unicodedata.normalize("NFKC", text)
        if not _WHOLE_NUMBER.fullmatch(digits):
            if text:
                self._problem(
                    field,
                    f"{field} {text!r} is not a whole number",
                    f"{FIELD_LABELS_ZH[field]}“{text}”不是整数",
                )
            return 0
        return int(digits)

    def level(self) -> Level:
        text = self.text("level", share=False)
        level = Level.parse(text)
        if level is None:
            if text:
                self._problem(
                    "level",
                    f"unknown level {text!r}: use one of {_LEVEL_NAMES}",
                    f"级别“{text}”无法识别，应为 {_LEVEL_NAMES} 之一",
                )
            return Level.YUAN
        return level

    def education(self) -> str:
        text = self.text("education", share=False)
        education = parse_education(text)
        if education is None:
            if text:
                self._problem(
                    "education",
                    f"unknown education {text!r}: use one of {_EDUCATION_NAMES}",
                    f"学历“{text}”无法识别，应为 {_EDUCATION_NAMES} 之一",
                )
            return "博士后"  # a placeholder needing no other dates; the row is refused anyway
        return education

    def original_route(self) -> str:
        text = self.text("original_route", share=False)
        route = parse_route(unicodedata.normalize("NFKC", text)) if text else None
        if route is None:
            if text:
                self._problem(
                    "original_route",
                    f"unknown original route {text!r}: use one of {_ROUTE_NAMES}",
                    f"原取得方式“{text}”无法识别，应为 {_ROUTE_NAMES} 之一",
                )
            return ResultRecord.route
        return route
