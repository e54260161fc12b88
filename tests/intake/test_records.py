"""Raw row → typed record: normalisation and form violations."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certsvc.certificates.intake.readers import RawRow
from certsvc.certificates.intake.records import parse_date, parse_row
from certsvc.domain.levels import Level
from certsvc.domain.record import FIELDS, ResultRecord
from certsvc.domain.rules import Violation
from tests.intake.helpers import valid_row


def _parse(**changes: str) -> ResultRecord | list[Violation]:
    return parse_row(RawRow(2, valid_row() | changes))


def test_valid_row_is_typed() -> None:
    """Dates become dates, counts ints, the level a Level."""
    record = _parse()
    assert isinstance(record, ResultRecord)
    assert record.meeting_date == dt.date(2024, 10, 25) and record.attendees == 7
    assert record.level is Level.ZHU_LI and record.row == 2


@pytest.mark.parametrize(
    "text",
    [
        "2024-11-20",
        "2024/11/20",
        "2024.11.20",
        "2024年11月20日",
        "2024-11-20 00:00:00",
        "20241120",
        "２０２４-11-20",
    ],
)
def test_unambiguous_date_forms_are_accepted(text: str) -> None:
    """The date forms Chinese spreadsheets produce all mean 2024-11-20."""
    assert parse_date(text.replace("２０２４", "2024")) == dt.date(2024, 11, 20)
    record = _parse(confirmation_date=text)
    assert isinstance(record, ResultRecord) and record.confirmation_date == dt.date(2024, 11, 20)


def test_single_digit_month_and_day_are_accepted() -> None:
    """2024/1/5 is how Excel often shows 5 January."""
    assert parse_date("2024/1/5") == dt.date(2024, 1, 5)


@pytest.mark.parametrize(
    "text", ["11/20/2024", "20/11/2024", "2024-11/20", "2024-02-30", "2024-11-20 08:00", "昨天"]
)
def test_ambiguous_or_impossible_dates_are_form_violations(text: str) -> None:
    """Month-first/day-first forms, mixed separators, impossible dates and times of day are refused."""
    found = _parse(meeting_date=text)
    assert isinstance(found, list)
    [v] = found
    assert (v.field, v.rule) == ("meeting_date", "form") and text in v.message_zh


def test_every_bad_field_is_reported_at_once() -> None:
    """A row with several problems reports each, so the clerk fixes them in one pass."""
    found = _parse(name="  ", attendees="七", votes_for="-3", level="初级", committee_size="1e3")
    assert isinstance(found, list)
    assert sorted(v.field for v in found) == ["attendees", "committee_size", "level", "name", "votes_for"]
    assert all(v.rule == "form" for v in found)


def test_text_is_normalised() -> None:
    """NFC, trimmed (also full-width spaces), dot variants in names, full-width digits in counts."""
    record = _parse(
        name="\u3000阿沛・阿旺晋美 ",
        employer=" 重庆云链数据服务有限公司\u3000",
        attendees="７",
        id_number=" 42122119790207306x",
        authority_code="s50001",
    )
    assert isinstance(record, ResultRecord)
    assert record.name == "阿沛·阿旺晋美" and record.employer == "重庆云链数据服务有限公司"
    assert record.attendees == 7 and record.id_number == "42122119790207306X"
    assert record.authority_code == "S50001"


def test_huge_numbers_are_form_violations_not_crashes() -> None:
    """A count with thousands of digits is refused as a form violation."""
    found = _parse(attendees="9" * 5000)
    assert isinstance(found, list) and len(found) == 1


# Field values near the edges of the rules: blanks, full-width forms, odd spacing, bad numbers and
# dates, name dot variants, lower-case x, and arbitrary text.
_TRICKY = st.sampled_from(
    [
        "",
        " ",
        "\u3000",
        "０７",
        "7",
        " 7 ",
        "1234567",
        "-3",
        "7.0",
        "２０２４-11-20",
        "2024年1月2日",
        "2024-11-20 00:00",
        "11/20/2024",
        "2024-02-30",
        "副高级",
        " 助理级 ",
        "初级",
        "阿卜杜·热合曼",
        "阿卜杜 • 热合曼",
        "a\u0301",
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "s50001",
        "ｓ５０００１",
    ]
)
_PADDING = st.sampled_from([" ", "\u3000", "\u3000 ", ""])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS), st.one_of(_TRICKY, st.none()), max_size=5), st.booleans())
def test_problems_are_reported_for_exactly_the_fields_at_fault(
    changes: dict[str, str | None], with_shared: bool
) -> None:
    """A valid row with some fields replaced (None: dropped) gives a record, or form violations that
    name only replaced or dropped fields; a dropped or blank field is always reported as missing, so
    no record is ever built from a placeholder. Sharing strings between records changes nothing."""
    fields = valid_row()
    for field, value in changes.items():
        if value is None:
            del fields[field]
        else:
            fields[field] = value
    parsed = parse_row(RawRow(3, fields), shared={} if with_shared else None)
    assert parsed == parse_row(RawRow(3, fields))
    blank = {field for field in FIELDS if not fields.get(field, "").strip()}
    if isinstance(parsed, ResultRecord):
        assert not blank
        return
    assert parsed and all((v.row, v.rule) == (3, "form") for v in parsed)
    assert {v.field for v in parsed} <= set(changes)
    assert blank <= {v.field for v in parsed}


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS), st.tuples(_PADDING, _PADDING)))
def test_spaces_around_any_field_do_not_change_the_record(padding: dict[str, tuple[str, str]]) -> None:
    """Ordinary and full-width spaces around any fields give the record of the unpadded row."""
    fields = valid_row()
    for field, (before, after) in padding.items():
        fields[field] = before + fields[field] + after
    assert parse_row(RawRow(3, fields)) == parse_row(RawRow(3, valid_row()))
