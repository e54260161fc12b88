"""The two-person rule and the action log in a real browser: a reviewer proposes a revocation after
checking what it will do, is refused when approving it themself, a second reviewer approves it, a
verifier sees it revoked, and an auditor reads, filters and exports the action log.

Headless Chromium (Debian's package) driven by Playwright; screenshots of every step go to
``test-artifacts/screenshots/approvals-*.png``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
import pytest

from certsvc.certificates.versions import verification_url
from certsvc.runtime import Runtime
from tests.accounts.fixtures import PASSWORD, PROVINCE, issued, people, second_staff, staff_account  # noqa: F401
from tests.browser.test_portal_flow import CHROMIUM, CHROMIUM_ARGS, _local, _sign_in, _watch, served  # noqa: F401
from tests.workflows.support import certificate_state, versions

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DOC = "渝人社〔2026〕88号"


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"approvals-{name}.png"), full_page=True)


def _sign_out(page: Page) -> None:
    page.click("nav button[type=submit]")
    page.wait_for_load_state("load")


def test_revocation_by_two_people_and_the_action_log_seen_by_an_auditor(
    served: tuple[Runtime, str],  # noqa: F811
) -> None:
    """Proposal with a confirmation step, the proposer's own approval refused (no button, and a forged
    request answered with the reason), approval by a second reviewer, the revoked verdict, and the
    auditor's filtered action log and its Excel export."""
    from playwright.sync_api import sync_playwright

    runtime, server = served
    person = people(runtime, PROVINCE, 1)[0]
    proposer = staff_account(runtime, PROVINCE, "reviewer")
    approver = second_staff(runtime, PROVINCE, "reviewer")
    auditor = staff_account(runtime, PROVINCE, "auditor")
    qr_url = verification_url(runtime, versions(runtime, person.number)[0][2])
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                locale="zh-CN", accept_downloads=True, viewport={"width": 1200, "height": 800}
            )
            page = context.new_page()
            problems = _watch(page)

            # The first reviewer fills the revocation form (it starts on a valid reason) and checks it.
            _sign_in(page, server, proposer, PASSWORD)
            page.goto(f"{server}/issuer/certificates/{person.number}")
            assert page.locator("#reason-revoke option").all_inner_texts()[0] == "弄虚作假、骗取职称"
            assert page.locator("#reason-suspend option[value=fraud]").count() == 0
            page.fill("#doc_no-revoke", DOC)
            _shot(page, "01-certificate-form")
            page.click("#change-status-revoke")
            page.wait_for_load_state("load")
            effect = page.locator("#effect").inner_text()
            assert "诚信档案" in effect and "须由另一名审核员批准" in effect
            _shot(page, "02-check-what-will-happen")
            page.click("#propose")
            page.wait_for_url("**/issuer/approvals/*")
            proposal_url = page.url
            assert "已提交审批" in page.content() and page.locator("#approve").count() == 0
            assert "您不能批准自己的申请" in page.locator("#own-proposal").inner_text()
            _shot(page, "03-proposed-no-approve-button")

            # Approving their own proposal anyway (a hand-made request) is refused with the reason.
            token = page.locator("#own-proposal input[name=csrf_token]").get_attribute("value")
            assert token is not None
            forged = context.request.post(
                f"{proposal_url}/approve", form={"csrf_token": token, "confirm": "1"}, max_redirects=0
            )
            assert forged.status == 302
            page.goto(proposal_url)
            refusal = page.locator(".flash-error").inner_text()
            assert "不能由您本人批准" in refusal
            _shot(page, "04-own-approval-refused")
            assert certificate_state(runtime, person.number) == ("valid", 1)
            _sign_out(page)

            # A second reviewer sees it waiting, checks the effect again and approves.
            _sign_in(page, server, approver, PASSWORD)
            page.wait_for_url("**/issuer/")
            assert page.locator("#tile-awaiting .tile-number").inner_text() == "1"
            _shot(page, "05-dashboard-awaiting")
            page.click("#tile-awaiting")
            page.wait_for_load_state("load")
            _shot(page, "06-approvals-list")
            page.click(f"a[href='{proposal_url.removeprefix(server)}']")
            page.wait_for_load_state("load")
            assert "诚信档案" in page.locator("#proposal").inner_text()
            page.check("#confirm-approve")
            _shot(page, "07-approve")
            page.click("#approve")
            page.wait_for_load_state("load")
            assert "已批准" in page.locator("#proposal-status").inner_text()
            assert "已生效" in page.content()
            _shot(page, "08-approved")
            assert certificate_state(runtime, person.number) == ("revoked", 1)
            _sign_out(page)

            # A verifier scanning the QR code sees the revocation.
            page.goto(_local(server, qr_url))
            verdict = page.locator("section.verdict")
            verdict.wait_for(state="visible")
            assert verdict.get_attribute("data-outcome") == "revoked"
            _shot(page, "09-verifier-revoked")

            # The auditor reads the log: latest actions on the dashboard, then the filtered log.
            _sign_in(page, server, auditor, PASSWORD)
            page.wait_for_url("**/issuer/")
            assert "撤销" in page.locator("#recent-actions").inner_text()
            _shot(page, "10-auditor-dashboard")
            page.goto(f"{server}/issuer/audit")
            log = page.locator("#action-log").inner_text()
            for word in ("提出审批", "批准", "撤销", "记入诚信档案", proposer, approver):
                assert word in log, word
            _shot(page, "11-action-log")
            page.select_option("#action", "approve")
            page.click("#filter")
            page.wait_for_load_state("load")
            rows = page.locator("#action-log tbody tr")
            assert rows.count() == 1 and approver in rows.first.inner_text()
            _shot(page, "12-action-log-filtered")
            with page.expect_download() as download_info:
                page.click("#export")
            sheet = openpyxl.load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes())).active
            assert sheet is not None
            exported = list(sheet.iter_rows(values_only=True))
            assert exported[0][0] == "时间（北京时间）" and len(exported) == 2 and exported[1][2] == approver
            page.goto(f"{server}/issuer/audit?lang=en")
            assert "Action log" in page.content()
            _shot(page, "13-action-log-en")
            assert problems == [], problems
        finally:
            browser.close()
