"""Words that fit the case, in a real browser: each verdict's wording and an error page, in Chinese
and in English (chosen by the browser's language, as a visitor's phone would), on a phone and on a
desktop screen.

Headless Chromium (Debian's package) driven by Playwright; screenshots go to
``test-artifacts/screenshots/wording-<screen>-<language>-<case>.png``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from certsvc.certificates.reissue import reissue
from certsvc.certificates.revocation import change_status
from certsvc.certificates.versions import verification_url
from certsvc.runtime import Runtime
from tests.accounts.fixtures import PROVINCE, issued, people  # noqa: F401
from tests.browser.test_holders import SCREENSHOTS, browser  # noqa: F401
from tests.browser.test_portal_flow import _local, _watch, served  # noqa: F401
from tests.web.test_page_languages import chinese_text, english_words
from tests.workflows.support import versions

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

SCREENS = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
LOCALES = {"zh": "zh-CN", "en": "en-US"}
# wording -> (Chinese headline, English headline)
HEADLINES = {
    "valid": ("有效", "Valid"),
    "superseded": ("已被新版本取代", "Superseded"),
    "suspended": ("暂停", "Suspended"),
    "revoked": ("已撤销", "Revoked"),
    "forged": ("伪造或被篡改", "Forged or altered"),
    "no-match": ("未找到匹配的证书", "No matching certificate"),
    "unreadable": ("无法识别", "Not recognised"),
    "unreadable-file": ("此文件不含 certsvc 证书", "This file holds no certsvc certificate"),
}


@dataclass(frozen=True)
class Cases:
    """QR URLs (on the test server) of certificates in each state, and a holder to type."""

    valid: str
    superseded: str
    suspended: str
    revoked: str
    forged: str
    number: str
    name: str
    other_name: str


@pytest.fixture
def cases(served: tuple[Runtime, str]) -> Cases:  # noqa: F811
    runtime, server = served
    first, second, third, fourth = people(runtime, PROVINCE, 4)
    old = verification_url(runtime, versions(runtime, second.number)[0][2])
    with runtime.database.write() as session:
        reissue(session, runtime, second.number, "lost")
        change_status(session, runtime, third.number, "suspend", "investigation", "渝人社调〔2026〕3号")
        change_status(session, runtime, fourth.number, "revoke", "fraud", "渝人社职改〔2026〕7号")
    valid = _local(server, verification_url(runtime, versions(runtime, first.number)[0][2]))
    cut = len(valid) - 3
    forged = valid[:cut] + ("A" if valid[cut] != "A" else "B") + valid[cut + 1 :]
    return Cases(
        valid=valid,
        superseded=_local(server, old),
        suspended=_local(server, verification_url(runtime, versions(runtime, third.number)[0][2])),
        revoked=_local(server, verification_url(runtime, versions(runtime, fourth.number)[0][2])),
        forged=forged,
        number=first.number,
        name=first.name,
        other_name=second.name,
    )


def _blank_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), (250, 250, 245)).save(buffer, "PNG")
    return buffer.getvalue()


class Screen:
    """One browser page in one language on one screen, screenshotting and checking every answer."""

    def __init__(self, page: Page, screen: str, language: str) -> None:
        self.page, self.screen, self.language = page, screen, language
        self.problems = _watch(page)

    def shot(self, case: str) -> None:
        self.page.screenshot(
            path=str(SCREENSHOTS / f"wording-{self.screen}-{self.language}-{case}.png"), full_page=True
        )

    def one_language(self) -> None:
        html = self.page.content()
        wrong = english_words(html) if self.language == "zh" else chinese_text(html)
        if self.language == "en":
            # Data stays as issued on English pages (names, issuers, document numbers): only
            # the page's own words are checked, in the verdict block and the headings.
            wrong = [line for line in wrong if not _is_data(line)]
        assert wrong == [], (self.page.url, wrong)

    def verdict(self, case: str) -> None:
        """The verdict block says ``case``'s headline, at the top (visible without scrolling on a phone)."""
        block = self.page.locator("section.verdict")
        block.wait_for(state="visible")
        assert block.get_attribute("data-wording") == case
        headline = HEADLINES[case][0 if self.language == "zh" else 1]
        assert self.page.locator("section.verdict h1").inner_text() == headline
        box = block.bounding_box()
        assert box is not None and box["y"] + box["height"] <= self.page.viewport_size["height"]  # type: ignore[index]
        if case != "forged":
            assert "伪造" not in block.inner_text() and "Forged" not in block.inner_text()
        self.one_language()
        self.shot(case)


def _is_data(line: str) -> bool:
    """Chinese text an English page shows as issued: a person's, a body's or a document's name."""
    from tests.web.test_page_languages import CJK

    latin = sum(c.isascii() and c.isalpha() for c in line)
    return latin == 0 or (bool(CJK.search(line)) and latin < 3)


@pytest.mark.parametrize("screen", sorted(SCREENS))
@pytest.mark.parametrize("language", sorted(LOCALES))
def test_each_verdict_is_worded_for_its_case(
    served: tuple[Runtime, str],  # noqa: F811
    browser: Browser,  # noqa: F811
    cases: Cases,
    screen: str,
    language: str,
) -> None:
    """Valid, superseded, suspended, revoked, forged, no match (the typed number and name kept in
    the form), a QR that is no certificate, an upload without one, an error page and a typo — each
    in its own words in the browser's language, on a phone and on a desktop."""
    _, server = served
    context = browser.new_context(locale=LOCALES[language], **SCREENS[screen])  # type: ignore[arg-type]
    view = Screen(context.new_page(), screen, language)
    page = view.page
    for case in ("valid", "superseded", "suspended", "revoked", "forged"):
        page.goto(getattr(cases, case))
        view.verdict(case)
    page.goto(server + "/v/NOTAPAYLOAD")
    view.verdict("unreadable")

    page.goto(server + "/")
    view.one_language()
    view.shot("start")
    page.fill("#number", cases.number)
    page.fill("#name", cases.other_name)
    page.click("#by-number button[type=submit]")
    page.wait_for_load_state("load")
    view.verdict("no-match")
    assert page.input_value("#number") == cases.number and page.input_value("#name") == cases.other_name
    page.fill("#name", cases.name)
    page.click("#by-number button[type=submit]")
    page.wait_for_load_state("load")
    view.verdict("valid")

    page.goto(server + "/")
    with page.expect_navigation():
        # The upload form submits as soon as a file is chosen (verify.js), as with a phone camera.
        page.set_input_files("#file", {"name": "photo.png", "mimeType": "image/png", "buffer": _blank_png()})
    view.verdict("unreadable-file")

    typo = cases.number[:-1] + ("A" if cases.number[-1] != "A" else "B")
    page.goto(server + "/")
    page.fill("#number", typo)
    page.fill("#name", cases.name)
    page.click("#by-number button[type=submit]")
    page.wait_for_load_state("load")
    problem = page.locator(".form-problem")
    assert problem.is_visible() and page.input_value("#number") == typo
    view.one_language()
    view.shot("typo")

    response = page.goto(server + "/no-such-page")
    assert response is not None and response.status == 404
    title = page.locator(".error-title").inner_text()
    assert title == ("未找到" if language == "zh" else "Not found")
    view.one_language()
    view.shot("404")
    context.close()
    # The answers meant to be 4xx (typo 400, upload 422, 404) are pages; every resource they name loads.
    expected = ("/verify", "/verify/upload", "/no-such-page")
    assert [p for p in view.problems if not p.endswith(expected)] == []


@pytest.fixture(autouse=True)
def _screenshots_dir() -> Iterator[None]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield
