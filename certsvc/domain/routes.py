"""The acquisition routes other than review (DESIGN §2 取得方式): their rules, and how a title
was obtained as certificates and credentials state it (``Acquisition``). PURE.

Recognition (认定, 广西办法 第三十四、三十五条):

- by education: 中专 / 技工中级班 → 员级 after ≥ 1 year of professional work, within 3 years of
  graduating; 大专 / 高级技工班 → 助理级 after ≥ 3 years, within 5; 本科 / 预备技师班 → 助理级
  after ≥ 1 year, within 3; 硕士 → 助理级 within 2 years, or 中级 after ≥ 3 years within 5;
  博士 → 中级 within 2 years; 博士后 on leaving the station → 副高级. Any other level for the
  education is refused.
- work counts from graduation ("毕业后从事专业技术工作"): from the later of ``work_start_date``
  and ``graduation_date``.
- periods of years end on the corresponding day (民法典 第二百零二、二百零三条; ``add_years``):
  graduated 2021-07-01, "within 3 years" is up to and including 2024-07-01, "≥ 1 year of work"
  from 2021-07-01 is reached on 2022-07-01. The recognition date is the confirmation date.
- never twice by recognition (a new education does not recognise again; ``recognised_before``);
  not in specialties with a national exam at that level (``NATIONAL_EXAMS``).
- 博士后: the title dates from the station exit (``graduation_date``); recognition is due within 2
  years of the employment contract "原则上" (in principle), so later is a warning, not a refusal.

Reconfirmation (重新确认, 第三十六条): a title obtained outside the province, the same series, after
≥ 2 years ("2年以上" includes 2) of employment here; never a title obtained by national exam (the
original route 考试, or a level only a national exam confers), never one issued in this province
(its own authorities, self-review units included). The original number, issuer, date and route are
kept; the title dates from the original date. Social insurance cannot be seen in a results file:
the employer's and the authority's check stands behind the confirmation.

Exam (考试, 以考代评 / 考评结合): only where a national exam confers the title at that level; the
exam precedes the confirmation.

Each route's refusals have the rule ``route`` (jurisdiction over the route is rule 5's
``jurisdiction``, dates in the future and before their cause are ``order``), in English and Chinese.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from certsvc.domain.levels import Level
from certsvc.domain.record import (
    EXAM,
    FIELD_LABELS_ZH,
    RECOGNITION,
    RECONFIRMATION,
    REVIEW,
    ROUTES,
    ExamRecord,
    RecognitionRecord,
    ReconfirmationRecord,
    RecordBase,
    ResultRecord,
    Violation,
    masked_person,
)
from certsvc.domain.registry import Authority, Registry
from certsvc.domain.workdays import add_years

# English names of the routes: accepted in files beside the Chinese ones, used in URLs and slugs.
ROUTE_SLUGS: Mapping[str, str] = MappingProxyType(
    {REVIEW: "review", RECOGNITION: "recognition", RECONFIRMATION: "reconfirmation", EXAM: "exam"}
)
ROUTE_EN: Mapping[str, str] = MappingProxyType(
    {REVIEW: "review", RECOGNITION: "recognition", RECONFIRMATION: "reconfirmation", EXAM: "national exam"}
)
_ROUTE_NAMES = {**{r: r for r in ROUTES}, **{slug: r for r, slug in ROUTE_SLUGS.items()}}
RECONFIRMATION_EMPLOYMENT_YEARS = 2
POSTDOC_DEADLINE_YEARS = 2


def parse_route(text: str) -> str | None:
    """The route ``text`` names (Chinese or its English slug, any case); 评审 for empty text."""
    cleaned = text.strip()
    if not cleaned:
        return REVIEW
    return _ROUTE_NAMES.get(cleaned) or _ROUTE_NAMES.get(cleaned.lower())


# --- recognition by education ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RecognitionPath:
    """One way an education is recognised: the level, the years of work it needs (0: none) and the
    years after graduating it must happen within (None: no limit)."""

    level: Level
    min_work_years: int
    within_years: int | None


_MIDDLE = (RecognitionPath(Level.YUAN, 1, 3),)
_COLLEGE = (RecognitionPath(Level.ZHU_LI, 3, 5),)
_BACHELOR = (RecognitionPath(Level.ZHU_LI, 1, 3),)
EDUCATION_PATHS: Mapping[str, tuple[RecognitionPath, ...]] = MappingProxyType(
    {
        "中专": _MIDDLE,
        "技工中级班": _MIDDLE,
        "大专": _COLLEGE,
        "高级技工班": _COLLEGE,
        "本科": _BACHELOR,
        "预备技师班": _BACHELOR,
        "硕士": (RecognitionPath(Level.ZHU_LI, 0, 2), RecognitionPath(Level.ZHONG, 3, 5)),
        "博士": (RecognitionPath(Level.ZHONG, 0, 2),),
        "博士后": (RecognitionPath(Level.FU_GAO, 0, None),),
    }
)
EDUCATIONS: tuple[str, ...] = tuple(EDUCATION_PATHS)
_EDUCATION_ALIASES = {
    "中等专业学校": "中专",
    "中级技工班": "技工中级班",
    "技工院校中级技工班": "技工中级班",
    "大学专科": "大专",
    "专科": "大专",
    "高级工班": "高级技工班",
    "技工院校高级技工班": "高级技工班",
    "大学本科": "本科",
    "技师班": "预备技师班",
    "预备技师（技师）班": "预备技师班",
    "预备技师(技师)班": "预备技师班",
    "硕士研究生": "硕士",
    "博士研究生": "博士",
}


def parse_education(text: str) -> str | None:
    """The education ``text`` names (one of ``EDUCATIONS`` or a usual synonym), or None."""
    cleaned = "".join(text.split())
    return cleaned if cleaned in EDUCATION_PATHS else _EDUCATION_ALIASES.get(cleaned)


def needs_work_start(education: str) -> bool:
    """Whether a recognition row must date the start of professional work (all but 博士后)."""
    return education != "博士后"


def needs_employment_start(education: str) -> bool:
    """Whether a recognition row must date the employment relation (博士: the title dates from it)."""
    return education == "博士"


# --- national exams ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class NationalExam:
    """Titles a national exam confers (以考代评, ``exam_levels``) or qualifies for with a review
    (考评结合, ``combined_levels``), in a series, one specialty of it or (None) all of them."""

    series: str
    specialty: str | None
    exam_levels: frozenset[Level]
    combined_levels: frozenset[Level] = frozenset()

    @property
    def levels(self) -> frozenset[Level]:
        return self.exam_levels | self.combined_levels


_JUNIOR_MIDDLE = frozenset({Level.ZHU_LI, Level.ZHONG})
_ASSOCIATE = frozenset({Level.FU_GAO})
# After the national catalogue of professional qualifications (国家职业资格目录, 2021) and the
# series' reform guidelines. Extend here when a national exam starts or changes its levels.
NATIONAL_EXAMS: tuple[NationalExam, ...] = (
    NationalExam("会计", None, _JUNIOR_MIDDLE, _ASSOCIATE),
    NationalExam("审计", None, _JUNIOR_MIDDLE, _ASSOCIATE),
    NationalExam("统计", None, _JUNIOR_MIDDLE, _ASSOCIATE),
    NationalExam("经济", None, _JUNIOR_MIDDLE, _ASSOCIATE),
    NationalExam(
        "卫生技术",
        None,
        frozenset({Level.YUAN, Level.ZHU_LI, Level.ZHONG}),
        frozenset({Level.FU_GAO, Level.ZHENG_GAO}),
    ),
    NationalExam("翻译", None, _JUNIOR_MIDDLE, _ASSOCIATE),
    NationalExam("出版", None, _JUNIOR_MIDDLE),
    NationalExam("社会工作", None, _JUNIOR_MIDDLE, _ASSOCIATE),
    NationalExam("知识产权", None, _JUNIOR_MIDDLE),
    NationalExam(
        "工程技术",
        "计算机技术与软件",
        frozenset({Level.YUAN, Level.ZHU_LI, Level.ZHONG, Level.FU_GAO}),
    ),
    NationalExam("工程技术", "通信", _JUNIOR_MIDDLE, _ASSOCIATE),
)


def national_exam(series: str, specialty: str, level: Level) -> NationalExam | None:
    """The national exam behind titles of ``level`` in this series and specialty, if any."""
    for exam in NATIONAL_EXAMS:
        if exam.series == series and exam.specialty in (None, specialty) and level in exam.levels:
            return exam
    return None


# --- how a title was obtained, as certificates state it ---------------------------------------
@dataclass(frozen=True, slots=True)
class Acquisition:
    """How a title was obtained: the route and the facts the certificate prints for it."""

    route: str
    committee: str | None = None
    review_date: dt.date | None = None
    education: str | None = None
    original_certificate_number: str | None = None
    original_issuer: str | None = None
    original_date: dt.date | None = None
    original_route: str | None = None
    exam_name: str | None = None
    exam_date: dt.date | None = None
    exam_authority: str | None = None
    exam_certificate_number: str | None = None

    def __reduce__(self) -> tuple[type[Acquisition], tuple[Any, ...]]:
        # Pickled by position: for a slotted dataclass, ``dataclasses`` pickles through ``fields()``
        # on every object, which was most of the cost of handing an import's chunk to its signing
        # worker (ADR 0019).
        return (Acquisition, _acquisition_values(self))

    def details(self) -> list[tuple[str, str | dt.date]]:
        """(attribute, value) of each fact given, in ``ACQUISITION_LABELS_ZH`` order."""
        found: list[tuple[str, str | dt.date]] = []
        for name in ACQUISITION_LABELS_ZH:
            value = getattr(self, name)
            if value is not None and value != "":
                found.append((name, value))
        return found

    def to_json(self) -> dict[str, str]:
        """The facts as JSON text (dates ISO 8601), route included, absent ones left out."""
        out = {"route": self.route}
        # Once per certificate issued: plain attribute reads, no intermediate list.
        for name in _TEXT_FACTS:
            text = getattr(self, name)
            if text:
                out[name] = text
        for name in _DATE_FACTS:
            day = getattr(self, name)
            if day is not None:
                out[name] = day.isoformat()
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Acquisition:
        """The inverse of ``to_json``; raises ``ValueError``/``TypeError`` on anything malformed."""
        route = data.get("route")
        if route not in ROUTES:
            raise ValueError(f"unknown route {route!r}")
        values: dict[str, str | dt.date] = {}
        for name in ACQUISITION_LABELS_ZH:
            value = data.get(name)
            if value is None:
                continue
            if not isinstance(value, str):
                raise TypeError(f"{name} must be text")
            values[name] = dt.date.fromisoformat(value) if name in _DATE_FACTS else value
        return cls(route, **values)  # type: ignore[arg-type]  # each name is a field of its type


# What the certificate prints for each fact, in print order.
ACQUISITION_LABELS_ZH: Mapping[str, str] = MappingProxyType(
    {
        "committee": "评审委员会",
        "review_date": "评审通过日期",
        "education": "学历",
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
_DATE_FACTS = ("review_date", "original_date", "exam_date")
_acquisition_values = operator.attrgetter(*(field.name for field in dataclasses.fields(Acquisition)))
_TEXT_FACTS = tuple(name for name in ACQUISITION_LABELS_ZH if name not in _DATE_FACTS)
# Facts shown on public pages and in the verify API: all but the holder's education.
PUBLIC_FACTS = tuple(name for name in ACQUISITION_LABELS_ZH if name != "education")
REVIEW_ACQUISITION = Acquisition(REVIEW)


def stored_acquisition(
    route: str, facts: Mapping[str, Any] | None, committee_name: str | None, meeting_date: dt.date | None
) -> Acquisition:
    """The acquisition of a stored certificate: the other routes keep their facts as JSON
    (``Acquisition.to_json``), review keeps its committee and meeting in their own columns."""
    if facts is not None:
        return Acquisition.from_json(facts)
    return Acquisition(route, committee=committee_name or None, review_date=meeting_date)


def acquisition_of(record: RecordBase) -> Acquisition:
    """The acquisition facts a record's certificate states."""
    if isinstance(record, ResultRecord):
        return Acquisition(REVIEW, committee=record.committee_name, review_date=record.meeting_date)
    if isinstance(record, RecognitionRecord):
        return Acquisition(RECOGNITION, education=record.education)
    if isinstance(record, ReconfirmationRecord):
        return Acquisition(
            RECONFIRMATION,
            original_certificate_number=record.original_certificate_number,
            original_issuer=record.original_issuer,
            original_date=record.original_date,
            original_route=record.original_route,
        )
    if isinstance(record, ExamRecord):
        return Acquisition(
            EXAM,
            exam_name=record.exam_name,
            exam_date=record.exam_date,
            exam_authority=record.exam_authority,
            exam_certificate_number=record.exam_certificate_number,
        )
    raise TypeError(f"not a result record: {type(record).__name__}")


