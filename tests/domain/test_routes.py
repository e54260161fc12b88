"""The rules of the acquisition routes other than review (DESIGN §2 取得方式; 广西办法 第五章):
认定 by education, years of work and time since graduation, 重新确认 of titles from another
province, 考试 through a national exam; each at the edges of its time limits."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest

from certsvc.domain.levels import Level
from certsvc.domain.record import ExamRecord, RecognitionRecord, ReconfirmationRecord, Violation
from certsvc.domain.registry import Registry, load_registry
from certsvc.domain.routes import (
    EDUCATION_PATHS,
    EDUCATIONS,
    Acquisition,
    RecognitionPath,
    acquisition_of,
    national_exam,
    parse_education,
    parse_route,
    recognised_before,
)
from certsvc.domain.rules import check_record, check_warnings
from certsvc.domain.titles import expected_title
from certsvc.domain.workdays import add_years
from tests.domain.helpers import demo_document

TODAY = dt.date(2026, 11, 21)
CONFIRMED = dt.date(2024, 11, 20)
DAY = dt.timedelta(days=1)
# Who may recognise (认定) each level in the registry below (第七条: high by the region's HR
# department, 中级 by a city's, 初级 by a county's).
RECOGNISER = {
    Level.YUAN: "450305",
    Level.ZHU_LI: "450305",
    Level.ZHONG: "450300",
    Level.FU_GAO: "450000",
    Level.ZHENG_GAO: "450000",
}


def _registry() -> Registry:
    """The demo registry, with Guangxi's HR department granted high recognition and reconfirmation."""
    document = demo_document()
    for authority in document["authorities"]:
        if authority["code"] == "450000":
            authority["grants"] = [
                {"levels": ["正高级", "副高级"], "routes": ["认定", "重新确认"], "from": "2022-01-01"}
            ]
    return load_registry(json.dumps(document, ensure_ascii=False).encode())


REGISTRY = _registry()


def recognition(**changes: Any) -> RecognitionRecord:
    """A valid 本科 → 助理级 recognition by the 七星区 bureau, with ``changes``."""
    level = changes.get("level", Level.ZHU_LI)
    base = RecognitionRecord(
        row=2,
        confirmation_doc_no="七人社认〔2024〕9号",
        confirmation_date=CONFIRMED,
        authority_code=RECOGNISER[level],
        series="工程技术",
        specialty="数字技术",
        name="覃欣怡",
        id_number="450305200109270425",
        employer="桂林山水信息技术有限公司",
        title=expected_title("工程技术", level) or "",
        level=level,
        education="本科",
        graduation_date=dt.date(2023, 6, 30),
        work_start_date=dt.date(2023, 7, 10),
        employment_start_date=None,
    )
    return dataclasses.replace(base, **changes)


def reconfirmation(**changes: Any) -> ReconfirmationRecord:
    """A valid reconfirmation by 桂林 of a Hunan 工程师 after 2+ years of employment, with ``changes``."""
    base = ReconfirmationRecord(
        row=2,
        confirmation_doc_no="桂市人社职〔2024〕61号",
        confirmation_date=CONFIRMED,
        authority_code="450300",
        series="工程技术",
        specialty="数字技术",
        name="唐建国",
        id_number="430102198311052313",
        employer="桂林山水信息技术有限公司",
        title="工程师",
        level=Level.ZHONG,
        original_certificate_number="湘人社职称〔2018〕0456号",
        original_issuer="湖南省人力资源和社会保障厅",
        original_date=dt.date(2018, 12, 28),
        original_route="评审",
        employment_start_date=dt.date(2021, 9, 1),
    )
    return dataclasses.replace(base, **changes)


def exam(**changes: Any) -> ExamRecord:
    """A valid 会计师 (中级) through the national accounting exam, confirmed by 桂林, with ``changes``."""
    base = ExamRecord(
        row=2,
        confirmation_doc_no="桂市人社考〔2024〕6号",
        confirmation_date=CONFIRMED,
        authority_code="450300",
        series="会计",
        specialty="会计",
        name="潘晓燕",
        id_number="450302199204180423",
        employer="桂林山水信息技术有限公司",
        title="会计师",
        level=Level.ZHONG,
        exam_name="2024年度全国会计专业技术中级资格考试",
        exam_date=dt.date(2024, 9, 7),
        exam_authority="财政部会计资格评价中心",
        exam_certificate_number="Z2024450300001",
    )
    return dataclasses.replace(base, **changes)


