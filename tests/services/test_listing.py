"""The console's lists: numbers of every form found, filters, paging, authority scope, batches."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from certsvc.certificates import listing
from certsvc.certificates.holders import decrypt_id
from certsvc.certificates.lookup import read_number, search_certificates
from certsvc.certificates.models import Certificate, CertificateVersion, Holder
from certsvc.domain.certno import make_certificate_number
from certsvc.domain.levels import Level
from certsvc.errors import BadRequest, CertificateNumberCheckError, InvalidCertificateNumber
from certsvc.runtime import Runtime
from tests.services.lists_support import COUNTY, PROVINCE, SECOND_DOC_NO, Office, county_numbers

TODAY = dt.date(2026, 11, 21)
# Valid as a certificate number (500101, 1990, 正高级, serial 001008) AND as an ID number.
BOTH = "500101199010010888"


def _listed(runtime: Runtime, filters: listing.CertificateFilters, authority: str = COUNTY) -> set[str]:
    with runtime.database.read() as session:
        rows = list(listing.iter_certificates(session, runtime, authority, filters))
    numbers = {row.number for row in rows}
    assert len(numbers) == len(rows), "a certificate listed twice"
    return numbers


def _filters(person: bool = False, **values: str) -> listing.CertificateFilters:
    return listing.certificate_filters(values, person=person, today=TODAY)


# --- telling the kinds of number apart ---------------------------------------------------------
def test_a_certificate_number_of_17_digits_is_read_as_a_certificate_number() -> None:
    """A certificate number whose first 17 characters are digits (most of them) is a certificate
    number, not an ID number: its check character decides, not its shape."""
    digits = [
        make_certificate_number(COUNTY, 2026, Level.ZHU_LI, serial)
        for serial in range(1, 200)
        if make_certificate_number(COUNTY, 2026, Level.ZHU_LI, serial)[:17].isdigit()
    ]
    assert len(digits) > 50
    for number in digits:
        assert read_number(number, today=TODAY) == read_number(number.lower(), today=TODAY)
        typed = read_number(f" {number[:6]} {number[6:10]}-{number[10:]} ", today=TODAY)
        assert typed.certificate_number == number and typed.id_number is None


def test_an_id_number_is_read_as_an_id_number_and_a_number_valid_both_ways_as_both() -> None:
    """A valid ID number (full-width, lower-case x) is an ID number; a text passing both check
    characters is both, so a search finds either."""
    typed = read_number("１１０１０１ １９９００３０７ １０９x", today=TODAY)
    assert (typed.certificate_number, typed.id_number) == (None, "11010119900307109X")
    both = read_number(BOTH, today=TODAY)
    assert (both.certificate_number, both.id_number) == (BOTH, BOTH)


def test_neither_kind_is_refused_without_repeating_the_number() -> None:
    """Eighteen digits that pass neither check character are refused as a typo of either kind,
    and the message never repeats what was typed; a mistyped certificate number with letters
    gets the certificate number's own check-character error."""
    typed = "110101199003077630"
    with pytest.raises(InvalidCertificateNumber) as refused:
        read_number(typed, today=TODAY)
    assert "身份证号" in (refused.value.detail_zh or "") and typed not in str(refused.value)
    good = make_certificate_number("S50001", 2026, Level.ZHONG, 36**3)
    wrong = good[:-1] + ("A" if good[-1] != "A" else "B")
    with pytest.raises(CertificateNumberCheckError):
        read_number(wrong, today=TODAY)


