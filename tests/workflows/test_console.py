"""The holder portal and the issuer console driving the workflows through HTTP."""

from __future__ import annotations

import io
import re
from importlib import resources

from flask import Flask

from certsvc.runtime import Runtime
from tests.accounts.fixtures import PROVINCE, holder_account, people, second_staff, sign_in, staff_account
from tests.workflows.support import certificate_state, ledger_size

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_request_decide_and_read_the_outcome_in_the_portal(issued: Runtime, portal_app: Flask) -> None:
    """A holder uploads evidence and requests a reissue, a reviewer rejects one and approves another,
    the holder reads the rejection reason and the approval message, and downloads version 2."""
    alice, bob = people(issued, PROVINCE, 2)
    holder_account(issued, alice)
    holder_account(issued, bob)
    as_alice, as_bob, as_reviewer = (portal_app.test_client() for _ in range(3))
    sign_in(as_alice, alice.id_number)
    sign_in(as_bob, bob.id_number)
    sign_in(as_reviewer, staff_account(issued, PROVINCE, "reviewer"))

    form = {"reason": "damaged", "evidence": (io.BytesIO(PNG), "photo.png")}
    response = as_alice.post(
        f"/me/certificates/{alice.number}/reissue", data=form, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    alice_request = int(response.headers["Location"].rsplit("/", 1)[1])
    response = as_bob.post(f"/me/certificates/{bob.number}/reissue", data={"reason": "lost"})
    bob_request = int(response.headers["Location"].rsplit("/", 1)[1])

    queue = as_reviewer.get("/issuer/requests").get_data(as_text=True)
    assert alice.number in queue and bob.number in queue
    evidence = as_reviewer.get(f"/issuer/requests/{alice_request}/evidence")
    assert evidence.data == PNG and evidence.mimetype == "image/png"
    assert "attachment" in evidence.headers["Content-Disposition"]

    as_reviewer.post(
        f"/issuer/requests/{bob_request}/decision", data={"decision": "reject", "reason": "请先报失登报"}
    )
    as_reviewer.post(f"/issuer/requests/{alice_request}/decision", data={"decision": "approve"})
    assert certificate_state(issued, alice.number) == ("valid", 2)
    assert certificate_state(issued, bob.number) == ("valid", 1)

    assert "请先报失登报" in as_bob.get(f"/me/requests/{bob_request}").get_data(as_text=True)
    # The portal shows the message in the page's language only.
    chinese = as_alice.get("/me/notifications").get_data(as_text=True)
    assert "补发申请已批准" in chinese and "Reissue approved" not in chinese
    english = as_alice.get("/me/notifications?lang=en").get_data(as_text=True)
    assert "Reissue approved" in english and "was reissued as version 2" in english
    download = as_alice.get(f"/me/certificates/{alice.number}/download/pdf")
    assert (
        download.data.startswith(b"%PDF")
        and f"{alice.number}-v2.pdf" in download.headers["Content-Disposition"]
    )


def test_console_import_checks_first_and_issues_only_on_confirmation(runtime: Runtime) -> None:
    """Upload shows the dry-run report and issues nothing; confirming issues the file once."""
    from certsvc import create_app

    app = create_app(runtime=runtime)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    sign_in(client, staff_account(runtime, PROVINCE, "operator"))
    data = resources.files("certsvc.demo").joinpath(f"sample-{PROVINCE}.csv").read_bytes()
    before = ledger_size(runtime)
    upload = {"file": (io.BytesIO(data), "results.csv")}
    page = client.post("/issuer/import", data=upload, content_type="multipart/form-data").get_data(
        as_text=True
    )
    assert ledger_size(runtime) == before
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token is not None
    result = client.post("/issuer/import/confirm", data={"token": token.group(1)})
    assert result.status_code == 200
    assert ledger_size(runtime) == before + 100
    assert client.post("/issuer/import/confirm", data={"token": token.group(1)}).status_code == 404


def test_the_import_page_is_for_every_route_in_both_languages(runtime: Runtime) -> None:
    """The console's import page takes the results of every acquisition route, and says so: its
    title and heading name title results, not review results only; it names the four routes and
    offers a template for each, in Chinese and in English."""
    from certsvc import create_app

    app = create_app(runtime=runtime)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    sign_in(client, staff_account(runtime, PROVINCE, "operator"))
    chinese = client.get("/issuer/import").get_data(as_text=True)
    english = client.get("/issuer/import?lang=en").get_data(as_text=True)
    assert "<h1>导入职称结果</h1>" in chinese and "<title>导入职称结果" in chinese
    assert "<h1>Import title results</h1>" in english and "<title>Import title results" in english
    assert "评审结果" not in chinese and "review results" not in english.lower()
    routes = re.search(r'<p class="muted" id="routes">([^<]+)</p>', chinese)
    assert routes is not None and all(
        word in routes.group(1) for word in ("评审", "认定", "重新确认", "考试")
    )
    routes_en = re.search(r'<p class="muted" id="routes">([^<]+)</p>', english)
    assert routes_en is not None
    assert all(word in routes_en.group(1) for word in ("review", "recognition", "reconfirmation", "exam"))
    templates = re.findall(r'href="/issuer/templates/(\w+)\.xlsx', chinese)
    assert templates == ["review", "recognition", "reconfirmation", "exam"]


def test_console_refuses_a_file_of_another_authority(issued: Runtime, portal_app: Flask) -> None:
    """A county operator uploading the province's results sees refusals and gets no confirm button."""
    client = portal_app.test_client()
    sign_in(client, staff_account(issued, "421221", "operator"))
    data = resources.files("certsvc.demo").joinpath(f"sample-{PROVINCE}.csv").read_bytes()
    upload = {"file": (io.BytesIO(data), "results.csv")}
    page = client.post("/issuer/import", data=upload, content_type="multipart/form-data").get_data(
        as_text=True
    )
    assert 'name="token"' not in page


def test_dashboard_ledger_and_status_pages_render(issued: Runtime, portal_app: Flask) -> None:
    """The dashboard chart counts today's issuances; the ledger page audits; a status change proposed
    by one reviewer is applied when a second one approves it."""
    person = people(issued, PROVINCE, 1)[0]
    client = portal_app.test_client()
    sign_in(client, staff_account(issued, PROVINCE, "reviewer"))
    dashboard = client.get("/issuer/").get_data(as_text=True)
    assert "<svg" in dashboard and ">100<" in dashboard
    audit_page = client.post("/issuer/ledger/audit").get_data(as_text=True)
    assert "审计通过" in audit_page
    form = {"action": "revoke", "reason": "fraud", "doc_no": "渝人社〔2026〕9号", "version": "1"}
    response = client.post(f"/issuer/certificates/{person.number}/proposal", data={**form, "step": "propose"})
    assert certificate_state(issued, person.number) == ("valid", 1)
    second = portal_app.test_client()
    sign_in(second, second_staff(issued, PROVINCE, "reviewer"))
    second.post(f"{response.headers['Location']}/approve", data={"confirm": "1"})
    assert certificate_state(issued, person.number) == ("revoked", 1)
    english = client.get("/issuer/?lang=en").get_data(as_text=True)
    assert "Dashboard" in english and "工作台" not in english