def problems(record: RecognitionRecord | ReconfirmationRecord | ExamRecord) -> list[Violation]:
    return check_record(record, REGISTRY, TODAY)


def rules(record: RecognitionRecord | ReconfirmationRecord | ExamRecord) -> set[tuple[str, str]]:
    return {(v.field, v.rule) for v in problems(record)}


def _path_record(
    education: str, path: RecognitionPath, confirmed: dt.date, **changes: Any
) -> RecognitionRecord:
    """A recognition of ``education`` along ``path`` confirmed on ``confirmed`` (work from graduation)."""
    graduated = changes.pop("graduation_date", dt.date(2020, 6, 30))
    return recognition(
        education=education,
        level=path.level,
        authority_code=RECOGNISER[path.level],
        title=expected_title("工程技术", path.level) or "",
        graduation_date=graduated,
        work_start_date=changes.pop("work_start_date", graduated),
        employment_start_date=changes.pop(
            "employment_start_date", graduated if education == "博士" else None
        ),
        confirmation_date=confirmed,
        **changes,
    )


PATHS = [(education, path) for education, paths in EDUCATION_PATHS.items() for path in paths]
PATH_IDS = [f"{education}-{path.level.value}" for education, path in PATHS]


def test_the_valid_records_pass() -> None:
    """The three builders give records that break no rule: the tests below change one thing each."""
    assert problems(recognition()) == []
    assert problems(reconfirmation()) == []
    assert problems(exam()) == []


# --- 认定: education, level, time since graduation, years of work --------------------------------
@pytest.mark.parametrize("education", EDUCATIONS)
@pytest.mark.parametrize("level", list(Level))
def test_each_education_is_recognised_at_its_levels_only(education: str, level: Level) -> None:
    """中专/技工中级班 → 员级; 大专/高级技工班/本科/预备技师班 → 助理级; 硕士 → 助理级 or 中级;
    博士 → 中级; 博士后 → 副高级; any other level is refused under ``route`` naming the level."""
    allowed = [path for path in EDUCATION_PATHS[education] if path.level is level]
    path = allowed[0] if allowed else RecognitionPath(level, 0, None)
    graduated = dt.date(2023, 1, 15)  # every grant in force by then, every time limit still open
    record = _path_record(
        education, path, add_years(graduated, path.min_work_years), graduation_date=graduated
    )
    found = rules(record)
    if allowed:
        assert found == set(), problems(record)
    else:
        assert found == {("level", "route")}
        zh = next(v.message_zh for v in problems(record) if v.field == "level")
        assert f"{education}学历只能认定" in zh and level.value in zh


@pytest.mark.parametrize(
    ("education", "path"),
    [p for p in PATHS if p[1].within_years],
    ids=[i for i, p in zip(PATH_IDS, PATHS, strict=True) if p[1].within_years],
)
def test_recognition_is_due_within_the_years_after_graduating(education: str, path: RecognitionPath) -> None:
    """ "毕业 N 年内": the recognition on the N-th anniversary of graduating passes, the day after is
    refused under ``route`` on the graduation date (the title must then be obtained by review)."""
    assert path.within_years is not None
    graduated = dt.date(2021, 7, 1)
    deadline = add_years(graduated, path.within_years)
    on_time = _path_record(education, path, deadline, graduation_date=graduated)
    late = _path_record(education, path, deadline + DAY, graduation_date=graduated)
    assert rules(on_time) == set()
    assert rules(late) == {("graduation_date", "route")}
    refusal = problems(late)[0]
    assert str(deadline) in refusal.message_en and str(deadline) in refusal.message_zh
    assert "须通过评审取得" in refusal.message_zh and "review" in refusal.message_en


@pytest.mark.parametrize(
    ("education", "path"),
    [p for p in PATHS if p[1].min_work_years],
    ids=[i for i, p in zip(PATH_IDS, PATHS, strict=True) if p[1].min_work_years],
)
def test_recognition_needs_full_years_of_work(education: str, path: RecognitionPath) -> None:
    """ "从事专业技术工作满 N 年": recognised on the N-th anniversary of starting work passes, the day
    before is refused under ``route`` on the work start date."""
    started = dt.date(2022, 7, 15)
    reached = add_years(started, path.min_work_years)
    enough = _path_record(education, path, reached, graduation_date=started, work_start_date=started)
    short = _path_record(education, path, reached - DAY, graduation_date=started, work_start_date=started)
    assert rules(enough) == set()
    assert rules(short) == {("work_start_date", "route")}
    assert str(reached) in problems(short)[0].message_zh


