"""The registry of DESIGN §2 and the intake rules built on it (5, 6, 8, 9, 11), each real case of
the Chongqing and Guangxi regulations beside its mirror: what must still be refused."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest

from certsvc.domain.levels import AuthorityKind, Level
from certsvc.domain.record import ResultRecord
from certsvc.domain.registry import (
    REVIEW,
    Authority,
    Committee,
    Grant,
    Registry,
    load_registry,
    make_registry,
)
from certsvc.domain.rules import HeldTitle, Violation, already_holds, check_record, check_warnings
from certsvc.errors import InvalidRegistry
from tests.domain.helpers import DEMO, TODAY, demo_document, record

# A Chongqing district bureau (渝北区) confirms the result of the 中级 committee it registered.
DISTRICT = record(
    confirmation_doc_no="渝北人社〔2025〕18号",
    confirmation_date=dt.date(2025, 7, 4),
    authority_code="500112",
    committee_code="500112-GC-中级",
    committee_name="重庆市渝北区工程技术中级评审委员会",
    committee_size=15,
    meeting_date=dt.date(2025, 6, 20),
    publicity_start=dt.date(2025, 6, 23),
    publicity_end=dt.date(2025, 6, 27),
    name="秦浩然",
    id_number="500112198803152311",
    title="工程师",
    level=Level.ZHONG,
    attendees=13,
    votes_for=11,
)
# The Guangxi industry department confirms the 中级 result of the committee it registered.
INDUSTRY = record(
    confirmation_doc_no="桂工信职〔2024〕21号",
    authority_code="4500GX",
    committee_code="4500GX-GC-中级",
    committee_name="广西壮族自治区工业和信息化厅工程技术中级评审委员会",
    committee_size=11,
    specialty="电子信息",
    name="覃志强",
    id_number="450102198709305812",
    title="工程师",
    level=Level.ZHONG,
    attendees=9,
    votes_for=8,
)
# A forming unit authorised by its registering body (4500GX) confirms its own results.
FORMING_UNIT = dataclasses.replace(
    INDUSTRY,
    authority_code="45BBW1",
    committee_code="45BBW1-ZZ-中级",
    committee_name="广西北部湾智造集团有限公司工程技术智能制造专业中级评审委员会",
    committee_size=9,
    specialty="智能制造",
    attendees=7,
    votes_for=6,
)
# 委托评审: 桂林 commissioned the industry department's committee (桂市人社函〔2024〕12号).
COMMISSIONED = dataclasses.replace(
    INDUSTRY, authority_code="450300", confirmation_doc_no="桂市人社职〔2024〕35号"
)


def found(r: ResultRecord, registry: Registry = DEMO) -> set[tuple[str, str]]:
    return {(v.rule, v.field) for v in check_record(r, registry, TODAY)}


def load(document: dict[str, Any]) -> Registry:
    return load_registry(json.dumps(document, ensure_ascii=False).encode())


def problems(document: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidRegistry) as caught:
        load(document)
    return caught.value.problems


# --- rule 5 and the confirmation link of rule 6 -------------------------------------------------
@pytest.mark.parametrize(
    "result", [DISTRICT, INDUSTRY, FORMING_UNIT, COMMISSIONED], ids=lambda r: r.authority_code
)
def test_real_confirmations_pass(result: ResultRecord) -> None:
    """District bureau, industry department, authorised forming unit and commissioning unit each
    confirm the results the regulations give them (渝职改办〔2023〕270号, 广西办法 第三十一、三十三条)."""
    assert check_record(result, DEMO, TODAY) == []


def test_district_may_not_confirm_beyond_its_grant() -> None:
    """The district's grant covers 中级 and 初级: its 正高级 confirmation is refused (rule 5)."""
    high = dataclasses.replace(
        DISTRICT,
        committee_code="500000-GC-正高级",
        committee_name="重庆市人力资源和社会保障局工程技术正高级评审委员会",
        committee_size=25,
        level=Level.ZHENG_GAO,
        title="正高级工程师",
        attendees=20,
        votes_for=15,
    )
    assert found(high) == {("jurisdiction", "level"), ("jurisdiction", "authority_code")}


