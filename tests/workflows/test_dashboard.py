"""The dashboard's annual figures: issued, reissued, revoked and pending by month, level, series and
committee, verification counts, the median time to decide a reissue request, charts drawn as SVG."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask

from certsvc.certificates.dashboard import annual_figures
from certsvc.certificates.reissue import approve_request, submit_request
from certsvc.certificates.revocation import change_status
from certsvc.runtime import Runtime
from certsvc.verification.models import VerificationCount
from tests.accounts.fixtures import PROVINCE, people, sign_in, staff_account
from tests.conftest import FakeClock


def _activity(runtime: Runtime) -> None:
    """One revocation, two reissue requests (one decided 36 hours later, one pending) and some checks."""
    assert isinstance(runtime.clock, FakeClock)
    first, second, third = people(runtime, PROVINCE, 3)
    with runtime.database.write() as session:
        change_status(session, runtime, first.number, "revoke", "error", "渝人社〔2026〕5号")
        decided = submit_request(
            session, runtime, holder_id=second.holder_id, number=second.number, reason="lost"
        )
        submit_request(session, runtime, holder_id=third.holder_id, number=third.number, reason="damaged")
        session.add_all(
            [
                VerificationCount(day=dt.date(2026, 3, 5), channel="web", outcome="valid", count=7),
                VerificationCount(day=dt.date(2026, 11, 21), channel="api", outcome="revoked", count=3),
                VerificationCount(day=dt.date(2025, 12, 31), channel="web", outcome="valid", count=100),
            ]
        )
        decided_id = decided.id
    runtime.clock.advance(hours=36)
    with runtime.database.write() as session:
        approve_request(session, runtime, decided_id, actor="test")


def test_annual_figures_by_month_level_series_and_committee(issued: Runtime) -> None:
    """The province's 100 certificates count in November (China time), with the reissue, the revocation
    and the pending request, by month and by each breakdown; checks of other years are left out; the
    median decision time is 1.5 days over one decided request; the route breakdown counts them
    as reviews."""
    _activity(issued)
    with issued.database.read() as session:
        year = annual_figures(session, issued, PROVINCE, 2026)
    november = next(line for line in year.months if line.key == "11")
    assert november.counts == {"issued": 100, "reissued": 1, "revoked": 1, "pending": 1}
    assert year.totals == november.counts
    assert sum(line.counts["issued"] for line in year.breakdowns["level"]) == 100
    assert [line.key for line in year.breakdowns["level"]] == sorted(
        (line.key for line in year.breakdowns["level"]),
        key=("正高级", "副高级", "中级", "助理级", "员级").index,
    )
    for kind in ("series", "committee", "route"):
        lines = year.breakdowns[kind]
        assert sum(line.counts["issued"] for line in lines) == 100
        assert sum(line.counts["revoked"] for line in lines) == 1
        assert sum(line.counts["pending"] for line in lines) == 1
    assert [line.key for line in year.breakdowns["route"]] == ["评审"]  # the sample batch is reviewed
    assert year.verifications[2] == 7 and year.verifications[10] == 3 and sum(year.verifications) == 10
    assert year.verification_outcomes == {"valid": 7, "revoked": 3}
    assert (year.median_decision_days, year.decided_requests) == (1.5, 1)
    bars = [rect for rect in year.month_chart["rects"] if rect["h"]]
    assert {rect["series"] for rect in bars} == {"issued", "reissued", "revoked"}
    assert max(rect["h"] for rect in bars) == 150  # the tallest bar (100 issued) fills the chart
    with issued.database.read() as session:
        empty = annual_figures(session, issued, PROVINCE, 2025)
    assert empty.totals == dict.fromkeys(("issued", "reissued", "revoked", "pending"), 0)
    assert sum(empty.verifications) == 100 and empty.median_decision_days is None


def test_the_dashboard_page_draws_its_charts_without_script(issued: Runtime, portal_app: Flask) -> None:
    """The page shows the year's tables and SVG charts (no script), picks another year from the query,
    ignores a malformed one, and reads in English too."""
    _activity(issued)
    client = portal_app.test_client()
    sign_in(client, staff_account(issued, PROVINCE, "auditor"))
    page = client.get("/issuer/").get_data(as_text=True)
    assert "2026 年度统计" in page and page.count("<svg") >= 4 and "<script" not in page
    assert 'id="by-month"' in page and 'id="by-level"' in page and 'id="by-committee"' in page
    assert re.search(r'id="median-decision"><span class="tile-number">1.5<', page)
    assert "2025 年度统计" in client.get("/issuer/?year=2025").get_data(as_text=True)
    assert "2026 年度统计" in client.get("/issuer/?year=20x5").get_data(as_text=True)
    english = client.get("/issuer/?lang=en").get_data(as_text=True)
    assert "Figures for 2026" in english and "By committee" in english and "年度统计" not in english


def test_odd_years_and_times_are_refused_not_crashed_on(issued: Runtime, portal_app: Flask) -> None:
    """A year written in other digits falls back to this year; a compromise time before year 1 in UTC
    is a clear refusal, never a server error."""
    from certsvc.timefmt import parse_china_local

    client = portal_app.test_client()
    sign_in(client, staff_account(issued, PROVINCE, "operator"))
    for year in ("²⁰²⁶", "٢٠٢٦", "9" * 5000):
        response = client.get(f"/issuer/?year={year}")
        assert response.status_code == 200 and "2026 年度统计" in response.get_data(as_text=True)
    for text in ("0001-01-01T00:00", "0001-01-01T05:00+14:00"):
        with pytest.raises(ValueError):
            parse_china_local(text)
    assert parse_china_local("2026-11-21T10:00").isoformat() == "2026-11-21T02:00:00+00:00"
    kid = issued.keys.history()[-1].kid
    response = client.post(
        "/issuer/keys/proposal", data={"action": "key-compromise", "kid": kid, "since": "0001-01-01T00:00"}
    )
    assert response.status_code == 302
    assert "时间格式应为" in client.get("/issuer/keys").get_data(as_text=True)