def test_work_counts_from_graduation_not_before() -> None:
    """Work before graduating does not count (毕业后从事): 大专 work started two years before the
    diploma still needs three full years after it."""
    record = _path_record(
        "大专",
        EDUCATION_PATHS["大专"][0],
        dt.date(2023, 6, 29),
        graduation_date=dt.date(2020, 6, 30),
        work_start_date=dt.date(2018, 6, 30),
    )
    assert rules(record) == {("work_start_date", "route")}
    assert rules(dataclasses.replace(record, confirmation_date=dt.date(2023, 6, 30))) == set()


def test_feb_29_periods_end_on_feb_28() -> None:
    """A period of years from 29 February ends on 28 February of a common year (民法典 第二百零三条)."""
    graduated = dt.date(2020, 2, 29)
    path = EDUCATION_PATHS["本科"][0]
    assert rules(_path_record("本科", path, dt.date(2023, 2, 28), graduation_date=graduated)) == set()
    late = _path_record("本科", path, dt.date(2023, 3, 1), graduation_date=graduated)
    assert rules(late) == {("graduation_date", "route")}


def test_master_is_recognised_junior_early_or_intermediate_later() -> None:
    """硕士: 助理级 within 2 years with no minimum of work; 中级 only after 3 full years, within 5."""
    graduated = dt.date(2023, 1, 10)
    junior, middle = EDUCATION_PATHS["硕士"]
    assert rules(_path_record("硕士", junior, graduated + DAY * 30, graduation_date=graduated)) == set()
    assert rules(_path_record("硕士", junior, add_years(graduated, 3), graduation_date=graduated)) == {
        ("graduation_date", "route")
    }
    assert rules(_path_record("硕士", middle, add_years(graduated, 2), graduation_date=graduated)) == {
        ("work_start_date", "route")
    }
    assert rules(_path_record("硕士", middle, add_years(graduated, 3), graduation_date=graduated)) == set()


def test_doctor_title_dates_from_the_employment_relation() -> None:
    """博士 → 中级: 取得时间 is the day of the employment relation (第三十四条), never before the degree;
    everyone else's is the recognition date, 博士后's the station exit date."""
    doctor = _path_record(
        "博士",
        EDUCATION_PATHS["博士"][0],
        dt.date(2024, 3, 1),
        graduation_date=dt.date(2023, 6, 30),
        employment_start_date=dt.date(2023, 9, 1),
    )
    assert rules(doctor) == set()
    assert doctor.obtained == dt.date(2023, 9, 1)
    in_service = dataclasses.replace(doctor, employment_start_date=dt.date(2015, 9, 1))
    assert in_service.obtained == dt.date(2023, 6, 30)
    assert recognition().obtained == CONFIRMED
    postdoc = _path_record(
        "博士后", EDUCATION_PATHS["博士后"][0], CONFIRMED, graduation_date=dt.date(2024, 7, 1)
    )
    assert postdoc.obtained == dt.date(2024, 7, 1)


def test_postdoc_has_no_time_limit_but_a_late_one_is_flagged() -> None:
    """博士后 → 副高级 from the exit date, with no time limit; recognised more than 2 years after the
    employment contract ("原则上 2 年内") it is accepted with a ``deadline`` warning, not refused."""
    path = EDUCATION_PATHS["博士后"][0]
    contract = dt.date(2022, 3, 1)
    due = add_years(contract, 2)
    on_time = _path_record(
        "博士后",
        path,
        due,
        graduation_date=dt.date(2012, 7, 1),
        employment_start_date=contract,
        work_start_date=None,
    )
    late = dataclasses.replace(on_time, confirmation_date=due + DAY)
    assert rules(on_time) == rules(late) == set()
    assert check_warnings(on_time) == []
    warning = check_warnings(late)
    assert [(w.field, w.rule) for w in warning] == [("employment_start_date", "deadline")]
    assert "第三十五条" in warning[0].message_zh
    assert check_warnings(dataclasses.replace(on_time, employment_start_date=None)) == []


