"""Share links (亮证): a holder shows a certificate for one purpose, sees every opening, ends it."""

from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from certsvc.certificates.models import CertificateShare, ShareAccess
from certsvc.certificates.revocation import change_status
from certsvc.certificates.shares import coarse_client
from certsvc.domain.names import mask_name
from certsvc.runtime import Runtime
from tests.accounts.fixtures import PROVINCE, Person, holder_account, people, sign_in
from tests.conftest import FakeClock

WECHAT_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN"
)
CHROME_DESKTOP = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
PURPOSE = "入职 重庆某某科技有限公司"


def _holder(issued: Runtime, web: FlaskClient) -> Person:
    person = people(issued, PROVINCE, 1)[0]
    holder_account(issued, person)
    sign_in(web, person.id_number)
    return person


def _create(web: FlaskClient, person: Person, **form: str) -> str:
    """Create a share through the portal form; returns the path of its link (shown once)."""
    data = {"purpose": PURPOSE, "days": "30"} | form
    response = web.post(f"/me/certificates/{person.number}/shares", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    match = re.search(
        r'id="share-url" value="https://[^/]+(/s/[A-Za-z0-9_-]+)"', response.get_data(as_text=True)
    )
    assert match, "the new link is shown"
    return match.group(1)


def _share_id(issued: Runtime) -> int:
    with issued.database.read() as session:
        return session.scalars(select(CertificateShare.id)).one()


def test_visitor_sees_the_chosen_scope_the_purpose_and_the_live_verdict(
    issued: Runtime, web: FlaskClient, portal_app: Flask
) -> None:
    """Masked name by default, ID number only as its last 4, purpose and verdict; never the full ID."""
    person = _holder(issued, web)
    path = _create(web, person, id_last4="1")
    visitor = portal_app.test_client()
    response = visitor.get(path, headers={"User-Agent": WECHAT_IPHONE})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert PURPOSE in page and 'data-outcome="valid"' in page
    assert mask_name(person.name) in page and person.name not in page
    assert "*" * 14 + person.id_number[-4:] in page
    assert person.id_number not in page and person.id_number[:6] not in page
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_full_name_scope_shows_the_full_name_and_no_id_number(
    issued: Runtime, web: FlaskClient, portal_app: Flask
) -> None:
    """With "full name" ticked and the ID box unticked, the name is whole and no ID digits show."""
    person = _holder(issued, web)
    page = portal_app.test_client().get(_create(web, person, full_name="1")).get_data(as_text=True)
    assert person.name in page
    assert person.id_number[-4:] not in page


def test_share_shows_a_revocation_at_once(issued: Runtime, web: FlaskClient, portal_app: Flask) -> None:
    """The verdict is live: a revocation after the link was made shows on the next opening."""
    person = _holder(issued, web)
    path = _create(web, person)
    with issued.database.write() as session:
        change_status(session, issued, person.number, "revoke", "fraud", "人社职改〔2026〕7号")
    page = portal_app.test_client().get(path).get_data(as_text=True)
    assert 'data-outcome="revoked"' in page


def test_holder_sees_every_opening_with_a_coarse_client_and_no_address(
    issued: Runtime, web: FlaskClient, portal_app: Flask
) -> None:
    """Each opening is listed with time and browser · device; the visitor's IP is stored nowhere."""
    person = _holder(issued, web)
    path = _create(web, person)
    visitor = portal_app.test_client()
    visitor.get(path, headers={"User-Agent": WECHAT_IPHONE}, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    visitor.get(path, headers={"User-Agent": CHROME_DESKTOP}, environ_base={"REMOTE_ADDR": "198.51.100.9"})
    log = web.get(f"/me/shares/{_share_id(issued)}").get_data(as_text=True)
    assert log.count('class="access"') == 2
    assert "微信 · 手机" in log and "Chrome · 电脑" in log
    assert "203.0.113.7" not in log
    with issued.database.read() as session:
        stored = [(a.client, a.visitor) for a in session.scalars(select(ShareAccess))]
    assert all("203.0.113" not in client + visitor for client, visitor in stored)
    assert len({visitor for _, visitor in stored}) == 2
    listing = web.get(f"/me/certificates/{person.number}/shares").get_data(as_text=True)
    assert PURPOSE in listing and "<td>2</td>" in listing


def test_ended_link_shows_only_that_it_ended(issued: Runtime, web: FlaskClient, portal_app: Flask) -> None:
    """After the holder ends it, the link answers 410 with a clear page and none of the data."""
    person = _holder(issued, web)
    path = _create(web, person, full_name="1")
    assert web.post(f"/me/shares/{_share_id(issued)}/end").status_code == 302
    response = portal_app.test_client().get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "此分享链接已结束" in page
    assert person.name not in page and PURPOSE not in page and person.number not in page
    with issued.database.read() as session:
        assert session.scalars(select(ShareAccess)).all() == []


def test_link_expires_after_its_days(
    issued: Runtime, web: FlaskClient, portal_app: Flask, clock: FakeClock
) -> None:
    """A 7-day link works on day 6 and shows "expired" (and no data) after day 7."""
    person = _holder(issued, web)
    path = _create(web, person, days="7")
    visitor = portal_app.test_client()
    clock.advance(days=6)
    assert visitor.get(path).status_code == 200
    clock.advance(days=1, seconds=1)
    response = visitor.get(path)
    assert response.status_code == 410 and "此分享链接已过期" in response.get_data(as_text=True)
    assert PURPOSE not in response.get_data(as_text=True)


def test_bad_share_requests_are_refused_and_change_nothing(issued: Runtime, web: FlaskClient) -> None:
    """No purpose, more than 90 days or a non-number is a 400 with the reason; no share is made."""
    person = _holder(issued, web)
    url = f"/me/certificates/{person.number}/shares"
    empty = web.post(url, data={"purpose": "  ", "days": "30"})
    too_long = web.post(url, data={"purpose": PURPOSE, "days": "91"})
    nonsense = web.post(url, data={"purpose": PURPOSE, "days": "abc"})
    assert empty.status_code == too_long.status_code == nonsense.status_code == 400
    assert "请填写用途" in empty.get_data(as_text=True)
    assert "1 至 90 天" in too_long.get_data(as_text=True)
    assert PURPOSE in too_long.get_data(as_text=True)  # what was typed is kept
    with issued.database.read() as session:
        assert session.scalars(select(CertificateShare)).all() == []


def test_tokens_are_random_and_stored_only_as_digests(issued: Runtime, web: FlaskClient) -> None:
    """Links carry ≥ 128 random bits; the database holds their SHA-256, never the token."""
    person = _holder(issued, web)
    tokens = {_create(web, person).removeprefix("/s/") for _ in range(3)}
    assert len(tokens) == 3 and all(len(token) * 6 >= 128 for token in tokens)
    with issued.database.read() as session:
        stored = set(session.scalars(select(CertificateShare.token_sha256)))
    assert not tokens & stored and all(len(digest) == 64 for digest in stored)


def test_unknown_link_and_another_holders_share_answer_404(
    issued: Runtime, web: FlaskClient, portal_app: Flask
) -> None:
    """A guessed token is 404; another holder can neither see nor end someone's share."""
    person = _holder(issued, web)
    _create(web, person)
    share_id = _share_id(issued)
    assert portal_app.test_client().get("/s/" + "A" * 32).status_code == 404
    other = people(issued, PROVINCE, 2)[1]
    holder_account(issued, other)
    stranger = portal_app.test_client()
    sign_in(stranger, other.id_number)
    assert stranger.get(f"/me/shares/{share_id}").status_code == 404
    assert stranger.post(f"/me/shares/{share_id}/end").status_code == 404
    assert stranger.get(f"/me/certificates/{person.number}/shares").status_code == 404


def test_coarse_client_keeps_only_browser_family_and_device_class() -> None:
    """User-Agents are reduced to family · class; link-preview programs are named as such."""
    assert coarse_client(WECHAT_IPHONE) == "WeChat · phone"
    assert coarse_client(CHROME_DESKTOP) == "Chrome · computer"
    assert coarse_client("Mozilla/5.0 (iPad; CPU OS 17_0) Safari/604.1") == "Safari · tablet"
    assert coarse_client("TelegramBot (like TwitterBot)") == "program · other"
    assert coarse_client("") == "unknown · unknown"


def _pdf_text(data: bytes) -> str:
    return PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_download_masks_the_id_number_unless_the_full_one_is_asked_for(
    issued: Runtime, web: FlaskClient
) -> None:
    """The default PDF prints 3+4 characters of the ID number; ``id=full`` prints all of it."""
    person = _holder(issued, web)
    masked = web.get(f"/me/certificates/{person.number}/download/pdf")
    full = web.get(f"/me/certificates/{person.number}/download/pdf?id=full")
    assert masked.status_code == full.status_code == 200
    assert person.id_number not in _pdf_text(masked.data)
    assert person.id_number[:3] + "*" * 11 + person.id_number[-4:] in _pdf_text(masked.data)
    assert person.id_number in _pdf_text(full.data)
    assert "full-id" in full.headers["Content-Disposition"]
    assert "full-id" not in masked.headers["Content-Disposition"]


def test_download_carries_the_holders_watermark(issued: Runtime, web: FlaskClient) -> None:
    """``purpose`` prints "仅用于 …" on the PDF; an over-long one is refused with the reason."""
    person = _holder(issued, web)
    marked = web.get(
        f"/me/certificates/{person.number}/download/pdf", query_string={"purpose": "入职 某公司"}
    )
    assert marked.status_code == 200
    assert "仅用于 入职 某公司" in _pdf_text(marked.data)
    plain = web.get(f"/me/certificates/{person.number}/download/pdf")
    assert "仅用于" not in _pdf_text(plain.data)
    refused = web.get(f"/me/certificates/{person.number}/download/png", query_string={"purpose": "长" * 41})
    assert refused.status_code == 400