# --- the rules ---------------------------------------------------------------------------------
def check_route(
    record: RecognitionRecord | ReconfirmationRecord | ExamRecord,
    registry: Registry,
    today: dt.date,
) -> list[Violation]:
    """Every violation of a non-review record's route rules, its route's jurisdiction (rule 5) and
    its dates' order (in the past, after their causes)."""
    authority = registry.authorities.get(record.authority_code)
    found = _jurisdiction(record, authority)
    if isinstance(record, RecognitionRecord):
        found += _recognition(record, today)
    elif isinstance(record, ReconfirmationRecord):
        found += _reconfirmation(record, authority, registry, today)
    else:
        found += _exam(record, today)
    return found


def route_warnings(record: RecognitionRecord | ReconfirmationRecord | ExamRecord) -> list[Violation]:
    """Accepted but worth a look: a 博士后 recognised more than 2 years after the contract here."""
    if not isinstance(record, RecognitionRecord) or record.education != "博士后":
        return []
    start = record.employment_start_date
    if start is None or record.confirmation_date <= add_years(start, POSTDOC_DEADLINE_YEARS):
        return []
    due = add_years(start, POSTDOC_DEADLINE_YEARS)
    return [
        Violation(
            record.row,
            "employment_start_date",
            "deadline",
            f"a postdoctoral recognition is due within {POSTDOC_DEADLINE_YEARS} years of the employment "
            f"contract ({start}, so by {due}); recognised on {record.confirmation_date}: accepted, "
            "please check",
            f"博士后认定原则上应在签订劳动（聘用）合同（{start}）之后 {POSTDOC_DEADLINE_YEARS} 年内"
            f"（{due} 前）办理完毕，认定日期为 {record.confirmation_date}；已受理，请核实（第三十五条）",
        )
    ]


