"""Years the calendar package does not know yet, supplied by the operator from the State Council's
notice (CERTSVC_CALENDAR_FILE): counted exactly as published, never guessed, validated on load."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from certsvc.config import load_settings
from certsvc.domain.registry import demo_registry
from certsvc.domain.rules import check_record
from certsvc.domain.workdays import covered_years, install_supplements, parse_supplements, working_days
from certsvc.errors import CalendarNotCovered, ConfigurationError
from certsvc.runtime import build_runtime
from tests.domain.helpers import record

NEXT = covered_years()[1] + 1  # the first year the installed package does not cover


def first_monday(year: int) -> dt.date:
    day = dt.date(year, 3, 1)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


MONDAY = first_monday(NEXT)


def year_entry(**changes: Any) -> dict[str, Any]:
    """A made-up arrangement for NEXT: New Year's Day off, and a week in March where Wednesday is a
    holiday and the following Saturday is worked in exchange."""
    entry: dict[str, Any] = {
        "year": NEXT,
        "source": f"test notice for {NEXT} (not a real arrangement)",
        "holidays": [f"{NEXT}-01-01", (MONDAY + dt.timedelta(days=2)).isoformat()],
        "adjusted_workdays": [(MONDAY + dt.timedelta(days=5)).isoformat()],
    }
    return entry | changes


def encoded(*entries: dict[str, Any]) -> bytes:
    return json.dumps(list(entries), ensure_ascii=False).encode()


@pytest.fixture
def no_supplements() -> Iterator[None]:
    install_supplements([])
    yield
    install_supplements([])


def test_supplied_year_counts_its_holidays_and_adjusted_weekends(no_supplements: None) -> None:
    """With the year supplied, a holiday is not worked and an adjusted Saturday is; others are weekdays."""
    with pytest.raises(CalendarNotCovered):
        working_days(MONDAY, MONDAY + dt.timedelta(days=6))
    install_supplements(parse_supplements(encoded(year_entry()), "calendar.json"))
    # Mon, Tue, (Wed off), Thu, Fri, Sat worked, (Sun off)
    assert working_days(MONDAY, MONDAY + dt.timedelta(days=6)) == 5
    assert working_days(dt.date(NEXT, 1, 1), dt.date(NEXT, 1, 1)) == 0


def test_supplied_year_lets_a_publicity_period_be_checked(no_supplements: None) -> None:
    """A publicity period in the supplied year is judged by the rule, not refused as uncovered."""
    late = record(
        meeting_date=MONDAY - dt.timedelta(days=10),
        publicity_start=MONDAY,
        publicity_end=MONDAY + dt.timedelta(days=5),
        confirmation_date=MONDAY + dt.timedelta(days=8),
    )
    today = MONDAY + dt.timedelta(days=30)

    def publicity_messages() -> list[str]:
        return [v.message_en for v in check_record(late, demo_registry(), today) if v.rule == "publicity"]

    assert any("cannot count working days" in message for message in publicity_messages())
    install_supplements(parse_supplements(encoded(year_entry()), "calendar.json"))
    assert publicity_messages() == []
    install_supplements(
        parse_supplements(
            encoded(year_entry(adjusted_workdays=[], holidays=[f"{NEXT}-01-01", MONDAY.isoformat()])),
            "calendar.json",
        )
    )
    assert any("working days" in message for message in publicity_messages())


@pytest.mark.parametrize(
    ("entries", "complaint"),
    [
        ([year_entry(year=covered_years()[1])], "already in the installed calendar"),
        ([year_entry(source="")], "field source"),
        ([year_entry(holidays=[])], "field holidays is empty"),
        ([year_entry(holidays=[f"{NEXT}-02-30"])], "is not a YYYY-MM-DD date"),
        ([year_entry(holidays=[f"{NEXT + 1}-01-01"])], f"is not in {NEXT}"),
        ([year_entry(adjusted_workdays=[MONDAY.isoformat()])], "a weekday"),
        ([year_entry(adjusted_workdays=[f"{NEXT}-01-01"])], "both a holiday and a working day"),
        ([year_entry(), year_entry()], "a year appears twice"),
        ([year_entry(extra=1)], "unknown field"),
        ([], "non-empty JSON list"),
    ],
)
def test_bad_calendar_files_are_refused_with_the_place(
    entries: list[dict[str, Any]], complaint: str, no_supplements: None
) -> None:
    """A wrong calendar file is refused naming the file and what is wrong, and installs nothing."""
    with pytest.raises(ConfigurationError, match=complaint) as caught:
        parse_supplements(encoded(*entries), "calendar.json")
    assert caught.value.message.startswith("calendar.json")
    with pytest.raises(CalendarNotCovered):
        working_days(MONDAY, MONDAY)


def test_runtime_loads_the_file_named_by_the_setting(tmp_path: Path, no_supplements: None) -> None:
    """CERTSVC_CALENDAR_FILE is read when the service or a command starts; a broken file stops it."""
    path = tmp_path / "calendar.json"
    env = {"CERTSVC_INSTANCE_DIR": str(tmp_path), "CERTSVC_CALENDAR_FILE": str(path)}
    with pytest.raises(ConfigurationError, match="CERTSVC_CALENDAR_FILE"):
        build_runtime(load_settings(env))
    path.write_bytes(b"\xff not json")
    with pytest.raises(ConfigurationError, match="not UTF-8 JSON"):
        build_runtime(load_settings(env))
    path.write_bytes(encoded(year_entry()))
    build_runtime(load_settings(env)).database.dispose()
    assert working_days(MONDAY, MONDAY + dt.timedelta(days=6)) == 5