def test_grant_must_cover_the_series_and_the_confirmation_date() -> None:
    """The industry department is granted 工程技术 from 2023-01-01: another series, or a
    confirmation before the grant starts, is refused under jurisdiction."""
    document = demo_document()
    document["committees"].append(
        {
            "code": "4500GX-JJ-中级",
            "name": "广西经济中级评审委员会",
            "authority": "4500GX",
            "registered_by": "450300",
            "series": "经济",
            "level": "中级",
            "size": 11,
            "registered_from": "2022-01-01",
            "registered_until": "2024-12-31",
        }
    )
    registry = load(document)
    other_series = dataclasses.replace(
        INDUSTRY,
        committee_code="4500GX-JJ-中级",
        committee_name="广西经济中级评审委员会",
        series="经济",
        title="经济师",
    )
    assert ("jurisdiction", "level") in found(other_series, registry)
    early = dataclasses.replace(
        INDUSTRY,
        meeting_date=dt.date(2022, 11, 25),
        publicity_start=dt.date(2022, 11, 28),
        publicity_end=dt.date(2022, 12, 2),
        confirmation_date=dt.date(2022, 12, 9),
    )
    assert ("jurisdiction", "level") in found(early, registry)


def test_forming_unit_without_authorisation_is_refused() -> None:
    """经授权自主确认 only: the same forming unit, not authorised, may not confirm (rule 6)."""
    document = demo_document()
    committee = next(c for c in document["committees"] if c["code"] == "45BBW1-ZZ-中级")
    committee["confirms_own_results"] = False
    document["commissions"].append(  # keeps the registry loadable: someone may confirm
        {
            "authority": "450300",
            "committee": "45BBW1-ZZ-中级",
            "levels": ["中级"],
            "letter": "函1",
            "from": "2024-01-01",
            "until": "2024-12-31",
        }
    )
    assert found(FORMING_UNIT, load(document)) == {("jurisdiction", "authority_code")}


def test_commission_must_cover_the_meeting_date() -> None:
    """The letter runs through 2024: a meeting in 2025 is not covered, the result refused."""
    late = dataclasses.replace(
        COMMISSIONED,
        meeting_date=dt.date(2025, 3, 7),
        publicity_start=dt.date(2025, 3, 10),
        publicity_end=dt.date(2025, 3, 14),
        confirmation_date=dt.date(2025, 3, 21),
    )
    assert found(late) == {("jurisdiction", "authority_code")}


def test_an_authority_with_no_link_to_the_committee_is_refused() -> None:
    """A city with a 中级 grant but no commission may not confirm another body's committee."""
    document = demo_document()
    document["commissions"] = []
    assert found(COMMISSIONED, load(document)) == {("jurisdiction", "authority_code")}


# --- rule 6: registration, specialty, size ------------------------------------------------------
def test_committee_organised_by_specialty_reviews_only_that_specialty() -> None:
    """The 智能制造 committee may not review a 数字技术 result."""
    assert found(dataclasses.replace(FORMING_UNIT, specialty="数字技术")) == {("committee", "specialty")}


def _with_committee(
    level: Level, size: int, organisation: str = "series", adjustment: Any = None
) -> Registry:
    """The demo registry plus one Guangxi committee built directly (as if registered before the
    province's policy was loaded), so the intake rule itself is exercised."""
    committee = Committee(
        code="450000-T",
        name="测试评委会",
        authority_code="450000",
        series="工程技术",
        level=level,
        size=size,
        registered_from=dt.date(2023, 1, 1),
        registered_until=dt.date(2025, 12, 31),
        organisation=organisation,
        specialty="数字技术" if organisation == "specialty" else None,
        size_adjustment=adjustment,
    )
    registrations = [c for items in DEMO.registrations.values() for c in items] + [committee]
    return make_registry(DEMO.authorities.values(), registrations, DEMO.policies.values(), DEMO.commissions)


def _high(size: int, attendees: int, votes: int) -> ResultRecord:
    return record(
        authority_code="450000",
        committee_code="450000-T",
        committee_name="测试评委会",
        committee_size=size,
        level=Level.FU_GAO,
        title="高级工程师",
        attendees=attendees,
        votes_for=votes,
    )


def test_four_member_high_committee_is_refused() -> None:
    """The issue's case: a 副高级 committee of 4 with 3 present and 2 votes is refused under
    committee (even, and below Guangxi's 25 for a high committee by series)."""
    violations = check_record(_high(4, 3, 2), _with_committee(Level.FU_GAO, 4), TODAY)
    assert {(v.rule, v.field) for v in violations} == {("committee", "committee_size")}
    assert any("even" in v.message_en for v in violations)


def test_size_minimums_follow_the_province_and_organisation() -> None:
    """Guangxi: high by series ≥ 25, by specialty ≥ 11. 13 by specialty passes, 13 by series not."""
    by_specialty = _with_committee(Level.FU_GAO, 13, organisation="specialty")
    assert check_record(_high(13, 9, 6), by_specialty, TODAY) == []
    refused = check_record(_high(13, 9, 6), _with_committee(Level.FU_GAO, 13), TODAY)
    assert [v.message_zh for v in refused] == [
        "评委会 450000-T 组成人数 13 少于广西壮族自治区副高级评委会（按系列组建）的最低人数 25 人"
    ]


