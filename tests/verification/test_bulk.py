"""Bulk checks at an employer's scale: employers' API keys (hashed, shown once, revocable, their own
quota), 1,000 lines pasted or uploaded as CSV/XLSX, results as a formula-safe Excel workbook, and
the anonymous bulk page keeping what it promises."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

import openpyxl
import pytest
from flask import Flask
from sqlalchemy import select

from certsvc.accounts.models import EmployerKey
from certsvc.errors import BadRequest, CertsvcError
from certsvc.runtime import Runtime
from certsvc.verification.bulk import BulkResult, BulkRow, parse_bulk_file
from certsvc.verification.services import OnlineVerdict, PublicFacts
from certsvc.verification.spreadsheet import HEADERS, results_workbook
from tests.verification.conftest import Issued
from tests.verification.employers import (
    EmployerAccount,
    bulk_lines,
    genuine_revoked_and_unknown,
    make_employer,
    sign_in_employer,
)

ROW_OUTCOME = re.compile(r'<tr data-outcome="([\w-]+)"')
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def employer_app(app: Flask) -> Flask:
    """The app with CSRF checks off (tests/security checks them) and the shipped limits."""
    app.config.update(WTF_CSRF_ENABLED=False)
    return app


@pytest.fixture
def acme(runtime: Runtime) -> EmployerAccount:
    return make_employer(runtime, "hr-acme", "91500000MA5U7X0Q1")


@pytest.fixture
def other(runtime: Runtime) -> EmployerAccount:
    return make_employer(runtime, "hr-other", "91500000MA5U7X0Q2", name="重庆另一家有限公司")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _workbook_rows(data: bytes) -> list[tuple[object, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _formula_cells(data: bytes) -> list[str]:
    """Cells a spreadsheet would evaluate: formulas, or text starting with a formula character."""
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [
        cell.coordinate
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
        or (isinstance(cell.value, str) and cell.value.lstrip(" ").startswith(FORMULA_PREFIXES))
    ]


# --- keys ----------------------------------------------------------------------------------------------
def test_keys_are_shown_once_stored_hashed_and_revocable(
    runtime: Runtime, employer_app: Flask, acme: EmployerAccount, issued: list[Issued]
) -> None:
    """A key made on the employer's page is shown once; the database holds only its SHA-256; it
    works at once, and once revoked it answers 401 in English and Chinese."""
    web = employer_app.test_client()
    sign_in_employer(web, acme)
    made = web.post("/employer/keys", data={"name": "财务系统"}).get_data(as_text=True)
    key = re.search(r'<code id="new-key">(cek_[A-Za-z0-9_-]+)</code>', made)
    assert key is not None
    token = key.group(1)
    assert token not in web.get("/employer/").get_data(as_text=True)
    with runtime.database.read() as session:
        rows = session.scalars(select(EmployerKey).where(EmployerKey.employer_id == acme.id)).all()
        stored = [str(value) for row in rows for value in vars(row).values()]
        key_id = next(row.id for row in rows if row.name == "财务系统")
    assert not any(token in value for value in stored)
    import hashlib

    assert hashlib.sha256(token.encode()).hexdigest() in stored

    line = {"items": [{"certificate_number": issued[0].number, "name": issued[0].name}]}
    api = employer_app.test_client()
    assert api.post("/api/v1/verify/bulk", json=line, headers=_bearer(token)).status_code == 200
    assert web.post(f"/employer/keys/{key_id}/revoke").status_code == 302
    refused = api.post("/api/v1/verify/bulk", json=line, headers=_bearer(token))
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    assert refused.get_json()["detail_zh"].startswith("需要有效的用人单位 API 密钥")
    # The other key of the same employer is untouched.
    assert api.post("/api/v1/verify/bulk", json=line, headers=_bearer(acme.key)).status_code == 200


def test_another_employer_can_neither_see_nor_revoke_a_key(
    employer_app: Flask, acme: EmployerAccount, other: EmployerAccount, issued: list[Issued]
) -> None:
    """Employer B's page lists none of A's keys, and revoking A's key by its id answers 404 like a
    missing key; A's key keeps working."""
    web = employer_app.test_client()
    sign_in_employer(web, other)
    page = web.get("/employer/").get_data(as_text=True)
    assert f'data-key-id="{acme.key_id}"' not in page and acme.key[:10] not in page
    assert f'data-key-id="{other.key_id}"' in page
    assert web.post(f"/employer/keys/{acme.key_id}/revoke").status_code == 404
    assert web.post("/employer/keys/999999/revoke").status_code == 404
    line = {"items": [{"certificate_number": issued[0].number, "name": issued[0].name}]}
    assert (
        employer_app.test_client()
        .post("/api/v1/verify/bulk", json=line, headers=_bearer(acme.key))
        .status_code
        == 200
    )