def test_search_finds_every_certificate_by_its_number_whatever_its_shape(office: Office) -> None:
    """The console's search finds each of the county's certificates by its number, typed in any
    spelling — the third or so that once went to the ID-number search included — and by the
    holder's ID number; the province's certificates are found by neither."""
    runtime = office.runtime
    with runtime.database.read() as session:
        mine = list(session.scalars(select(Certificate).where(Certificate.authority_code == COUNTY)))
        assert sum(c.number[:17].isdigit() for c in mine) > 10
        for certificate in mine:
            for typed in (certificate.number, certificate.number.lower(), " ".join(certificate.number)):
                found = search_certificates(session, runtime, typed, authority_code=COUNTY)
                assert [c.number for c in found] == [certificate.number], typed
        holder = session.get(Holder, mine[0].holder_id)
        assert holder is not None
        by_id = search_certificates(session, runtime, decrypt_id(runtime, holder), authority_code=COUNTY)
        assert mine[0].number in {c.number for c in by_id}
        theirs = session.scalars(select(Certificate).where(Certificate.authority_code == PROVINCE)).first()
        assert theirs is not None
        assert search_certificates(session, runtime, theirs.number, authority_code=COUNTY) == []


# --- filters -----------------------------------------------------------------------------------
def test_each_filter_lists_exactly_the_matching_certificates(office: Office) -> None:
    """Every filter, alone and combined, lists exactly the county's certificates that match it
    (compared with a direct query), never one of the province's."""
    rt = office.runtime
    every = county_numbers(rt)
    assert len(every) == 100 and _listed(rt, _filters()) == every
    first, second = office.batches
    assert _listed(rt, _filters(level="员级")) == county_numbers(rt, level="员级") != set()
    assert _listed(rt, _filters(status="suspended")) == set(office.suspended)
    assert _listed(rt, _filters(status="revoked")) == set(office.revoked)
    assert _listed(rt, _filters(batch=str(first))) == county_numbers(rt, batch_id=first)
    assert _listed(rt, _filters(doc_no="422")) == county_numbers(rt, confirmation_doc_no=SECOND_DOC_NO)
    assert _listed(rt, _filters(doc_no="〔2024〕")) == every
    assert _listed(rt, _filters(series="工程技术")) == every
    assert _listed(rt, _filters(series="工程")) == set()  # a series is chosen, not searched
    employer = "嘉鱼县农业技术推广中心"
    assert _listed(rt, _filters(employer="农业技术")) == county_numbers(rt, employer=employer) != set()
    day_one, day_two = office.days
    assert _listed(rt, _filters(to=str(day_one))) == county_numbers(rt, batch_id=first)
    assert _listed(rt, _filters(**{"from": str(day_two)})) == county_numbers(rt, batch_id=second)
    assert _listed(rt, _filters(**{"from": str(day_two + dt.timedelta(days=1))})) == set()
    combined = _filters(level="员级", batch=str(second), status="valid")
    assert _listed(rt, combined) == (
        county_numbers(rt, level="员级", batch_id=second, status="valid") - set(office.suspended)
    )
    number = sorted(every)[10]
    assert _listed(rt, _filters(number=number.lower())) == {number}
    province_number = sorted(county_numbers(rt) ^ _all_numbers(rt))[0]
    assert _listed(rt, _filters(number=province_number)) == set()


def test_the_route_filter_lists_exactly_the_certificates_obtained_that_way(office: Office) -> None:
    """Filtering by 取得方式 lists exactly the certificates of that route (here ten of the county's
    marked 认定), the rest under 评审, none under 考试; an unknown route is refused naming the field."""
    rt = office.runtime
    recognised = set(sorted(county_numbers(rt))[:10])
    with rt.database.write() as session:
        session.execute(
            Certificate.__table__.update()  # type: ignore[attr-defined]
            .where(Certificate.number.in_(recognised))
            .values(route="认定")
        )
    assert _listed(rt, _filters(route="认定")) == recognised
    assert _listed(rt, _filters(route="评审")) == county_numbers(rt) - recognised
    assert _listed(rt, _filters(route="考试")) == set()
    with pytest.raises(BadRequest) as refused:
        _filters(route="自荐")
    assert refused.value.detail_zh is not None and refused.value.detail_zh.startswith("取得方式")


def _all_numbers(runtime: Runtime) -> set[str]:
    with runtime.database.read() as session:
        return set(session.scalars(select(Certificate.number)))


