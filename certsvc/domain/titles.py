"""Title names (资格名称) by series and level, for the series whose naming is fixed."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from certsvc.domain.levels import Level

TITLES_BY_SERIES: Mapping[str, Mapping[Level, str]] = MappingProxyType(
    {
        "工程技术": MappingProxyType(
            {
                Level.ZHENG_GAO: "正高级工程师",
                Level.FU_GAO: "高级工程师",
                Level.ZHONG: "工程师",
                Level.ZHU_LI: "助理工程师",
                Level.YUAN: "技术员",
            }
        ),
    }
)


def expected_title(series: str, level: Level) -> str | None:
    """The title a holder of ``level`` in ``series`` must carry, or None when the series is not known here."""
    titles = TITLES_BY_SERIES.get(series)
    return None if titles is None else titles.get(level)
