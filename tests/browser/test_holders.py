"""Holders in control, in a real browser: a share link opened on a phone, seen in the holder's
access log and ended; activation by a printed code and by an e-mailed link; the help page.

Headless Chromium (Debian's package) driven by Playwright, desktop and phone viewports;
screenshots go to ``test-artifacts/screenshots/holders-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from certsvc.config import Settings
from certsvc.runtime import Runtime
from tests.accounts.fixtures import PASSWORD, PROVINCE, holder_account, issued, people, staff_account  # noqa: F401
from tests.browser.test_portal_flow import CHROMIUM, CHROMIUM_ARGS, _sign_in, _watch, served  # noqa: F401
from tests.conftest import make_settings
from tests.holders.smtp import Inbox, smtp_server  # noqa: F401

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1100, "height": 800}
WECHAT_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN"
)
NEW_PASSWORD = "my own long password"
PURPOSE = "入职 重庆某某科技有限公司"


@pytest.fixture
def settings(tmp_path: Path, database_url: str, smtp_server: tuple[Inbox, str]) -> Settings:  # noqa: F811
    return make_settings(
        tmp_path,
        database_url,
        CERTSVC_SMTP_URL=smtp_server[1],
        CERTSVC_OPERATOR_NAME="重庆市职称电子证书服务中心",
        CERTSVC_CONTACT_PHONE="023-12345678",
        CERTSVC_ICP_NUMBER="渝ICP备12345678号",
    )


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


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"holders-{name}.png"), full_page=True)


def _submit(page: Page, selector: str = "main form button[type=submit]") -> None:
    page.click(selector)
    page.wait_for_load_state("load")


def test_share_link_opened_logged_and_ended(
    served: tuple[Runtime, str],  # noqa: F811
    browser: Browser,
) -> None:
    """The holder makes a link; an HR clerk opens it in WeChat on a phone and sees the purpose, the
    masked ID and the verdict; the holder sees that opening and ends the link; it then says so."""
    runtime, server = served
    person = people(runtime, PROVINCE, 1)[0]
    holder_account(runtime, person)
    holder = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
    problems = _watch(holder)
    _sign_in(holder, server, person.id_number, PASSWORD)
    holder.goto(server + f"/me/certificates/{person.number}")
    _shot(holder, "01-certificate-downloads")
    holder.click("text=管理分享链接")
    holder.wait_for_load_state("load")
    holder.fill("#purpose", PURPOSE)
    holder.fill("#days", "30")
    holder.check("input[name=id_last4]")
    _submit(holder)
    link = holder.input_value("#share-url")
    assert re.fullmatch(r"https://certs\.example\.test/s/[A-Za-z0-9_-]{32}", link)
    _shot(holder, "02-share-created")

    clerk = browser.new_context(locale="zh-CN", viewport=PHONE, user_agent=WECHAT_IPHONE, is_mobile=True)
    phone = clerk.new_page()
    problems += _watch(phone)
    opened = server + link.removeprefix(runtime.settings.base_url)
    phone.goto(opened)
    verdict = phone.locator("section.verdict")
    verdict.wait_for(state="visible")
    assert verdict.get_attribute("data-outcome") == "valid"
    assert PURPOSE in phone.content()
    assert "*" * 14 + person.id_number[-4:] in phone.content() and person.id_number not in phone.content()
    _shot(phone, "03-share-opened-phone")

    holder.click("text=查看访问记录")
    holder.wait_for_load_state("load")
    rows = holder.locator("#access-log tr.access")
    assert rows.count() == 1 and "微信 · 手机" in rows.first.inner_text()
    _shot(holder, "04-access-log")
    _submit(holder, "#end-share")
    assert holder.locator("#share-state").inner_text() == "已结束"
    _shot(holder, "05-share-ended")

    response = phone.goto(opened)
    assert response is not None and response.status == 410
    assert "此分享链接已结束" in phone.content() and PURPOSE not in phone.content()
    _shot(phone, "06-ended-link-phone")
    assert problems == [], problems


def test_activation_by_printed_code(
    served: tuple[Runtime, str],  # noqa: F811
    browser: Browser,
) -> None:
    """An operator prints a notice; the holder types its code with ID number and name and is in."""
    runtime, server = served
    person = people(runtime, PROVINCE, 1)[0]
    operator = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
    problems = _watch(operator)
    _sign_in(operator, server, staff_account(runtime, PROVINCE, "operator"), PASSWORD)
    operator.goto(server + f"/issuer/certificates/{person.number}")
    _submit(operator, "#issue-code")
    code = operator.locator("#activation-code").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    _shot(operator, "07-activation-notice")

    holder = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True).new_page()
    problems += _watch(holder)
    holder.goto(server + "/auth/activate")
    holder.fill("#code", code.lower())
    holder.fill("#id_number", person.id_number)
    holder.fill("#name", person.name)
    holder.fill("#password", NEW_PASSWORD)
    holder.fill("#confirmation", NEW_PASSWORD)
    _shot(holder, "08-activate-with-code-phone")
    _submit(holder)
    holder.wait_for_url("**/me/**")
    assert person.number in holder.content()
    _shot(holder, "09-activated-phone")
    assert problems == [], problems


def test_activation_by_emailed_link(
    served: tuple[Runtime, str],  # noqa: F811
    browser: Browser,
    smtp_server: tuple[Inbox, str],  # noqa: F811
) -> None:
    """The operator mails a link through SMTP; the holder opens it, sets a password and is in."""
    runtime, server = served
    inbox, _ = smtp_server
    person = people(runtime, PROVINCE, 1)[0]
    operator = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
    problems = _watch(operator)
    _sign_in(operator, server, staff_account(runtime, PROVINCE, "operator"), PASSWORD)
    operator.goto(server + f"/issuer/certificates/{person.number}")
    operator.fill("#activation-email", "holder@example.org")
    _submit(operator, "#send-link")
    assert "激活链接已发送" in operator.content()
    _shot(operator, "10-link-emailed")
    assert len(inbox.messages) == 1 and inbox.messages[0]["To"] == "holder@example.org"
    link = re.search(r"https://\S+/auth/link/\S+", inbox.messages[0].get_content())
    assert link is not None

    holder = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True).new_page()
    problems += _watch(holder)
    holder.goto(server + link.group(0).removeprefix(runtime.settings.base_url))
    holder.fill("#password", NEW_PASSWORD)
    holder.fill("#confirmation", NEW_PASSWORD)
    _shot(holder, "11-emailed-link-phone")
    _submit(holder)
    holder.wait_for_url("**/me/**")
    assert person.number in holder.content()
    assert problems == [], problems


@pytest.mark.parametrize(("lang", "viewport"), [("zh", DESKTOP), ("en", PHONE)])
def test_help_page(
    served: tuple[Runtime, str],  # noqa: F811
    browser: Browser,
    lang: str,
    viewport: dict[str, int],
) -> None:
    """The help page renders in both languages with every verdict's wording explained, and the
    footer's operator, ICP and sign-in links in the page's language."""
    _, server = served
    page = browser.new_context(locale="zh-CN", viewport=viewport).new_page()
    problems = _watch(page)
    page.goto(server + f"/help?lang={lang}")
    heading = page.locator("h1").first.inner_text()
    assert heading == ("如何查验职称电子证书" if lang == "zh" else "How to verify a title certificate")
    assert page.locator(".help-verdicts dt").count() == 9
    footer = page.locator("footer.site-footer").inner_text()
    assert "重庆市职称电子证书服务中心" in footer and "渝ICP备12345678号" in footer
    assert ("持证人登录" if lang == "zh" else "Holder sign-in") in footer
    _shot(page, f"12-help-{lang}")
    assert problems == [], problems


def test_photo_of_a_printed_certificate_taken_at_an_angle(
    served: tuple[Runtime, str],  # noqa: F811
    browser: Browser,
) -> None:
    """A verifier on a phone photographs the printed certificate from the side (perspective, uneven
    light, noise, JPEG) and uploads it: the page reads the QR and shows the verdict."""
    import io

    import cv2
    import numpy as np
    from PIL import Image, ImageFilter

    from certsvc.certificates.services import render

    runtime, server = served
    person = people(runtime, PROVINCE, 1)[0]
    sheet = Image.open(io.BytesIO(render(runtime, person.number, "png", mask_id=True))).convert("RGB")
    width, height = sheet.size
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    seen = np.float32([[width * 0.25, height * 0.05], [width * 0.92, 0], [width, height], [0, height * 0.95]])
    warped = cv2.warpPerspective(
        np.asarray(sheet),
        cv2.getPerspectiveTransform(corners, seen),
        (width, height),
        borderValue=(120, 110, 100),
    )
    pixels = warped.astype(np.float32) * np.linspace(0.65, 1.0, width)[None, :, None]
    pixels += np.random.default_rng(7).normal(0, 10, pixels.shape)
    photo = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.7))
    photo = photo.resize((width * 1200 // height, 1200))
    jpeg = io.BytesIO()
    photo.save(jpeg, "JPEG", quality=60)
    photo.save(SCREENSHOTS / "holders-13-angled-photo-uploaded.png")

    page = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True).new_page()
    problems = _watch(page)
    page.goto(server + "/")
    page.set_input_files(
        "#file", files=[{"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": jpeg.getvalue()}]
    )
    page.wait_for_load_state("load")
    verdict = page.locator("section.verdict")
    verdict.wait_for(state="visible")
    assert verdict.get_attribute("data-outcome") == "valid"
    assert person.number in page.content()
    _shot(page, "14-angled-photo-verdict-phone")
    assert problems == [], problems