def test_person_filters_find_by_name_or_id_number_and_only_from_a_post(office: Office) -> None:
    """Name (part of it) and ID number find the holder's certificates of this authority; they are
    refused in a query string, where they would land in browser history and logs."""
    rt = office.runtime
    with rt.database.read() as session:
        certificate = session.scalars(
            select(Certificate).where(Certificate.authority_code == COUNTY).order_by(Certificate.id)
        ).first()
        assert certificate is not None
        holder = session.get(Holder, certificate.holder_id)
        assert holder is not None
        id_number, name = decrypt_id(rt, holder), certificate.holder_name
        number, holder_id = certificate.number, certificate.holder_id
    by_name = _listed(rt, _filters(person=True, name=name[1:]))
    assert number in by_name
    with rt.database.read() as session:
        names = {
            n
            for n in session.scalars(
                select(CertificateVersion.holder_name)
                .join(Certificate, Certificate.id == CertificateVersion.certificate_id)
                .where(Certificate.number.in_(by_name))
            )
        }
    assert all(name[1:] in n for n in names)
    by_id = _filters(person=True, q=id_number)
    assert by_id.id_number == id_number and number in _listed(rt, by_id)
    with rt.database.read() as session:
        resolved = listing.resolve_holder(session, rt, by_id)
    assert resolved.id_number is None and resolved.holder_id == holder_id
    assert "holder" in resolved.form_fields() and id_number not in resolved.form_fields().values()
    assert _listed(rt, _filters(person=True, q="110101199003077635")) == set()  # nobody's
    for field, value in (("name", name), ("q", id_number), ("id_number", id_number), ("holder", "1")):
        with pytest.raises(BadRequest):
            _filters(**{field: value})
    with pytest.raises(BadRequest) as refused:
        _filters(number=id_number)
    assert id_number not in str(refused.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("level", "高级"),
        ("status", "superseded"),
        ("batch", "abc"),
        ("batch", "0"),
        ("batch", str(2**40)),
        ("from", "2026/11/21"),
        ("number", "NOT-A-NUMBER"),
        ("employer", "x" * 101),
    ],
)
def test_a_filter_that_cannot_be_read_is_refused_naming_the_field(field: str, value: str) -> None:
    """A bad filter value is a 400 whose Chinese message names the field, never a 500 or a silent
    "no results"."""
    with pytest.raises(BadRequest) as refused:
        _filters(**{field: value})
    assert refused.value.detail_zh and refused.value.detail_zh.split("：")[0] in listing._LABELS_ZH.values()


def test_an_end_date_before_the_start_date_is_refused() -> None:
    """A date range that ends before it starts is refused rather than listing nothing."""
    with pytest.raises(BadRequest):
        _filters(**{"from": "2026-11-21", "to": "2026-11-20"})


