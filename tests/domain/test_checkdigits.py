"""Check characters: GB 11643, GB 32100 and ISO/IEC 7064 MOD 37,36."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certsvc.domain.checkdigits import (
    MOD37_36_ALPHABET,
    USCC_ALPHABET,
    gb11643_check_char,
    mod37_36_check_char,
    mod37_36_is_valid,
    uscc_check_char,
    uscc_is_valid,
)
from tests.domain.helpers import demo_document

alnum = st.text(alphabet=MOD37_36_ALPHABET, min_size=1, max_size=30)


def test_gb11643_standard_example() -> None:
    """The worked example of GB 11643-1999 (11010519491231002X) gets check character X."""
    assert gb11643_check_char("11010519491231002") == "X"


def test_gb11643_refuses_non_digits() -> None:
    """A body that is not 17 digits is a programming error, reported as ValueError."""
    with pytest.raises(ValueError):
        gb11643_check_char("1101051949123100A")


def test_uscc_of_every_demo_authority_is_valid() -> None:
    """The USCCs in the demo registry pass GB 32100, and changing the check character fails it."""
    for authority in demo_document()["authorities"]:
        uscc = authority["uscc"]
        assert uscc_is_valid(uscc)
        wrong = "0" if uscc[-1] != "0" else "1"
        assert not uscc_is_valid(uscc[:-1] + wrong)


def test_uscc_check_31_maps_to_0() -> None:
    """When 31 − (Σ mod 31) is 31 the check character is '0', not out of range."""

    # Search a body whose weighted sum is a multiple of 31: the rule's wrap-around case.
    def weighted_sum(body: str) -> int:
        return sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(body))

    body = next(b for n in range(10**6) if weighted_sum(b := f"91350100M{n:08d}") % 31 == 0)
    assert uscc_check_char(body) == "0"


def test_uscc_refuses_letters_outside_its_alphabet() -> None:
    """I, O, S, V and Z are not USCC characters."""
    assert not uscc_is_valid("11500000729436482I")
    assert not uscc_is_valid("1150000O729436482T")


@pytest.mark.parametrize(
    "published",
    # GRid (IFPI Global Release Identifier) examples, whose check character is MOD 37,36.
    ["A12425GABC1234002M", "A12425GXYZ98760086", "A12425G1234567890L"],
)
def test_mod37_36_published_examples(published: str) -> None:
    """Published GRid identifiers validate, and their check character is recomputed exactly."""
    assert mod37_36_is_valid(published)
    assert mod37_36_check_char(published[:-1]) == published[-1]


@given(alnum, st.integers(min_value=0), st.sampled_from(MOD37_36_ALPHABET))
def test_mod37_36_detects_every_single_substitution(body: str, position: int, replacement: str) -> None:
    """Changing any one character of a checked string (check character included) is detected."""
    checked = body + mod37_36_check_char(body)
    i = position % len(checked)
    if checked[i] == replacement:
        return
    assert not mod37_36_is_valid(checked[:i] + replacement + checked[i + 1 :])


def _alphabet_neighbours(a: str, b: str) -> bool:
    return (MOD37_36_ALPHABET.index(a) - MOD37_36_ALPHABET.index(b)) % 36 in (1, 35)


@given(alnum, st.integers(min_value=0))
def test_mod37_36_detects_adjacent_transpositions(body: str, position: int) -> None:
    """Swapping two adjacent characters is detected unless they are alphabet neighbours (0/1, A/B),
    the hybrid system's documented limit (see the next test)."""
    checked = body + mod37_36_check_char(body)
    i = position % (len(checked) - 1)
    if checked[i] == checked[i + 1] or _alphabet_neighbours(checked[i], checked[i + 1]):
        return
    swapped = checked[:i] + checked[i + 1] + checked[i] + checked[i + 2 :]
    assert not mod37_36_is_valid(swapped)


def test_mod37_36_misses_some_neighbour_swaps_as_documented() -> None:
    """The limit the module docstring states is real: L401 and L410 both validate, while the
    non-neighbour swap at the same positions (L4AI → L4IA) is caught."""
    assert mod37_36_is_valid("L401") and mod37_36_is_valid("L410")
    checked = "L4A" + mod37_36_check_char("L4A")
    assert not mod37_36_is_valid(checked[:2] + checked[3] + checked[2])


def test_mod37_36_rejects_characters_outside_alphabet() -> None:
    """Lower-case and punctuation are not MOD 37,36 characters: callers must normalise first."""
    assert not mod37_36_is_valid("a12425gabc1234002m")
    with pytest.raises(ValueError):
        mod37_36_check_char("A-1")