def test_each_key_counts_its_own_quota_and_a_spent_one_is_a_bilingual_429(
    runtime: Runtime, employer_app: Flask, issued: list[Issued]
) -> None:
    """An employer with a quota of 5 lines an hour: a key's 3-line check passes, its next 3 lines
    are refused with a 429 problem in English and Chinese and Retry-After; another key of the same
    employer still has its own 5."""
    from certsvc.accounts.employers import create_key

    small = make_employer(runtime, "hr-small", "91500000MA5U7X0Q3", quota="5/hour")
    with runtime.database.write() as session:
        _, second = create_key(session, runtime, employer_id=small.id, name="第二个", created_by="test")
    three = {"items": [{"certificate_number": c.number, "name": c.name} for c in issued[:3]]}
    client = employer_app.test_client()
    first = client.post("/api/v1/verify/bulk", json=three, headers=_bearer(small.key))
    assert first.status_code == 200 and first.headers["X-RateLimit-Remaining"] == "2"
    spent = client.post("/api/v1/verify/bulk", json=three, headers=_bearer(small.key))
    assert spent.status_code == 429 and spent.mimetype == "application/problem+json"
    problem = spent.get_json()
    assert "5 per hour" in problem["detail"] and "每小时 5" in problem["detail_zh"]
    assert 0 < int(spent.headers["Retry-After"]) <= 3600
    assert client.post("/api/v1/verify/bulk", json=three, headers=_bearer(second)).status_code == 200


def test_unknown_key_is_a_401_and_counts_against_the_address(
    employer_app: Flask, issued: list[Issued]
) -> None:
    """Without a valid key the bulk API answers 401 (problem JSON, both languages) and the request
    draws on the per-client budget, not on anyone's quota."""
    employer_app.config["CERTSVC_VERIFY_RATE"] = "2/minute"
    client = employer_app.test_client()
    line = {"items": [{"certificate_number": issued[0].number, "name": issued[0].name}]}
    answers = [
        client.post("/api/v1/verify/bulk", json=line, headers=_bearer("cek_" + "x" * 43)) for _ in range(3)
    ]
    assert [answer.status_code for answer in answers] == [401, 401, 429]
    assert answers[0].get_json()["detail_zh"]
    assert client.post("/api/v1/verify/bulk", json=line).status_code == 429


