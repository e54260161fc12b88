"""Issuing titles of every acquisition route (评审, 认定, 重新确认, 考试), on SQLite and PostgreSQL:
mixed files, each route's facts stored, signed, printed and shown; refusals that change nothing;
the edges of the time limits through the whole import; templates, the results API and the
migration of existing certificates."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from pyld import jsonld
from pypdf import PdfReader
from sqlalchemy import select

from certsvc.accounts.services import create_api_token
from certsvc.certificates.issuing import ImportReport, import_results
from certsvc.certificates.models import Certificate
from certsvc.cli import main
from certsvc.domain.routes import Acquisition
from certsvc.runtime import Runtime
from certsvc.signing.contexts import context_document
from certsvc.signing.credential import decode_unverified
from tests.accounts.fixtures import sign_in, staff_account
from tests.intake.helpers import csv_bytes, mixed_route_table, sample_table
from tests.services.support import table_counts

GUANGXI = "广西壮族自治区人力资源和社会保障厅"


def _import(runtime: Runtime, table: list[list[str]], name: str = "mixed.csv") -> ImportReport:
    return import_results(runtime, csv_bytes(table), name, dry_run=False, actor="test")


@dataclass(frozen=True)
class Stored:
    """What the database holds of one certificate (read in one session)."""

    number: str
    holder_name: str
    route: str
    acquisition: dict[str, str] | None
    acquisition_facts: Acquisition
    obtained_date: dt.date
    confirmation_date: dt.date
    meeting_date: dt.date | None
    committee_code: str
    committee_name: str
    supervisor: str | None
    series: str
    credentials: list[str]
    qr_payloads: list[str]


def _certificates(runtime: Runtime) -> dict[str, Stored]:
    """Every certificate by its holder's name (the demo names are distinct)."""
    with runtime.database.read() as session:
        return {
            row.holder_name: Stored(
                number=row.number,
                holder_name=row.holder_name,
                route=row.route,
                acquisition=row.acquisition,
                acquisition_facts=row.acquisition_facts,
                obtained_date=row.obtained_date,
                confirmation_date=row.confirmation_date,
                meeting_date=row.meeting_date,
                committee_code=row.committee_code,
                committee_name=row.committee_name,
                supervisor=row.supervisor,
                series=row.series,
                credentials=[version.credential for version in row.versions],
                qr_payloads=[version.qr_payload for version in row.versions],
            )
            for row in session.scalars(select(Certificate))
        }


def _subject(certificate: Stored) -> dict[str, Any]:
    return dict(decode_unverified(certificate.credentials[-1])["credentialSubject"])


def _edit(table: list[list[str]], name: str, **fields: str) -> list[list[str]]:
    """A copy of ``table`` with ``fields`` changed in the row of the person called ``name``."""
    header = table[0]
    copy = [list(row) for row in table]
    row = next(r for r in copy[1:] if r[header.index("name")] == name)
    for field, value in fields.items():
        row[header.index(field)] = value
    return copy


def test_a_mixed_file_issues_every_route_with_its_facts(runtime: Runtime) -> None:
    """One file of review, recognition, reconfirmation and exam rows is issued whole; each
    certificate keeps its route, the date the title was obtained from the route's event, the
    route's facts and its province's supervising body, and its credential signs the same."""
    report = _import(runtime, mixed_route_table())
    assert report.refused == [] and len(report.issued) == report.rows == 13

    certificates = _certificates(runtime)
    review = certificates["雷俊怡"]
    assert (review.route, review.acquisition, review.supervisor) == ("评审", None, None)  # Hubei: no policy
    assert review.obtained_date == review.confirmation_date and review.meeting_date == dt.date(2024, 10, 25)
    assert _subject(review)["route"] == "评审" and _subject(review)["reviewDate"] == "2024-10-25"
    assert _subject(review)["committee"] == review.committee_name

    recognised = certificates["覃欣怡"]
    assert recognised.route == "认定" and recognised.meeting_date is None and recognised.committee_code == ""
    assert recognised.acquisition == {"route": "认定", "education": "本科"}
    assert recognised.obtained_date == dt.date(2024, 11, 20) and recognised.supervisor == GUANGXI
    assert recognised.number.startswith("450305")
    subject = _subject(recognised)
    assert (subject["route"], subject["education"], subject["obtained"]) == ("认定", "本科", "2024-11-20")
    issuer = decode_unverified(recognised.credentials[0])["issuer"]
    assert issuer["supervisor"] == GUANGXI

    reconfirmed = certificates["唐建国"]
    assert reconfirmed.route == "重新确认" and reconfirmed.obtained_date == dt.date(2018, 12, 28)
    assert reconfirmed.acquisition_facts.original_issuer == "湖南省人力资源和社会保障厅"
    subject = _subject(reconfirmed)
    assert subject["obtained"] == subject["originalDate"] == "2018-12-28"
    assert subject["originalCertificateNumber"] == "湘人社职称〔2018〕0456号"

    by_exam = certificates["潘晓燕"]
    assert by_exam.route == "考试" and by_exam.series == "会计"
    assert _subject(by_exam)["examName"] == "2024年度全国会计专业技术中级资格考试"
    assert _subject(by_exam)["examDate"] == "2024-09-07"

    again = _import(runtime, mixed_route_table())
    assert again.issued.to_json() == [] and len(again.already_issued) == 13


