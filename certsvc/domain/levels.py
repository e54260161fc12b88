"""Title levels (级别) and the kinds of authority (DESIGN §2).

The kind of an authority describes it (for people and for the province's policy); it never decides
what the authority may confirm: that comes from the grants in the registry (rule 5).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType


class Level(enum.Enum):
    """The five title levels; the value is the Chinese name used in files and on certificates."""

    ZHENG_GAO = "正高级"
    FU_GAO = "副高级"
    ZHONG = "中级"
    ZHU_LI = "助理级"
    YUAN = "员级"

    @property
    def digit(self) -> int:
        """1 (正高级) … 5 (员级): the level's position in certificate numbers."""
        return _DIGITS[self]

    @property
    def is_high(self) -> bool:
        """正高级 and 副高级 (高级职称)."""
        return self in (Level.ZHENG_GAO, Level.FU_GAO)

    @property
    def is_intermediate(self) -> bool:
        """中级."""
        return self is Level.ZHONG

    @property
    def is_junior(self) -> bool:
        """初级: 助理级 and 员级."""
        return self in (Level.ZHU_LI, Level.YUAN)

    @classmethod
    def parse(cls, text: str) -> Level | None:
        """The level named by ``text`` (surrounding whitespace ignored), or None when unknown.

        初级 alone is deliberately unknown: it does not say whether 助理级 or 员级 is meant.
        """
        return _BY_NAME.get(text.strip())

    @classmethod
    def from_digit(cls, digit: int) -> Level | None:
        return _BY_DIGIT.get(digit)


_DIGITS: Mapping[Level, int] = MappingProxyType({level: i for i, level in enumerate(Level, start=1)})
_BY_DIGIT: Mapping[int, Level] = MappingProxyType({d: level for level, d in _DIGITS.items()})
_BY_NAME: Mapping[str, Level] = MappingProxyType({level.value: level for level in Level})


class AuthorityKind(enum.Enum):
    """What sort of body an authority is: an HR department at some tier, an industry department
    (行业主管部门), or a unit granted self-review rights. Descriptive only: grants decide jurisdiction."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    INDUSTRY = "industry"
    SELF_REVIEW = "self-review"

    @classmethod
    def parse(cls, text: str) -> AuthorityKind | None:
        try:
            return cls(text)
        except ValueError:
            return None

    @property
    def label_zh(self) -> str:
        return _KIND_ZH[self]


_KIND_ZH: Mapping[AuthorityKind, str] = MappingProxyType(
    {
        AuthorityKind.PROVINCE: "省级人力资源社会保障部门",
        AuthorityKind.CITY: "市级人力资源社会保障部门",
        AuthorityKind.COUNTY: "区县人力资源社会保障部门",
        AuthorityKind.INDUSTRY: "行业主管部门",
        AuthorityKind.SELF_REVIEW: "自主评审单位",
    }
)

HIGH_LEVELS = frozenset({Level.ZHENG_GAO, Level.FU_GAO})
JUNIOR_LEVELS = frozenset({Level.ZHU_LI, Level.YUAN})


def level_group(level: Level) -> str:
    """高级, 中级 or 初级: the groups the regulations set committee sizes by."""
    if level.is_high:
        return "高级"
    return "中级" if level.is_intermediate else "初级"