def recognised_before(record: RecognitionRecord, held_routes: Iterable[tuple[str, str]]) -> Violation | None:
    """Never twice by recognition (第三十四条): ``held_routes`` are (route, title) of the person's
    live certificates."""
    for route, title in held_routes:
        if route == RECOGNITION:
            person_en, person_zh = masked_person(record)
            return Violation(
                record.row,
                "education",
                "route",
                f"{person_en} already obtained a title by recognition ({title}); "
                "a new education does not recognise again: further titles are obtained by review",
                f"{person_zh}已通过认定取得职称（{title}），"
                "不因具备新的学历条件再次认定，须通过评审取得（第三十四条）",
            )
    return None


def _jurisdiction(record: RecordBase, authority: Authority | None) -> list[Violation]:
    route = record.route
    if authority is None:
        return [
            Violation(
                record.row,
                "authority_code",
                "jurisdiction",
                f"authority {record.authority_code} is not in the registry",
                f"发证机构代码 {record.authority_code} 不在登记的发证机构中",
            )
        ]
    day = record.confirmation_date
    if authority.may_confirm(record.level, record.series, route, day):
        return []
    return [
        Violation(
            record.row,
            "level",
            "jurisdiction",
            f"{authority.name} holds no grant to confirm {record.level.value} titles of the series "
            f"{record.series} by {ROUTE_EN[route]} ({route}) on {day}",
            f"{authority.name} 在 {day} 没有以{route}方式确认{record.series}系列{record.level.value}职称的授权"
            "（第七条：认定、重新确认的证书按管理权限核发）",
        )
    ]


