"""The verification page in a real browser: headless Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from certsvc.runtime import Runtime
from certsvc.signing.qrpayload import qr_url

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
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app on a free localhost port, served from a thread for the length of the test."""
    app.config.update(CERTSVC_VERIFY_RATE="10000/minute")
    # werkzeug's access log would print each scanned URL; the production server logs no paths.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def payload(runtime: Runtime) -> str:
    from importlib import resources

    from sqlalchemy import select

    from certsvc.certificates.issuing import import_results
    from certsvc.certificates.models import CertificateVersion

    data = resources.files("certsvc.demo").joinpath("sample-421200.csv").read_bytes()
    assert import_results(runtime, data, "sample-421200.csv", dry_run=False).ok
    with runtime.database.read() as session:
        first = select(CertificateVersion.qr_payload).order_by(CertificateVersion.id).limit(1)
        return session.execute(first).scalar_one()


def _browser(playwright):  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def test_scanned_url_shows_the_verdict_on_a_phone(runtime: Runtime, live_server: str, payload: str) -> None:
    """The QR's URL opened on a phone-sized screen shows the verdict at the top, without scrolling."""
    from playwright.sync_api import sync_playwright

    scanned = qr_url(runtime.settings.base_url, payload)
    url = live_server + scanned[scanned.index("/V/") :]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        try:
            page = browser.new_context(locale="zh-CN", **PHONE).new_page()
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            # Browsers ask for /favicon.ico on their own; every resource the page itself names must load.
            page.on(
                "response",
                lambda response: (
                    response.status >= 400
                    and not response.url.endswith("/favicon.ico")
                    and problems.append(f"{response.status} {response.url}")
                ),
            )
            page.goto(url)
            verdict = page.locator("section.verdict")
            verdict.wait_for(state="visible")
            assert verdict.get_attribute("data-outcome") == "valid"
            assert page.locator("section.verdict h1").inner_text() == "有效"
            box = verdict.bounding_box()
            assert box is not None and box["y"] + box["height"] <= PHONE["viewport"]["height"]  # type: ignore[index]
            assert page.locator("dd.holder").inner_text() == "雷*怡"
            assert not page.locator("details.tech pre").first.is_visible()
            page.screenshot(path=str(SCREENSHOTS / "verify-valid-phone.png"), full_page=True)

            page.locator("details.tech summary").click()
            assert page.locator("details.tech pre").first.is_visible()
            page.goto(url + "?lang=en")
            assert page.locator("section.verdict h1").inner_text() == "Valid"
            page.screenshot(path=str(SCREENSHOTS / "verify-valid-phone-en.png"), full_page=True)

            page.goto(live_server + "/v/NOTAPAYLOAD?lang=zh")
            assert page.locator("section.verdict").get_attribute("data-outcome") == "invalid"
            page.screenshot(path=str(SCREENSHOTS / "verify-invalid-phone.png"), full_page=True)
            page.goto(live_server + "/")
            page.screenshot(path=str(SCREENSHOTS / "start-phone.png"), full_page=True)
            assert problems == [], problems
        finally:
            browser.close()
