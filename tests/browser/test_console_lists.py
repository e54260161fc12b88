"""A title office's daily work in a real browser: find certificates by each kind of number and by
name, filter and export to Excel, import a file with a preview that shows a bad row, download the
refusal report, fix the file, issue it, and find the batch in the history.

Headless Chromium (Debian's package) driven by Playwright; screenshots go to
``test-artifacts/screenshots/console-*.png``.
"""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

import openpyxl
import pytest
from sqlalchemy import select

from certsvc.certificates.models import Certificate
from certsvc.runtime import Runtime
from tests.accounts.fixtures import PASSWORD, PROVINCE, issued, people, staff_account  # noqa: F401
from tests.browser.test_holders import browser  # noqa: F401
from tests.browser.test_portal_flow import _sign_in, _watch, served  # noqa: F401
from tests.services.support import edit, rows_of, to_csv
from tests.services.test_exports import assert_formula_safe

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Download, FilePayload, Page

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
NEWCOMER = "421200"  # an authority whose sample results are not issued yet


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"console-{name}.png"), full_page=True)


def _listed(page: Page) -> list[str]:
    return page.locator("#certificates tbody tr td:first-child a").all_inner_texts()


def _sheet_numbers(download: Download) -> list[object]:
    data = Path(download.path()).read_bytes()
    assert_formula_safe(data)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


def _quick_search(page: Page, field: str, text: str) -> None:
    page.fill("#q", "")
    page.fill("#name", "")
    page.fill(f"#{field}", text)
    page.click("#person-search")
    page.wait_for_load_state("load")


def test_search_filter_and_export(served: tuple[Runtime, str], browser: Browser) -> None:  # noqa: F811
    """A reviewer finds one certificate by its number (17 leading digits, then typed in lower case
    with spaces), by the holder's ID number and by part of the name, with nothing personal in the
    address bar; filters by level and status; the export holds exactly the filtered rows; the
    certificate's status forms offer each action's own reasons."""
    runtime, server = served
    person = people(runtime, PROVINCE, 1)[0]
    with runtime.database.read() as session:
        wanted = set(
            session.scalars(
                select(Certificate.number).where(
                    Certificate.authority_code == PROVINCE,
                    Certificate.level == "正高级",
                    Certificate.status == "valid",
                )
            )
        )
    context = browser.new_context(locale="zh-CN", accept_downloads=True, viewport=DESKTOP)
    page = context.new_page()
    problems = _watch(page)
    _sign_in(page, server, staff_account(runtime, PROVINCE, "reviewer"), PASSWORD)
    page.goto(server + "/issuer/certificates")
    assert "共 100 张证书" in page.inner_text("#count")
    _shot(page, "01-list")

    assert person.number[:17].isdigit()
    for typed, name in ((person.number, "02-by-number"), (" ".join(person.number.lower()), None)):
        _quick_search(page, "q", typed)
        assert _listed(page) == [person.number]
        assert page.url == server + "/issuer/certificates"
        if name:
            _shot(page, name)
    _quick_search(page, "q", person.id_number)
    assert person.number in _listed(page)
    assert person.id_number not in page.content() and person.id_number not in page.url
    _shot(page, "03-by-id-number")
    _quick_search(page, "name", person.name[1:])
    assert person.number in _listed(page) and person.name not in unquote(page.url)
    _shot(page, "04-by-name")

    page.goto(server + "/issuer/certificates")
    page.select_option("#f-level", "正高级")
    page.select_option("#f-status", "valid")
    page.click("#filter")
    page.wait_for_load_state("load")
    assert "level=" in page.url and "status=valid" in page.url
    assert set(_listed(page)) == wanted
    _shot(page, "05-filtered")
    with page.expect_download() as download:
        page.click("#export")
    assert download.value.suggested_filename.startswith("certificates-")
    assert sorted(map(str, _sheet_numbers(download.value))) == sorted(wanted)

    page.goto(server + "/issuer/certificates?level=正高级&lang=en")
    assert "Export to Excel" in page.content()
    _shot(page, "06-filtered-en")

    page.goto(server + f"/issuer/certificates/{person.number}?lang=zh")
    assert page.locator("#reason-suspend option").all_inner_texts() == [
        "立案调查中",
        "收到举报待核实",
        "其他",
    ]
    assert page.locator("#reason-revoke option").count() == 5
    _shot(page, "12-status-forms")
    context.close()
    assert problems == []


def test_import_with_preview_bad_row_report_and_history(
    served: tuple[Runtime, str],  # noqa: F811
    browser: Browser,  # noqa: F811
) -> None:
    """An operator uploads a file with one bad row: the preview lists every row with its verdict
    and the bad row's problems with Chinese rule names and fixes, counts one refused row, offers
    the refusal report but no confirmation. The fixed file previews as "will be issued",
    confirms, and shows up in the batch history with the operator's name."""
    runtime, server = served
    rows = rows_of(resources.files("certsvc.demo").joinpath(f"sample-{NEWCOMER}.csv").read_bytes())[:9]
    bad = edit(edit(rows, 5, "votes_for", "3"), 5, "publicity_end", "2024-10-01")
    context = browser.new_context(locale="zh-CN", accept_downloads=True, viewport=DESKTOP)
    page = context.new_page()
    problems = _watch(page)
    _sign_in(page, server, staff_account(runtime, NEWCOMER, "operator"), PASSWORD)

    page.goto(server + "/issuer/import")
    _shot(page, "07-import")
    upload: FilePayload = {"name": "评审结果.csv", "mimeType": "text/csv", "buffer": to_csv(bad).encode()}
    page.set_input_files("#file", files=[upload])
    page.click("#check")
    page.wait_for_load_state("load")
    assert page.inner_text("#refused-rows") == "1"
    assert page.locator("tr.row-refused").count() == 1
    assert page.locator("tr.row-ready").count() == 7 and page.inner_text("#passing-rows") == "7"
    refused_row = page.inner_text("tr.row-refused")
    assert "表决票数" in refused_row and "修改：" in refused_row
    assert page.locator("#confirm").count() == 0
    _shot(page, "08-preview-bad-row")
    with page.expect_download() as download:
        page.click("#refusal-report")
    assert _sheet_numbers(download.value) == [5]

    page.set_input_files("#file", files=[{**upload, "buffer": to_csv(rows).encode()}])
    page.check("input[name=names][value=full]")
    page.click("#check")
    page.wait_for_load_state("load")
    assert page.locator("tr.row-issue").count() == 8
    name = rows[1][rows[0].index("name")]
    assert name in page.inner_text("#preview-rows")
    _shot(page, "09-preview-ready")
    page.click("#confirm")
    page.wait_for_load_state("load")
    assert "已完成：发证 8 张" in page.content()
    _shot(page, "10-imported")
    page.click("#batch-certificates")
    page.wait_for_load_state("load")
    assert len(_listed(page)) == 8
    page.goto(server + "/issuer/batches")
    assert "评审结果.csv" in page.inner_text("#batches")
    _shot(page, "11-batches")
    context.close()
    assert problems == []
