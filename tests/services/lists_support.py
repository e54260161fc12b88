"""A season of one title office for the list and export tests.

The county (421221) imports its sample results in two batches two days apart (the second under
another confirmation document), suspends three certificates and revokes two; the province
(500000) imports its own, which the county must never see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from certsvc.certificates import revocation
from certsvc.certificates.issuing import import_results
from certsvc.certificates.models import Certificate
from certsvc.runtime import Runtime
from certsvc.timefmt import china_date
from tests.conftest import FakeClock
from tests.services.support import edit, rows_of, sample, to_csv

COUNTY = "421221"
PROVINCE = "500000"
SECOND_DOC_NO = "测职改〔2024〕422号"


@dataclass(frozen=True)
class Office:
    runtime: Runtime
    batches: tuple[int, int]
    days: tuple[dt.date, dt.date]
    suspended: tuple[str, ...]
    revoked: tuple[str, ...]


def county_numbers(runtime: Runtime, **where: object) -> set[str]:
    """The county's certificate numbers whose columns equal ``where``."""
    with runtime.database.read() as session:
        query = select(Certificate.number).where(Certificate.authority_code == COUNTY)
        for column, value in where.items():
            query = query.where(getattr(Certificate, column) == value)
        return set(session.scalars(query))


@pytest.fixture
def office(runtime: Runtime, clock: FakeClock, sample_results: Path) -> Office:
    rows = rows_of(sample(sample_results, f"sample-{COUNTY}.csv"))
    second = [rows[0], *rows[51:]]
    for row in range(2, len(second) + 1):
        second = edit(second, row, "confirmation_doc_no", SECOND_DOC_NO)
    batches, days = [], []
    for part, name in (([rows[0], *rows[1:51]], "county-first.csv"), (second, "county-second.csv")):
        report = import_results(
            runtime, to_csv(part).encode(), name, dry_run=False, acting_authority=COUNTY, actor="cli:clerk"
        )
        assert report.ok and report.batch_id is not None, report.refused[:3]
        batches.append(report.batch_id)
        days.append(china_date(runtime.now()))
        clock.advance(days=2)
    province = sample(sample_results, f"sample-{PROVINCE}.csv")
    assert import_results(runtime, province, "province.csv", dry_run=False, actor="cli:province").ok
    numbers = sorted(county_numbers(runtime))
    suspended, revoked = tuple(numbers[:3]), tuple(numbers[3:5])
    with runtime.database.write() as session:
        for number in suspended:
            revocation.change_status(
                session,
                runtime,
                number,
                "suspend",
                "investigation",
                "测停〔2026〕1号",
                actor_authority=COUNTY,
            )
        for number in revoked:
            revocation.change_status(
                session, runtime, number, "revoke", "error", "测撤〔2026〕2号", actor_authority=COUNTY
            )
    return Office(runtime, (batches[0], batches[1]), (days[0], days[1]), suspended, revoked)