# --- 1,000 lines -----------------------------------------------------------------------------------------
def test_a_thousand_pasted_lines_on_the_employer_page(
    employer_app: Flask, acme: EmployerAccount, issued: list[Issued]
) -> None:
    """A signed-in employer pastes 1,000 number,name lines: 1,000 rows in order, each with its
    outcome (wrong names invalid, mistyped check characters not checked); 1,001 lines are refused
    in both languages and checked not at all."""
    web = employer_app.test_client()
    sign_in_employer(web, acme)
    lines, outcomes = bulk_lines(issued, 1000)
    page = web.post("/employer/bulk", data={"items": "\n".join(lines)})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert ROW_OUTCOME.findall(html) == outcomes
    table = html[html.index('<table class="bulk-results">') :]
    assert issued[0].name not in table and "雷*怡" in table  # names are shown masked
    assert issued[0].name in html[: html.index("</textarea>")]  # the form keeps what was typed
    too_many = web.post("/employer/bulk", data={"items": "\n".join(lines + lines[:1])})
    assert too_many.status_code == 400
    assert "每次最多 1000 项" in too_many.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_thousand_uploaded_lines_download_as_exactly_these_results(
    employer_app: Flask, acme: EmployerAccount, issued: list[Issued], kind: str
) -> None:
    """A 1,000-line list uploaded as CSV (GBK, Chinese headers) or XLSX comes back as an Excel file
    with Chinese headers and exactly one row per line: its line in the file, outcome, number and
    masked holder; no cell is a formula or starts with = + - @ tab CR."""
    lines, outcomes = bulk_lines(issued, 1000)
    if kind == "csv":
        data = ("证书编号,姓名\n" + "\n".join(lines) + "\n").encode("gbk")
    else:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(["证书编号", "姓名"])
        for line in lines:
            sheet.append(line.split(",", 1))
        out = io.BytesIO()
        workbook.save(out)
        data = out.getvalue()
    web = employer_app.test_client()
    sign_in_employer(web, acme)
    answer = web.post("/employer/bulk", data={"file": (io.BytesIO(data), f"list.{kind}"), "output": "xlsx"})
    assert answer.status_code == 200
    assert answer.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = _workbook_rows(answer.data)
    assert rows[0] == HEADERS
    assert len(rows) == 1 + 1000
    expected_numbers = [
        line.split(",")[0] if outcome != "error" else None
        for line, outcome in zip(lines, outcomes, strict=True)
    ]
    assert [row[0] for row in rows[1:]] == list(range(2, 1002))  # the file's lines: header is line 1
    assert [row[1] for row in rows[1:]] == [
        # A wrong name is what the pages call it: no matching certificate, not "invalid".
        {"valid": "有效", "invalid": "未找到匹配的证书", "error": "无法查验"}[outcome]
        for outcome in outcomes
    ]
    assert [row[3] for row in rows[1:]] == expected_numbers
    holder = HEADERS.index("持证人（部分隐去）")
    names = {c.name for c in issued}
    assert all(
        row[holder] is None or ("*" in str(row[holder]) or len(str(row[holder])) == 1) for row in rows[1:]
    )
    assert not any(row[holder] in names for row in rows[1:] if row[holder] and "*" not in str(row[holder]))
    assert _formula_cells(answer.data) == []


def test_the_workbook_never_holds_a_formula_whatever_the_values() -> None:
    """Values that start with = + - @ tab or CR (a title or error text crafted to be a formula) are
    written as text with a leading apostrophe: the check above cannot pass by luck."""
    now = dt.datetime(2026, 11, 21, 2, 0, tzinfo=dt.UTC)
    facts = PublicFacts(
        certificate_number="42120020263000001Z",
        version=1,
        holder='=HYPERLINK("http://x")',
        title="+1+1",
        level="-2",
        series="@SUM(A1)",
        specialty=" =SUM(A1)",
        obtained=dt.date(2024, 11, 20),
        issued_at=now,
        issuer_name="\r=1",
        issuer_code=None,
        kid=None,
        form="number",
    )
    verdict = OnlineVerdict("valid", None, "ok", "=cmd|' /C calc'!A0", now, facts=facts)
    result = BulkResult((BulkRow(1, "42120020263000001Z", verdict, None),), now)
    data = results_workbook(result)
    assert _formula_cells(data) == []
    row = _workbook_rows(data)[1]
    assert row[5] == '\'=HYPERLINK("http://x")' and row[2] == "'=cmd|' /C calc'!A0"


