"""Employers at scale and verification reports, in a real browser: an HR clerk signs in, makes an
API key, checks 1,000 pasted lines and an uploaded Excel list, downloads the results as Excel, saves
the check as a verification report, prints it and opens its /r/ page; on a phone, a verifier saves
a single verdict as a report and opens its /r/ page.

Headless Chromium (Debian's package) driven by Playwright; screenshots go to
``test-artifacts/screenshots/employers-*.png``.
"""

from __future__ import annotations

import concurrent.futures
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
import pytest
from cryptography import x509
from sqlalchemy import and_, select

from certsvc.certificates.models import Certificate, CertificateVersion
from certsvc.documents.signature import check_pdf_signature
from certsvc.runtime import Runtime
from certsvc.verification.reports import REPORT_SEAL_ID
from tests.accounts.fixtures import issued  # noqa: F401
from tests.browser.test_portal_flow import CHROMIUM, CHROMIUM_ARGS, _sign_in, _watch, served  # noqa: F401
from tests.verification.employers import EMPLOYER_PASSWORD, bulk_lines, make_employer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1200, "height": 900}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Issued:
    """An issued certificate: its number, the name its current version registers, its QR payload."""

    def __init__(self, number: str, name: str, payload: str) -> None:
        self.number, self.name, self.payload = number, name, payload


def _certificates(runtime: Runtime) -> list[Issued]:
    current = and_(
        CertificateVersion.certificate_id == Certificate.id,
        CertificateVersion.version == Certificate.current_version,
    )
    with runtime.database.read() as session:
        rows = session.execute(
            select(Certificate.number, CertificateVersion.holder_name, CertificateVersion.qr_payload)
            .join(CertificateVersion, current)
            .order_by(Certificate.id)
        ).all()
    return [Issued(number, name, payload) for number, name, payload in rows]


@pytest.fixture
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _shot(page: Page, name: str, *, full_page: bool = True) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"employers-{name}.png"), full_page=full_page)


