"""The public pages: verdict first, masked facts, languages, confirm the holder, uploads, bulk, limits."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from certsvc.runtime import Runtime
from tests.verification.conftest import Issued, unreachable_database

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def page_client(app: Flask) -> FlaskClient:
    """A client of the app with CSRF protection on, as in production, and generous limits."""
    app.config.update(CERTSVC_VERIFY_RATE="100000/minute", CERTSVC_VERIFY_NUMBER_RATE="100000/minute")
    return app.test_client()


def _verdict_block(html: str) -> str:
    """The verdict's wording on a page (its outcome, or forged / no-match / unreadable for an invalid one)."""
    match = re.search(r'<section class="verdict verdict-([\w-]+)"', html)
    assert match, "no verdict block on the page"
    return match.group(1)


def _outcome(html: str) -> str:
    """The API's outcome code a verdict page carries beside its wording."""
    match = re.search(r'data-outcome="([\w-]+)"', html)
    assert match
    return match.group(1)


def _without_typed_values(html: str) -> str:
    """A page minus what the visitor typed (echoed back in the form) and the CSRF token."""
    return re.sub(r'(name="(?:number|name|csrf_token)"[^>]*value=)"[^"]*"', r"\1", html)


def _token(client: FlaskClient, path: str = "/") -> str:
    match = CSRF.search(client.get(path).get_data(as_text=True))
    assert match
    return match.group(1)


