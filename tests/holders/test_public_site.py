"""A public site people can trust: help, who runs it and how to reach them, sign-in links, a
favicon, and when a verdict was established."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image

from certsvc import create_app, texts
from certsvc.config import Settings
from certsvc.runtime import Runtime
from tests.accounts.fixtures import PROVINCE, people, sign_in, staff_account
from tests.conftest import make_settings

OPERATOR = "重庆市人力资源和社会保障局信息中心"
ICP = "渝ICP备12345678号"
OUTCOMES = ("valid", "superseded", "suspended", "revoked", "invalid", "unknown")


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(
        tmp_path,
        database_url,
        CERTSVC_OPERATOR_NAME=OPERATOR,
        CERTSVC_CONTACT_PHONE="023-12345678",
        CERTSVC_CONTACT_EMAIL="help@certs.example.test",
        CERTSVC_ICP_NUMBER=ICP,
    )


def test_help_page_explains_verifying_every_verdict_and_offline_checks(portal_app: Flask) -> None:
    """/help covers the three ways to verify, each verdict's headline and meaning, and offline use."""
    client = portal_app.test_client()
    page = client.get("/help", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "如何查验职称电子证书" in page and "离线查验" in page and "/.well-known/jwks.json" in page
    for outcome in OUTCOMES:
        assert texts.label("outcome", outcome, "zh") in page
        assert texts.label("explanation", outcome, "zh") in page
    english = client.get("/help?lang=en").get_data(as_text=True)
    assert "How to verify a title certificate" in english and "Offline verification" in english
    assert "离线查验" not in english
    for outcome in OUTCOMES:
        assert texts.label("outcome", outcome, "en") in english


@pytest.mark.parametrize("path", ["/", "/help", "/auth/login", "/auth/activate"])
def test_every_page_names_operator_contact_icp_and_sign_in_links(portal_app: Flask, path: str) -> None:
    """The footer shows the configured operator, phone, e-mail, ICP 备案 number and sign-in links."""
    page = portal_app.test_client().get(path).get_data(as_text=True)
    footer = page[page.index('<footer class="site-footer">') :]
    assert OPERATOR in footer and "023-12345678" in footer and "help@certs.example.test" in footer
    assert ICP in footer and "https://beian.miit.gov.cn/" in footer
    assert 'href="/auth/login"' in footer and 'href="/auth/login?next=/issuer/"' in footer
    assert 'href="/help"' in footer
    assert 'rel="icon"' in page


def test_footer_leaves_out_what_is_not_configured(
    runtime: Runtime, tmp_path: Path, database_url: str
) -> None:
    """Without the settings there is no empty "operated by" line and no ICP link."""
    plain = Runtime(
        settings=make_settings(tmp_path, database_url), database=runtime.database, clock=runtime.clock
    )
    page = create_app(runtime=plain).test_client().get("/").get_data(as_text=True)
    assert "运营单位" not in page and "beian.miit.gov.cn" not in page
    assert 'href="/help"' in page


def test_favicon_is_a_real_icon(portal_app: Flask) -> None:
    """/favicon.ico is an ICO image browsers can show (and the SVG one is linked from every page)."""
    response = portal_app.test_client().get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/x-icon"
    with Image.open(io.BytesIO(response.data)) as icon:
        assert icon.format == "ICO" and icon.size[0] >= 16
    assert portal_app.test_client().get("/static/favicon.svg").status_code == 200


def test_verify_page_shows_when_the_verdict_was_established(issued: Runtime, portal_app: Flask) -> None:
    """The verdict block carries the verification time in China time."""
    person = people(issued, PROVINCE, 1)[0]
    page = (
        portal_app.test_client()
        .post("/verify", data={"number": person.number, "name": person.name})
        .get_data(as_text=True)
    )
    verdict = page[page.index('class="verdict ') :]
    assert "查验时间" in verdict[:1500] and "2026-11-21 10:00 (UTC+8)" in verdict[:1500]


def test_emailing_a_link_without_smtp_says_so(issued: Runtime, portal_app: Flask) -> None:
    """With no SMTP server configured the operator is told to print a code instead; no 500."""
    person = people(issued, PROVINCE, 1)[0]
    operator = portal_app.test_client()
    sign_in(operator, staff_account(issued, PROVINCE, "operator"))
    response = operator.post(
        f"/issuer/certificates/{person.number}/activation-email",
        data={"email": "holder@example.org"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "未配置邮件发送" in response.get_data(as_text=True)


def test_help_page_links_lead_somewhere(portal_app: Flask) -> None:
    """Every same-site link on the help page answers 200 (keys, ledger checkpoint, sign-in, start)."""
    import re

    client = portal_app.test_client()
    page = client.get("/help").get_data(as_text=True)
    links = set(re.findall(r'href="(/[^"]*)"', page)) - {"/favicon.ico"}
    assert {"/.well-known/jwks.json", "/api/v1/ledger/checkpoint", "/auth/login"} <= links
    for link in sorted(links):
        assert client.get(link).status_code == 200, link