def test_no_recognition_in_national_exam_specialties() -> None:
    """实行全国统一考试、考评结合的专业，不再进行认定: 会计 助理级 and 工程技术 / 计算机技术与软件 are
    refused under ``route`` on the specialty; 工程技术 / 数字技术 is not an exam specialty."""
    accounting = recognition(series="会计", specialty="会计", title="助理会计师")
    software = recognition(specialty="计算机技术与软件")
    assert rules(accounting) == {("specialty", "route")}
    assert rules(software) == {("specialty", "route")}
    assert "全国统一考试" in problems(accounting)[0].message_zh
    assert national_exam("工程技术", "数字技术", Level.ZHU_LI) is None


def test_recognition_follows_the_grants_routes() -> None:
    """Which authority may recognise which level comes from its grants' routes (第七条): the county
    recognises 助理级, not 中级; the city 中级 but not 助理级; the industry department (review only)
    nothing; the refusal is rule 5 ``jurisdiction`` and names the route."""
    county_middle = _path_record("硕士", EDUCATION_PATHS["硕士"][1], add_years(dt.date(2020, 6, 30), 3))
    assert rules(dataclasses.replace(county_middle, authority_code="450305")) == {("level", "jurisdiction")}
    assert rules(recognition(authority_code="450300")) == {("level", "jurisdiction")}
    industry = problems(dataclasses.replace(county_middle, authority_code="4500GX"))
    assert [(v.field, v.rule) for v in industry] == [("level", "jurisdiction")]
    assert "认定" in industry[0].message_zh and "recognition" in industry[0].message_en
    assert rules(recognition(authority_code="999999")) == {("authority_code", "jurisdiction")}


def test_recognition_dates_are_in_order() -> None:
    """Graduating or starting work after the recognition, or a recognition in the future, is ``order``."""
    assert ("graduation_date", "order") in rules(recognition(graduation_date=CONFIRMED + DAY))
    assert ("work_start_date", "order") in rules(recognition(work_start_date=CONFIRMED + DAY))
    future = recognition(
        confirmation_date=TODAY + DAY, graduation_date=TODAY - DAY * 400, work_start_date=TODAY - DAY * 390
    )
    assert rules(future) == {("confirmation_date", "order")}


def test_never_twice_by_recognition() -> None:
    """已通过认定方式取得职称的，不因具备新的学历条件再次认定: a person holding a recognised title is
    refused under ``route``; titles by review or exam do not count."""
    record = recognition()
    refusal = recognised_before(record, [("评审", "工程师"), ("认定", "技术员")])
    assert refusal is not None and (refusal.field, refusal.rule) == ("education", "route")
    assert "不因具备新的学历条件再次认定" in refusal.message_zh and "技术员" in refusal.message_en
    assert record.name not in refusal.message_zh  # the name only masked
    assert recognised_before(record, [("评审", "工程师"), ("考试", "会计师")]) is None


# --- 重新确认 -------------------------------------------------------------------------------------
def test_reconfirmation_needs_two_full_years_of_employment() -> None:
    """ "建立 2 年以上劳动（人事）关系": reconfirmed on the second anniversary passes, the day before is
    refused under ``route`` on the employment start date."""
    start = dt.date(2022, 11, 20)
    assert rules(reconfirmation(employment_start_date=start)) == set()
    short = reconfirmation(employment_start_date=start + DAY)
    assert rules(short) == {("employment_start_date", "route")}
    assert "2 年以上" in problems(short)[0].message_zh


def test_exam_titles_are_not_reconfirmed() -> None:
    """通过国家统一考试取得的职称不再办理职称重新确认: the original route 考试 is refused, and so is a
    title only a national exam confers (会计 中级), whatever route the file states."""
    assert rules(reconfirmation(original_route="考试")) == {("original_route", "route")}
    accounting = reconfirmation(series="会计", specialty="会计", title="会计师")
    assert rules(accounting) == {("level", "route")}
    # 会计 副高级 is exam and review (考评结合): such a title came through review and may be reconfirmed.
    senior = reconfirmation(
        series="会计", specialty="会计", title="高级会计师", level=Level.FU_GAO, authority_code="450000"
    )
    assert rules(senior) == set()


