"""The registry and the integrity record in the issuer console, through HTTP (both engines)."""

from __future__ import annotations

from importlib import resources

from flask import Flask

from certsvc.certificates.issuing import import_results
from certsvc.certificates.revocation import change_status
from certsvc.runtime import Runtime
from tests.accounts.fixtures import sign_in, staff_account


def _issue(runtime: Runtime, name: str) -> list[str]:
    data = resources.files("certsvc.demo").joinpath(name).read_bytes()
    report = import_results(runtime, data, name, dry_run=False, actor="test")
    assert report.ok
    return [number for _, number in report.issued]


def test_each_authority_sees_its_grants_committees_and_commissions(
    issued: Runtime, portal_app: Flask
) -> None:
    """桂林 sees its grant and the commission it gave; the industry department sees the committee
    it formed and registered, the one it registered for a forming unit, and the commission it
    received; 嘉鱼 sees none of theirs."""
    guilin, department, county = (portal_app.test_client() for _ in range(3))
    sign_in(guilin, staff_account(issued, "450300", "auditor"))
    sign_in(department, staff_account(issued, "4500GX", "auditor"))
    sign_in(county, staff_account(issued, "421221", "auditor"))

    page = guilin.get("/issuer/registry/").get_data(as_text=True)
    assert "桂林市人力资源和社会保障局" in page and "桂市人社函〔2024〕12号" in page
    assert "评审、认定" in page or "认定、评审" in page
    page = department.get("/issuer/registry/").get_data(as_text=True)
    assert "广西壮族自治区工业和信息化厅工程技术中级评审委员会" in page
    assert "广西北部湾智造集团有限公司工程技术智能制造专业中级评审委员会" in page
    assert "经授权由组建单位自主确认" in page and "桂市人社函〔2024〕12号" in page
    assert "广西壮族自治区人力资源和社会保障厅" in page  # the province's 监制
    page = county.get("/issuer/registry/").get_data(as_text=True)
    assert "桂市人社函" not in page and "工业和信息化厅" not in page


def test_integrity_records_in_the_console(issued: Runtime, portal_app: Flask) -> None:
    """The revoking authority's reviewer lists and ends a record with a document number; an
    auditor sees it without the end form; another authority sees nothing and cannot end it."""
    number = _issue(issued, "sample-4500GX.csv")[0]
    with issued.database.write() as session:
        change_status(session, issued, number, "revoke", "fraud", "桂工信撤〔2026〕1号")
    reviewer, auditor, stranger = (portal_app.test_client() for _ in range(3))
    sign_in(reviewer, staff_account(issued, "4500GX", "reviewer"))
    sign_in(auditor, staff_account(issued, "4500GX", "auditor"))
    sign_in(stranger, staff_account(issued, "500000", "reviewer"))

    listing = reviewer.get("/issuer/integrity/").get_data(as_text=True)
    assert "桂工信撤〔2026〕1号" in listing and number in listing and "覃*强" in listing
    assert "覃志强" not in listing and 'name="doc_no"' in listing
    assert 'name="doc_no"' not in auditor.get("/issuer/integrity/").get_data(as_text=True)
    assert "桂工信撤〔2026〕1号" not in stranger.get("/issuer/integrity/").get_data(as_text=True)
    assert stranger.post("/issuer/integrity/1/end", data={"doc_no": "渝人社〔2026〕1号"}).status_code == 404
    assert auditor.post("/issuer/integrity/1/end", data={"doc_no": "x"}).status_code == 403

    missing = reviewer.post("/issuer/integrity/1/end", data={"doc_no": " "}, follow_redirects=True)
    assert "须填写决定文号" in missing.get_data(as_text=True)
    ended = reviewer.post(
        "/issuer/integrity/1/end", data={"doc_no": "桂工信〔2026〕8号"}, follow_redirects=True
    )
    page = ended.get_data(as_text=True)
    assert "已结束" in page and "桂工信〔2026〕8号" in page


def test_integrity_record_is_never_public(issued: Runtime, portal_app: Flask) -> None:
    """Signed out, the integrity page is not shown; the public verification page of the revoked
    certificate says revoked with its category, never the record."""
    number = _issue(issued, "sample-4500GX.csv")[0]
    with issued.database.write() as session:
        change_status(session, issued, number, "revoke", "fraud", "桂工信撤〔2026〕1号")
    client = portal_app.test_client()
    response = client.get("/issuer/integrity/")
    assert response.status_code in (302, 401, 403)
    assert "桂工信撤〔2026〕1号" not in response.get_data(as_text=True)
