"""The registry of DESIGN §2 end to end, on SQLite and PostgreSQL: demo batches of a Chongqing
district, a Guangxi industry department, an authorised forming unit and a commission issue;
多评同级 issues while a second same-level title in one year does not; integrity records refuse,
end and reach the ledger without personal data; registry updates never break issued certificates;
rare-character names are issued and render."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources

import pytest
from sqlalchemy import select

from certsvc.certificates import integrity
from certsvc.certificates.issuing import ImportReport, import_results
from certsvc.certificates.models import Certificate, IntegrityRecord
from certsvc.certificates.revocation import change_status
from certsvc.certificates.services import render
from certsvc.errors import NotFound
from certsvc.ledger.models import LedgerEntry
from certsvc.registry.services import apply_registry, registry_from_database
from certsvc.runtime import Runtime
from certsvc.verification.services import verify_by_number

HEADER = (
    "confirmation_doc_no,confirmation_date,authority_code,committee_code,committee_name,committee_size,"
    "meeting_date,publicity_start,publicity_end,series,specialty,name,id_number,employer,title,level,"
    "attendees,votes_for"
)
INDUSTRY_COMMITTEE = "4500GX-GC-中级,广西壮族自治区工业和信息化厅工程技术中级评审委员会,11"


def demo_batch(name: str) -> bytes:
    return resources.files("certsvc.demo").joinpath(name).read_bytes()


def run(runtime: Runtime, data: bytes, name: str = "results.csv", *, dry_run: bool = False) -> ImportReport:
    return import_results(runtime, data, name, dry_run=dry_run, actor="test")


def csv_of(*rows: str) -> bytes:
    return "\n".join((HEADER, *rows)).encode("utf-8")


def industry_row(
    specialty: str, name: str, id_number: str, *, year: int = 2024, doc: str = "桂工信职〔2024〕30号"
) -> str:
    dates = {
        2024: "2024-11-20,4500GX,{c},2024-10-25,2024-11-04,2024-11-08",
        2025: "2025-11-20,4500GX,{c},2025-10-24,2025-11-03,2025-11-07",
    }[year].format(c=INDUSTRY_COMMITTEE)
    return f"{doc},{dates},工程技术,{specialty},{name},{id_number},广西北部湾智造有限公司,工程师,中级,9,8"


@pytest.mark.parametrize(
    "name", ["sample-500112.csv", "sample-4500GX.csv", "sample-45BBW1.csv", "sample-450300.csv"]
)
def test_new_demo_batches_issue(runtime: Runtime, name: str) -> None:
    """District bureau, industry department, authorised forming unit, commissioning unit: each
    demo batch issues whole, numbered by the confirming authority."""
    report = run(runtime, demo_batch(name), name)
    assert report.refused == [] and len(report.issued) == report.rows > 0
    authority = name.removeprefix("sample-").removesuffix(".csv")
    assert {number[:6] for _, number in report.issued} == {authority}


def test_commissioned_review_page_names_committee_and_confirming_authority(runtime: Runtime) -> None:
    """The public answer for a commissioned review names the industry department's committee,
    marks it commissioned, and gives 桂林 (the commissioning unit) as confirming authority."""
    report = run(runtime, demo_batch("sample-450300.csv"))
    number = report.issued.to_json()[0]["certificate_number"]
    rows = list(csv.DictReader(io.StringIO(demo_batch("sample-450300.csv").decode("utf-8-sig"))))
    verdict = verify_by_number(runtime, number, rows[0]["name"])
    assert verdict.facts is not None
    assert verdict.facts.committee_name == "广西壮族自治区工业和信息化厅工程技术中级评审委员会"
    assert verdict.facts.commissioned is True
    assert verdict.facts.issuer_name == "桂林市人力资源和社会保障局"
    own = run(runtime, demo_batch("sample-4500GX.csv"))
    rows = list(csv.DictReader(io.StringIO(demo_batch("sample-4500GX.csv").decode("utf-8-sig"))))
    verdict = verify_by_number(runtime, own.issued.to_json()[0]["certificate_number"], rows[0]["name"])
    assert verdict.facts is not None and verdict.facts.commissioned is False


def test_public_page_shows_the_commission(runtime: Runtime) -> None:
    """The verification page a QR opens says 受委托评审 and 确认及发证机构 for a commissioned review;
    in English, "(reviewing on commission)" in plain parentheses after the committee."""
    from certsvc import create_app

    report = run(runtime, demo_batch("sample-450300.csv"))
    number = report.issued.to_json()[0]["certificate_number"]
    with runtime.database.read() as session:
        certificate = session.scalar(select(Certificate).where(Certificate.number == number))
        assert certificate is not None
        payload = certificate.versions[0].qr_payload
    app = create_app(runtime=runtime)
    page = app.test_client().get(f"/v/{payload}").get_data(as_text=True)
    assert "广西壮族自治区工业和信息化厅工程技术中级评审委员会（受委托评审）" in page
    assert "确认及发证机构" in page and "桂林市人力资源和社会保障局" in page
    english = app.test_client().get(f"/v/{payload}?lang=en").get_data(as_text=True)
    assert "工程技术中级评审委员会 (reviewing on commission)</dd>" in english


def test_same_level_title_in_another_specialty_issues_in_another_year(runtime: Runtime) -> None:
    """多评同级: 工程师 (电子信息) of 2024 held, 工程师 (数字技术) of 2025 issues beside it; the
    database's uniqueness allows it too."""
    assert run(runtime, csv_of(industry_row("电子信息", "覃志强", "450102198709305812"))).ok
    second = run(
        runtime,
        csv_of(
            industry_row("数字技术", "覃志强", "450102198709305812", year=2025, doc="桂工信职〔2025〕2号")
        ),
    )
    assert second.refused == [] and len(second.issued) == 1


