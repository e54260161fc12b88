"""Personal names: plausibility, normalisation, masking."""

from __future__ import annotations

import pytest

from certsvc.domain.names import check_name, is_plausible_name, mask_name, normalize_name
from certsvc.errors import ImplausibleName


@pytest.mark.parametrize(
    "name",
    [
        "张三",
        "欧阳娜娜",
        "刘䶮",  # 䶮 is in CJK Extension A
        "阿沛·阿旺晋美",
        "买买提·吐尔逊·阿不都",
        "John Smith",
        "Mary-Jane O'Neil",
        "José Zoë",
    ],
)
def test_real_names_are_plausible(name: str) -> None:
    """Han names (incl. Ext-A and minority names with ·) and Latin names pass unchanged."""
    assert check_name(name) == name


@pytest.mark.parametrize("variant", ["\u30fb", "\u2022", "\u2027", "\uff65", " · "])
def test_typed_middle_dots_become_u00b7(variant: str) -> None:
    """The dots people type in minority names (・ • ‧ ･, or · with spaces) normalise to U+00B7."""
    assert check_name(f"阿沛{variant}阿旺晋美") == "阿沛·阿旺晋美"


def test_normalisation_is_nfc_and_trims_whitespace() -> None:
    """Decomposed accents compose (NFC); surrounding and repeated spaces collapse."""
    assert normalize_name("  Jose\u0301   Smith\u3000") == "José Smith"


@pytest.mark.parametrize(
    "name",
    [
        "",
        "张",
        "张三3",
        "张 三",
        "张三@",
        "Zhang三",
        "·张三",
        "张··三",
        "J",
        "John  -Smith",
        "Robert'); DROP TABLE",
        "张" * 31,
    ],
)
def test_implausible_names_are_refused_with_a_reason(name: str) -> None:
    """Digits, symbols, mixed scripts, stray dots, single letters and absurd lengths are refused."""
    with pytest.raises(ImplausibleName) as caught:
        check_name(name)
    assert caught.value.detail_zh
    assert not is_plausible_name(name)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三明", "张*明"),
        ("欧阳娜娜", "欧**娜"),
        ("张三", "张*"),
        ("张", "*"),
        ("阿沛·阿旺晋美", "阿*·***美"),
        ("John Smith", "J*** S****"),
        ("Mary-Jane O'Neil", "M***-J*** O'N***"),
    ],
)
def test_mask_shows_only_first_and_last(name: str, masked: str) -> None:
    """Public display keeps the first (and, from three characters, the last) Han character,
    or the first letter of each Latin word."""
    assert mask_name(name) == masked


def test_mask_of_malformed_text_still_hides_it() -> None:
    """Even text that is not a name never shows through the mask beyond one character per word."""
    assert mask_name("12345 abc") == "1**** a**"