# --- paging ------------------------------------------------------------------------------------
def test_pages_cover_every_match_once_and_a_page_past_the_end_is_the_last(office: Office) -> None:
    """Pages of 7 list every match exactly once, newest first, with the right counts; asking for
    page 999 gives the last page."""
    rt = office.runtime
    filters = _filters(level="助理级")
    expected = county_numbers(rt, level="助理级")
    seen: list[str] = []
    with rt.database.read() as session:
        first = listing.list_certificates(session, rt, COUNTY, filters, page=1, size=7)
        assert first.page.total == len(expected) and first.page.pages == -(-len(expected) // 7)
        for number in range(1, first.page.pages + 1):
            page = listing.list_certificates(session, rt, COUNTY, filters, page=number, size=7).page
            assert page.number == number and page.first_row == (number - 1) * 7 + 1
            seen += [row.number for row in page.items]
        last = listing.list_certificates(session, rt, COUNTY, filters, page=999, size=7).page
        assert last.number == first.page.pages and last.items
        assert first.series == ["工程技术"]
        times = [row.issued_at for row in listing.iter_certificates(session, rt, COUNTY, filters)]
    assert len(seen) == len(set(seen)) and set(seen) == expected
    assert times == sorted(times, reverse=True)


def test_an_empty_list_has_one_empty_page(office: Office) -> None:
    """No match: total 0, page 1 of 1, no rows."""
    with office.runtime.database.read() as session:
        empty = listing.list_certificates(
            session, office.runtime, COUNTY, _filters(status="revoked", level="中级")
        ).page
    assert (empty.total, empty.number, empty.pages, empty.items, empty.first_row) == (0, 1, 1, [], 0)


# --- batches -----------------------------------------------------------------------------------
def test_batches_list_who_imported_what_for_this_authority_only(office: Office) -> None:
    """The county's history lists its two batches (newest first, with file name, importer and
    counts), not the province's; filters by file name and date narrow it."""
    rt = office.runtime
    with rt.database.read() as session:
        page = listing.list_batches(session, COUNTY, listing.BatchFilters())
        assert [b.id for b in page.items] == list(reversed(office.batches))
        assert [b.source_name for b in page.items] == ["county-second.csv", "county-first.csv"]
        assert [(b.rows, b.issued_here) for b in page.items] == [(50, 50), (50, 50)]
        assert {b.imported_by for b in page.items} == {listing.Actor("cli", "clerk")}
        for typed in ("first", "FIRST", "y-f"):  # a part of the name, in any letter case
            named = listing.list_batches(session, COUNTY, listing.batch_filters({"source": typed}))
            assert [b.id for b in named.items] == [office.batches[0]]
        wildcard = listing.list_batches(session, COUNTY, listing.batch_filters({"source": "county_"}))
        assert wildcard.total == 0  # "_" is a character here, not a LIKE wildcard
        day_two = listing.batch_filters({"from": str(office.days[1])})
        assert [b.id for b in listing.iter_batches(session, COUNTY, day_two)] == [office.batches[1]]
        assert listing.list_batches(session, "421200", listing.BatchFilters()).total == 0


def test_a_batch_of_several_authorities_shows_each_only_its_own_count(runtime: Runtime) -> None:
    """A command-line import carrying two authorities' results is in both histories, each seeing
    only how many of its own certificates it holds and not the file's row count."""
    from importlib import resources

    from certsvc.certificates.issuing import import_results
    from tests.services.support import rows_of, to_csv

    county = rows_of(resources.files("certsvc.demo").joinpath(f"sample-{COUNTY}.csv").read_bytes())
    province = rows_of(resources.files("certsvc.demo").joinpath(f"sample-{PROVINCE}.csv").read_bytes())
    mixed = to_csv([county[0], *county[1:4], *province[1:3]]).encode()
    assert import_results(runtime, mixed, "mixed.csv", dry_run=False, actor="cli:root").ok
    with runtime.database.read() as session:
        for authority, count in ((COUNTY, 3), (PROVINCE, 2)):
            (batch,) = listing.list_batches(session, authority, listing.BatchFilters()).items
            assert (batch.rows, batch.issued_here, batch.source_name) == (None, count, "mixed.csv")


def test_actors_are_named_for_people(runtime: Runtime) -> None:
    """Recorded actors read as a staff member's name and login, an API token's label, the
    command line's user, or the text itself."""
    from certsvc.accounts.services import create_api_token, create_staff_user

    with runtime.database.write() as session:
        user, _ = create_staff_user(
            session, runtime, username="clerk1", authority_code=COUNTY, role="operator", display_name="王经办"
        )
        session.flush()
        user_id = user.id
        plain, _ = create_staff_user(
            session, runtime, username="clerk2", authority_code=COUNTY, role="auditor"
        )
        session.flush()
        plain_id = plain.id
        create_api_token(session, runtime, authority_code=COUNTY, role="operator", label="评审系统")
    with runtime.database.read() as session:
        from certsvc.accounts.models import ApiToken

        token_id = session.scalars(select(ApiToken.id)).one()
        actors = [f"user:{user_id}:clerk1", f"user:{plain_id}:clerk2", f"api-token:{token_id}", "cli:root"]
        actors += ["demo", "user:x"]
        described = listing.describe_actors(session, actors)
    assert [dataclasses.astuple(described[a]) for a in actors] == [
        ("user", "王经办 (clerk1)"),
        ("user", "clerk2"),  # no display name of its own: the login once
        ("api-token", "评审系统"),
        ("cli", "root"),
        ("other", "demo"),
        ("other", "user:x"),
    ]
