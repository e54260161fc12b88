"""The issuing body's dashboard: tiles (pending requests and proposals, certificates by status),
the activity of the last days per China-time day, and the figures an office reports for a year —
issued, reissued, revoked and pending by month, level, series, route (when certificates record
one) and committee, verification counts, the median time to decide a reissue request — with the
geometry of their charts (drawn as SVG on the server: no script).

The console view only calls ``authority_dashboard`` and renders what it returns.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from certsvc.certificates import reissue
from certsvc.certificates.models import Certificate, CertificateVersion, ReissueRequest
from certsvc.registry.models import Authority
from certsvc.runtime import Runtime
from certsvc.timefmt import CHINA_TZ, china_midnight
from certsvc.verification.models import VerificationCount

DASHBOARD_DAYS = 14


@dataclass(frozen=True)
class Dashboard:
    authority: str | None
    pending_requests: int
    totals: dict[str, int]  # certificates by status
    bars: list[DayBar]
    chart: dict[str, Any]
    pending_proposals: int = 0  # waiting for a second person (the two-person rule)
    annual: Annual | None = None


def authority_dashboard(
    session: Session, runtime: Runtime, authority_code: str, *, year: int | None = None
) -> Dashboard:
    """Everything the dashboard of ``authority_code`` shows, as of ``runtime.today()``; the annual
    figures are for ``year`` (default: this year)."""
    from certsvc.certificates.models import Proposal

    bars = daily_activity(session, authority_code, runtime.today())
    totals = {
        status: count
        for status, count in session.execute(
            select(Certificate.status, func.count())
            .where(Certificate.authority_code == authority_code)
            .group_by(Certificate.status)
        )
    }
    pending_proposals = session.scalar(
        select(func.count())
        .select_from(Proposal)
        .where(Proposal.authority_code == authority_code, Proposal.status == "pending")
    )
    return Dashboard(
        authority=session.scalar(select(Authority.name).where(Authority.code == authority_code)),
        pending_requests=len(reissue.queue(session, runtime, authority_code)),
        totals=totals,
        bars=bars,
        chart=chart(bars),
        pending_proposals=int(pending_proposals or 0),
        annual=annual_figures(session, runtime, authority_code, year or runtime.today().year),
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
            rects.append(
                _bar(
                    30 + position * width_per_day + offset * bar_width,
                    bar.counts[name],
                    peak=peak,
                    height=height,
                    width=bar_width,
                    fill=SERIES_COLOURS[name],
                    # the page words the tooltip: day, the series' label, the count
                    day=bar.day.isoformat(),
                    series=name,
                )
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


def _bar(
    x: int, value: int, *, peak: int, height: int, width: int, fill: str, **tooltip: str
) -> dict[str, Any]:
    """One bar of a grouped bar chart: ``value`` scaled so that ``peak`` fills ``height``, standing
    on the base line, with a one-point gap to the next bar; ``tooltip`` names what it counts."""
    h = round(value / peak * height) if value else 0
    return {"x": x, "y": 10 + height - h, "w": width - 1, "h": h, "fill": fill, **tooltip, "value": value}


# --- the year's figures ------------------------------------------------------------------------------
ANNUAL_SERIES = ("issued", "reissued", "revoked", "pending")
BREAKDOWNS = ("level", "series", "route", "committee")
MONTHS = tuple(range(1, 13))


@dataclass(frozen=True)
class Breakdown:
    """One line of a breakdown (a level, a series, a route or a committee)."""

    key: str
    counts: dict[str, int]  # ANNUAL_SERIES -> count


@dataclass(frozen=True)
class Annual:
    """The figures an office reports for one year (China dates)."""

    year: int
    years: list[int]  # years with certificates, for the year picker
    months: list[Breakdown]  # key "01".."12"
    totals: dict[str, int]
    breakdowns: dict[str, list[Breakdown]]  # "level", "series", "committee"; "route" when recorded
    verifications: list[int]  # per month, whole service
    verification_outcomes: dict[str, int]
    median_decision_days: float | None
    decided_requests: int
    month_chart: dict[str, Any]
    verification_chart: dict[str, Any]
    level_chart: dict[str, Any]


def _china_month(session: Session, column: Any) -> ColumnElement[Any]:
    """``MM`` of a stored UTC time in China time, computed by the database."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("Asia/Shanghai", column), "MM")
    return func.strftime("%m", column, "+8 hours")


