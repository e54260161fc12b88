"""GB 11643 ID numbers: what they say about the holder, and every way they can be wrong."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certsvc.domain.checkdigits import gb11643_check_char
from certsvc.domain.idnumber import Sex, identity_facts, mask_id, normalize_id_number, parse_id_number
from certsvc.errors import (
    IdNumberBirthDateError,
    IdNumberCharsetError,
    IdNumberCheckError,
    IdNumberLengthError,
    InvalidIdNumber,
)

TODAY = dt.date(2026, 11, 21)


def test_birth_date_and_sex_come_from_the_number() -> None:
    """Digits 7-14 are the birth date; an odd 17th digit is a man, an even one a woman."""
    man = parse_id_number("500101196911053478", today=TODAY)
    assert man.birth_date == dt.date(1969, 11, 5) and man.sex is Sex.MALE
    woman = parse_id_number("42122119790207306X", today=TODAY)
    assert woman.birth_date == dt.date(1979, 2, 7) and woman.sex is Sex.FEMALE


@given(
    region=st.integers(min_value=110000, max_value=659999),
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    sequence=st.integers(min_value=0, max_value=999),
)
def test_identity_facts_of_an_accepted_number_are_what_parsing_gives(
    region: int, birth: dt.date, sequence: int
) -> None:
    """For a number parsing accepted, birth date and sex read without re-checking are the same."""
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    number = body + gb11643_check_char(body)
    assert identity_facts(number) == parse_id_number(number, today=TODAY)


def test_typed_variants_normalise_to_the_canonical_number() -> None:
    """Lower-case x, full-width digits and stray spaces are what people type; they normalise away."""
    assert normalize_id_number(" 42122119790207306x ") == "42122119790207306X"
    assert normalize_id_number("４２１２２１ 19790207306X") == "42122119790207306X"


@pytest.mark.parametrize(
    ("number", "error"),
    [
        ("50010119691105347", IdNumberLengthError),
        ("5001011969110534780", IdNumberLengthError),
        ("50010119691105347A", IdNumberCharsetError),
        ("5001011969X105347X", IdNumberCharsetError),
        ("500101196902303472", IdNumberBirthDateError),  # 30 February
        ("500101189912313476", IdNumberBirthDateError),  # before 1900
        ("500101196911053479", IdNumberCheckError),
    ],
)
def test_each_defect_has_its_own_error(number: str, error: type[InvalidIdNumber]) -> None:
    """Length, charset, birth date and check character failures are distinguishable."""
    with pytest.raises(error) as caught:
        parse_id_number(number, today=TODAY)
    assert caught.value.detail_zh  # a Chinese message for the clerk


def test_birth_date_after_today_is_refused() -> None:
    """A birth date later than the given today is impossible, whatever the check character says."""
    body = "11010520261122001"
    from certsvc.domain.checkdigits import gb11643_check_char

    number = body + gb11643_check_char(body)
    with pytest.raises(IdNumberBirthDateError):
        parse_id_number(number, today=TODAY)
    assert parse_id_number(number, today=dt.date(2026, 11, 22)).birth_date == dt.date(2026, 11, 22)


def test_mask_keeps_region_prefix_and_last_four_only() -> None:
    """Masked ID numbers hide the birth date; malformed input leaks no more than the last four."""
    assert mask_id("421221197907225405") == "421***********5405"
    assert mask_id("12345") == "*2345"
    assert mask_id("123") == "***"
