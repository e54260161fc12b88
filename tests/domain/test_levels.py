"""Levels and kinds of authority (DESIGN §2)."""

from __future__ import annotations

from certsvc.domain.levels import AuthorityKind, Level
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


def test_kinds_describe_authorities_without_deciding_jurisdiction() -> None:
    """Every kind of issuing body the regulations name parses, industry departments included."""
    assert AuthorityKind.parse("industry") is AuthorityKind.INDUSTRY
    assert AuthorityKind.INDUSTRY.label_zh == "行业主管部门"
    assert AuthorityKind.parse("ministry") is None


def test_engineering_titles_by_level() -> None:
    """工程技术 titles are fixed per level; an unknown series has no fixed title."""
    titles = [expected_title("工程技术", lv) for lv in Level]
    assert titles == ["正高级工程师", "高级工程师", "工程师", "助理工程师", "技术员"]
    assert expected_title("卫生技术", Level.ZHONG) is None