def _route_column() -> Any:
    """The certificates' acquisition route, once the schema records one (DESIGN §2); else None."""
    return getattr(Certificate, "route", None)


def annual_figures(session: Session, runtime: Runtime, authority_code: str, year: int) -> Annual:
    """Issued, reissued, revoked and pending by month and by level, series, route and committee;
    verification counts; the median time to decide a reissue request — all for ``year``."""
    start, end = china_midnight(dt.date(year, 1, 1)), china_midnight(dt.date(year + 1, 1, 1))
    mine = Certificate.authority_code == authority_code
    groups: dict[str, Any] = {
        "level": Certificate.level,
        "series": Certificate.series,
        "committee": Certificate.committee_name,
    }
    route = _route_column()
    if route is not None:
        groups["route"] = route
    month_counts: dict[str, dict[str, int]] = {f"{m:02d}": dict.fromkeys(ANNUAL_SERIES, 0) for m in MONTHS}
    breakdowns: dict[str, dict[str, dict[str, int]]] = {name: {} for name in groups}

    def count(series: str, time: Any, condition: ColumnElement[bool], source: Any) -> None:
        month = _china_month(session, time)
        query = (
            select(month, *groups.values(), func.count())
            .select_from(source)
            .join(Certificate, Certificate.id == source.certificate_id)
            .where(mine, condition, time >= start, time < end)
            .group_by(month, *groups.values())
        )
        for row in session.execute(query):
            key, values, n = row[0], row[1:-1], int(row[-1])
            if key in month_counts:
                month_counts[key][series] += n
            for name, value in zip(groups, values, strict=True):
                line = breakdowns[name].setdefault(str(value or "—"), dict.fromkeys(ANNUAL_SERIES, 0))
                line[series] += n

    versions = CertificateVersion
    count("issued", versions.issued_at, versions.version == 1, versions)
    count("reissued", versions.issued_at, versions.version > 1, versions)
    count("revoked", versions.status_changed_at, versions.status == "revoked", versions)
    count("pending", ReissueRequest.created_at, ReissueRequest.status == "pending", ReissueRequest)
    months = [Breakdown(key, counts) for key, counts in month_counts.items()]
    totals = {series: sum(line.counts[series] for line in months) for series in ANNUAL_SERIES}
    ordered = {
        name: sorted(
            (Breakdown(key, counts) for key, counts in lines.items()),
            key=lambda line: (-line.counts["issued"], line.key),
        )
        for name, lines in breakdowns.items()
    }
    if "level" in ordered:
        rank = {level: position for position, level in enumerate(LEVEL_ORDER)}
        ordered["level"].sort(key=lambda line: rank.get(line.key, len(rank)))
    verifications, outcomes = _verifications_by_month(session, year)
    median, decided = _median_decision_days(session, authority_code, start, end)
    labels = [f"{m}" for m in MONTHS]
    return Annual(
        year=year,
        years=_years(session, authority_code, runtime.today().year),
        months=months,
        totals=totals,
        breakdowns=ordered,
        verifications=verifications,
        verification_outcomes=outcomes,
        median_decision_days=median,
        decided_requests=decided,
        month_chart=grouped_bars(
            labels, {name: [line.counts[name] for line in months] for name in ANNUAL_SERIES[:3]}
        ),
        verification_chart=grouped_bars(labels, {"verified": verifications}),
        level_chart=horizontal_bars([(line.key, line.counts["issued"]) for line in ordered.get("level", [])]),
    )


LEVEL_ORDER = ("正高级", "副高级", "中级", "助理级", "员级")


