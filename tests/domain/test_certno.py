"""Certificate numbers: format, normalisation of what people type, typo detection before lookup."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certsvc.domain.certno import (
    MAX_SERIAL,
    make_certificate_number,
    parse_certificate_number,
    validate_certificate_number,
)
from certsvc.domain.checkdigits import MOD37_36_ALPHABET
from certsvc.domain.levels import Level
from certsvc.errors import CertificateNumberCheckError, InvalidCertificateNumber


def test_layout_is_authority_year_level_serial_check() -> None:
    """The documented example: 500000's first 正高级 certificate of 2024."""
    number = make_certificate_number("500000", 2024, Level.ZHENG_GAO, 1)
    assert number == "50000020241000001Z"
    assert len(number) == 18 and number.isalnum() and number.isupper()


@given(
    st.text(alphabet=MOD37_36_ALPHABET, min_size=6, max_size=6),
    st.integers(min_value=1000, max_value=9999),
    st.sampled_from(list(Level)),
    st.integers(min_value=0, max_value=MAX_SERIAL),
)
def test_round_trip(authority: str, year: int, level: Level, serial: int) -> None:
    """Every number made parses back into the parts it was made from."""
    parts = parse_certificate_number(make_certificate_number(authority, year, level, serial))
    assert (parts.authority_code, parts.year, parts.level, parts.serial) == (authority, year, level, serial)


@pytest.mark.parametrize(
    "typed",
    [
        "50000020241000001z",
        "500000 2024 1 000001 Z",
        "500000-2024-1-000001-Z",
        "５０００００２０２４１０００００１Ｚ",
    ],
)
def test_what_people_type_is_normalised(typed: str) -> None:
    """Lower case, spaces, hyphens and full-width characters are accepted as the same number."""
    assert validate_certificate_number(typed) == "50000020241000001Z"


@given(st.integers(min_value=0, max_value=17), st.sampled_from(MOD37_36_ALPHABET))
def test_any_single_typo_is_caught_before_lookup(position: int, replacement: str) -> None:
    """Changing one character yields an error, never another valid number."""
    number = "S50001202430009IX7"
    if number[position] == replacement:
        return
    typo = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(InvalidCertificateNumber):
        validate_certificate_number(typo)


def test_check_error_is_distinguished_from_shape_error() -> None:
    """A well-shaped number with the wrong check character raises the more specific error."""
    with pytest.raises(CertificateNumberCheckError):
        validate_certificate_number("50000020241000001Y")
    malformed_numbers = [
        "",
        "5000002024100001Z",
        "50000020246000001Z",
        "5000002024100000!Z",
        "42122119790722540X",
    ]
    for malformed in malformed_numbers:
        with pytest.raises(InvalidCertificateNumber) as caught:
            validate_certificate_number(malformed)
        assert type(caught.value) is InvalidCertificateNumber


@pytest.mark.parametrize(
    ("authority", "year", "serial"),
    [("50000", 2024, 1), ("s50001", 2024, 1), ("500000", 999, 1), ("500000", 2024, MAX_SERIAL + 1)],
)
def test_parts_that_do_not_fit_are_programming_errors(authority: str, year: int, serial: int) -> None:
    """make_certificate_number refuses parts outside the format instead of producing a bad number."""
    with pytest.raises(ValueError):
        make_certificate_number(authority, year, Level.ZHONG, serial)