def test_scanned_qr_page_shows_valid_first_with_masked_facts(
    page_client: FlaskClient, issued: list[Issued]
) -> None:
    """The QR page opens with the verdict, then the masked name, title, issuer; no full name, no ID number."""
    cert = issued[0]
    response = page_client.get(f"/V/{cert.qr_payload}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _verdict_block(html) == "valid"
    assert html.index("verdict-valid") < html.index("雷*怡") < html.index("技术细节")
    assert "<h1>有效</h1>" in html and "咸宁市人力资源和社会保障局" in html and "工程师" in html
    assert cert.name not in html and cert.id_number not in html
    assert '<details class="tech card">' in html and "inclusion_proof" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None, "inline script would break the CSP"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_english_by_accept_language_or_switch(page_client: FlaskClient, issued: list[Issued]) -> None:
    """zh-CN by default; English when the browser prefers it or after ?lang=en, remembered in a cookie."""
    path = f"/v/{issued[0].qr_payload}"
    assert "<h1>有效</h1>" in page_client.get(path).get_data(as_text=True)
    english = page_client.get(path, headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "<h1>Valid</h1>" in english and 'lang="en"' in english and "?lang=zh" in english
    switched = page_client.get(path + "?lang=en")
    assert "<h1>Valid</h1>" in switched.get_data(as_text=True)
    assert "<h1>Valid</h1>" in page_client.get(path).get_data(as_text=True)


def test_each_status_has_its_own_unmistakable_block(
    runtime: Runtime, page_client: FlaskClient, issued: list[Issued]
) -> None:
    """Superseded, suspended and revoked pages say so at the top; revoked shows date, reason and document."""
    from certsvc.certificates.reissue import reissue
    from certsvc.certificates.revocation import change_status

    with runtime.database.write() as session:
        reissue(session, runtime, issued[0].number, "lost")
        change_status(session, runtime, issued[1].number, "suspend", "investigation", "人社调〔2026〕3号")
        change_status(session, runtime, issued[2].number, "revoke", "fraud", "人社职改〔2026〕7号")
    superseded = page_client.get(f"/v/{issued[0].qr_payload}").get_data(as_text=True)
    assert _verdict_block(superseded) == "superseded" and "已被新版本取代" in superseded
    suspended = page_client.get(f"/v/{issued[1].qr_payload}").get_data(as_text=True)
    assert _verdict_block(suspended) == "suspended" and "<h1>暂停</h1>" in suspended
    revoked = page_client.get(f"/v/{issued[2].qr_payload}").get_data(as_text=True)
    assert _verdict_block(revoked) == "revoked" and "<h1>已撤销</h1>" in revoked
    assert "2026年11月21日" in revoked and "人社职改〔2026〕7号" in revoked and "弄虚作假" in revoked


def test_forged_and_unknown_pages(
    runtime: Runtime,
    page_client: FlaskClient,
    issued: list[Issued],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Garbage is "not recognised" (never forgery), a broken signature is forged, and an authentic
    QR while the registry is down says unknown, not valid; the API's outcome code stays invalid."""
    invalid = page_client.get("/v/NOTAPAYLOAD")
    html = invalid.get_data(as_text=True)
    assert invalid.status_code == 200 and _verdict_block(html) == "unreadable" and _outcome(html) == "invalid"
    assert "<h1>无法识别</h1>" in html and "伪造" not in html
    payload = issued[0].qr_payload
    flipped = payload[:-3] + ("A" if payload[-3] != "A" else "B") + payload[-2:]
    forged = page_client.get(f"/v/{flipped}").get_data(as_text=True)
    assert _verdict_block(forged) == "forged" and "<h1>伪造或被篡改</h1>" in forged
    assert "签名与证书内容不符，不能采信" in forged

    monkeypatch.setattr(runtime, "database", unreachable_database(tmp_path))
    unknown = page_client.get(f"/v/{issued[0].qr_payload}").get_data(as_text=True)
    assert _verdict_block(unknown) == "unknown" and "无法确认" in unknown


def test_confirm_the_holder_answers_only_match_or_no_match(
    page_client: FlaskClient, issued: list[Issued]
) -> None:
    """The confirm form (CSRF-protected) answers match / no match and never shows the stored name."""
    cert = issued[0]
    path = f"/v/{cert.qr_payload}"
    token = _token(page_client, path)
    match = page_client.post(path + "/confirm", data={"claim": cert.id_number, "csrf_token": token})
    html = match.get_data(as_text=True)
    assert 'data-confirmed="yes"' in html and cert.name not in html and cert.id_number not in html
    no_match = page_client.post(path + "/confirm", data={"claim": "张三丰", "csrf_token": token})
    assert 'data-confirmed="no"' in no_match.get_data(as_text=True)
    forged_form = page_client.post(path + "/confirm", data={"claim": cert.name})
    assert forged_form.status_code == 400


def test_by_number_form_and_its_single_no_answer(page_client: FlaskClient, issued: list[Issued]) -> None:
    """Number + name shows the verdict; an unknown number and a wrong name render the very same page
    ("no matching certificate — check the number and the name", never forgery), the form keeping
    what was typed (and the "save as a report" form carrying it); a check-character typo is said on
    the start page with the form as typed."""
    token = _token(page_client)
    valid = page_client.post(
        "/verify", data={"number": issued[0].number, "name": issued[0].name, "csrf_token": token}
    )
    assert _verdict_block(valid.get_data(as_text=True)) == "valid"
    unknown_number = "42120020263999999" + "0"
    from certsvc.domain.checkdigits import mod37_36_check_char

    unknown_number = unknown_number[:-1] + mod37_36_check_char(unknown_number[:-1])
    no_such = page_client.post(
        "/verify", data={"number": unknown_number, "name": issued[0].name, "csrf_token": token}
    )
    wrong = page_client.post(
        "/verify", data={"number": issued[0].number, "name": issued[1].name, "csrf_token": token}
    )
    assert no_such.status_code == wrong.status_code == 200
    assert _without_typed_values(no_such.get_data(as_text=True)) == _without_typed_values(
        wrong.get_data(as_text=True)
    )
    html = wrong.get_data(as_text=True)
    assert _verdict_block(html) == "no-match" and _outcome(html) == "invalid"
    assert "<h1>未找到匹配的证书</h1>" in html and "请核对证书编号和姓名" in html and "伪造" not in html
    assert f'value="{issued[0].number}"' in html and f'value="{issued[1].name}"' in html
    english = page_client.post(
        "/verify?lang=en", data={"number": issued[0].number, "name": issued[1].name, "csrf_token": token}
    ).get_data(as_text=True)
    assert (
        "<h1>No matching certificate</h1>" in english
        and "Check the certificate number and the name" in english
    )
    mistyped = issued[0].number[:-1] + ("A" if issued[0].number[-1] != "A" else "B")
    typo = page_client.post(
        "/verify?lang=zh", data={"number": mistyped, "name": issued[0].name, "csrf_token": token}
    )
    page = typo.get_data(as_text=True)
    assert typo.status_code == 400 and 'class="form-problem"' in page and "校验" in page
    assert f'value="{mistyped}"' in page and f'value="{issued[0].name}"' in page


def test_upload_certificate_png_and_phone_photo(
    runtime: Runtime, page_client: FlaskClient, issued: list[Issued]
) -> None:
    """An uploaded certificate PNG, or a JPEG photo of just its QR, is decoded server-side and verified."""
    import qrcode
    from PIL import Image

    from certsvc.certificates.services import render
    from certsvc.signing.qrpayload import qr_url

    token = _token(page_client)
    png = render(runtime, issued[0].number, "png")
    response = page_client.post(
        "/verify/upload", data={"file": (io.BytesIO(png), "cert.png"), "csrf_token": token}
    )
    assert _verdict_block(response.get_data(as_text=True)) == "valid"

    image = qrcode.make(qr_url(runtime.settings.base_url, issued[1].qr_payload)).get_image().convert("RGB")
    photo = Image.new("RGB", (image.width + 300, image.height + 200), (235, 230, 220))
    photo.paste(image, (120, 90))
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=85)
    response = page_client.post(
        "/verify/upload", data={"file": (io.BytesIO(buffer.getvalue()), "photo.jpg"), "csrf_token": token}
    )
    html = response.get_data(as_text=True)
    assert _verdict_block(html) == "valid" and issued[1].number in html

    blank = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(blank, "PNG")
    response = page_client.post(
        "/verify/upload", data={"file": (io.BytesIO(blank.getvalue()), "x.png"), "csrf_token": token}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and _verdict_block(html) == "unreadable-file"
    assert "此文件不含 certsvc 证书" in html and "文件中未找到二维码" in html and "伪造" not in html
    renamed = page_client.post(
        "/verify/upload", data={"file": (io.BytesIO("会议纪要\n".encode()), "cert.png"), "csrf_token": token}
    )
    html = renamed.get_data(as_text=True)
    assert renamed.status_code == 200 and _verdict_block(html) == "unreadable-file" and "伪造" not in html


def test_bulk_form_checks_lines_and_csv(
    runtime: Runtime, page_client: FlaskClient, issued: list[Issued]
) -> None:
    """Employers paste QR texts and number,name lines, or upload a GBK CSV; each gets a row in the table."""
    from certsvc.signing.qrpayload import qr_url

    token = _token(page_client, "/verify/bulk")
    lines = "\n".join(
        [
            qr_url(runtime.settings.base_url, issued[0].qr_payload),
            f"{issued[1].number},{issued[1].name}",
            f"{issued[2].number}\t某某某",
            "12345,张三",
            "garbage",
        ]
    )
    html = page_client.post("/verify/bulk", data={"items": lines, "csrf_token": token}).get_data(as_text=True)
    outcomes = re.findall(r'<tr data-outcome="([\w-]+)"', html)
    assert outcomes == ["valid", "valid", "invalid", "error", "invalid"]
    table = html[html.index('<table class="bulk-results">') :]
    assert issued[1].name not in table and "雷*怡" in table

    csv_text = "证书编号,姓名\n" + "\n".join(f"{c.number},{c.name}" for c in issued[:3]) + "\n"
    upload = {"csv": (io.BytesIO(csv_text.encode("gbk")), "list.csv"), "csrf_token": token}
    html = page_client.post("/verify/bulk", data=upload).get_data(as_text=True)
    assert re.findall(r'<tr data-outcome="([\w-]+)"', html) == ["valid", "valid", "valid"]


def test_page_burst_gets_429_with_retry_after(app: Flask, issued: list[Issued]) -> None:
    """The pages are rate-limited per client too: a friendly 429 page with Retry-After."""
    app.config.update(CERTSVC_VERIFY_RATE="2/minute")
    client = app.test_client()
    path = f"/v/{issued[0].qr_payload}"
    assert [client.get(path).status_code for _ in range(3)] == [200, 200, 429]
    limited = client.get(path)
    assert limited.mimetype == "text/html" and int(limited.headers["Retry-After"]) > 0


def test_english_pages_give_certificate_values_their_english_names(
    page_client: FlaskClient, issued: list[Issued]
) -> None:
    """On an English page the title, level, series and specialty read in English (工程师 → Engineer,
    中级 → Intermediate) with the Chinese printed on the certificate beside them; zh-CN shows the
    Chinese alone; the API keeps the values as issued."""
    path = f"/v/{issued[0].qr_payload}"
    english = page_client.get(path + "?lang=en").get_data(as_text=True)
    assert '<dd class="title">Engineer <span class="orig" lang="zh-CN">工程师</span></dd>' in english
    assert '<dd class="level">Intermediate <span class="orig" lang="zh-CN">中级</span></dd>' in english
    assert "Engineering and Technology" in english and "Digital Technology" in english
    chinese = page_client.get(path + "?lang=zh").get_data(as_text=True)
    assert '<dd class="title">工程师</dd>' in chinese and "Engineer" not in chinese
    api = page_client.post("/api/v1/verify", json={"qr": issued[0].qr_payload}).get_json()
    assert (api["certificate"]["title"], api["certificate"]["level"]) == ("工程师", "中级")
