"""Levels and which authorities may confirm them (DESIGN §2 rule 5)."""

from __future__ import annotations

from certsvc.domain.levels import AuthorityKind, Level, confirmable_levels
from certsvc.domain.titles import expected_title


def test_level_groups() -> None:
    """正高级/副高级 are high, 中级 intermediate, 助理级/员级 together are 初级."""
    assert [lv for lv in Level if lv.is_high] == [Level.ZHENG_GAO, Level.FU_GAO]
    assert [lv for lv in Level if lv.is_intermediate] == [Level.ZHONG]
    assert [lv for lv in Level if lv.is_junior] == [Level.ZHU_LI, Level.YUAN]


def test_parse_accepts_exact_names_only() -> None:
    """Names parse with surrounding spaces; 初级 is refused because it does not say which level."""
    assert Level.parse(" 中级 ") is Level.ZHONG
    assert Level.parse("初级") is None
    assert Level.parse("高级") is None


def test_each_tier_confirms_its_own_levels() -> None:
    """Province: high; city: 中级; county: 初级; granting more to a tier does not widen it."""
    every = list(Level)
    assert confirmable_levels(AuthorityKind.PROVINCE, every) == {Level.ZHENG_GAO, Level.FU_GAO}
    assert confirmable_levels(AuthorityKind.CITY, every) == {Level.ZHONG}
    assert confirmable_levels(AuthorityKind.COUNTY, every) == {Level.ZHU_LI, Level.YUAN}


def test_self_review_unit_confirms_exactly_what_it_was_granted() -> None:
    """A self-review unit has no default levels: only the granted ones."""
    granted = {Level.FU_GAO, Level.ZHONG}
    assert confirmable_levels(AuthorityKind.SELF_REVIEW, granted) == granted
    assert confirmable_levels(AuthorityKind.SELF_REVIEW, []) == frozenset()


def test_engineering_titles_by_level() -> None:
    """工程技术 titles are fixed per level; an unknown series has no fixed title."""
    titles = [expected_title("工程技术", lv) for lv in Level]
    assert titles == ["正高级工程师", "高级工程师", "工程师", "助理工程师", "技术员"]
    assert expected_title("卫生技术", Level.ZHONG) is None
