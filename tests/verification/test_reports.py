"""Verification reports (核验报告): saved from a verdict or a bulk check, signed by the installation,
numbered, and shown at ``/r/<number>`` with the recorded result and masked data only."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from certsvc.certificates.revocation import change_status
from certsvc.documents.signature import check_pdf_signature
from certsvc.errors import CertsvcError
from certsvc.runtime import Runtime
from certsvc.verification.models import VerificationReport
from certsvc.verification.reports import REPORT_SEAL_ID
from certsvc.verification.services import verify_target
from tests.verification.conftest import Issued
from tests.verification.employers import (
    EmployerAccount,
    bulk_lines,
    genuine_revoked_and_unknown,
    make_employer,
    sign_in_employer,
)

REPORT_URL = re.compile(r"/r/(HY\d{8}-[2-9A-HJ-NP-Z]{10})$")


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    app.config.update(WTF_CSRF_ENABLED=False)
    return app.test_client()


def _save(web: FlaskClient, **form: str) -> str:
    """Save a report from a verdict page's form; its number."""
    answer = web.post("/r", data=form)
    assert answer.status_code == 303, answer.get_data(as_text=True)[:300]
    found = REPORT_URL.search(answer.headers["Location"])
    assert found is not None, answer.headers["Location"]
    return found.group(1)


def _pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _ca(runtime: Runtime) -> x509.Certificate:
    return x509.load_pem_x509_certificate(runtime.keys.issuing_ca_pem())


def _pdfsig(runtime: Runtime, pdf: bytes, tmp_path: Path) -> str:
    """What poppler's pdfsig (NSS) says of ``pdf`` when only this installation's CA is trusted."""
    certutil, pdfsig = shutil.which("certutil"), shutil.which("pdfsig")
    if certutil is None or pdfsig is None:
        pytest.fail(
            "pdfsig and certutil are needed: install poppler-utils and libnss3-tools (scripts/setup does)"
        )
    database = tmp_path / "nss"
    database.mkdir()
    subprocess.run([certutil, "-N", "-d", f"sql:{database}", "--empty-password"], check=True)
    ca = tmp_path / "ca.pem"
    ca.write_bytes(runtime.keys.issuing_ca_pem())
    subprocess.run(
        [certutil, "-A", "-d", f"sql:{database}", "-n", "certsvc-ca", "-t", "CT,C,C", "-i", str(ca)],
        check=True,
    )
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        [pdfsig, "-nssdir", f"sql:{database}", str(path)], capture_output=True, text=True, check=False
    )
    return result.stdout + result.stderr