def test_size_below_the_minimum_loads_only_with_an_adjustment_the_policy_allows() -> None:
    """Guangxi adjusts high committees only (第十二条): a 副高级 committee of 21 with an approved
    adjustment loads; a 中级 committee of 7 with one is refused, without one too."""
    document = demo_document()
    document["committees"].append(
        {
            "code": "450000-A",
            "name": "调整评委会",
            "authority": "450000",
            "series": "工程技术",
            "level": "副高级",
            "size": 21,
            "registered_from": "2023-01-01",
            "registered_until": "2025-12-31",
            "size_adjustment": {"minimum": 21, "approved_by": "450000", "letter": "桂人社函〔2023〕5号"},
        }
    )
    registry = load(document)
    assert registry.committees["450000-A"].size_adjustment is not None
    document["committees"].append(
        {
            "code": "450300-B",
            "name": "桂林中级评委会",
            "authority": "450300",
            "series": "工程技术",
            "level": "中级",
            "size": 7,
            "registered_from": "2023-01-01",
            "registered_until": "2025-12-31",
            "size_adjustment": {"minimum": 7, "approved_by": "450000", "letter": "桂人社函〔2023〕6号"},
        }
    )
    listed = problems(document)
    assert any("$.committees[" in p and ".size_adjustment [committee-size]" in p for p in listed)


def test_registration_in_force_at_the_meeting_judges_the_result() -> None:
    """A renewal adds a registration; a meeting in the old window is judged by the old one."""
    document = demo_document()
    old = next(c for c in document["committees"] if c["code"] == "500000-GC-正高级")
    renewed = dict(old, registered_from="2026-01-01", registered_until="2028-12-31", size=27)
    document["committees"].append(renewed)
    registry = load(document)
    assert registry.committee_on("500000-GC-正高级", dt.date(2024, 10, 25)).size == 25  # type: ignore[union-attr]
    assert registry.committees["500000-GC-正高级"].size == 27
    assert check_record(record(), registry, TODAY) == []
    overlapping = dict(old, registered_from="2025-06-01", registered_until="2027-05-31")
    document["committees"].append(overlapping)
    assert any("[duplicate]" in p and "overlap" in p for p in problems(document))


# --- the registry file --------------------------------------------------------------------------
def test_old_levels_mean_a_grant_for_every_series_by_review() -> None:
    """An authority of the old shape confirms its levels in any series, by review only, without end."""
    xianning = DEMO.authorities["421200"]
    assert xianning.grants == (Grant(frozenset({Level.ZHONG})),)
    assert xianning.may_confirm(Level.ZHONG, "经济", REVIEW, dt.date(2030, 1, 1))
    assert not xianning.may_confirm(Level.ZHONG, "经济", "认定", dt.date(2030, 1, 1))
    committee = DEMO.committees["421200-GC-中级"]
    assert committee.registered_by == committee.authority_code == "421200"


def test_every_problem_is_listed_with_its_json_path_and_rule() -> None:
    """One pass finds all: an unknown route, a commission for an absent committee, an even
    committee, an unknown policy key, an absent registering body."""
    document = demo_document()
    document["authorities"][4]["grants"] = [{"levels": ["中级"], "routes": ["推荐"]}]
    document["commissions"].append(
        {
            "authority": "450300",
            "committee": "NOPE",
            "levels": ["中级"],
            "letter": "x",
            "from": "2024-01-01",
            "until": "2024-12-31",
        }
    )
    document["committees"][0]["size"] = 26
    document["committees"][1]["registered_by"] = "999999"
    document["policies"][0]["committee_minimums"]["特级"] = 3
    listed = problems(document)
    expected = [
        "$.authorities[4].grants[0].routes [route]",
        "$.commissions[1].committee [reference]",
        "$.committees[0].size [committee-size]",
        "$.committees[1].registered_by [reference]",
        '$.policies[0].committee_minimums["特级"] [policy]',
    ]
    for fragment in expected:
        assert any(fragment in p for p in listed), fragment


def test_kind_no_longer_limits_levels() -> None:
    """A county granted 中级 (a Chongqing district) is a valid registry entry."""
    district = DEMO.authorities["500112"]
    assert district.kind is AuthorityKind.COUNTY
    assert district.may_confirm(Level.ZHONG, "工程技术", REVIEW, dt.date(2025, 7, 4))
    assert not district.may_confirm(Level.FU_GAO, "工程技术", REVIEW, dt.date(2025, 7, 4))


def test_supervisor_comes_from_the_province_policy() -> None:
    """Certificates of a Guangxi body are 监制 by the autonomous region's HR department."""
    assert DEMO.supervisor_for("450300") == "广西壮族自治区人力资源和社会保障厅"
    assert DEMO.supervisor_for("421200") is None