def test_the_workbook_words_each_result_as_the_bulk_page_does(
    runtime: Runtime, employer_app: Flask, acme: EmployerAccount, issued: list[Issued]
) -> None:
    """A bulk check of a genuine, a revoked and an unknown number: the downloaded workbook says
    有效, 已撤销 and 未找到匹配的证书, three different words and the very words of the bulk page's
    rows and summary, never 无效 for the number nothing matches; its explanations are Chinese only.
    The bulk API's workbook says the same."""
    lines = genuine_revoked_and_unknown(runtime, issued)
    web = employer_app.test_client()
    sign_in_employer(web, acme)
    html = web.post("/employer/bulk", data={"items": "\n".join(lines)}).get_data(as_text=True)
    page_words = re.findall(r'data-wording="[\w-]+">([^<]+)</span>', html)
    assert page_words == ["有效", "已撤销", "未找到匹配的证书"]
    summary = re.search(r'<p class="summary" id="summary">([^·]+)', html)
    assert summary is not None and summary.group(1).strip() == "共 3 项：有效 1，已撤销 1，未找到匹配的证书 1"

    download = web.post("/employer/bulk", data={"items": "\n".join(lines), "output": "xlsx"})
    rows = _workbook_rows(download.data)[1:]
    assert [row[1] for row in rows] == page_words
    assert rows[2][2] == "未找到匹配的证书 — 请核对证书编号和姓名"
    assert not any(re.search("[A-Za-z]", str(row[2])) for row in rows)

    items = [dict(zip(("certificate_number", "name"), line.split(",", 1), strict=True)) for line in lines]
    by_api = employer_app.test_client().post(
        "/api/v1/verify/bulk?format=xlsx", json={"items": items}, headers=_bearer(acme.key)
    )
    assert [row[1] for row in _workbook_rows(by_api.data)[1:]] == page_words


def test_a_line_not_checked_is_explained_in_chinese_in_the_workbook() -> None:
    """A line refused by an error that carries only English words is explained in the workbook by
    the Chinese title of its code (as the bulk page does), not in English."""
    now = dt.datetime(2026, 11, 21, 2, 0, tzinfo=dt.UTC)
    result = BulkResult(
        (
            BulkRow(2, None, None, BadRequest("the line is not understood")),
            BulkRow(3, None, None, CertsvcError("something odd")),
        ),
        now,
    )
    rows = _workbook_rows(results_workbook(result))[1:]
    assert [row[1:3] for row in rows] == [("无法查验", "请求有误"), ("无法查验", "请求有误")]


def test_the_bulk_api_takes_a_thousand_lines_and_answers_json_or_excel(
    employer_app: Flask, acme: EmployerAccount, issued: list[Issued]
) -> None:
    """With its key, an employer checks 1,000 JSON lines: one result per line in order with counts;
    a malformed line gets its own problem; ?format=xlsx answers the same as a workbook."""
    lines, outcomes = bulk_lines(issued, 999)
    items: list[object] = [
        dict(zip(("certificate_number", "name"), line.split(",", 1), strict=True)) for line in lines
    ]
    items.append({"name": "只有姓名"})
    client = employer_app.test_client()
    answer = client.post("/api/v1/verify/bulk", json={"items": items}, headers=_bearer(acme.key))
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.get_json()
    results = body["results"]
    assert [r["index"] for r in results] == list(range(1000))
    got = [r["verdict"]["outcome"] if "verdict" in r else "error" for r in results]
    assert got == [*outcomes, "error"]
    assert results[-1]["error"]["code"] == "bad-request" and results[-1]["error"]["detail_zh"]
    assert body["counts"] == {o: got.count(o) for o in set(got)}
    assert body["report"] is None
    workbook = client.post(
        "/api/v1/verify/bulk?format=xlsx", json={"items": items}, headers=_bearer(acme.key)
    )
    assert workbook.status_code == 200 and len(_workbook_rows(workbook.data)) == 1001
    too_many = client.post(
        "/api/v1/verify/bulk", json={"items": items + items[:1]}, headers=_bearer(acme.key)
    )
    assert too_many.status_code == 400 and too_many.get_json()["field"] == "items"