def test_only_titles_from_another_province_are_reconfirmed() -> None:
    """A title issued by an authority of the same province (its name or code) is refused: 重新确认
    is for titles obtained outside (第三十六条); a Hunan or Chongqing issuer passes."""
    assert rules(reconfirmation(original_issuer="广西壮族自治区人力资源和社会保障厅")) == {
        ("original_issuer", "route")
    }
    assert rules(reconfirmation(original_issuer="45BBW1")) == {("original_issuer", "route")}
    assert rules(reconfirmation(original_issuer="重庆市人力资源和社会保障局")) == set()


def test_reconfirmation_keeps_the_original_date_number_and_issuer() -> None:
    """The title dates from the original (取得时间 = 原取得时间), and the certificate states the
    original number, issuer, date and route."""
    record = reconfirmation()
    assert record.obtained == dt.date(2018, 12, 28)
    assert acquisition_of(record) == Acquisition(
        "重新确认",
        original_certificate_number="湘人社职称〔2018〕0456号",
        original_issuer="湖南省人力资源和社会保障厅",
        original_date=dt.date(2018, 12, 28),
        original_route="评审",
    )
    assert rules(reconfirmation(original_date=CONFIRMED + DAY)) == {("original_date", "order")}


def test_reconfirmation_follows_the_grants_routes() -> None:
    """The county may not reconfirm 中级 (its grant covers 助理级 and 员级): ``jurisdiction``."""
    assert rules(reconfirmation(authority_code="450305")) == {("level", "jurisdiction")}


# --- 考试 ----------------------------------------------------------------------------------------
def test_exam_route_only_where_a_national_exam_confers_the_title() -> None:
    """会计 中级 by exam passes; 工程技术 / 数字技术 has no national exam and is refused under
    ``route``; the exam must precede the confirmation (``order``)."""
    assert rules(exam()) == set()
    no_exam = exam(series="工程技术", specialty="数字技术", title="工程师")
    assert rules(no_exam) == {("level", "route")}
    assert "没有全国统一考试" in problems(no_exam)[0].message_zh
    assert rules(exam(exam_date=CONFIRMED + DAY)) == {("exam_date", "order")}
    assert rules(exam(exam_date=CONFIRMED)) == set()
    assert exam().obtained == CONFIRMED


def test_exam_follows_the_grants_routes() -> None:
    """The province holds no grant for 考试: its exam rows are refused under ``jurisdiction``."""
    assert rules(exam(authority_code="450000")) == {("level", "jurisdiction")}


# --- parsing and values --------------------------------------------------------------------------
def test_routes_and_educations_by_their_usual_names() -> None:
    """Routes by Chinese name or English slug (any case; empty is review); educations by DESIGN's
    names and common synonyms; anything else is unknown."""
    assert [parse_route(t) for t in ("", " 认定 ", "Recognition", "exam", "重新确认", "评审")] == [
        "评审",
        "认定",
        "认定",
        "考试",
        "重新确认",
        "评审",
    ]
    assert parse_route("认证") is None
    assert parse_education("大学本科") == "本科" and parse_education("博士研究生") == "博士"
    assert parse_education("预备技师（技师）班") == "预备技师班" and parse_education("本 科") == "本科"
    assert parse_education("小学") is None


def test_acquisition_json_round_trip() -> None:
    """Each route's facts survive their JSON form; an unknown route or a non-text fact is refused."""
    for value in (
        Acquisition("评审", committee="某评审委员会", review_date=dt.date(2024, 10, 25)),
        Acquisition("认定", education="本科"),
        acquisition_of(reconfirmation()),
        acquisition_of(exam()),
    ):
        assert Acquisition.from_json(value.to_json()) == value
    with pytest.raises(ValueError):
        Acquisition.from_json({"route": "认证"})
    with pytest.raises(TypeError):
        Acquisition.from_json({"route": "认定", "education": 3})


def test_fact_labels_are_the_same_everywhere() -> None:
    """The labels pages use for the acquisition facts (texts.LABELS) are the ones certificates print,
    each with an English translation."""
    from certsvc.domain.routes import ACQUISITION_LABELS_ZH, ROUTE_EN
    from certsvc.texts import LABELS, label

    assert LABELS["acquisition"] == dict(ACQUISITION_LABELS_ZH)
    for name, chinese in ACQUISITION_LABELS_ZH.items():
        assert label("acquisition", name, "zh") == chinese
        assert label("acquisition", name, "en") != chinese
    # Pages capitalise the words refusals and the command line use inside sentences.
    for route in ("评审", "认定", "重新确认", "考试"):
        assert label("route", route, "en") == ROUTE_EN[route].capitalize()
