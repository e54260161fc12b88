"""The intake rules of DESIGN §2, each at its boundary."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certsvc.domain.levels import Level
from certsvc.domain.record import ResultRecord
from certsvc.domain.registry import Registry, load_registry
from certsvc.domain.rules import (
    MIN_PUBLICITY_WORKING_DAYS,
    RULES,
    DuplicateFinder,
    Violation,
    already_holds,
    check_raw_fields,
    check_record,
)
from certsvc.domain.workdays import working_days
from certsvc.errors import CalendarNotCovered, InvalidRegistry
from tests.domain.helpers import DEMO, TODAY, VALID, demo_document, record, registry_with_committee


def violations(r: ResultRecord, registry: Registry = DEMO, today: dt.date = TODAY) -> list[Violation]:
    return check_record(r, registry, today)


def rules_of(found: list[Violation]) -> set[str]:
    return {v.rule for v in found}


def test_valid_record_passes() -> None:
    """A row of the sample batch breaks no rule."""
    assert violations(VALID) == []


# --- attendance and vote ---------------------------------------------------------------------
def test_attendance_two_thirds_of_25_is_17() -> None:
    """17 of 25 attending passes; 16 fails with a message naming 16, 25 and the minimum 17."""
    assert violations(record(attendees=17, votes_for=17)) == []
    [v] = violations(record(attendees=16, votes_for=16))
    assert (v.rule, v.field) == ("attendance", "attendees")
    assert v.message_zh == "出席人数 16 少于评委会人数 25 的三分之二（至少 17 人）"
    assert "16" in v.message_en and "25" in v.message_en and "17" in v.message_en


@pytest.mark.parametrize(("votes", "passes"), [(6, True), (5, False)])
def test_vote_two_thirds_exactly_passes(votes: int, passes: bool) -> None:
    """ "⅔以上" includes ⅔: 6 of 9 present passes, 5 of 9 fails (committee of 9, all present;
    Chongqing's minimum of 25 adjusted to 9 by approval, as 渝职改办〔2023〕270号 §三 allows)."""
    adjustment = {"minimum": 9, "approved_by": "500000", "letter": "渝职改办函〔2023〕1号"}
    registry = registry_with_committee(size=9, size_adjustment=adjustment)
    r = record(committee_code="500000-GC-TEST", committee_name="测试评审委员会", committee_size=9)
    found = violations(replace(r, attendees=9, votes_for=votes), registry)
    if passes:
        assert found == []
    else:
        [v] = found
        assert v.rule == "vote" and v.message_zh == "同意票数 5 少于出席人数 9 的三分之二（至少 6 票）"


def test_counts_cannot_exceed_their_bounds() -> None:
    """More votes than attendees, or more attendees than members, is refused."""
    assert rules_of(violations(record(attendees=20, votes_for=21))) == {"vote"}
    assert rules_of(violations(record(attendees=26, votes_for=20))) == {"attendance"}


def test_committee_size_must_match_registration() -> None:
    """The file's committee size must be the registered one; attendance counts against the registry."""
    found = violations(record(committee_size=24, attendees=16, votes_for=16))
    expected = {("committee", "committee_size"), ("attendance", "attendees")}
    assert {(v.rule, v.field) for v in found} == expected


# --- publicity and order ---------------------------------------------------------------------
def test_publicity_of_exactly_five_working_days_passes_four_fails() -> None:
    """Mon 2024-11-04 to Fri 11-08 is 5 working days; to Thu 11-07 only 4."""
    assert violations(record(publicity_end=dt.date(2024, 11, 8))) == []
    [v] = violations(record(publicity_end=dt.date(2024, 11, 7)))
    assert (v.rule, v.field) == ("publicity", "publicity_end") and "4 个工作日" in v.message_zh


def test_national_day_week_publicity_is_refused() -> None:
    """2024-09-30 → 2024-10-08 has 9 days but only 2 working days: refused."""
    r = record(
        meeting_date=dt.date(2024, 9, 20),
        publicity_start=dt.date(2024, 9, 30),
        publicity_end=dt.date(2024, 10, 8),
        confirmation_date=dt.date(2024, 10, 20),
    )
    [v] = violations(r)
    assert v.rule == "publicity" and "2 个工作日" in v.message_zh and "2024-09-30" in v.message_zh


def test_adjusted_working_saturday_counts() -> None:
    """Tue 2024-10-08 to Sat 10-12 (a 调休 working day) is 5 working days: accepted."""
    r = record(
        meeting_date=dt.date(2024, 9, 20),
        publicity_start=dt.date(2024, 10, 8),
        publicity_end=dt.date(2024, 10, 12),
        confirmation_date=dt.date(2024, 10, 20),
    )
    assert violations(r) == []


def test_publicity_outside_calendar_is_refused_explicitly() -> None:
    """Years the official calendar does not cover refuse the row under 'publicity' instead of guessing."""
    r = record(publicity_start=dt.date(2003, 3, 3), publicity_end=dt.date(2003, 3, 14))
    found = [v for v in violations(r) if v.rule == "publicity"]
    assert len(found) == 1 and "2003" in found[0].message_en


def test_reversed_publicity_is_refused() -> None:
    """A publicity period that ends before it starts is refused, naming both dates."""
    found = violations(record(publicity_start=dt.date(2024, 11, 8), publicity_end=dt.date(2024, 11, 4)))
    assert any(v.rule == "publicity" and "2024-11-04" in v.message_zh for v in found)


def test_confirmation_must_follow_publicity() -> None:
    """Confirming on the last publicity day is too early; the next day is fine."""
    [v] = violations(record(confirmation_date=dt.date(2024, 11, 8)))
    assert (v.rule, v.field) == ("order", "confirmation_date")
    assert violations(record(confirmation_date=dt.date(2024, 11, 9))) == []


def test_publicity_cannot_start_before_the_meeting() -> None:
    """Results cannot be published before the committee met."""
    [v] = violations(record(meeting_date=dt.date(2024, 11, 5)))
    assert (v.rule, v.field) == ("order", "publicity_start")


def test_dates_in_the_future_are_refused() -> None:
    """A confirmation dated after today is refused; today itself is fine."""
    assert violations(record(), today=dt.date(2024, 11, 20)) == []
    found = violations(record(), today=dt.date(2024, 11, 19))
    assert {(v.rule, v.field) for v in found} == {("order", "confirmation_date")}


# --- jurisdiction and committee --------------------------------------------------------------
def test_county_may_not_confirm_a_high_title() -> None:
    """A county HR bureau confirming 正高级 (even via a province committee) is refused twice over."""
    found = violations(record(authority_code="421221"))
    assert rules_of(found) == {"jurisdiction"}
    expected = "嘉鱼县人力资源和社会保障局（县级人力资源社会保障部门）在 2024-11-20 没有确认工程技术系列正高级职称（评审）的授权"
    assert any(v.message_zh == expected for v in found)
    assert any(v.field == "authority_code" and "500000-GC-正高级" in v.message_zh for v in found)


def test_unknown_authority_is_refused() -> None:
    """An authority code missing from the registry is a jurisdiction violation."""
    found = violations(record(authority_code="999999"))
    assert [(v.rule, v.field) for v in found] == [("jurisdiction", "authority_code")]


def test_self_review_unit_confirms_granted_levels_only() -> None:
    """S50001 was granted 正高级/副高级/中级: its 中级 result passes; a 助理级 result does not."""
    doc = demo_document()
    for level in ("中级", "助理级"):
        doc["committees"].append(
            {
                "code": f"S50001-{level}",
                "name": f"重庆示范大学{level}评审委员会",
                "authority": "S50001",
                "series": "工程技术",
                "level": level,
                "size": 15,
                "registered_from": "2023-01-01",
                "registered_until": "2025-12-31",
            }
        )
    # The registry itself refuses a committee for a level its authority cannot confirm.
    with pytest.raises(InvalidRegistry, match="S50001 may not confirm 助理级"):
        load_registry(json.dumps(doc, ensure_ascii=False).encode())
    doc["committees"].pop()
    registry = load_registry(json.dumps(doc, ensure_ascii=False).encode())
    mid = record(
        authority_code="S50001",
        committee_code="S50001-中级",
        committee_name="重庆示范大学中级评审委员会",
        committee_size=15,
        level=Level.ZHONG,
        title="工程师",
        attendees=10,
        votes_for=7,
    )
    assert violations(mid, registry) == []
    junior = replace(mid, level=Level.ZHU_LI, title="助理工程师")
    found = violations(junior, registry)
    assert ("jurisdiction", "level") in {(v.rule, v.field) for v in found}


def test_lapsed_committee_registration_is_refused() -> None:
    """A meeting after the registration ended (2025-12-31) is refused under 'committee'."""
    r = record(
        meeting_date=dt.date(2026, 1, 5),
        publicity_start=dt.date(2026, 1, 6),
        publicity_end=dt.date(2026, 1, 12),
        confirmation_date=dt.date(2026, 1, 20),
    )
    [v] = violations(r)
    assert (v.rule, v.field) == ("committee", "meeting_date")
    assert "2023-01-01 至 2025-12-31" in v.message_zh


def test_committee_must_be_registered_for_series_and_level() -> None:
    """Unknown committee, other series, other level: each refused under 'committee'."""
    found = violations(record(committee_code="X"))
    assert [(v.rule, v.field) for v in found] == [("committee", "committee_code")]
    found = violations(record(series="卫生技术"))
    assert [(v.rule, v.field) for v in found] == [("committee", "series")]
    found = violations(record(level=Level.FU_GAO, title="高级工程师"))
    assert [(v.rule, v.field) for v in found] == [("committee", "level")]


# --- identity and form -----------------------------------------------------------------------
def test_bad_id_number_is_an_identity_violation() -> None:
    """A wrong check character is refused under 'identity' with a Chinese explanation."""
    [v] = violations(record(id_number="500101196911053479"))
    assert (v.rule, v.field) == ("identity", "id_number") and "校验码" in v.message_zh


def test_implausible_name_and_wrong_title_are_form_violations() -> None:
    """A name with digits, and a title that does not match the level in 工程技术, are 'form'."""
    found = violations(record(name="张三3", title="工程师"))
    assert {(v.rule, v.field) for v in found} == {("form", "name"), ("form", "title")}


@pytest.mark.parametrize(
    "value", ["=1+1", "+86", "-2", "@SUM(A1)", "  =HYPERLINK()", "\u3000=1", "\tx", "\rx"]
)
def test_formula_prefixes_in_any_field_are_refused(value: str) -> None:
    """=, +, -, @ (also after leading whitespace) and a leading tab or CR are refused in any field."""
    for field in ("employer", "specialty", "name"):
        [v] = check_raw_fields(7, {field: value, "title": "工程师"})
        assert (v.row, v.field, v.rule) == (7, field, "form")


def test_plain_text_and_inner_symbols_are_not_formulas() -> None:
    """A hyphen inside a value (dates, committee codes) is not a formula prefix."""
    assert check_raw_fields(2, {"meeting_date": "2024-10-25", "committee_code": "500000-GC-正高级"}) == []


def test_control_characters_are_refused() -> None:
    """Line breaks or NUL inside a cell are refused."""
    found = check_raw_fields(2, {"employer": "A公司\nB", "name": "张\x00三"})
    assert [v.field for v in found] == ["employer", "name"]


# --- duplicates ------------------------------------------------------------------------------
def test_same_person_twice_in_a_file_is_refused_at_the_second_row() -> None:
    """The second row with the same ID number is refused, naming the first row; the ID is masked."""
    finder = DuplicateFinder()
    assert finder.check(record(row=2)) is None
    assert finder.check(record(row=3, id_number="45050219910912597X")) is None
    v = finder.check(record(row=9, title="高级工程师"))
    assert v is not None and (v.row, v.rule) == (9, "duplicate") and "第 2 行" in v.message_zh
    assert "500101196911053478" not in v.message_zh and "500***********3478" in v.message_zh


def test_already_holding_the_title_message_is_masked() -> None:
    """The already-issued violation names the title and shows only the masked name and ID."""
    v = already_holds(VALID)
    assert v.rule == "duplicate" and "正高级工程师" in v.message_zh
    assert "尹*梅" in v.message_zh and "尹玲梅" not in v.message_zh + v.message_en


def test_rule_slugs_are_the_documented_ones() -> None:
    """Only the documented rule slugs exist (DESIGN §4: the ten refusal rules and `route`)."""
    documented = (
        "attendance vote publicity order jurisdiction committee identity duplicate form integrity route"
    )
    assert documented.split() == list(RULES)


@settings(max_examples=400, deadline=None)
@given(
    start=st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)),
    length=st.integers(-20, 40),
)
def test_publicity_answers_compliant_rows_early_with_the_same_result(start: dt.date, length: int) -> None:
    """Whatever the period (reversed, short, long, or in a year the holiday calendar does not
    cover), the publicity rule finds exactly what counting the working days always found."""
    end = start + dt.timedelta(days=length)
    found = [v for v in violations(record(publicity_start=start, publicity_end=end)) if v.rule == "publicity"]
    if end < start:
        assert [v.message_en for v in found] == [
            f"the publicity period ends ({end.isoformat()}) before it starts ({start.isoformat()})"
        ]
        return
    try:
        days = working_days(start, end)
    except CalendarNotCovered:
        assert len(found) == 1 and found[0].message_en.startswith(f"cannot count working days from {start}")
        return
    if days >= MIN_PUBLICITY_WORKING_DAYS:
        assert found == []
    else:
        assert len(found) == 1 and f"has {days} working days" in found[0].message_en


_RAW_TEXT = st.text(
    st.sampled_from(
        ["a", "张", " ", "\u3000", "=", "+", "-", "@", "\t", "\r", "\n", "\x00", "\x85", "\uffff", "1"]
    ),
    max_size=6,
)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.sampled_from(["name", "employer", "title", "series", "x"]), _RAW_TEXT, max_size=5))
def test_raw_field_check_flags_exactly_the_suspect_fields(fields: dict[str, str]) -> None:
    """The whole-row shortcut never hides a field: exactly the fields that start like a formula
    (after spaces, or with a tab or carriage return) or hold a control character are reported."""
    expected = [
        field
        for field, value in fields.items()
        if value[:1] in ("\t", "\r")
        or value.lstrip()[:1] in ("=", "+", "-", "@")
        or any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value)
    ]
    found = check_raw_fields(2, fields)
    assert [v.field for v in found] == expected
    assert all(v.rule == "form" for v in found)
