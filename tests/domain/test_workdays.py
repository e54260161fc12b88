"""Working days on the Chinese official calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from certsvc.domain.workdays import covered_years, is_working_day, working_days
from certsvc.errors import CalendarNotCovered


def test_national_day_week_2024_has_two_working_days() -> None:
    """2024-09-30 → 2024-10-08 spans the National Day holiday: only 9-30 and 10-08 are worked."""
    assert working_days(dt.date(2024, 9, 30), dt.date(2024, 10, 8)) == 2


def test_adjusted_weekends_are_working_days() -> None:
    """调休: Sunday 2024-09-29 and Saturday 2024-10-12 were working days; 2024-10-13 was not."""
    assert is_working_day(dt.date(2024, 9, 29))
    assert is_working_day(dt.date(2024, 10, 12))
    assert not is_working_day(dt.date(2024, 10, 13))
    # Tue 10-08 to Sat 10-12: five working days, though only four are weekdays.
    assert working_days(dt.date(2024, 10, 8), dt.date(2024, 10, 12)) == 5


def test_both_ends_are_included() -> None:
    """A single working day counts as one; a reversed range as none."""
    assert working_days(dt.date(2024, 11, 4), dt.date(2024, 11, 4)) == 1
    assert working_days(dt.date(2024, 11, 8), dt.date(2024, 11, 4)) == 0


def test_dates_outside_the_calendar_are_refused_not_guessed() -> None:
    """A year the official data does not cover raises CalendarNotCovered naming the covered years."""
    first, last = covered_years()
    with pytest.raises(CalendarNotCovered) as caught:
        working_days(dt.date(last, 12, 28), dt.date(last + 1, 1, 8))
    assert str(last) in caught.value.message and caught.value.detail_zh
    with pytest.raises(CalendarNotCovered):
        is_working_day(dt.date(first - 1, 6, 1))