# --- rule 8 -------------------------------------------------------------------------------------
ENGINEER_2024 = HeldTitle("工程技术", "数字技术", "工程师", Level.ZHONG, 2024)


def test_same_series_specialty_and_title_is_a_duplicate() -> None:
    """Holding 工程师 (数字技术) refuses another 工程师 (数字技术)."""
    again = record(title="工程师", level=Level.ZHONG, meeting_date=dt.date(2025, 6, 20))
    refusal = already_holds(again, [ENGINEER_2024])
    assert refusal is not None and (refusal.rule, refusal.field) == ("duplicate", "title")


def test_same_level_in_another_specialty_another_year_is_allowed() -> None:
    """多评同级 (渝数字职〔2024〕6号 §二): 工程师 (电子信息) in 2025 beside 工程师 (数字技术) of 2024."""
    other = record(specialty="电子信息", title="工程师", level=Level.ZHONG, meeting_date=dt.date(2025, 6, 20))
    assert already_holds(other, [ENGINEER_2024]) is None


def test_two_review_titles_of_one_level_in_one_year_are_refused() -> None:
    """广西办法 第三十八条: one same-level review title a year, even in another specialty."""
    same_year = record(
        specialty="电子信息", title="工程师", level=Level.ZHONG, meeting_date=dt.date(2024, 10, 25)
    )
    refusal = already_holds(same_year, [ENGINEER_2024])
    assert refusal is not None and (refusal.rule, refusal.field) == ("duplicate", "level")
    assert "2024" in refusal.message_zh and "同一年度" in refusal.message_zh


# --- rule 9 -------------------------------------------------------------------------------------
def test_extension_characters_pass_when_a_font_draws_them() -> None:
    """𠮷 (Ext B) in a name passes when the fonts draw it, and is refused when none can."""
    rare = record(name="\U00020bb7田")
    assert check_record(rare, DEMO, TODAY, can_draw=lambda text: True) == []
    refused = check_record(rare, DEMO, TODAY, can_draw=lambda text: "\U00020bb7" not in text)
    assert [(v.rule, v.field) for v in refused] == [("form", "name")]
    assert "\U00020bb7" not in refused[0].message_zh


def test_private_use_characters_are_refused() -> None:
    """A private-use code point shows differently on every computer: refused under form."""
    refused = check_record(record(name="张\ue000"), DEMO, TODAY, can_draw=lambda text: True)
    assert [(v.rule, v.field) for v in refused] == [("form", "name")]
    assert "私用区" in refused[0].message_zh


# --- rule 11 ------------------------------------------------------------------------------------
def _confirmed(day: dt.date) -> ResultRecord:
    return record(confirmation_date=day)


def test_late_confirmation_is_a_warning_not_a_refusal() -> None:
    """Publicity ends Fri 2024-11-08: 16 working days later (2024-12-02) warns, 15 (11-29) not."""
    late = _confirmed(dt.date(2024, 12, 2))
    assert check_record(late, DEMO, TODAY) == []
    warnings: list[Violation] = check_warnings(late)
    assert [(w.rule, w.field) for w in warnings] == [("deadline", "confirmation_date")]
    assert "16 个工作日" in warnings[0].message_zh
    assert check_warnings(_confirmed(dt.date(2024, 11, 29))) == []


def test_deadline_counts_working_days_on_the_official_calendar() -> None:
    """Across National Day: publicity ends Fri 2024-09-27; counting the adjusted working Sunday
    9-29 and Saturday 10-12 and skipping 10-01..10-07, 2024-10-23 is the 15th working day after
    (no warning) and 10-24 the 16th (warning), although 26 calendar days have passed."""
    r = record(
        meeting_date=dt.date(2024, 9, 13),
        publicity_start=dt.date(2024, 9, 20),
        publicity_end=dt.date(2024, 9, 27),
        confirmation_date=dt.date(2024, 10, 23),
    )
    assert check_warnings(r) == []
    assert (
        "16 working days"
        in check_warnings(dataclasses.replace(r, confirmation_date=dt.date(2024, 10, 24)))[0].message_en
    )


def test_authority_built_directly_keeps_old_meaning() -> None:
    """``Authority`` with explicit grants answers per grant window (inclusive)."""
    grant = Grant(
        frozenset({Level.ZHONG}),
        frozenset({"工程技术"}),
        frozenset({REVIEW}),
        dt.date(2024, 1, 1),
        dt.date(2024, 12, 31),
    )
    authority = Authority("450300", "桂林", "x", AuthorityKind.CITY, (grant,), "450300")
    assert authority.may_confirm(Level.ZHONG, "工程技术", REVIEW, dt.date(2024, 12, 31))
    assert not authority.may_confirm(Level.ZHONG, "工程技术", REVIEW, dt.date(2025, 1, 1))
