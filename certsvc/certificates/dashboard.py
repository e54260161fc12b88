"""The issuing body's dashboard: tiles (pending requests, certificates by status) and the activity
of the last days per China-time day, with the geometry of its bar chart.

The console view only calls ``authority_dashboard`` and renders what it returns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from certsvc.certificates import reissue
from certsvc.certificates.models import Certificate, CertificateVersion
from certsvc.registry.models import Authority
from certsvc.runtime import Runtime
from certsvc.timefmt import china_midnight
from certsvc.verification.models import VerificationCount

DASHBOARD_DAYS = 14


@dataclass(frozen=True)
class Dashboard:
    authority: str | None
    pending_requests: int
    totals: dict[str, int]  # certificates by status
    bars: list[DayBar]
    chart: dict[str, Any]


def authority_dashboard(session: Session, runtime: Runtime, authority_code: str) -> Dashboard:
    """Everything the dashboard of ``authority_code`` shows, as of ``runtime.today()``."""
    bars = daily_activity(session, authority_code, runtime.today())
    totals = {
        status: count
        for status, count in session.execute(
            select(Certificate.status, func.count())
            .where(Certificate.authority_code == authority_code)
            .group_by(Certificate.status)
        )
    }
    return Dashboard(
        authority=session.scalar(select(Authority.name).where(Authority.code == authority_code)),
        pending_requests=len(reissue.queue(session, runtime, authority_code)),
        totals=totals,
        bars=bars,
        chart=chart(bars),
    )


@dataclass(frozen=True)
class DayBar:
    day: dt.date
    counts: dict[str, int]


SERIES = ("issued", "reissued", "revoked", "verified")
SERIES_COLOURS = {"issued": "#137333", "reissued": "#1a73e8", "revoked": "#c5221f", "verified": "#b06000"}


def _china_day(session: Session, column: Any) -> ColumnElement[Any]:
    """The China calendar day of a stored UTC time, computed by the database (see timefmt.CHINA_TZ)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("Asia/Shanghai", column))
    return func.date(column, "+8 hours")


def _per_day(
    session: Session, column: Any, condition: ColumnElement[bool], since: dt.datetime
) -> dict[str, int]:
    day = _china_day(session, column)
    rows = session.execute(
        select(day, func.count())
        .select_from(CertificateVersion)
        .join(Certificate, Certificate.id == CertificateVersion.certificate_id)
        .where(condition, column >= since)
        .group_by(day)
    ).all()
    return {str(key): int(value) for key, value in rows}


def daily_activity(
    session: Session, authority_code: str, today: dt.date, days: int = DASHBOARD_DAYS
) -> list[DayBar]:
    """Issuances, reissues and revocations of one authority per China-time day, plus verifications
    (counted for the whole service: verifiers do not say whose certificate they checked)."""
    first = today - dt.timedelta(days=days - 1)
    since = china_midnight(first)
    mine = Certificate.authority_code == authority_code
    series = {
        "issued": _per_day(
            session, CertificateVersion.issued_at, and_(mine, CertificateVersion.version == 1), since
        ),
        "reissued": _per_day(
            session, CertificateVersion.issued_at, and_(mine, CertificateVersion.version > 1), since
        ),
        "revoked": _per_day(
            session,
            CertificateVersion.status_changed_at,
            and_(mine, CertificateVersion.status == "revoked"),
            since,
        ),
        "verified": _verifications(session, first),
    }
    return [
        DayBar(day, {name: series[name].get(day.isoformat(), 0) for name in SERIES})
        for day in (first + dt.timedelta(days=n) for n in range(days))
    ]


def _verifications(session: Session, first: dt.date) -> dict[str, int]:
    rows = session.execute(
        select(VerificationCount.day, func.sum(VerificationCount.count))
        .where(VerificationCount.day >= first)
        .group_by(VerificationCount.day)
    ).all()
    return {day.isoformat(): int(total or 0) for day, total in rows}


def chart(bars: list[DayBar]) -> dict[str, Any]:
    """Geometry of a grouped bar chart drawn as server-side SVG (no script, no inline style)."""
    width_per_day, bar_width, height = 44, 9, 160
    peak = max([1] + [value for bar in bars for value in bar.counts.values()])
    rects = []
    for position, bar in enumerate(bars):
        for offset, name in enumerate(SERIES):
            value = bar.counts[name]
            h = round(value / peak * height) if value else 0
            rects.append(
                {
                    "x": 30 + position * width_per_day + offset * bar_width,
                    "y": 10 + height - h,
                    "w": bar_width - 1,
                    "h": h,
                    "fill": SERIES_COLOURS[name],
                    # the page words the tooltip: day, the series' label, the count
                    "day": bar.day.isoformat(),
                    "series": name,
                    "value": value,
                }
            )
    labels = [
        {"x": 30 + position * width_per_day + 2 * bar_width, "text": bar.day.strftime("%m-%d")}
        for position, bar in enumerate(bars)
    ]
    return {
        "width": 40 + len(bars) * width_per_day,
        "height": height + 40,
        "base": 10 + height,
        "rects": rects,
        "labels": labels,
        "peak": peak,
        "colours": SERIES_COLOURS,
    }
