"""Fuzzing the numbers people type: certificate numbers (MOD 37,36) and citizen ID numbers (GB 11643).

A typed number either validates to exactly one canonical form or is refused with the module's own
error; a single mistyped character is always caught before any lookup (so a typo never finds
somebody else's certificate); masking never reveals more than the masked form allows.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certsvc.domain.certno import (
    MAX_SERIAL,
    make_certificate_number,
    parse_certificate_number,
    validate_certificate_number,
)
from certsvc.domain.checkdigits import MOD37_36_ALPHABET, gb11643_check_char
from certsvc.domain.idnumber import mask_id, normalize_id_number, parse_id_number
from certsvc.domain.levels import Level
from certsvc.errors import CertificateNumberCheckError, InvalidCertificateNumber, InvalidIdNumber
from tests.reliability import strategies as fs
from tests.reliability.figures import Tally, fuzz_settings

TODAY = dt.date(2025, 1, 15)
FUZZ = fuzz_settings(500)
CERTNO_NOISE = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=MOD37_36_ALPHABET + MOD37_36_ALPHABET.lower() + " -－　", min_size=14, max_size=24),
)


@pytest.fixture(scope="module")
def tally() -> Iterator[Tally]:
    counts = Tally()
    yield counts
    counts.flush()


@st.composite
def certificate_numbers(draw: st.DrawFn) -> str:
    return make_certificate_number(
        draw(st.text(alphabet=MOD37_36_ALPHABET, min_size=6, max_size=6)),
        draw(st.integers(2000, 2099)),
        draw(st.sampled_from(list(Level))),
        draw(st.integers(0, MAX_SERIAL)),
    )


@FUZZ
@given(text=CERTNO_NOISE)
def test_typed_certificate_numbers_validate_or_are_refused(tally: Tally, text: str) -> None:
    """Any typed text validates to an 18-character canonical number, or raises InvalidCertificateNumber."""
    try:
        number = validate_certificate_number(text)
    except CertificateNumberCheckError:
        tally.tick("certificate numbers: typed text", "check character wrong")
        return
    except InvalidCertificateNumber:
        tally.tick("certificate numbers: typed text", "malformed")
        return
    assert len(number) == 18 and number.isascii() and number == validate_certificate_number(number)
    tally.tick("certificate numbers: typed text", "valid")


@FUZZ
@given(data=st.data(), number=certificate_numbers())
def test_any_single_typo_in_a_certificate_number_is_caught(
    tally: Tally, data: st.DataObject, number: str
) -> None:
    """A genuine number round-trips; one substituted character is always refused, never another number."""
    parts = parse_certificate_number(number)
    assert make_certificate_number(parts.authority_code, parts.year, parts.level, parts.serial) == number
    typo = data.draw(fs.char_substitutions(number, MOD37_36_ALPHABET))
    with pytest.raises(InvalidCertificateNumber):
        validate_certificate_number(typo)
    tally.tick("certificate numbers: genuine, one typo", "caught")


@FUZZ
@given(number=certificate_numbers(), style=st.sampled_from(["lower", "spaced", "hyphens", "fullwidth"]))
def test_certificate_numbers_typed_loosely_find_the_same_number(
    tally: Tally, number: str, style: str
) -> None:
    """Lower case, spaces, hyphens and full-width characters all normalise to the same number."""
    typed = {
        "lower": number.lower(),
        "spaced": " ".join([number[:6], number[6:10], number[10:]]),
        "hyphens": "-".join([number[:6], number[6:10], number[10:]]),
        "fullwidth": number.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}),
    }[style]
    assert validate_certificate_number(typed) == number
    tally.tick("certificate numbers: loosely typed", style)


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    birth = draw(st.dates(dt.date(1900, 1, 1), TODAY))
    body = draw(st.text(alphabet=string.digits, min_size=6, max_size=6)) + birth.strftime("%Y%m%d")
    body += draw(st.text(alphabet=string.digits, min_size=3, max_size=3))
    return body + gb11643_check_char(body)


@FUZZ
@given(
    text=st.one_of(
        st.text(max_size=30), st.text(alphabet=string.digits + "Xx　 ０１２３４５６７８９", max_size=22)
    )
)
def test_typed_id_numbers_parse_or_are_refused(tally: Tally, text: str) -> None:
    """Any typed ID number parses (birth date not in the future) or raises InvalidIdNumber."""
    try:
        facts = parse_id_number(normalize_id_number(text), today=TODAY)
    except InvalidIdNumber as error:
        tally.tick("ID numbers: typed text", error.code)
        return
    assert facts.birth_date <= TODAY
    tally.tick("ID numbers: typed text", "valid")


@FUZZ
@given(data=st.data(), id_number=id_numbers())
def test_any_single_typo_in_an_id_number_is_caught(tally: Tally, data: st.DataObject, id_number: str) -> None:
    """A genuine ID number parses to its birth date; one substituted character is always refused."""
    facts = parse_id_number(id_number, today=TODAY)
    assert facts.birth_date.strftime("%Y%m%d") == id_number[6:14]
    typo = data.draw(fs.char_substitutions(id_number, string.digits + "X"))
    with pytest.raises(InvalidIdNumber):
        parse_id_number(typo, today=TODAY)
    tally.tick("ID numbers: genuine, one typo", "caught")


@FUZZ
@given(text=st.text(max_size=40))
def test_masked_id_numbers_reveal_at_most_seven_characters(tally: Tally, text: str) -> None:
    """A masked ID shows at most its first 3 and last 4 characters, and never more than its input allows."""
    masked = mask_id(text)
    assert len(masked) == len(text)
    shown = [i for i, c in enumerate(masked) if c != "*" or text[i] == "*"]
    assert len([i for i in shown if text[i] != "*"]) <= 7
    assert all(masked[i] == text[i] for i in shown)
    if len(text) <= 4:
        assert set(masked) <= {"*"}
    tally.tick("ID numbers: masking", "masked")