def test_hostile_uploads_are_refused_with_a_clear_message() -> None:
    """A damaged workbook, a binary file and a list beyond the limit are refused in both languages;
    nothing is checked."""
    with pytest.raises(BadRequest) as damaged:
        parse_bulk_file(b"PK\x03\x04" + b"\x00" * 200, max_items=1000)
    assert "xlsx" in damaged.value.message and damaged.value.detail_zh
    with pytest.raises(BadRequest) as binary:
        parse_bulk_file(b"\x89PNG\r\n\x1a\n\x00\x00", max_items=1000)
    assert binary.value.detail_zh
    with pytest.raises(BadRequest) as too_many:
        parse_bulk_file(("证书编号,姓名\n" + "X,Y\n" * 101).encode(), max_items=100)
    assert too_many.value.detail_zh == "每次最多 100 项，请分批查验"


# --- the anonymous page keeps its promise -------------------------------------------------------------
def test_anonymous_bulk_keeps_what_the_page_promises(employer_app: Flask, issued: list[Issued]) -> None:
    """With the shipped limits, the page promises 100 lines per check and states the per-address
    budgets; 25 number+name lines (once a 429) pass; three checks of 100 number+name lines pass
    and the fourth, beyond the 300 lines an hour the page states, is a 429 in the page's language."""
    client = employer_app.test_client()
    page = client.get("/verify/bulk").get_data(as_text=True)
    promise = re.search(r'<p class="promise" id="promise">([^<]+)</p>', page)
    assert promise is not None
    assert "每次最多 100 行" in promise.group(1)
    assert "每分钟 5 次、每小时 30 次" in promise.group(1) and "每小时 300 行、每天 1000 行" in promise.group(
        1
    )

    lines, _ = bulk_lines(issued, 100)
    assert client.post("/verify/bulk", data={"items": "\n".join(lines[:25])}).status_code == 200
    fresh = employer_app.test_client()
    fresh.environ_base["REMOTE_ADDR"] = "192.0.2.77"
    statuses = [fresh.post("/verify/bulk", data={"items": "\n".join(lines)}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = fresh.post("/verify/bulk", data={"items": lines[0]}, headers={"Accept-Language": "zh-CN"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


def test_anonymous_api_batch_of_a_hundred_names_passes(employer_app: Flask, issued: list[Issued]) -> None:
    """The documented batch of up to 100 items works for 100 number+name items (it used to be
    refused beyond 20), drawing one check and 100 lines from the bulk budgets."""
    client = employer_app.test_client()
    items = [{"certificate_number": c.number, "name": c.name} for c in issued[:100]]
    answer = client.post("/api/v1/verify/batch", json={"items": items})
    assert answer.status_code == 200
    assert {r["verdict"]["outcome"] for r in answer.get_json()["results"]} == {"valid"}


def test_a_signed_in_employer_is_not_held_to_the_anonymous_budgets(
    runtime: Runtime, employer_app: Flask, acme: EmployerAccount, issued: list[Issued]
) -> None:
    """The employer page counts against the account's quota, not the address's bulk budgets: after
    the address has spent its anonymous lines, the employer still checks 1,000."""
    employer_app.config.update(CERTSVC_BULK_NAME_RATE="10/hour")
    web = employer_app.test_client()
    lines, _ = bulk_lines(issued, 1000)
    assert web.post("/verify/bulk", data={"items": "\n".join(lines[:20])}).status_code == 429
    sign_in_employer(web, acme)
    assert web.post("/employer/bulk", data={"items": "\n".join(lines)}).status_code == 200


def test_employer_pages_are_for_employers(
    employer_app: Flask, acme: EmployerAccount, runtime: Runtime, issued: list[Issued]
) -> None:
    """Anonymous visitors are sent to sign in; a holder or staff member gets 403."""
    from certsvc.accounts.services import create_staff_user

    with runtime.database.write() as session:
        create_staff_user(
            session,
            runtime,
            username="op-test",
            authority_code="421200",
            role="operator",
            password="correct horse 1",
        )
    anonymous = employer_app.test_client()
    assert anonymous.get("/employer/").headers["Location"].startswith("/auth/login")
    staff = employer_app.test_client()
    assert (
        staff.post("/auth/login", data={"account": "op-test", "password": "correct horse 1"}).status_code
        == 302
    )
    assert staff.get("/employer/").status_code == 403
    assert staff.post("/employer/bulk", data={"items": "x"}).status_code == 403
    web = employer_app.test_client()
    sign_in_employer(web, acme)
    assert web.get("/issuer/").status_code == 403


def test_keys_pass_no_session_and_sessions_pass_no_key(
    employer_app: Flask, acme: EmployerAccount, issued: list[Issued]
) -> None:
    """The bulk API needs the key: a signed-in employer's browser session without one is a 401,
    and an issuer's token is no employer key."""
    web = employer_app.test_client()
    sign_in_employer(web, acme)
    line = {"items": [{"certificate_number": issued[0].number, "name": issued[0].name}]}
    assert web.post("/api/v1/verify/bulk", json=line).status_code == 401
    assert web.post("/api/v1/verify/bulk", json=line, headers=_bearer("cst_" + "x" * 43)).status_code == 401


def test_usccs_are_checked_when_employers_are_registered(runtime: Runtime) -> None:
    """An employer's USCC must carry its GB 32100 check character; a wrong one is refused in both
    languages and nothing is stored; registering the same code twice is refused."""
    from certsvc.accounts.employers import add_employer
    from tests.verification.employers import valid_uscc

    good = valid_uscc("91500000MA5U7X0Q9")
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(BadRequest) as refused, runtime.database.write() as session:
        add_employer(session, runtime, name="某公司", uscc=wrong, username="hr-wrong")
    assert "GB 32100" in refused.value.message and "校验码" in (refused.value.detail_zh or "")
    with runtime.database.write() as session:
        add_employer(session, runtime, name="某公司", uscc=good.lower(), username="hr-good")
    with pytest.raises(BadRequest), runtime.database.write() as session:
        add_employer(session, runtime, name="某公司二", uscc=good, username="hr-good2")


def test_employer_cli_registers_and_manages_keys(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`certsvc employer add` prints the user's password once; create-key prints a key; list shows
    it by prefix; disable stops it until enable; revoke-key stops it; a wrong USCC is a usage
    error (exit 2)."""
    from certsvc.cli import main
    from tests.verification.employers import valid_uscc

    monkeypatch.setattr("certsvc.cli.employers.cli_runtime", lambda: runtime)
    uscc = valid_uscc("91500000MA5U7X0QA")
    assert (
        main(
            ["employer", "add", "重庆命令行公司", "--uscc", uscc, "--login", "hr-cli", "--quota", "100/hour"]
        )
        == 0
    )
    assert "password:" in capsys.readouterr().out
    assert main(["employer", "create-key", uscc, "--name", "接口"]) == 0
    printed = capsys.readouterr().out
    key_id, token = re.search(r"key (\d+) \(接口\): (cek_\S+)", printed).groups()  # type: ignore[union-attr]
    assert main(["employer", "list"]) == 0
    listing = capsys.readouterr().out
    assert token[:10] in listing and token not in listing and "100/hour" in listing
    from certsvc.accounts.employers import authenticate_key
    from certsvc.errors import AuthenticationRequired

    assert main(["employer", "disable", uscc]) == 0
    with pytest.raises(AuthenticationRequired):
        authenticate_key(runtime, token)
    assert main(["employer", "enable", uscc]) == 0
    assert authenticate_key(runtime, token).key_id == int(key_id)
    assert main(["employer", "revoke-key", uscc, key_id]) == 0
    with pytest.raises(AuthenticationRequired):
        authenticate_key(runtime, token)
    assert main(["employer", "add", "坏代码公司", "--uscc", uscc[:-1] + "0", "--login", "hr-bad"]) == 2


def test_bulk_parsing_numbers_lines_as_the_user_sees_them() -> None:
    """Pasted lines keep their line numbers (blank lines count), a file's header is line 1."""
    from certsvc.verification.bulk import parse_bulk_text

    items = parse_bulk_text("\nA1,张三\n\nhttps://x/v/ABC\n")
    assert [(item.line, item.number, item.name, item.token) for item in items] == [
        (2, "A1", "张三", None),
        (4, None, None, "https://x/v/ABC"),
    ]
    items = parse_bulk_file("姓名,证书编号\n张三,A1\n".encode())
    assert [(item.line, item.number, item.name) for item in items] == [(2, "A1", "张三")]
    assert dataclasses.replace(items[0]).as_line() == "A1,张三"


def test_the_promise_reads_in_english_too(employer_app: Flask) -> None:
    """In English the bulk page states the same limits in English words, with no Chinese left in
    the promise."""
    page = employer_app.test_client().get("/verify/bulk?lang=en").get_data(as_text=True)
    promise = re.search(r'<p class="promise" id="promise">([^<]+)</p>', page)
    assert promise is not None
    text = promise.group(1)
    assert "Up to 100 lines per check" in text
    assert (
        "5 checks per minute, 30 checks per hour" in text and "300 lines per hour, 1000 lines per day" in text
    )
    assert not re.search(r"[\u4e00-\u9fff]", text)


def test_an_employer_changes_its_password(employer_app: Flask, acme: EmployerAccount) -> None:
    """Employers secure their account on the same page as holders and staff: a changed password
    signs in, the old one no longer does."""
    from tests.verification.employers import EMPLOYER_PASSWORD

    web = employer_app.test_client()
    sign_in_employer(web, acme)
    assert "修改密码" in web.get("/employer/security").get_data(as_text=True)
    changed = web.post(
        "/employer/security",
        data={
            "action": "password",
            "current": EMPLOYER_PASSWORD,
            "password": "a new long passphrase",
            "confirmation": "a new long passphrase",
        },
    )
    assert changed.status_code == 302 and changed.headers["Location"] == "/employer/security"
    other = employer_app.test_client()
    assert (
        other.post("/auth/login", data={"account": acme.login, "password": EMPLOYER_PASSWORD}).status_code
        == 401
    )
    assert (
        other.post(
            "/auth/login", data={"account": acme.login, "password": "a new long passphrase"}
        ).status_code
        == 302
    )


def test_the_bulk_api_takes_a_file_and_names_its_lines(
    employer_app: Flask, acme: EmployerAccount, issued: list[Issued]
) -> None:
    """A CSV list sent to the bulk API as multipart/form-data is checked line by line: each result
    names its line in the file (the header is line 1), and ``report`` records it as a report."""
    lines, outcomes = bulk_lines(issued, 60)
    data = ("证书编号,姓名\n" + "\n".join(lines) + "\n").encode("utf-8-sig")
    answer = employer_app.test_client().post(
        "/api/v1/verify/bulk",
        data={"file": (io.BytesIO(data), "名单.csv"), "report": "true"},
        headers=_bearer(acme.key),
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    body = answer.get_json()
    assert [r["line"] for r in body["results"]] == list(range(2, 62))
    assert [r["verdict"]["outcome"] if "verdict" in r else "error" for r in body["results"]] == outcomes
    assert re.fullmatch(r"HY\d{8}-[2-9A-Z]{10}", body["report"]["number"])
    assert body["report"]["pdf_url"].endswith(f"/r/{body['report']['number']}/pdf")