def test_refusals_of_any_route_change_nothing(runtime: Runtime) -> None:
    """A mixed file with a late recognition, a too-early reconfirmation and an exam where no
    national exam exists is refused whole: each refusal names row, field and the rule ``route`` in
    English and Chinese, and no table changes (certificates, holders, ledger, status lists …)."""
    table = mixed_route_table()
    table = _edit(table, "覃欣怡", graduation_date="2021-06-30", work_start_date="2021-07-10")
    table = _edit(table, "唐建国", employment_start_date="2023-01-01")
    table = _edit(table, "潘晓燕", series="工程技术", specialty="数字技术", title="工程师")
    before = table_counts(runtime)

    report = _import(runtime, table)

    assert report.issued.to_json() == [] and table_counts(runtime) == before
    found = {(v.row, v.field, v.rule) for v in report.refused}
    assert found == {
        (8, "graduation_date", "route"),
        (11, "employment_start_date", "route"),
        (13, "level", "route"),
    }
    for refusal in report.refused:
        assert refusal.message_en and refusal.message_zh and refusal.message_en != refusal.message_zh
    assert report.to_json()["refused"][0]["rule"] == "route"


@pytest.mark.parametrize(
    ("name", "changes", "issued"),
    [
        ("覃欣怡", {"graduation_date": "2021-11-20", "work_start_date": "2021-12-01"}, True),
        ("覃欣怡", {"graduation_date": "2021-11-19", "work_start_date": "2021-12-01"}, False),
        ("覃欣怡", {"graduation_date": "2023-06-30", "work_start_date": "2023-11-20"}, True),
        ("覃欣怡", {"graduation_date": "2023-06-30", "work_start_date": "2023-11-21"}, False),
        ("唐建国", {"employment_start_date": "2022-11-20"}, True),
        ("唐建国", {"employment_start_date": "2022-11-21"}, False),
    ],
    ids=[
        "本科-3-years-last-day",
        "本科-3-years-day-after",
        "本科-1-year-of-work",
        "本科-a-day-short",
        "重新确认-2-years",
        "重新确认-a-day-short",
    ],
)
def test_time_limits_at_their_edges_through_the_import(
    runtime: Runtime, name: str, changes: dict[str, str], issued: bool
) -> None:
    """On each engine, the day on the limit is issued and the day beyond it refuses the whole file
    (confirmed 2024-11-20: graduated 3 years before, worked 1 year, employed 2 years)."""
    report = _import(runtime, _edit(mixed_route_table(), name, **changes))
    assert report.ok is issued
    assert len(report.issued) == (13 if issued else 0)
    if not issued:
        assert [v.rule for v in report.refused] == ["route"]


def test_never_twice_by_recognition_and_review_titles_do_not_count(runtime: Runtime) -> None:
    """A person recognised once is refused a second recognition (a new education recognises
    nothing), even in another specialty; a person holding a reviewed title may be recognised."""
    assert _import(runtime, mixed_route_table()).ok
    header, *rows = sample_table("sample-450305-recognition.csv")
    second = _edit(
        [header, *rows], "覃欣怡", specialty="智能制造", confirmation_doc_no="七人社认〔2024〕10号"
    )
    second = [second[0], next(r for r in second[1:] if r[header.index("name")] == "覃欣怡")]
    report = _import(runtime, second, "second.csv")
    assert [(v.field, v.rule) for v in report.refused] == [("education", "route")]
    assert "再次认定" in report.refused[0].message_zh

    review_holder = [second[0], list(second[1])]
    review_holder[1][header.index("name")] = "雷俊怡"
    review_holder[1][header.index("id_number")] = "421221197907225405"  # holds a reviewed 助理工程师
    report = _import(runtime, review_holder, "third.csv")
    assert report.refused == [] and len(report.issued) == 1


