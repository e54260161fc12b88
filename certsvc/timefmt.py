"""China time and RFC 3339: the one place that knows the zone and the text forms of instants.

Title-review dates, counters and pages are judged in China Standard Time (UTC+8, no daylight
saving); credentials, ledger entries and APIs carry RFC 3339 UTC text with a ``Z`` suffix.
"""

from __future__ import annotations

import datetime as dt
import functools

CHINA_TZ = dt.timezone(dt.timedelta(hours=8))


def china_date(instant: dt.datetime) -> dt.date:
    """The calendar day in China at ``instant`` (aware)."""
    return instant.astimezone(CHINA_TZ).date()


def china_midnight(day: dt.date) -> dt.datetime:
    """The instant a China calendar day begins."""
    return dt.datetime.combine(day, dt.time(), CHINA_TZ)


def china_minute(instant: dt.datetime) -> str:
    """``YYYY-MM-DD HH:MM`` in China time, for pages."""
    return instant.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


@functools.lru_cache(maxsize=64, typed=True)
def rfc3339(instant: dt.datetime, *, exact: bool = False) -> str:
    """RFC 3339 UTC text with a ``Z`` suffix.

    Whole seconds by default (what VC ``validFrom`` expects); ``exact=True`` keeps microseconds when
    there are any (key windows and ledger times must not be rounded). Cached: a batch stamps
    thousands of credentials and ledger entries with one time.
    """
    if instant.utcoffset() is None:
        raise ValueError("naive datetime")
    utc = instant.astimezone(dt.UTC).replace(tzinfo=None)
    if not exact:
        utc = utc.replace(microsecond=0)
    return utc.isoformat() + "Z"


def parse_rfc3339(text: str) -> dt.datetime:
    """An RFC 3339 time with an explicit offset (``Z``/``z`` or ``±hh:mm``) as an aware UTC datetime."""
    if text[-1:] == "z":
        text = text[:-1] + "Z"
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("RFC 3339 time needs an offset")
    return moment.astimezone(dt.UTC)


def parse_china_local(text: str) -> dt.datetime:
    """A time typed in a form: ``YYYY-MM-DDTHH:MM[:SS]`` read as China time (what an HTML
    ``datetime-local`` field sends), or RFC 3339 with its own offset; an aware UTC datetime."""
    text = text.strip()
    moment = dt.datetime.fromisoformat(text[:-1] + "Z" if text[-1:] == "z" else text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA_TZ)
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01T00:00 in China time is before year 1 in UTC
        raise ValueError(f"time out of range: {text[:40]!r}") from None


def china_local_input(instant: dt.datetime) -> str:
    """``YYYY-MM-DDTHH:MM`` in China time, the value of an HTML ``datetime-local`` field."""
    return instant.astimezone(CHINA_TZ).strftime("%Y-%m-%dT%H:%M")