def _years(session: Session, authority_code: str, this_year: int) -> list[int]:
    first = session.scalar(
        select(func.min(Certificate.created_at)).where(Certificate.authority_code == authority_code)
    )
    start = this_year if first is None else min(this_year, first.astimezone(CHINA_TZ).year)
    return list(range(this_year, start - 1, -1))


def _verifications_by_month(session: Session, year: int) -> tuple[list[int], dict[str, int]]:
    """Checks per month and per outcome in ``year`` (the whole service: verifiers do not say whose
    certificate they checked)."""
    rows = session.execute(
        select(VerificationCount.day, VerificationCount.outcome, VerificationCount.count).where(
            VerificationCount.day >= dt.date(year, 1, 1), VerificationCount.day < dt.date(year + 1, 1, 1)
        )
    ).all()
    per_month = [0] * 12
    outcomes: dict[str, int] = {}
    for day, outcome, n in rows:
        per_month[day.month - 1] += int(n)
        outcomes[outcome] = outcomes.get(outcome, 0) + int(n)
    return per_month, dict(sorted(outcomes.items(), key=lambda item: -item[1]))


def _median_decision_days(
    session: Session, authority_code: str, start: dt.datetime, end: dt.datetime
) -> tuple[float | None, int]:
    """The median time from a reissue request to its decision, in days (one decimal), over the
    requests decided in [start, end); and how many that is."""
    rows = session.execute(
        select(ReissueRequest.created_at, ReissueRequest.decided_at).where(
            ReissueRequest.authority_code == authority_code,
            ReissueRequest.decided_at.is_not(None),
            ReissueRequest.decided_at >= start,
            ReissueRequest.decided_at < end,
        )
    ).all()
    waits = [(decided - created).total_seconds() / 86400 for created, decided in rows if decided is not None]
    if not waits:
        return None, 0
    return round(statistics.median(waits), 1), len(waits)


ANNUAL_COLOURS = {**SERIES_COLOURS, "pending": "#b06000"}


def grouped_bars(labels: list[str], values: dict[str, list[int]]) -> dict[str, Any]:
    """Geometry of a grouped bar chart (one group per label, one bar per series), for server-side
    SVG like ``chart``."""
    group_width, height = 54, 150
    bar_width = max(6, (group_width - 10) // max(1, len(values)))
    peak = max([1] + [value for series in values.values() for value in series])
    rects = []
    for position, label in enumerate(labels):
        for offset, (name, series) in enumerate(values.items()):
            rects.append(
                _bar(
                    34 + position * group_width + offset * bar_width,
                    series[position],
                    peak=peak,
                    height=height,
                    width=bar_width,
                    fill=ANNUAL_COLOURS.get(name, "#5f6368"),
                    # the page words the tooltip: the group (a month), the series' label, the count
                    group=label,
                    series=name,
                )
            )
    return {
        "width": 44 + len(labels) * group_width,
        "height": height + 40,
        "base": 10 + height,
        "rects": rects,
        "labels": [
            {"x": 34 + position * group_width + (bar_width * len(values)) // 2, "text": label}
            for position, label in enumerate(labels)
        ],
        "peak": peak,
        "colours": {name: ANNUAL_COLOURS.get(name, "#5f6368") for name in values},
    }


def horizontal_bars(items: list[tuple[str, int]]) -> dict[str, Any]:
    """Geometry of a horizontal bar chart (one labelled bar per item), for server-side SVG."""
    row, width, left = 26, 300, 90
    peak = max([1] + [value for _, value in items])
    bars = [
        {
            "y": 8 + position * row,
            "w": round(value / peak * width) if value else 0,
            "h": row - 8,
            "label": label,
            "value": value,
            "text_y": 8 + position * row + (row - 8) // 2 + 4,
        }
        for position, (label, value) in enumerate(items)
    ]
    return {"width": left + width + 60, "height": 16 + len(items) * row, "left": left, "bars": bars}