def _offline_material(client: FlaskClient, credential: str, directory: Path) -> list[str]:
    """``--jwks`` and ``--status`` arguments with the files a verifier downloads."""
    jwks = directory / "jwks.json"
    jwks.write_bytes(client.get("/.well-known/jwks.json").get_data())
    arguments = ["--offline", "--jwks", str(jwks)]
    for entry in decode_unverified(credential)["credentialStatus"]:
        path = directory / f"{entry['statusPurpose']}.jwt"
        path.write_bytes(client.get(urlsplit(entry["statusListCredential"]).path).get_data())
        arguments += ["--status", str(path)]
    return arguments


def _use_cli(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = runtime.settings
    for name, value in {
        "CERTSVC_ENV": "test",
        "CERTSVC_INSTANCE_DIR": str(settings.instance_dir),
        "CERTSVC_DATABASE_URL": settings.database_url,
        "CERTSVC_KEYS_DIR": str(settings.keys_dir),
        "CERTSVC_BASE_URL": settings.base_url,
        "CERTSVC_SECRET_KEY": settings.secret_key,
    }.items():
        monkeypatch.setenv(name, value)


def test_a_recognised_graduate_certificate_renders_verifies_and_says_recognition(
    runtime: Runtime,
    client: FlaskClient,
    clock: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A 本科 graduate recognised 助理级: the PNG and signed PDF render and print 取得方式 认定 and the
    supervising body; the certificate verifies online (document upload, QR page, verify API,
    ``certsvc verify``) and offline (``certsvc verify --offline`` on the PDF), and the page, the API
    and the credential all say 认定."""
    from certsvc.certificates.services import document_for, render
    from certsvc.verification.services import verify_target

    clock.current = dt.datetime.now(dt.UTC)  # the offline CLI reads the real clock
    header, *rows = sample_table("sample-450305-recognition.csv")
    assert _import(runtime, [header, *rows], "sample-450305-recognition.csv").ok
    graduate = _certificates(runtime)["覃欣怡"]
    credential, payload = graduate.credentials[0], graduate.qr_payloads[0]

    png, pdf = render(runtime, graduate.number, "png"), render(runtime, graduate.number, "pdf")
    with runtime.database.read() as session:
        row = session.scalars(select(Certificate).where(Certificate.number == graduate.number)).one()
        document = document_for(runtime, row.versions[0], mask_id=True)
    assert document.acquisition == Acquisition("认定", education="本科") and document.supervisor == GUANGXI
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace(" ", "")
    assert "取得方式：认定" in text and "学历：本科" in text and f"{GUANGXI}监制" in text

    for target in (png, pdf):
        verdict = verify_target(runtime, target, channel="upload")
        assert verdict.outcome == "valid" and verdict.facts is not None
        assert verdict.facts.acquisition is not None and verdict.facts.acquisition.route == "认定"
    page = client.get(f"/v/{payload}").get_data(as_text=True)
    assert 'data-route="认定"' in page and "取得方式" in page and GUANGXI in page
    assert "本科" not in page  # the education is the holder's, not the public's
    english = client.get(f"/v/{payload}?lang=en").get_data(as_text=True)
    assert "Recognition" in english
    answer = client.post("/api/v1/verify", json={"credential": credential}).get_json()
    assert answer["outcome"] == "valid"
    assert answer["certificate"]["acquisition"] == {"route": "认定"}
    assert answer["certificate"]["supervisor"] == GUANGXI
    assert _subject(graduate)["route"] == "认定"

    _use_cli(runtime, monkeypatch)
    saved = tmp_path / "certificate.pdf"
    saved.write_bytes(pdf)
    assert main(["verify", str(saved)]) == 0
    assert "取得方式 route: 认定 (Recognition)" in capsys.readouterr().out
    offline = _offline_material(client, credential, tmp_path)
    monkeypatch.setenv("CERTSVC_DATABASE_URL", "sqlite:////nonexistent/dir/never-opened.sqlite3")
    assert main(["verify", str(saved), *offline]) == 0
    assert "取得方式 route: 认定 (Recognition)" in capsys.readouterr().out


def _loader(url: str, options: dict[str, Any]) -> dict[str, Any]:
    document = context_document(url)
    if document is None:
        raise jsonld.JsonLdError(f"unexpected context {url}", "loading document failed")
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": document,
    }


def _properties(node: Any, *, expanded: bool) -> int:
    """How many properties a JSON-LD document holds (keywords and their aliases id, type excluded)."""
    if isinstance(node, list):
        return sum(_properties(item, expanded=expanded) for item in node)
    if not isinstance(node, dict):
        return 0
    return sum(
        (0 if key.startswith("@") or (not expanded and key in ("id", "type")) else 1)
        + _properties(value, expanded=expanded)
        for key, value in node.items()
    )


ROUTE_TERMS = {
    "评审": ("route", "committee", "reviewDate"),
    "认定": ("route", "education"),
    "重新确认": ("route", "originalCertificateNumber", "originalIssuer", "originalDate", "originalRoute"),
    "考试": ("route", "examName", "examDate", "examAuthority", "examCertificateNumber"),
}


def test_every_routes_credential_expands_without_dropping_a_term(runtime: Runtime) -> None:
    """JSON-LD expansion with the VC 2.0 context and certsvc's v2 context keeps every property of a
    credential of each route: as many properties after expansion as before, and each route term
    (and the issuer's supervisor) an IRI of the certsvc vocabulary."""
    assert _import(runtime, mixed_route_table()).ok
    certificates = _certificates(runtime)
    for name, route in (("雷俊怡", "评审"), ("覃欣怡", "认定"), ("唐建国", "重新确认"), ("潘晓燕", "考试")):
        claims = decode_unverified(certificates[name].credentials[0])
        assert claims["credentialSubject"]["route"] == route
        expanded = jsonld.expand(claims, {"documentLoader": _loader})
        assert _properties(expanded, expanded=True) == _properties(claims, expanded=False), route
        text = json.dumps(expanded, ensure_ascii=False)
        terms = ROUTE_TERMS[route] + (("supervisor",) if route != "评审" else ())
        for term in terms:
            assert f"urn:certsvc:vocab#{term}" in text, (route, term)
    # The check has teeth: under the v1 context (before routes) the route terms are dropped.
    claims = decode_unverified(certificates["覃欣怡"].credentials[0])
    v1 = {**claims, "@context": [claims["@context"][0], claims["@context"][1].replace("v2", "v1")]}
    assert _properties(jsonld.expand(v1, {"documentLoader": _loader}), expanded=True) < _properties(
        v1, expanded=False
    )


def test_a_reissue_keeps_how_the_title_was_obtained(runtime: Runtime) -> None:
    """A counter reissue of a reconfirmed title signs the same route, original certificate and
    取得时间 (the original date) in the new version."""
    from certsvc.certificates.reissue import reissue

    assert _import(runtime, mixed_route_table()).ok
    number = _certificates(runtime)["唐建国"].number
    with runtime.database.write() as session:
        reissue(session, runtime, number, "damaged")
    subject = _subject(_certificates(runtime)["唐建国"])
    assert subject["version"] == 2 and subject["route"] == "重新确认"
    assert subject["obtained"] == subject["originalDate"] == "2018-12-28"
    assert subject["originalIssuer"] == "湖南省人力资源和社会保障厅"


def test_upgrading_gives_existing_certificates_their_route(runtime: Runtime) -> None:
    """Certificates issued before routes existed (schema 0007) read as reviews after the upgrade,
    obtained on their confirmation date, supervised by their province's body, and still verify."""
    from alembic import command

    from certsvc.db.migrate import alembic_config, upgrade
    from certsvc.verification.services import verify_by_number

    header, *rows = sample_table("sample-450000.csv")
    assert _import(runtime, [header, *rows[:3]], "sample-450000.csv").ok
    url = runtime.database.url
    runtime.database.dispose()
    command.downgrade(alembic_config(url), "0007_registry")
    upgrade(url)

    certificate = _certificates(runtime)[rows[0][header.index("name")]]
    assert certificate.route == "评审" and certificate.acquisition is None
    assert certificate.obtained_date == certificate.confirmation_date
    assert certificate.supervisor == GUANGXI
    verdict = verify_by_number(runtime, certificate.number, certificate.holder_name)
    assert verdict.outcome == "valid" and verdict.facts is not None
    assert verdict.facts.acquisition is not None and verdict.facts.acquisition.review_date is not None


def test_results_api_takes_every_route_and_describes_it(client: FlaskClient, runtime: Runtime) -> None:
    """A JSON body of reconfirmation and exam results keyed by Chinese headers is issued through
    ``POST /api/v1/results``; the OpenAPI document describes one result shape per route."""
    table = mixed_route_table()
    header = table[0]
    from certsvc.domain.record import FIELD_LABELS_ZH

    results = [
        {FIELD_LABELS_ZH[f]: value for f, value in zip(header, row, strict=True) if value}
        for row in table[1:]
        if row[header.index("authority_code")] == "450300"
    ]
    with runtime.database.write() as session:
        token = create_api_token(session, runtime, authority_code="450300", role="operator", label="test")
    response = client.post(
        "/api/v1/results?filename=routes.json",
        headers={"Authorization": f"Bearer {token}"},
        data=json.dumps({"results": results}, ensure_ascii=False).encode(),
        content_type="application/json",
    )
    assert response.status_code == 200, response.get_json()
    assert len(response.get_json()["issued"]) == 4

    document = client.get("/api/v1/openapi.json").get_json()
    body = document["paths"]["/api/v1/results"]["post"]["requestBody"]["content"]["application/json"]
    assert "RecognitionResult" in json.dumps(body)
    schemas = document["components"]["schemas"]
    assert {"ReviewResult", "RecognitionResult", "ReconfirmationResult", "ExamResult"} <= schemas.keys()
    assert schemas["ExamResult"]["properties"]["route"]["enum"] == ["考试", "exam"]
    assert "education" in schemas["RecognitionResult"]["required"]
    assert "route" in schemas["RefusedRow"]["properties"]["rule"]["enum"]


@pytest.fixture
def console(runtime: Runtime) -> FlaskClient:
    """The app with an operator of the 七星区 bureau signed in (CSRF checks off)."""
    from certsvc import create_app

    app: Flask = create_app(runtime=runtime)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    web = app.test_client()
    sign_in(web, staff_account(runtime, "450305", "operator"))
    return web


def test_templates_from_the_console_and_the_command_line(
    console: FlaskClient, runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import page links one template per route; each downloads as .xlsx with Chinese headers
    and an example row; ``certsvc template --route 认定 -o FILE`` writes the same workbook; an
    unknown route is a 400 page and exit code 2."""
    from certsvc.certificates.intake.templates import template_xlsx

    page = console.get("/issuer/import").get_data(as_text=True)
    for slug in ("review", "recognition", "reconfirmation", "exam"):
        assert f"/issuer/templates/{slug}.xlsx" in page
    response = console.get("/issuer/templates/recognition.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "results-template-recognition.xlsx" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    assert [cell.value for cell in sheet[1]][:2] == ["取得方式", "确认文号"]
    # The same workbook as the command line writes (the files differ only in their timestamps).
    expected = openpyxl.load_workbook(io.BytesIO(template_xlsx("认定"))).worksheets[0]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        [c.value for c in row] for row in expected.iter_rows()
    ]
    assert console.get("/issuer/templates/all.xlsx").status_code == 400
    header, *rows = sample_table("sample-450305-recognition.csv")
    assert _import(runtime, [header, *rows], "认定.csv").ok
    number = _certificates(runtime)["覃欣怡"].number
    page = console.get(f"/issuer/certificates/{number}").get_data(as_text=True)
    assert '<dd class="route">认定</dd>' in page and "学历" in page and "本科" in page and GUANGXI in page

    _use_cli(runtime, monkeypatch)
    written = tmp_path / "认定模板.xlsx"
    assert main(["template", "--route", "认定", "-o", str(written)]) == 0
    assert openpyxl.load_workbook(written).worksheets[0]["A2"].value == "认定"
    assert main(["template", "--route", "转评", "-o", str(written)]) == 2