def test_a_verdict_saved_as_a_report_is_a_signed_pdf_and_a_public_page(
    runtime: Runtime, web: FlaskClient, issued: list[Issued], tmp_path: Path
) -> None:
    """The verdict page offers "save as a report"; the report has its own number, time, verdict,
    masked holder and issuer; its PDF is signed by the installation's report seal (issued by the
    installation CA): pyHanko and poppler's pdfsig both validate it, and a changed byte breaks it.
    The same PDF is served again (a report never changes)."""
    certificate = issued[0]
    page = web.get(f"/v/{certificate.qr_payload}").get_data(as_text=True)
    assert 'action="/r"' in page and f'name="payload" value="{certificate.qr_payload}"' in page
    number = _save(web, payload=certificate.qr_payload)

    shown = web.get(f"/r/{number}")
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    html = shown.get_data(as_text=True)
    assert 'data-outcome="valid"' in html and number in html
    assert "雷*怡" in html and certificate.name not in html and certificate.id_number not in html
    assert "咸宁市人力资源和社会保障局" in html and certificate.number in html

    pdf = web.get(f"/r/{number}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    check = check_pdf_signature(pdf.data, [_ca(runtime)])
    assert check.ok, check.problem
    assert check.signer_uscc == REPORT_SEAL_ID
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert number in text and "有效" in text and "雷*怡" in text and certificate.name not in text
    assert certificate.id_number not in text

    assert web.get(f"/r/{number}/pdf").data == pdf.data  # drawn and signed once, then kept

    said = _pdfsig(runtime, pdf.data, tmp_path)
    assert "Signature is Valid" in said and "Certificate is Trusted" in said, said

    tampered = pdf.data.replace(b"/Lang (zh\\055CN)", b"/Lang (zh\\055TW)", 1)
    assert tampered != pdf.data
    assert not check_pdf_signature(tampered, [_ca(runtime)]).ok


def test_the_report_page_shows_the_recorded_result_not_todays(
    runtime: Runtime, web: FlaskClient, issued: list[Issued]
) -> None:
    """Revoking the certificate after the report leaves the report saying what was recorded
    (valid), while a fresh verification says revoked."""
    certificate = issued[1]
    number = _save(web, payload=certificate.qr_payload)
    with runtime.database.write() as session:
        change_status(session, runtime, certificate.number, "revoke", "fraud", "咸人社撤〔2026〕1号")
    assert 'data-outcome="valid"' in web.get(f"/r/{number}").get_data(as_text=True)
    assert 'data-outcome="revoked"' in web.get(f"/v/{certificate.qr_payload}").get_data(as_text=True)
    revoked = _save(web, payload=certificate.qr_payload)
    html = web.get(f"/r/{revoked}").get_data(as_text=True)
    assert 'data-outcome="revoked"' in html and "咸人社撤〔2026〕1号" in html


def test_a_no_match_is_reported_without_the_typed_name(web: FlaskClient, issued: list[Issued]) -> None:
    """A number + name that match nothing can be reported too: the report's headline, on its page
    (in Chinese and English) and in its PDF, is the verdict page's "no matching certificate", not
    "invalid", and it records neither the typed name nor anything about the certificate."""
    certificate = issued[2]
    number = _save(web, number=certificate.number, name="某某某")
    html = web.get(f"/r/{number}").get_data(as_text=True)
    assert 'data-outcome="invalid"' in html and 'data-wording="no-match"' in html
    assert "<h1>未找到匹配的证书</h1>" in html and 'id="summary">未找到匹配的证书 1<' in html
    assert "无效" not in html
    assert "某某某" not in html and certificate.number not in html
    english = web.get(f"/r/{number}?lang=en").get_data(as_text=True)
    assert "<h1>No matching certificate</h1>" in english and "Invalid" not in english
    text = _pdf_text(web.get(f"/r/{number}/pdf").data)
    assert "未找到匹配的证书" in text and "无效" not in text
    assert "某某某" not in text and certificate.number not in text


def test_reports_record_nothing_about_the_verifier(
    runtime: Runtime, app: Flask, issued: list[Issued]
) -> None:
    """A report made through an employer's key holds no account, key, organisation, address or
    typed name: the table has no column for them and the content names none of them."""
    employer = make_employer(runtime, "hr-report", "91500000MA5U7X0Q4", name="重庆报告测试有限公司")
    items = [{"certificate_number": c.number, "name": c.name} for c in issued[:3]]
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.23"
    answer = client.post(
        "/api/v1/verify/bulk",
        json={"items": items, "report": True},
        headers={"Authorization": f"Bearer {employer.key}"},
    )
    assert answer.status_code == 200
    report = answer.get_json()["report"]
    assert report["url"] == f"https://certs.example.test/r/{report['number']}"
    columns = set(VerificationReport.__table__.columns.keys())
    assert columns == {"id", "number", "kind", "checked_at", "items", "content", "content_sha256"}
    with runtime.database.read() as session:
        stored = session.scalars(select(VerificationReport)).one()
        content = stored.content
    for secret in ("198.51.100.23", employer.name, employer.uscc, employer.login, employer.key[:10]):
        assert secret not in content
    assert not any(c.name in content for c in issued[:3]) and "雷*怡" in content


def test_a_bulk_check_becomes_a_report_with_every_line(
    runtime: Runtime, app: Flask, issued: list[Issued]
) -> None:
    """An employer's 1,000-line check saved as a report: /r/ lists every line with its recorded
    outcome, and the signed PDF holds them all over its pages."""
    app.config.update(WTF_CSRF_ENABLED=False)
    employer: EmployerAccount = make_employer(runtime, "hr-bulkreport", "91500000MA5U7X0Q5")
    web = app.test_client()
    sign_in_employer(web, employer)
    lines, outcomes = bulk_lines(issued, 1000)
    answer = web.post("/employer/bulk", data={"items": "\n".join(lines), "output": "report"})
    assert answer.status_code == 303
    found = REPORT_URL.search(answer.headers["Location"])
    assert found is not None
    html = web.get(f"/r/{found.group(1)}").get_data(as_text=True)
    assert re.findall(r'<tr data-outcome="([\w-]+)"', html) == outcomes
    pdf = web.get(f"/r/{found.group(1)}/pdf").data
    assert check_pdf_signature(pdf, [_ca(runtime)]).ok
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 20
    assert "第 1 页 / 共" in reader.pages[0].extract_text()


def test_a_bulk_report_words_each_result_as_the_bulk_page_does(
    runtime: Runtime, app: Flask, issued: list[Issued]
) -> None:
    """A bulk check of a genuine, a revoked and an unknown number saved as a report: its page and
    its signed PDF give the three lines three different words, the bulk page's own (有效, 已撤销,
    未找到匹配的证书), in the table and in the summary line; the PDF never says 无效 nor English
    verdict words, and the English page says "No matching certificate"."""
    app.config.update(WTF_CSRF_ENABLED=False)
    employer = make_employer(runtime, "hr-wording", "91500000MA5U7X0Q6")
    web = app.test_client()
    sign_in_employer(web, employer)
    lines = genuine_revoked_and_unknown(runtime, issued)
    answer = web.post("/employer/bulk", data={"items": "\n".join(lines), "output": "report"})
    found = REPORT_URL.search(answer.headers["Location"])
    assert found is not None
    number = found.group(1)

    html = web.get(f"/r/{number}").get_data(as_text=True)
    words = re.findall(r'data-wording="[\w-]+">([^<]+)</span>', html)
    assert words == ["有效", "已撤销", "未找到匹配的证书"]
    assert 'id="summary">有效 1，已撤销 1，未找到匹配的证书 1<' in html
    english = web.get(f"/r/{number}?lang=en").get_data(as_text=True)
    assert re.findall(r'data-wording="[\w-]+">([^<]+)</span>', english)[2] == "No matching certificate"

    text = _pdf_text(web.get(f"/r/{number}/pdf").data)
    assert "有效 1，已撤销 1，未找到匹配的证书 1" in text
    printed = [line for line in text.splitlines() if re.match(r"^[123] ", line)]
    assert len(printed) == 3, text
    assert "有效" in printed[0] and "已撤销" in printed[1] and "未找到匹配的证书" in printed[2]
    assert "无效" not in text
    assert not any(word in text for word in ("Valid", "Revoked", "Invalid", "No matching"))


def test_unknown_reports_are_404_and_the_pages_are_rate_limited(app: Flask, issued: list[Issued]) -> None:
    """Guessed or malformed report numbers answer 404 like a missing report; /r/ pages draw on
    their own per-client budget (CERTSVC_REPORT_RATE)."""
    app.config.update(CERTSVC_REPORT_RATE="3/minute", WTF_CSRF_ENABLED=False)
    client = app.test_client()
    number = _save(client, payload=issued[0].qr_payload)
    assert client.get("/r/HY20261121-2222222222").status_code == 404
    assert client.get("/r/" + "X" * 300).status_code == 404
    assert client.get(f"/r/{number.lower()}").status_code == 200
    assert client.get(f"/r/{number}").status_code == 429


def test_a_report_pdf_is_no_certificate(runtime: Runtime, web: FlaskClient, issued: list[Issued]) -> None:
    """Uploaded for verification, a report PDF (signed by the report seal, not an authority's) is
    not taken for a certificate."""
    number = _save(web, payload=issued[0].qr_payload)
    pdf = web.get(f"/r/{number}/pdf").data
    try:
        verdict = verify_target(runtime, pdf, channel="upload")
    except CertsvcError as error:
        assert error.status == 422
    else:
        assert verdict.outcome == "invalid"


def test_a_report_needs_something_to_check(web: FlaskClient) -> None:
    """A report form without a payload or a number and name is refused (400), nothing recorded."""
    assert web.post("/r", data={}).status_code == 400
    assert web.post("/r", data={"number": "X"}).status_code == 400
