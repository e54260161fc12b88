"""The console's lists, exports and import preview through HTTP, as staff use them."""

from __future__ import annotations

import io
import re
from importlib import resources

import openpyxl
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from certsvc.certificates.models import Certificate
from certsvc.runtime import Runtime
from tests.accounts.fixtures import COUNTY, PROVINCE, people, second_staff, sign_in, staff_account
from tests.services.support import edit, rows_of, to_csv
from tests.services.test_exports import assert_formula_safe
from tests.workflows.support import ledger_size

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _staff(app: Flask, runtime: Runtime, authority: str, role: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, staff_account(runtime, authority, role))
    return client


def _numbers_on(page: str) -> list[str]:
    return re.findall(r'href="/issuer/certificates/([0-9A-Z]{18})"', page)


def _numbers_in(data: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


def _sample(authority: str) -> list[list[str]]:
    return rows_of(resources.files("certsvc.demo").joinpath(f"sample-{authority}.csv").read_bytes())


def _upload(client: FlaskClient, rows: list[list[str]], names: str = "masked") -> tuple[int, str]:
    form = {"file": (io.BytesIO(to_csv(rows).encode()), "results.csv"), "names": names}
    response = client.post("/issuer/import", data=form, content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def test_the_list_pages_filters_and_exports_exactly_what_it_shows(issued: Runtime, portal_app: Flask) -> None:
    """An auditor pages through the county's certificates, filters by level, and the same URL with
    .xlsx exports exactly the filtered rows; the province's certificates appear nowhere."""
    client = _staff(portal_app, issued, COUNTY, "auditor")
    with issued.database.read() as session:
        county = set(session.scalars(select(Certificate.number).where(Certificate.authority_code == COUNTY)))
        juniors = set(
            session.scalars(
                select(Certificate.number).where(
                    Certificate.authority_code == COUNTY, Certificate.level == "员级"
                )
            )
        )
    first = client.get("/issuer/certificates").get_data(as_text=True)
    second = client.get("/issuer/certificates?page=2").get_data(as_text=True)
    assert "共 100 张证书" in first and "第 1 / 2 页" in first
    assert len(_numbers_on(first)) == len(_numbers_on(second)) == 50
    assert set(_numbers_on(first)) | set(_numbers_on(second)) == county
    filtered = client.get("/issuer/certificates?level=员级").get_data(as_text=True)
    assert set(_numbers_on(filtered)) == juniors
    assert 'href="/issuer/certificates.xlsx?level=' in filtered
    export = client.get("/issuer/certificates.xlsx?level=员级")
    assert export.status_code == 200 and export.mimetype == XLSX
    assert "attachment" in export.headers["Content-Disposition"]
    assert export.headers["Cache-Control"] == "private, no-store"
    assert set(_numbers_in(export.data)) == juniors and len(_numbers_in(export.data)) == len(juniors)
    assert_formula_safe(export.data)
    other = _staff(portal_app, issued, PROVINCE, "auditor").get("/issuer/certificates.xlsx")
    assert not set(_numbers_in(other.data)) & county
    english = client.get("/issuer/certificates?level=员级&lang=en").get_data(as_text=True)
    assert "Export to Excel" in english and "lang=zh" in english and "level=" in english


def test_search_by_each_kind_of_number_and_by_name_stays_out_of_the_url(
    issued: Runtime, portal_app: Flask
) -> None:
    """A certificate number of 17 leading digits, the same in lower case with spaces, an ID number
    and part of a name each find the certificate through the POST form; the ID number is never
    written back into the page (its paging and export re-post the holder's id instead), and a query
    string carrying a name or ID number is refused without echoing it."""
    client = _staff(portal_app, issued, PROVINCE, "reviewer")
    person = people(issued, PROVINCE, 1)[0]
    number = person.number
    for typed in (number, " ".join(number).lower()):
        page = client.post("/issuer/certificates", data={"q": typed}).get_data(as_text=True)
        assert _numbers_on(page) == [number], typed
    page = client.post("/issuer/certificates", data={"q": person.id_number}).get_data(as_text=True)
    assert number in _numbers_on(page) and person.id_number not in page
    assert 'name="holder"' in page
    holder = re.search(r'name="holder" value="(\d+)"', page)
    assert holder is not None
    export = client.post("/issuer/certificates.xlsx", data={"holder": holder.group(1)})
    assert number in _numbers_in(export.data) and export.mimetype == XLSX
    by_name = client.post("/issuer/certificates", data={"name": person.name[1:]}).get_data(as_text=True)
    assert number in _numbers_on(by_name)
    for query in (f"q={person.id_number}", f"name={person.name}", f"number={person.id_number}"):
        refused = client.get(f"/issuer/certificates?{query}")
        text = refused.get_data(as_text=True)
        assert refused.status_code == 400 and person.id_number not in text.split("<main")[1], query
    bad = client.post("/issuer/certificates", data={"q": "110101199003077630"})
    assert bad.status_code == 400 and "110101199003077630" not in bad.get_data(as_text=True)


def test_batch_history_names_who_imported_each_file(issued: Runtime) -> None:
    """A console import appears in the batch history with the operator's name, its file and
    counts, and links to exactly its certificates."""
    from certsvc import create_app

    app = create_app(runtime=issued)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    operator = _staff(app, issued, "421200", "operator")
    status, page = _upload(operator, _sample("421200")[:11])
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert status == 200 and token is not None and 'id="confirm"' in page
    result = operator.post("/issuer/import/confirm", data={"token": token.group(1)}).get_data(as_text=True)
    batch = re.search(r'href="/issuer/certificates\?batch=(\d+)"', result)
    assert batch is not None
    history = operator.get("/issuer/batches").get_data(as_text=True)
    assert "results.csv" in history and "ope-421200" in history and "工作人员" in history
    assert "sample-421221.csv" not in history  # another authority's batch
    listed = operator.get(f"/issuer/certificates?batch={batch.group(1)}").get_data(as_text=True)
    assert len(_numbers_on(listed)) == 10
    export = operator.get("/issuer/batches.xlsx")
    assert export.mimetype == XLSX and _numbers_in(export.data) == [int(batch.group(1))]
    assert_formula_safe(export.data)
    county = _staff(app, issued, COUNTY, "auditor").get("/issuer/batches").get_data(as_text=True)
    assert "sample-421221.csv" in county and "results.csv" not in county


def test_import_preview_shows_every_row_and_counts_refusals_by_row(
    issued: Runtime, portal_app: Flask
) -> None:
    """An upload with one row of three problems and one already issued shows each row with its
    verdict, masked names unless full names are chosen, Chinese rule names and fixes; "1 row
    refused (3 problems)"; no confirm button; the refusal report downloads as Excel with that row."""
    operator = _staff(portal_app, issued, PROVINCE, "operator")
    rows = _sample(PROVINCE)[:6]
    rows = edit(rows, 4, "votes_for", "abc")
    rows = edit(rows, 4, "meeting_date", "明天")
    rows = edit(rows, 4, "employer", "=1+1")
    before = ledger_size(issued)
    status, page = _upload(operator, rows)
    assert status == 200 and ledger_size(issued) == before
    assert re.search(r'id="refused-rows">1<', page)
    assert "1 行不合格（共 3 个问题）" in page
    assert page.count('class="row-refused"') == 1 and page.count('class="row-already"') == 4
    assert "同意票数 · 填写格式" in page and "评审日期 · 填写格式" in page and "修改：" in page
    assert "votes_for | " not in page and "| form" not in page
    name = rows[2][rows[0].index("name")]
    assert name not in page and name[0] + "*" in page
    assert 'id="confirm"' not in page
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token is not None
    report = operator.post("/issuer/import/report.xlsx", data={"token": token.group(1), "names": "full"})
    assert report.mimetype == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(report.data)).worksheets[0]
    lines = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [line[0] for line in lines] == [4] and lines[0][5] == 3
    assert_formula_safe(report.data)
    _, full = _upload(operator, rows, names="full")
    assert name in full
    english = operator.post(
        "/issuer/import?lang=en",
        data={"file": (io.BytesIO(to_csv(rows).encode()), "results.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "1 rows refused (3 problems in all)" in english and "Votes for · Form" in english


def test_a_new_file_previews_who_gets_which_title_before_confirming(
    issued: Runtime, portal_app: Flask
) -> None:
    """Rows not yet issued are shown as "will be issued" with title, level and committee, and the
    confirm button issues exactly them."""
    operator = _staff(portal_app, issued, "421200", "operator")
    rows = _sample("421200")[:4]
    _, page = _upload(operator, rows)
    assert page.count('class="row-issue"') == 3 and "将发证" in page
    title, level, committee = (rows[1][rows[0].index(f)] for f in ("title", "level", "committee_name"))
    assert title in page and level in page and committee in page
    assert 'id="confirm"' in page and "确认发证（3 张）" in page


def test_another_authoritys_file_gets_one_message_worded_for_the_web_user(
    issued: Runtime, portal_app: Flask
) -> None:
    """A county operator picking the province's file reads one message naming both authorities,
    never the API token wording, and gets no confirm button, row table or report."""
    operator = _staff(portal_app, issued, COUNTY, "operator")
    status, page = _upload(operator, _sample(PROVINCE))
    assert status == 200
    assert page.count("只能导入本机构确认的结果") == 1 and PROVINCE in page and COUNTY in page
    assert "接口令牌" not in page and "API token" not in page
    assert 'name="token"' not in page and 'id="preview-rows"' not in page


def test_a_file_mixing_authorities_words_each_foreign_row_for_the_web_user(
    issued: Runtime, portal_app: Flask
) -> None:
    """In a file of the county's rows and one province row, that row's refusal speaks of the
    signed-in user's account, not of an API token."""
    operator = _staff(portal_app, issued, COUNTY, "operator")
    county, province = _sample(COUNTY), _sample(PROVINCE)
    _, page = _upload(operator, [county[0], *county[1:3], province[1]])
    assert "您的账号属于发证机构 421221" in page and "接口令牌" not in page
    assert page.count('class="row-refused"') == 1 and 'id="foreign"' not in page


def test_the_status_forms_start_valid_and_answer_in_words(issued: Runtime, portal_app: Flask) -> None:
    """A valid certificate offers suspension (only suspension reasons) and revocation (only
    revocation reasons); a suspended one reinstatement without the reversal reason; a mismatched
    post is refused in words, not slugs. (A suspension takes effect on a second reviewer's approval.)"""
    reviewer = _staff(portal_app, issued, PROVINCE, "reviewer")
    number = people(issued, PROVINCE, 1)[0].number
    page = reviewer.get(f"/issuer/certificates/{number}").get_data(as_text=True)

    def options(action: str, html: str) -> list[str]:
        form = re.search(rf'<form[^>]*id="status-{action}".*?</form>', html, re.S)
        assert form is not None, action
        return re.findall(r'<option value="([a-z]+)"', form.group(0))

    assert options("suspend", page) == ["investigation", "complaint", "other"]
    assert options("revoke", page) == ["fraud", "misconduct", "procedure", "error", "other"]
    assert 'id="status-reinstate"' not in page
    refused = reviewer.post(
        f"/issuer/certificates/{number}/proposal",
        data={"action": "suspend", "reason": "fraud", "doc_no": "测停〔2026〕9号", "version": "1"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "暂停的原因类别应为“立案调查中”" in refused and "investigation, complaint" not in refused
    proposed = reviewer.post(
        f"/issuer/certificates/{number}/proposal",
        data={
            "action": "suspend",
            "reason": "investigation",
            "doc_no": "测停〔2026〕9号",
            "version": "1",
            "step": "propose",
        },
    )
    second = portal_app.test_client()
    sign_in(second, second_staff(issued, PROVINCE, "reviewer"))
    second.post(f"{proposed.headers['Location']}/approve", data={"confirm": "1"})
    suspended = reviewer.get(f"/issuer/certificates/{number}").get_data(as_text=True)
    assert options("reinstate", suspended) == ["cleared", "mistaken", "other"]
    assert 'id="status-suspend"' not in suspended
    english = reviewer.post(
        f"/issuer/certificates/{number}/proposal?lang=en",
        data={"action": "reinstate", "reason": "fraud", "doc_no": "x", "version": "1"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "investigation closed without findings" in english and "cleared," not in english
