"""The intake rules of DESIGN §2, as pure functions over one parsed record, a registry and ``today``.

Every finding is a ``Violation`` naming row, field and rule, with a message a clerk understands in
English and Chinese that names the offending values. Personal data appears only masked.

Decisions:
- The ⅔ thresholds use integer arithmetic (3·attendees ≥ 2·size, 3·votes ≥ 2·attendees), so ⅔
  exactly passes; attendance is measured against the *registered* committee size, and a file whose
  committee size differs from the registration is refused under ``committee``.
- Jurisdiction (rule 5): the confirming authority must hold a grant covering the level, series and
  route (评审) on the confirmation date. Which authority may confirm which committee (rule 6): the
  body that registered it, its forming unit when authorised, or a unit holding a commission letter
  (委托函) for the committee covering the level and the meeting date.
- The committee (rule 6) is judged by its registration in force at the meeting: series, specialty
  (when organised by specialty), level, window, and size (odd, at least the province's minimum or
  the approved adjusted minimum).
- Chronology (``order``): meeting ≤ publicity start, publicity end < confirmation, and no date after
  ``today``. Confirmation more than 15 working days after the publicity is a warning (rule 11).
- Duplicates within a file: the same ID number twice at all, whatever the titles: one review round
  does not confirm two titles for one person, and a repeated row is the commoner cause. Against
  titles already held (rule 8): the same series, specialty and title is refused, as is a second
  review title of the same level in the same review year (the year of the meeting); a same-level
  title in another specialty or series (多评同级, 转评) in another year passes.
- Names (rule 9): when intake knows which characters the installed fonts draw (``can_draw``), a
  name with a character no font draws is refused before anything is signed.
- Routes (DESIGN §2 取得方式): rules 1-4, 6 and 11 concern review alone; a row of another route
  is checked by its route's rules instead (``certsvc.domain.routes``: rule ``route``, its
  jurisdiction under rule 5), and by rules 7-10 like every row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from certsvc.domain.idnumber import mask_id, parse_id_number
from certsvc.domain.levels import AuthorityKind, Level
from certsvc.domain.names import check_name, mask_name
from certsvc.domain.record import (
    FIELD_LABELS_ZH,
    REVIEW,
    AnyRecord,
    RecordBase,
    ResultRecord,
    Violation,
    masked_person,
)
from certsvc.domain.registry import Authority, Committee, Registry
from certsvc.domain.routes import check_route, route_warnings
from certsvc.domain.titles import expected_title
from certsvc.domain.workdays import working_days
from certsvc.errors import CalendarNotCovered, ImplausibleName, InvalidIdNumber

RULES = (
    "attendance",
    "vote",
    "publicity",
    "order",
    "jurisdiction",
    "committee",
    "identity",
    "duplicate",
    "form",
    "integrity",
    "route",
)
WARNINGS = ("deadline",)
MIN_PUBLICITY_WORKING_DAYS = 5
# 渝数字职〔2024〕6号 §(3): results are sent for confirmation within 15 working days of the publicity.
CONFIRMATION_DEADLINE_WORKING_DAYS = 15
CanDraw = Callable[[str], bool]
"""``can_draw(text)``: whether the installed fonts draw every character of ``text``."""
FORMULA_PREFIXES = frozenset("=+-@")
# Excel and LibreOffice also start formulas after a leading tab or carriage return (OWASP CSV injection).
CONTROL_PREFIXES = frozenset("\t\r")

__all__ = ["RULES", "WARNINGS", "HeldTitle", "Violation", "check_record", "check_warnings"]


def two_thirds_of(n: int) -> int:
    """The smallest whole number that is at least ⅔ of ``n``."""
    return (2 * n + 2) // 3


def check_record(
    record: AnyRecord, registry: Registry, today: dt.date, *, can_draw: CanDraw | None = None
) -> list[Violation]:
    """Every rule violation of one record (duplicates across rows are ``DuplicateFinder``'s job).

    ``can_draw`` (from the documents' fonts) refuses names no installed font can print; without
    it the name's characters are judged by rule 9's form alone.
    """
    if not isinstance(record, ResultRecord):
        return check_route(record, registry, today) + _identity(record, today) + _form(record, can_draw)
    committee = registry.committee_on(record.committee_code, record.meeting_date)
    authority = registry.authorities.get(record.authority_code)
    size = committee.size if committee is not None else record.committee_size
    found: list[Violation] = []
    found += _attendance(record, size)
    found += _vote(record)
    found += _publicity(record)
    found += _order(record, today)
    found += _jurisdiction(record, authority, committee, registry)
    found += _committee(record, committee, registry)
    found += _identity(record, today)
    found += _form(record, can_draw)
    return found


def check_warnings(record: AnyRecord) -> list[Violation]:
    """What is accepted but worth a clerk's attention: confirmation late after the publicity (rule
    11); for other routes, their own (a 博士后 recognised late)."""
    if not isinstance(record, ResultRecord):
        return route_warnings(record)
    end, confirmed = record.publicity_end, record.confirmation_date
    # Fifteen calendar days cannot hold more than fifteen working days: the usual row stops here.
    if (confirmed - end).days <= CONFIRMATION_DEADLINE_WORKING_DAYS or confirmed <= end:
        return []
    try:
        days = working_days(end + dt.timedelta(days=1), confirmed)
    except CalendarNotCovered:
        return [
            Violation(
                record.row,
                "confirmation_date",
                "deadline",
                f"cannot count the working days from the end of publicity {end} to the confirmation "
                f"{confirmed} (calendar not covered); check the {CONFIRMATION_DEADLINE_WORKING_DAYS}-day deadline",
                f"无法计算公示结束 {end} 至确认日期 {confirmed} 的工作日（日历未覆盖），请核对"
                f" {CONFIRMATION_DEADLINE_WORKING_DAYS} 个工作日的确认时限",
            )
        ]
    if days <= CONFIRMATION_DEADLINE_WORKING_DAYS:
        return []
    return [
        Violation(
            record.row,
            "confirmation_date",
            "deadline",
            f"confirmed {days} working days after the publicity ended ({end} → {confirmed}), later than "
            f"the {CONFIRMATION_DEADLINE_WORKING_DAYS} working days the rules set; accepted, please check",
            f"确认日期 {confirmed} 距公示结束 {end} 已 {days} 个工作日，超过 "
            f"{CONFIRMATION_DEADLINE_WORKING_DAYS} 个工作日的时限；已受理，请核实",
        )
    ]


def check_raw_fields(row: int, fields: Mapping[str, str]) -> list[Violation]:
    """Formula prefixes and control characters in the raw (unstripped) text of any field."""
    joined = _JOIN + _JOIN.join(fields.values())
    if _PREFIX_AFTER_JOIN.search(joined) is None and (
        joined[1:].replace(_JOIN, "").isprintable() or _CONTROL_CHAR.search(joined) is None
    ):
        return []
    found: list[Violation] = []
    for field, value in fields.items():
        label = FIELD_LABELS_ZH.get(field, field)
        prefix = _formula_prefix(value)
        if prefix is not None:
            shown_en, shown_zh = _PREFIX_NAMES.get(prefix, (repr(prefix), f"“{prefix}”"))
            found.append(
                Violation(
                    row,
                    field,
                    "form",
                    f"{field} starts with {shown_en}, which a spreadsheet may run as a formula; remove it",
                    f"{label} 以{shown_zh}开头，可能被电子表格当作公式执行，请删除该字符",
                )
            )
        elif _CONTROL_CHAR.search(value):
            found.append(
                Violation(
                    row,
                    field,
                    "form",
                    f"{field} contains control characters (line breaks, tabs or invisible characters)",
                    f"{label} 含有换行、制表符等控制字符",
                )
            )
    return found


# Every character here is unprintable, so text that ``isprintable()`` has none (a C scan, several
# times faster than the search; the search remains for text with e.g. a full-width space).
_CONTROL_CHAR = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Fast path over a whole row: every value is preceded by a noncharacter, so every value start
# follows one; a value that itself contains it can only cause a needless per-field check.
_JOIN = "\uffff"
_PREFIX_AFTER_JOIN = re.compile(r"\uffff(?:[\t\r]|\s*[=+\-@])")
_PREFIX_NAMES = {"\t": ("a tab", "制表符"), "\r": ("a carriage return", "回车符")}


def _formula_prefix(value: str) -> str | None:
    if value[:1] in CONTROL_PREFIXES:
        return value[0]
    first = value.lstrip()[:1]
    return first if first in FORMULA_PREFIXES else None


class DuplicateFinder:
    """Remembers ID numbers seen so far in a file and flags a person's second appearance."""

    def __init__(self) -> None:
        self._first_row: dict[str, int] = {}

    def check(self, record: RecordBase) -> Violation | None:
        first = self._first_row.setdefault(record.id_number, record.row)
        if first == record.row:
            return None
        masked = mask_id(record.id_number)
        return Violation(
            record.row,
            "id_number",
            "duplicate",
            f"the person with ID number {masked} already appears in row {first} of this file",
            f"身份证号 {masked} 的人员已出现在本文件第 {first} 行，同一人不能重复出现",
        )


@dataclass(frozen=True, slots=True)
class HeldTitle:
    """A title a person already holds (a certificate that is not revoked), as rule 8 compares it."""

    series: str
    specialty: str
    title: str
    level: Level
    review_year: int
    route: str = REVIEW


def already_holds(record: AnyRecord, held: Iterable[HeldTitle] | None = None) -> Violation | None:
    """Rule 8 against titles already held: the same series, specialty and title; or a second
    review title of the same level in the same review year (广西办法 第三十八条). Another specialty
    or series of the same level in another year (多评同级, 转评) passes.

    Called without ``held`` it states the first finding for a holder known to hold this title.
    """
    person_en, person_zh = masked_person(record)
    items = (
        list(held)
        if held is not None
        else [HeldTitle(record.series, record.specialty, record.title, record.level, 0, route="")]
    )
    for title in items:
        if (title.series, title.specialty, title.title) == (record.series, record.specialty, record.title):
            return Violation(
                record.row,
                "title",
                "duplicate",
                f"{person_en} already holds an active certificate for "
                f"{record.title} ({record.series}, {record.specialty})",
                f"{person_zh}已持有有效的“{record.title}”（{record.series}系列 {record.specialty}专业）证书",
            )
    if not isinstance(record, ResultRecord):
        return None  # one review title of a level a year (第三十八条) concerns review alone
    year = record.meeting_date.year
    for title in items:
        if title.route == REVIEW and title.level is record.level and title.review_year == year:
            return Violation(
                record.row,
                "level",
                "duplicate",
                f"{person_en} already obtained a {record.level.value} title by review "
                f"in {year} ({title.title}, {title.series}, {title.specialty}); a person obtains at most one "
                "title of a level through review per year",
                f"{person_zh}{year} 年已通过评审取得{record.level.value}职称"
                f"（{title.series}系列 {title.specialty}专业 {title.title}），同一年度内只能评审一个同级别职称",
            )
    return None


def integrity_refusal(record: RecordBase, doc_no: str, until: dt.date) -> Violation:
    """Rule 10: the person is in a running integrity record; name its document, never its reasons."""
    person_en, person_zh = masked_person(record)
    return Violation(
        record.row,
        "id_number",
        "integrity",
        f"{person_en} is in the integrity record {doc_no} until {until}; "
        "results for this person are refused while it runs",
        f"{person_zh}已记入职称评审诚信档案（{doc_no}），影响期至 {until}，期间评审结果不予确认",
    )


def name_differs(record: RecordBase, certificate_number: str, owner: str) -> Violation:
    """The violation for a name that differs from the one registered on an existing certificate.

    Each certificate keeps the name its authority registered; only that authority's correction
    reissue changes it. A different spelling in a new file is refused, never applied to other
    certificates, and the clerk is referred to the owning authority (``owner``).
    """
    masked_name, masked = mask_name(record.name), mask_id(record.id_number)
    return Violation(
        record.row,
        "name",
        "identity",
        f"the name {masked_name} differs from the name registered for ID number {masked} on "
        f"certificate {certificate_number} (issued by {owner}); check the spelling, or ask {owner} "
        "for a correction reissue first",
        f"姓名 {masked_name} 与身份证号 {masked} 在证书 {certificate_number}（发证机构 {owner}）上登记的"
        f"姓名不一致；请核对姓名，或先请 {owner} 办理更正补发",
    )


def _attendance(r: ResultRecord, size: int) -> list[Violation]:
    if r.attendees > size:
        return [
            Violation(
                r.row,
                "attendees",
                "attendance",
                f"attendance {r.attendees} exceeds the committee size {size}",
                f"出席人数 {r.attendees} 超过评委会人数 {size}",
            )
        ]
    if 3 * r.attendees < 2 * size:
        need = two_thirds_of(size)
        return [
            Violation(
                r.row,
                "attendees",
                "attendance",
                f"attendance {r.attendees} is less than two thirds of the committee of {size} "
                f"(at least {need})",
                f"出席人数 {r.attendees} 少于评委会人数 {size} 的三分之二（至少 {need} 人）",
            )
        ]
    return []


def _vote(r: ResultRecord) -> list[Violation]:
    if r.votes_for > r.attendees:
        return [
            Violation(
                r.row,
                "votes_for",
                "vote",
                f"{r.votes_for} votes for exceed the {r.attendees} members present",
                f"同意票数 {r.votes_for} 超过出席人数 {r.attendees}",
            )
        ]
    if 3 * r.votes_for < 2 * r.attendees:
        need = two_thirds_of(r.attendees)
        return [
            Violation(
                r.row,
                "votes_for",
                "vote",
                f"{r.votes_for} votes for is less than two thirds of the {r.attendees} present "
                f"(at least {need})",
                f"同意票数 {r.votes_for} 少于出席人数 {r.attendees} 的三分之二（至少 {need} 票）",
            )
        ]
    return []


def _publicity(r: ResultRecord) -> list[Violation]:
    if r.publicity_start <= r.publicity_end:
        # The usual, compliant row, answered without building any message text.
        with contextlib.suppress(CalendarNotCovered):
            if working_days(r.publicity_start, r.publicity_end) >= MIN_PUBLICITY_WORKING_DAYS:
                return []
    start, end = r.publicity_start.isoformat(), r.publicity_end.isoformat()
    if r.publicity_end < r.publicity_start:
        return [
            Violation(
                r.row,
                "publicity_end",
                "publicity",
                f"the publicity period ends ({end}) before it starts ({start})",
                f"公示结束日期 {end} 早于公示开始日期 {start}",
            )
        ]
    try:
        days = working_days(r.publicity_start, r.publicity_end)
    except CalendarNotCovered as exc:
        return [
            Violation(
                r.row,
                "publicity_end",
                "publicity",
                f"cannot count working days from {start} to {end}: {exc.message}",
                exc.detail_zh or f"无法计算 {start} 至 {end} 的工作日",
            )
        ]
    if days < MIN_PUBLICITY_WORKING_DAYS:
        return [
            Violation(
                r.row,
                "publicity_end",
                "publicity",
                f"the publicity period {start} to {end} has {days} working days, fewer than "
                f"{MIN_PUBLICITY_WORKING_DAYS} (holidays and adjusted weekends counted)",
                f"公示期 {start} 至 {end} 只有 {days} 个工作日，少于 {MIN_PUBLICITY_WORKING_DAYS} 个工作日"
                "（已按法定节假日和调休计算）",
            )
        ]
    return []


def _order(r: ResultRecord, today: dt.date) -> list[Violation]:
    found: list[Violation] = []
    if r.confirmation_date <= r.publicity_end:
        found.append(
            Violation(
                r.row,
                "confirmation_date",
                "order",
                f"confirmation date {r.confirmation_date} is not after the end of publicity "
                f"{r.publicity_end}",
                f"确认日期 {r.confirmation_date} 不晚于公示结束日期 {r.publicity_end}，须在公示期满后确认",
            )
        )
    if r.publicity_start < r.meeting_date:
        found.append(
            Violation(
                r.row,
                "publicity_start",
                "order",
                f"publicity starts ({r.publicity_start}) before the review meeting ({r.meeting_date})",
                f"公示开始日期 {r.publicity_start} 早于评审日期 {r.meeting_date}",
            )
        )
    for field in ("meeting_date", "publicity_start", "publicity_end", "confirmation_date"):
        day: dt.date = getattr(r, field)
        if day > today:
            found.append(
                Violation(
                    r.row,
                    field,
                    "order",
                    f"{field} {day} is in the future (today is {today})",
                    f"{FIELD_LABELS_ZH[field]} {day} 晚于今天（{today}）",
                )
            )
    return found


def _jurisdiction(
    r: ResultRecord, authority: Authority | None, committee: Committee | None, registry: Registry
) -> list[Violation]:
    if authority is None:
        return [
            Violation(
                r.row,
                "authority_code",
                "jurisdiction",
                f"authority {r.authority_code} is not in the registry",
                f"发证机构代码 {r.authority_code} 不在登记的发证机构中",
            )
        ]
    found: list[Violation] = []
    day = r.confirmation_date
    if not authority.may_confirm(r.level, r.series, REVIEW, day):
        found.append(
            Violation(
                r.row,
                "level",
                "jurisdiction",
                f"{authority.name} ({authority.kind.value}) holds no grant to confirm {r.level.value} "
                f"titles of the series {r.series} by review on {day}",
                f"{authority.name}（{_kind_zh(authority.kind)}）在 {day} 没有确认{r.series}系列"
                f"{r.level.value}职称（评审）的授权",
            )
        )
    if (
        committee is not None
        and registry.confirmation_link(authority.code, committee, r.level, r.meeting_date) is None
    ):
        found.append(
            Violation(
                r.row,
                "authority_code",
                "jurisdiction",
                f"{authority.code} may not confirm the results of committee {committee.code}: it neither "
                f"registered it ({committee.registered_by}), nor is its forming unit authorised to confirm, "
                f"nor holds a commission letter for {r.level.value} covering the meeting on {r.meeting_date}",
                f"{authority.code} 无权确认评委会 {committee.code} 的评审结果：该评委会由 "
                f"{committee.registered_by} 核准备案，{authority.code} 既非经授权自主确认的组建单位，"
                f"也没有覆盖{r.level.value}和评审日期 {r.meeting_date} 的委托函",
            )
        )
    return found


def _kind_zh(kind: AuthorityKind) -> str:
    return "县级人力资源社会保障部门" if kind is AuthorityKind.COUNTY else kind.label_zh


def _committee(r: ResultRecord, committee: Committee | None, registry: Registry) -> list[Violation]:
    if committee is None:
        return [
            Violation(
                r.row,
                "committee_code",
                "committee",
                f"committee {r.committee_code} is not registered",
                f"评委会代码 {r.committee_code} 未核准备案",
            )
        ]
    found: list[Violation] = []
    if committee.series != r.series:
        found.append(
            Violation(
                r.row,
                "series",
                "committee",
                f"committee {committee.code} is registered for the series {committee.series}, not {r.series}",
                f"评委会 {committee.code} 核准备案的职称系列为“{committee.series}”，不是“{r.series}”",
            )
        )
    if committee.organisation == "specialty" and committee.specialty != r.specialty:
        found.append(
            Violation(
                r.row,
                "specialty",
                "committee",
                f"committee {committee.code} is registered for the specialty {committee.specialty}, "
                f"not {r.specialty}",
                f"评委会 {committee.code} 按专业组建，核准备案的专业为“{committee.specialty}”，不是“{r.specialty}”",
            )
        )
    if committee.level != r.level:
        found.append(
            Violation(
                r.row,
                "level",
                "committee",
                f"committee {committee.code} is registered for {committee.level.value}, not {r.level.value}",
                f"评委会 {committee.code} 核准备案的级别为{committee.level.value}，不能评审{r.level.value}",
            )
        )
    if not committee.registered_on(r.meeting_date):
        window = f"{committee.registered_from} to {committee.registered_until}"
        window_zh = f"{committee.registered_from} 至 {committee.registered_until}"
        found.append(
            Violation(
                r.row,
                "meeting_date",
                "committee",
                f"meeting date {r.meeting_date} is outside committee {committee.code}'s registration "
                f"({window})",
                f"评审日期 {r.meeting_date} 不在评委会 {committee.code} 的核准备案有效期（{window_zh}）内",
            )
        )
    size = registry.size_problem(committee)
    if size is not None:
        found.append(Violation(r.row, "committee_size", "committee", size[0], size[1]))
    if committee.size != r.committee_size:
        found.append(
            Violation(
                r.row,
                "committee_size",
                "committee",
                f"committee size {r.committee_size} differs from the registered size {committee.size}",
                f"评委会人数 {r.committee_size} 与核准备案的人数 {committee.size} 不符",
            )
        )
    if committee.name != r.committee_name:
        found.append(
            Violation(
                r.row,
                "committee_name",
                "committee",
                f"committee name {r.committee_name} differs from the registered name {committee.name}",
                f"评委会名称“{r.committee_name}”与核准备案的名称“{committee.name}”不符",
            )
        )
    return found


def _identity(r: RecordBase, today: dt.date) -> list[Violation]:
    try:
        parse_id_number(r.id_number, today=today)
    except InvalidIdNumber as exc:
        return [Violation(r.row, "id_number", "identity", exc.message, exc.detail_zh or exc.message)]
    return []


def _form(r: RecordBase, can_draw: CanDraw | None) -> list[Violation]:
    found: list[Violation] = []
    try:
        check_name(r.name)
    except ImplausibleName as exc:
        found.append(Violation(r.row, "name", "form", exc.message, exc.detail_zh or exc.message))
    else:
        if can_draw is not None and not can_draw(r.name):
            # The characters themselves would show the name: say what is wrong, not which.
            found.append(
                Violation(
                    r.row,
                    "name",
                    "form",
                    "the name has a character that no installed font can print, so its certificate "
                    "could not be rendered; check the character or install a font covering it",
                    "姓名中有已安装字体均无法显示的字符，证书将无法打印；请核对该字符或安装覆盖该字符的字体",
                )
            )
    title = expected_title(r.series, r.level)
    if title is not None and title != r.title:
        found.append(
            Violation(
                r.row,
                "title",
                "form",
                f"in the series {r.series} a {r.level.value} title is {title}, not {r.title}",
                f"{r.series}系列{r.level.value}的资格名称应为“{title}”，不是“{r.title}”",
            )
        )
    return found
