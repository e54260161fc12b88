"""Working days on the Chinese official calendar (statutory holidays and 调休 working weekends).

The calendar data comes from the ``chinesecalendar`` package, which covers the years the State
Council has announced. A date outside them raises ``CalendarNotCovered``: counting plain weekdays
there would silently guess, and a guess can wrongly pass a too-short publicity period.

When the State Council has announced a year the installed package does not know yet, an operator
can supply that year from the notice (``CERTSVC_CALENDAR_FILE``, see ``parse_supplements``) instead
of waiting for a package release. The package's own years always win: a supplement may only add
years it does not cover.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import chinese_calendar

from certsvc.errors import CalendarNotCovered, ConfigurationError

SATURDAY = 5


@dataclass(frozen=True)
class CalendarSupplement:
    """One year's official arrangement, as published in the State Council's notice."""

    year: int
    source: str
    holidays: frozenset[dt.date]
    adjusted_workdays: frozenset[dt.date]

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.adjusted_workdays:
            return True
        return day not in self.holidays and day.weekday() < SATURDAY


_supplements: dict[int, CalendarSupplement] = {}


def is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is an official working day; raises ``CalendarNotCovered`` outside the data."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        supplement = _supplements.get(day.year)
        if supplement is not None:
            return supplement.is_working_day(day)
        first, last = covered_years()
        raise CalendarNotCovered(
            f"the official calendar covers {first}-{last}{_extra_years()}, not {day.isoformat()}",
            detail_zh=f"官方节假日日历仅覆盖 {first}—{last} 年{_extra_years()}，不含 {day.isoformat()}，无法计算工作日",
        ) from None


def _extra_years() -> str:
    return "".join(f", {year}" for year in sorted(_supplements))


@functools.cache
def covered_years() -> tuple[int, int]:
    """First and last year the installed calendar package covers."""
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


def install_supplements(supplements: Iterable[CalendarSupplement]) -> None:
    """Make the given years countable (replacing any supplements installed before)."""
    _supplements.clear()
    _supplements.update({supplement.year: supplement for supplement in supplements})
    working_days.cache_clear()


def parse_supplements(data: bytes, origin: str) -> list[CalendarSupplement]:
    """Read a calendar file: a JSON list of years, each
    ``{"year": 2027, "source": "国办发明电〔2026〕…号", "holidays": [dates off], "adjusted_workdays":
    [weekend days worked]}`` with ISO dates. Raises ``ConfigurationError`` naming the file, the year
    and the field at the first problem."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigurationError(f"{origin}: not UTF-8 JSON ({error})") from None
    if not isinstance(document, list) or not document:
        raise ConfigurationError(f"{origin}: expected a non-empty JSON list of years")
    supplements = [_parse_year(entry, f"{origin}: entry {n}") for n, entry in enumerate(document, start=1)]
    years = [supplement.year for supplement in supplements]
    if len(set(years)) != len(years):
        raise ConfigurationError(f"{origin}: a year appears twice")
    return supplements


def _parse_year(entry: Any, where: str) -> CalendarSupplement:
    if not isinstance(entry, Mapping):
        raise ConfigurationError(f"{where}: expected an object")
    unknown = set(entry) - {"year", "source", "holidays", "adjusted_workdays"}
    if unknown:
        raise ConfigurationError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    year = entry.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        raise ConfigurationError(f"{where}: field year must be an integer")
    first, last = covered_years()
    if first <= year <= last:
        raise ConfigurationError(
            f"{where}: year {year} is already in the installed calendar ({first}-{last}); "
            "the package's data is used for it"
        )
    source = entry.get("source")
    if not isinstance(source, str) or not source.strip():
        raise ConfigurationError(f"{where}: field source must name the notice the dates come from")
    holidays = _dates(entry, "holidays", year, where)
    workdays = _dates(entry, "adjusted_workdays", year, where)
    if not holidays:
        raise ConfigurationError(f"{where}: field holidays is empty; every year has statutory holidays")
    both = holidays & workdays
    if both:
        raise ConfigurationError(f"{where}: {min(both).isoformat()} is both a holiday and a working day")
    weekday_worked = [day for day in workdays if day.weekday() < SATURDAY]
    if weekday_worked:
        raise ConfigurationError(
            f"{where}: field adjusted_workdays lists {min(weekday_worked).isoformat()}, a weekday "
            "(only weekend days are adjusted to working days)"
        )
    return CalendarSupplement(year, source.strip(), holidays, workdays)


def _dates(entry: Mapping[str, Any], field: str, year: int, where: str) -> frozenset[dt.date]:
    raw = entry.get(field, [])
    if not isinstance(raw, list):
        raise ConfigurationError(f"{where}: field {field} must be a list of YYYY-MM-DD dates")
    days: set[dt.date] = set()
    for value in raw:
        try:
            day = dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
        except ValueError:
            day = None
        if day is None:
            raise ConfigurationError(f"{where}: field {field}: {value!r} is not a YYYY-MM-DD date")
        if day.year != year:
            raise ConfigurationError(f"{where}: field {field}: {value} is not in {year}")
        days.add(day)
    return frozenset(days)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later: where a period of years ends (民法典 第二百零二、二百零三条:
    the corresponding day of the final month, or its last day when it has none, so 29 February
    goes to 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a non-leap year
        return day.replace(year=day.year + years, day=28)