def _workbook_rows(path: str) -> list[tuple[object, ...]]:
    sheet = openpyxl.load_workbook(path).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_employer_checks_a_thousand_lines_downloads_excel_and_prints_a_report(
    served: tuple[Runtime, str],  # noqa: F811
    browser: Browser,
    tmp_path: Path,
) -> None:
    """Sign in, make a key (shown once), paste 1,000 lines: 1,000 rows with the right outcomes;
    "check and download Excel" gives a workbook of exactly those rows with no formula cell; an
    uploaded .xlsx list works the same; "check and make a report" opens /r/<number>, whose signed
    PDF validates against the installation CA and whose printed page shows the table."""
    runtime, server = served
    account = make_employer(runtime, "hr-browser", "91500000MA5U7X0QC", name="重庆浏览器测试有限公司")
    certificates = _certificates(runtime)
    lines, outcomes = bulk_lines(certificates, 1000)

    context = browser.new_context(locale="zh-CN", viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    problems = _watch(page)
    _sign_in(page, server, account.login, EMPLOYER_PASSWORD)
    assert page.url.endswith("/employer/")
    page.fill("#key-name", "人事系统对接")
    page.click("#create-key")
    page.wait_for_load_state("load")
    key = page.locator("#new-key").inner_text()
    assert re.fullmatch(r"cek_[A-Za-z0-9_-]{43}", key)
    _shot(page, "01-key-shown-once")
    page.goto(server + "/employer/")
    assert key not in page.content() and page.locator("#keys tr.key").count() == 2

    page.goto(server + "/employer/bulk")
    page.fill("#items", "\n".join(lines))
    page.click("#check")
    page.wait_for_load_state("load")
    rows = page.locator("table.bulk-results tbody tr")
    assert rows.count() == 1000
    assert [row.get_attribute("data-outcome") for row in rows.all()[:100]] == outcomes[:100]
    assert page.locator("tr[data-outcome=valid]").count() == outcomes.count("valid")
    assert "有效" in page.locator("#summary").inner_text()
    _shot(page, "02-bulk-1000-results", full_page=False)

    with page.expect_download() as download_info:
        page.click("#download-xlsx")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / "results.xlsx"
    download.save_as(saved)
    workbook = _workbook_rows(str(saved))
    assert workbook[0][:4] == ("行号", "查验结果", "说明", "证书编号")
    assert len(workbook) == 1001
    assert [row[1] for row in workbook[1:]] == [
        # wrong names: the pages' "no matching certificate", not "invalid"
        {"valid": "有效", "invalid": "未找到匹配的证书", "error": "无法查验"}[outcome]
        for outcome in outcomes
    ]
    assert not any(
        isinstance(cell, str) and cell.startswith(FORMULA_STARTS) for row in workbook for cell in row
    )

    upload = openpyxl.Workbook()
    sheet = upload.active
    assert sheet is not None
    sheet.append(["证书编号", "姓名"])
    for line in lines:
        sheet.append(line.split(",", 1))
    buffer = io.BytesIO()
    upload.save(buffer)
    page.fill("#items", "")
    page.set_input_files(
        "#file",
        files=[
            {
                "name": "名单.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": buffer.getvalue(),
            }
        ],
    )
    page.click("#check")
    page.wait_for_load_state("load")
    assert page.locator("table.bulk-results tbody tr").count() == 1000
    assert page.locator("table.bulk-results tbody tr").first.locator("td").first.inner_text() == "2"
    _shot(page, "03-bulk-xlsx-upload", full_page=False)

    page.click("#make-report")
    page.wait_for_url(re.compile(r".*/r/HY\d{8}-[2-9A-Z]{10}$"))
    number = page.locator("#report-number").inner_text()
    assert page.locator("table.bulk-results tbody tr").count() == 1000
    assert page.locator("#report").get_attribute("data-kind") == "bulk"
    _shot(page, "04-report-page", full_page=False)

    with page.expect_download() as download_info:
        page.click("#report-pdf")
    pdf_path = tmp_path / "report.pdf"
    download_info.value.save_as(pdf_path)
    ca = x509.load_pem_x509_certificate(runtime.keys.issuing_ca_pem())
    # pyHanko runs its own event loop; Playwright's runs in this thread, so check from another one.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        check = pool.submit(check_pdf_signature, pdf_path.read_bytes(), [ca]).result()
    assert check.ok and check.signer_uscc == REPORT_SEAL_ID, check.problem
    _render_first_page(pdf_path, SCREENSHOTS / "employers-05-signed-report-pdf.png")

    page.emulate_media(media="print")
    printed = page.pdf(format="A4")
    assert printed.startswith(b"%PDF")
    (tmp_path / "printed.pdf").write_bytes(printed)
    _render_first_page(tmp_path / "printed.pdf", SCREENSHOTS / "employers-06-report-printed.png")
    assert number in page.content()
    assert problems == [], problems


def test_a_verdict_saved_as_a_report_on_a_phone(
    served: tuple[Runtime, str],  # noqa: F811
    browser: Browser,
) -> None:
    """A verifier scans a QR on a phone, saves the verdict as a report and lands on its /r/ page:
    the recorded verdict, the masked holder and issuer, the report number; never the full name."""
    runtime, server = served
    certificate = _certificates(runtime)[0]
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, accept_downloads=True)
    phone = context.new_page()
    problems = _watch(phone)
    phone.goto(server + f"/v/{certificate.payload}")
    phone.locator("section.verdict").wait_for(state="visible")
    phone.locator("#save-report").scroll_into_view_if_needed()
    _shot(phone, "07-verdict-with-report-button")
    phone.click("#save-report")
    phone.wait_for_url(re.compile(r".*/r/HY\d{8}-[2-9A-Z]{10}$"))
    verdict = phone.locator("#recorded-verdict")
    assert verdict.get_attribute("data-outcome") == "valid"
    html = phone.content()
    assert certificate.name not in html and certificate.number in html
    assert "*" in phone.locator("dd.holder").inner_text()
    _shot(phone, "08-report-page-phone")
    missing = phone.goto(server + "/r/HY20990101-2222222222")
    assert missing is not None and missing.status == 404
    assert problems == [f"404 {server}/r/HY20990101-2222222222"], problems


def _render_first_page(pdf: Path, png: Path) -> None:
    """The PDF's first page as a PNG (poppler's pdftoppm), to look at."""
    import shutil
    import subprocess

    tool = shutil.which("pdftoppm")
    if tool is None:
        pytest.fail("pdftoppm is needed: install poppler-utils (scripts/setup does)")
    subprocess.run(
        [tool, "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(png.with_suffix(""))],
        check=True,
    )