def test_second_same_level_title_in_one_year_is_refused(runtime: Runtime) -> None:
    """广西办法 第三十八条: another 工程师 in 2024, even in another specialty, is refused; and the
    same series, specialty and title is refused in any year."""
    assert run(runtime, csv_of(industry_row("电子信息", "覃志强", "450102198709305812"))).ok
    same_year = run(
        runtime, csv_of(industry_row("数字技术", "覃志强", "450102198709305812", doc="桂工信职〔2024〕31号"))
    )
    assert [(v.rule, v.field) for v in same_year.refused] == [("duplicate", "level")]
    same_title = run(
        runtime,
        csv_of(
            industry_row("电子信息", "覃志强", "450102198709305812", year=2025, doc="桂工信职〔2025〕3号")
        ),
    )
    assert [(v.rule, v.field) for v in same_title.refused] == [("duplicate", "title")]


def test_late_confirmation_is_issued_with_a_warning(runtime: Runtime) -> None:
    """Confirmed 2024-12-02, 16 working days after the publicity ended: issued, and the report's
    warnings name the row and rule ``deadline``."""
    row = industry_row("电子信息", "覃志强", "450102198709305812").replace("2024-11-20", "2024-12-02", 1)
    report = run(runtime, csv_of(row))
    assert report.ok and len(report.issued) == 1
    warnings = report.to_json()["warnings"]
    assert [(w["row"], w["rule"]) for w in warnings] == [(2, "deadline")]
    assert "16" in warnings[0]["message_zh"]


# --- integrity records --------------------------------------------------------------------------
def _fraud(runtime: Runtime) -> tuple[str, bytes]:
    """Issue one industry result, revoke it for fraud; the certificate number and a new result."""
    first = run(runtime, csv_of(industry_row("电子信息", "覃志强", "450102198709305812")))
    number = first.issued.to_json()[0]["certificate_number"]
    with runtime.database.write() as session:
        change_status(
            session, runtime, number, "revoke", "fraud", "桂工信撤〔2026〕1号", actor_authority="4500GX"
        )
    again = csv_of(
        industry_row("数字技术", "覃志强", "450102198709305812", year=2025, doc="桂工信职〔2025〕9号")
    )
    return number, again


def test_fraud_revocation_bars_the_person_naming_the_document_only(runtime: Runtime) -> None:
    """After a revocation for fraud a new result for the person is refused under ``integrity``,
    naming the record's document number and not its reason; other people still issue."""
    _, again = _fraud(runtime)
    report = run(runtime, again)
    assert [(v.rule, v.field) for v in report.refused] == [("integrity", "id_number")]
    message = report.refused[0].message_zh
    assert (
        "桂工信撤〔2026〕1号" in message
        and "弄虚作假" not in message
        and "fraud" not in report.refused[0].message_en
    )
    other = run(runtime, csv_of(industry_row("电子信息", "黄丽萍", "450102199302172629")))
    assert other.ok


def test_other_revocation_reasons_open_no_record(runtime: Runtime) -> None:
    """Only fraud opens a record: a certificate revoked as issued in error does not bar the person."""
    first = run(runtime, csv_of(industry_row("电子信息", "覃志强", "450102198709305812")))
    number = first.issued.to_json()[0]["certificate_number"]
    with runtime.database.write() as session:
        change_status(session, runtime, number, "revoke", "error", "桂工信撤〔2026〕2号")
    with runtime.database.read() as session:
        assert session.scalars(select(IntegrityRecord)).all() == []


