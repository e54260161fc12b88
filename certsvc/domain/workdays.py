"""Working days on the Chinese official calendar (statutory holidays and 调休 working weekends).

The calendar data comes from the ``chinesecalendar`` package, which covers the years the State
Council has announced. A date outside them raises ``CalendarNotCovered``: counting plain weekdays
there would silently guess, and a guess can wrongly pass a too-short publicity period.
"""

from __future__ import annotations

import datetime as dt
import functools

import chinese_calendar

from certsvc.errors import CalendarNotCovered


def is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is an official working day; raises ``CalendarNotCovered`` outside the data."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        first, last = covered_years()
        raise CalendarNotCovered(
            f"the official calendar covers {first}-{last}, not {day.isoformat()}",
            detail_zh=f"官方节假日日历仅覆盖 {first}—{last} 年，不含 {day.isoformat()}，无法计算工作日",
        ) from None


@functools.cache
def covered_years() -> tuple[int, int]:
    """First and last year the installed calendar data covers."""
    years = [day.year for day in chinese_calendar.holidays]
    return min(years), max(years)


@functools.lru_cache(maxsize=4096)
def working_days(start: dt.date, end: dt.date) -> int:
    """Number of working days in [start, end], both ends included; 0 when end is before start.

    Raises ``CalendarNotCovered`` when any day of the range is outside the calendar data.
    """
    if end < start:
        return 0
    count = 0
    day = start
    while day <= end:
        count += is_working_day(day)
        day += dt.timedelta(days=1)
    return count