def _dates_in_order(
    record: RecordBase, today: dt.date, earlier: Iterable[tuple[str, dt.date | None]]
) -> list[Violation]:
    """``order``: no date after today, and each of ``earlier`` not after the confirmation."""
    found: list[Violation] = []
    confirmed = record.confirmation_date
    for field, day in earlier:
        if day is not None and day > confirmed:
            found.append(
                Violation(
                    record.row,
                    field,
                    "order",
                    f"{field} {day} is after the confirmation date {confirmed}",
                    f"{_label(field)} {day} 晚于确认日期 {confirmed}",
                )
            )
    if confirmed > today:
        found.append(
            Violation(
                record.row,
                "confirmation_date",
                "order",
                f"confirmation_date {confirmed} is in the future (today is {today})",
                f"确认日期 {confirmed} 晚于今天（{today}）",
            )
        )
    return found


def _label(field: str) -> str:
    return FIELD_LABELS_ZH.get(field, field)


def _recognition(r: RecognitionRecord, today: dt.date) -> list[Violation]:
    found = _dates_in_order(
        r,
        today,
        (
            ("graduation_date", r.graduation_date),
            ("work_start_date", r.work_start_date),
            ("employment_start_date", r.employment_start_date),
        ),
    )
    exam = national_exam(r.series, r.specialty, r.level)
    if exam is not None:
        found.append(
            Violation(
                r.row,
                "specialty",
                "route",
                f"{r.series} / {r.specialty} {r.level.value} titles come through a national exam "
                "(or exam and review): they are not recognised",
                f"{r.series}系列{r.specialty}专业{r.level.value}职称实行全国统一考试或考评结合，"
                "不进行认定（第三十四条）",
            )
        )
    paths = EDUCATION_PATHS[r.education]
    path = next((p for p in paths if p.level is r.level), None)
    if path is None:
        allowed = "、".join(p.level.value for p in paths)
        found.append(
            Violation(
                r.row,
                "level",
                "route",
                f"{r.education} graduates are recognised as {allowed}, not {r.level.value}",
                f"{r.education}学历只能认定{allowed}职称，不能认定{r.level.value}（第三十四、三十五条）",
            )
        )
        return found
    if path.within_years is not None:
        deadline = add_years(r.graduation_date, path.within_years)
        if r.confirmation_date > deadline:
            found.append(
                Violation(
                    r.row,
                    "graduation_date",
                    "route",
                    f"{r.education} → {r.level.value} is recognised within {path.within_years} years of "
                    f"graduating ({r.graduation_date}, so by {deadline}); recognised on "
                    f"{r.confirmation_date}: too late, the title is now obtained by review",
                    f"{r.education}毕业 {path.within_years} 年内可认定{r.level.value}职称：毕业日期 "
                    f"{r.graduation_date}，最迟 {deadline}，认定日期 {r.confirmation_date} 已逾期，"
                    "须通过评审取得（第三十四条）",
                )
            )
    if path.min_work_years and r.work_start_date is not None:
        start = max(r.work_start_date, r.graduation_date)
        reached = add_years(start, path.min_work_years)
        if r.confirmation_date < reached:
            found.append(
                Violation(
                    r.row,
                    "work_start_date",
                    "route",
                    f"{r.education} → {r.level.value} needs {path.min_work_years} full year(s) of "
                    f"professional work after graduating: counted from {start}, reached on {reached}, "
                    f"not by the recognition on {r.confirmation_date}",
                    f"{r.education}认定{r.level.value}职称须毕业后从事专业技术工作满 {path.min_work_years} 年："
                    f"自 {start} 起算，{reached} 方满，认定日期 {r.confirmation_date} 未满（第三十四条）",
                )
            )
    return found