def test_records_are_listed_and_ended_only_by_authorities_allowed(runtime: Runtime) -> None:
    """The revoking authority and its province's HR department see the record; another authority
    neither sees nor ends it; ended early by decision, the person's results issue again."""
    _, again = _fraud(runtime)
    with runtime.database.read() as session:
        mine = integrity.list_records(session, "4500GX")
        assert [r.doc_no for r in mine] == ["桂工信撤〔2026〕1号"] and mine[0].holder == "覃*强"
        assert [r.id for r in integrity.list_records(session, "450000")] == [mine[0].id]
        assert integrity.list_records(session, "500000") == []
    with runtime.database.write() as session, pytest.raises(NotFound):
        integrity.end_record(
            session, runtime, mine[0].id, "渝人社〔2026〕1号", actor_authority="500000", actor="t"
        )
    with runtime.database.write() as session:
        integrity.end_record(
            session, runtime, mine[0].id, "桂工信〔2026〕8号", actor_authority="4500GX", actor="t"
        )
    assert run(runtime, again).ok


def test_reversed_revocation_ends_the_record(runtime: Runtime) -> None:
    """A revocation reversed by decision (reinstate, reason overturned) ends the record it opened."""
    number, again = _fraud(runtime)
    with runtime.database.write() as session:
        change_status(session, runtime, number, "reinstate", "overturned", "桂工信复〔2026〕1号")
    with runtime.database.read() as session:
        (record,) = session.scalars(select(IntegrityRecord)).all()
        assert record.ended_on is not None and record.end_doc_no == "桂工信复〔2026〕1号"
    assert run(runtime, again).ok


def test_ledger_records_each_change_without_personal_data(runtime: Runtime) -> None:
    """Opening and ending a record append ledger entries naming record, authority and document,
    never the person's name or ID number."""
    number, _ = _fraud(runtime)
    with runtime.database.write() as session:
        change_status(session, runtime, number, "reinstate", "overturned", "桂工信复〔2026〕1号")
    with runtime.database.read() as session:
        entries = [
            json.loads(e.content) for e in session.scalars(select(LedgerEntry).order_by(LedgerEntry.idx))
        ]
    changes = [e for e in entries if e["type"].startswith("integrity-")]
    assert [e["type"] for e in changes] == ["integrity-open", "integrity-end"]
    assert changes[0]["doc_no"] == "桂工信撤〔2026〕1号" and changes[0]["authority"] == "4500GX"
    text = json.dumps(changes, ensure_ascii=False)
    assert "覃志强" not in text and "450102198709305812" not in text and "certificate_number" not in text


# --- registry updates and names ----------------------------------------------------------------
def test_registry_update_never_breaks_issued_certificates(runtime: Runtime) -> None:
    """A later registry that narrows the industry department's grant and renames its committee
    leaves issued certificates valid and printable; only later imports see the change."""
    report = run(runtime, demo_batch("sample-4500GX.csv"))
    number = report.issued.to_json()[0]["certificate_number"]
    document = json.loads(resources.files("certsvc.domain").joinpath("demo_registry.json").read_text("utf-8"))
    department = next(a for a in document["authorities"] if a["code"] == "4500GX")
    department["grants"][0]["until"] = "2024-06-30"
    committee = next(c for c in document["committees"] if c["code"] == "4500GX-GC-中级")
    committee["name"] = "广西工业和信息化厅中级评审委员会（新）"
    with runtime.database.write() as session:
        apply_registry(session, json.dumps(document, ensure_ascii=False).encode(), runtime.now())
    rows = list(csv.DictReader(io.StringIO(demo_batch("sample-4500GX.csv").decode("utf-8-sig"))))
    verdict = verify_by_number(runtime, number, rows[0]["name"])
    assert verdict.outcome == "valid"
    assert (
        verdict.facts is not None
        and verdict.facts.committee_name == "广西壮族自治区工业和信息化厅工程技术中级评审委员会"
    )
    assert render(runtime, number, "pdf").startswith(b"%PDF")
    with runtime.database.read() as session:
        registry = registry_from_database(session)
    assert registry.committees["4500GX-GC-中级"].name.endswith("（新）")
    later = run(
        runtime,
        demo_batch("sample-4500GX.csv").replace(
            "桂工信职〔2024〕21号".encode(), "桂工信职〔2024〕22号".encode()
        ),
    )
    assert {v.rule for v in later.refused} >= {"jurisdiction", "committee"}


def test_extension_b_name_is_issued_and_renders(runtime: Runtime) -> None:
    """A name with 𠮷 (drawn by the fallback font) is issued and its PDF and PNG render."""
    report = run(runtime, csv_of(industry_row("电子信息", "\U00020bb7田", "450102198709305812")))
    assert report.ok
    number = report.issued.to_json()[0]["certificate_number"]
    assert render(runtime, number, "pdf").startswith(b"%PDF")
    assert render(runtime, number, "png").startswith(b"\x89PNG")


def test_name_no_installed_font_draws_is_refused_before_signing(runtime: Runtime) -> None:
    """A name with U+30000 (Extension G, in no installed font) is refused under form: nothing is
    signed that could not be printed."""
    report = run(runtime, csv_of(industry_row("电子信息", "\U00030000田", "450102198709305812")))
    assert [(v.rule, v.field) for v in report.refused] == [("form", "name")]
    assert report.issued.to_json() == []
