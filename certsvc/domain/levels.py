"""Title levels (级别) and the kinds of authority that confirm them (DESIGN §2, rule 5)."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
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
    """Who confirms results: an HR department at some tier, or a unit granted self-review rights."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    SELF_REVIEW = "self-review"

    @classmethod
    def parse(cls, text: str) -> AuthorityKind | None:
        try:
            return cls(text)
        except ValueError:
            return None


HIGH_LEVELS = frozenset({Level.ZHENG_GAO, Level.FU_GAO})
JUNIOR_LEVELS = frozenset({Level.ZHU_LI, Level.YUAN})

# A self-review unit has no default: it confirms exactly the levels it was granted.
DEFAULT_LEVELS: Mapping[AuthorityKind, frozenset[Level]] = MappingProxyType(
    {
        AuthorityKind.PROVINCE: HIGH_LEVELS,
        AuthorityKind.CITY: frozenset({Level.ZHONG}),
        AuthorityKind.COUNTY: JUNIOR_LEVELS,
        AuthorityKind.SELF_REVIEW: frozenset(),
    }
)


def confirmable_levels(kind: AuthorityKind, granted: Iterable[Level]) -> frozenset[Level]:
    """The levels an authority of ``kind`` with ``granted`` levels may confirm.

    An HR department may confirm only levels that are both granted to it and belong to its tier;
    a self-review unit exactly the levels granted.
    """
    granted_set = frozenset(granted)
    if kind is AuthorityKind.SELF_REVIEW:
        return granted_set
    return granted_set & DEFAULT_LEVELS[kind]
