"""The people side in a real browser: a holder activates, downloads and asks for a reissue, a
reviewer approves it and revokes another certificate, and verifiers see the new states.

Headless Chromium (Debian's package) driven by Playwright; screenshots of every page go to
``test-artifacts/screenshots/portal-*.png``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from werkzeug.serving import make_server

from certsvc.accounts.activation import issue_activation_code
from certsvc.certificates.versions import verification_url
from certsvc.ledger.services import audit
from certsvc.runtime import Runtime
from tests.accounts.fixtures import PASSWORD, PROVINCE, issued, people, second_staff, staff_account  # noqa: F401
from tests.workflows.support import versions

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, FilePayload, Page
    from playwright.sync_api import Response as PlaywrightResponse

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
HOLDER_PASSWORD = "my own long password"
PNG_EVIDENCE = b"\x89PNG\r\n\x1a\n" + b"\x00" * 128


@pytest.fixture
def served(issued: Runtime) -> Iterator[tuple[Runtime, str]]:  # noqa: F811
    """The app (CSRF on, as in production) on a free localhost port, served from a thread."""
    from certsvc import create_app

    app: Flask = create_app(runtime=issued)
    app.config.update(CERTSVC_VERIFY_RATE="10000/minute")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield issued, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def _local(server: str, url: str) -> str:
    """A QR URL (printed for the public base URL) pointed at the test server."""
    index = url.upper().index("/V/")
    return server + url[index:]


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"portal-{name}.png"), full_page=True)


def _watch(page: Page) -> list[str]:
    """Script errors, CSP violations (console errors) and failed loads the page itself asked for."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def on_response(response: PlaywrightResponse) -> None:
        # Browsers ask for /favicon.ico on their own; everything else must load.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"{response.status} {response.url}")

    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", on_console)
    page.on("response", on_response)
    return problems


def _sign_in(page: Page, server: str, account: str, password: str) -> None:
    page.goto(server + "/auth/login")
    page.fill("#account", account)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("load")


def _verdict(page: Page, server: str, url: str, name: str) -> str:
    page.goto(_local(server, url))
    verdict = page.locator("section.verdict")
    verdict.wait_for(state="visible")
    _shot(page, name)
    outcome = verdict.get_attribute("data-outcome")
    assert outcome is not None
    return outcome


def test_holder_and_reviewer_flow(served: tuple[Runtime, str]) -> None:
    """Activation, PDF download, reissue request, approval, superseded/valid/revoked verdicts, and a
    ledger that still audits cleanly afterwards."""
    from playwright.sync_api import sync_playwright

    runtime, server = served
    holder, other = people(runtime, PROVINCE, 2)
    reviewer = staff_account(runtime, PROVINCE, "reviewer")
    second_reviewer = second_staff(runtime, PROVINCE, "reviewer")
    old_url = verification_url(runtime, versions(runtime, holder.number)[0][2])
    other_url = verification_url(runtime, versions(runtime, other.number)[0][2])
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                locale="zh-CN", accept_downloads=True, viewport={"width": 1100, "height": 800}
            )
            page = context.new_page()
            problems = _watch(page)

            # The holder activates with the code from the issuing body's notice, ID number and name.
            page.goto(server + "/auth/activate")
            page.fill("#code", issue_activation_code(runtime, holder.number, created_by="test").code)
            page.fill("#id_number", holder.id_number)
            page.fill("#name", holder.name)
            page.fill("#password", HOLDER_PASSWORD)
            page.fill("#confirmation", HOLDER_PASSWORD)
            _shot(page, "01-activate")
            page.click("main form button[type=submit]")
            page.wait_for_load_state("load")
            page.wait_for_url("**/me/**")
            assert holder.number in page.content()
            _shot(page, "02-my-certificates")

            page.click(f"a[href='/me/certificates/{holder.number}']")
            page.wait_for_load_state("load")
            page.locator(".qr svg").wait_for(state="visible")
            _shot(page, "03-certificate")
            with page.expect_download() as download_info:
                page.click(".download-form button >> text=PDF")
            pdf_path = download_info.value.path()
            assert Path(pdf_path).read_bytes().startswith(b"%PDF")

            page.click(f"a[href='/me/certificates/{holder.number}/reissue']")
            page.wait_for_load_state("load")
            page.check("input[name=reason][value=lost]")
            evidence: FilePayload = {"name": "报失证明.png", "mimeType": "image/png", "buffer": PNG_EVIDENCE}
            page.set_input_files("#evidence", files=[evidence])
            page.fill("#note", "证书原件在搬家时遗失")
            _shot(page, "04-reissue-form")
            page.click("main form button[type=submit]")
            page.wait_for_load_state("load")
            page.wait_for_url("**/me/requests/*")
            assert "待审核" in page.content()
            _shot(page, "05-request-pending")
            page.click("nav button[type=submit]")  # sign out
            page.wait_for_load_state("load")

            # The reviewer approves the request and revokes another certificate.
            _sign_in(page, server, reviewer, PASSWORD)
            page.wait_for_url("**/issuer/")
            _shot(page, "06-dashboard")
            page.goto(server + "/issuer/requests")
            _shot(page, "07-queue")
            page.click(f"tr:has-text('{holder.number}') a")
            page.wait_for_load_state("load")
            _shot(page, "08-request-review")
            page.click("#approve")
            page.wait_for_load_state("load")
            page.wait_for_url("**/issuer/requests")
            assert "已批准" in page.content()

            # The revocation is proposed here and approved by a second reviewer (two-person rule).
            page.goto(server + f"/issuer/certificates/{other.number}")
            page.select_option("#reason-revoke", "fraud")
            page.fill("#doc_no-revoke", "渝人社〔2026〕88号")
            page.click("#change-status-revoke")
            page.wait_for_load_state("load")
            page.click("#propose")
            page.wait_for_url("**/issuer/approvals/*")
            proposal_url = page.url
            page.click("nav button[type=submit]")
            page.wait_for_load_state("load")
            _sign_in(page, server, second_reviewer, PASSWORD)
            page.goto(proposal_url)
            page.check("#confirm-approve")
            page.click("#approve")
            page.wait_for_load_state("load")
            assert "已生效" in page.content()
            page.goto(server + f"/issuer/certificates/{other.number}")
            assert "已撤销" in page.content()
            _shot(page, "09-revoked-in-console")
            page.goto(server + "/issuer/ledger")
            page.click("main form button[type=submit]")
            page.wait_for_load_state("load")
            assert "审计通过" in page.content()
            _shot(page, "10-ledger")
            page.click("nav button[type=submit]")
            page.wait_for_load_state("load")

            # Verifiers: the old QR is superseded, the new one valid, the revoked one revoked.
            new_url = verification_url(runtime, versions(runtime, holder.number)[1][2])
            assert _verdict(page, server, old_url, "11-old-qr-superseded") == "superseded"
            assert _verdict(page, server, new_url, "12-new-qr-valid") == "valid"
            assert _verdict(page, server, other_url, "13-revoked-qr") == "revoked"

            # The holder reads the notification and sees version 2, in English too.
            _sign_in(page, server, holder.id_number, HOLDER_PASSWORD)
            page.goto(server + "/me/notifications")
            assert "补发申请已批准" in page.content()
            _shot(page, "14-notifications")
            page.goto(server + f"/me/certificates/{holder.number}?lang=en")
            assert "Download" in page.content()
            _shot(page, "15-certificate-en")
            assert problems == [], problems
        finally:
            browser.close()
    report = audit(runtime, None)
    assert report.ok, report.mismatch