def _reconfirmation(
    r: ReconfirmationRecord, authority: Authority | None, registry: Registry, today: dt.date
) -> list[Violation]:
    found = _dates_in_order(
        r, today, (("original_date", r.original_date), ("employment_start_date", r.employment_start_date))
    )
    if r.original_route == EXAM:
        found.append(
            Violation(
                r.row,
                "original_route",
                "route",
                "titles obtained through a national exam are valid everywhere and are not reconfirmed",
                "通过国家统一考试取得的职称不再办理职称重新确认（第三十六条）",
            )
        )
    else:
        exam = national_exam(r.series, r.specialty, r.level)
        if exam is not None and r.level in exam.exam_levels:
            found.append(
                Violation(
                    r.row,
                    "level",
                    "route",
                    f"{r.series} / {r.specialty} {r.level.value} titles are conferred by a national exam "
                    "and are not reconfirmed",
                    f"{r.series}系列{r.specialty}专业{r.level.value}职称通过国家统一考试取得，"
                    "不再办理职称重新确认（第三十六条）",
                )
            )
    reached = add_years(r.employment_start_date, RECONFIRMATION_EMPLOYMENT_YEARS)
    if r.confirmation_date < reached:
        found.append(
            Violation(
                r.row,
                "employment_start_date",
                "route",
                f"reconfirmation needs {RECONFIRMATION_EMPLOYMENT_YEARS} years of employment here: from "
                f"{r.employment_start_date}, reached on {reached}, not by {r.confirmation_date}",
                f"重新确认须与用人单位建立 {RECONFIRMATION_EMPLOYMENT_YEARS} 年以上劳动（人事）关系：自 "
                f"{r.employment_start_date} 起，{reached} 方满，确认日期 {r.confirmation_date} 未满（第三十六条）",
            )
        )
    home = _same_province_issuer(r.original_issuer, authority, registry)
    if home is not None:
        found.append(
            Violation(
                r.row,
                "original_issuer",
                "route",
                f"the original title was issued in this province ({home.name}): reconfirmation is for "
                "titles obtained in another province",
                f"原职称由本省（区）{home.name}核发，重新确认只适用于在区外取得的职称（第三十六条）",
            )
        )
    return found


def _same_province_issuer(issuer: str, authority: Authority | None, registry: Registry) -> Authority | None:
    """The registry's authority of the confirming authority's province that ``issuer`` names."""
    if authority is None or authority.province is None:
        return None
    for other in registry.authorities.values():
        if issuer in (other.name, other.code) and other.province == authority.province:
            return other
    return None


def _exam(r: ExamRecord, today: dt.date) -> list[Violation]:
    found = _dates_in_order(r, today, (("exam_date", r.exam_date),))
    if national_exam(r.series, r.specialty, r.level) is None:
        found.append(
            Violation(
                r.row,
                "level",
                "route",
                f"no national exam confers {r.level.value} titles of {r.series} / {r.specialty}: "
                "obtain them by review",
                f"{r.series}系列{r.specialty}专业{r.level.value}职称没有全国统一考试（以考代评或考评结合），"
                "不能以考试方式取得",
            )
        )
    return found
