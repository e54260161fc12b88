"""POST /api/v1/verify and /verify/batch: verdict JSON conforming to the OpenAPI document, limits, garbage."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker
from werkzeug.test import TestResponse

from certsvc.runtime import Runtime
from tests.verification.conftest import Issued

GARBAGE_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def conforms(client: FlaskClient, response: TestResponse, path: str, method: str = "post") -> Any:
    """Validate a real response against the schema the OpenAPI document declares for it."""
    document = client.get("/api/v1/openapi.json").get_json()
    declared = document["paths"][path][method]["responses"][str(response.status_code)]
    schema = declared["content"][response.mimetype]["schema"]
    body = response.get_json()
    Draft202012Validator({**document, **schema}, format_checker=FormatChecker()).validate(body)
    return body


def test_verify_by_qr_credential_and_number_conform_to_openapi(
    verify_client: FlaskClient, issued: list[Issued]
) -> None:
    """Each request form answers a verdict that validates against the published OpenAPI schema."""
    cert = issued[0]
    for body in (
        {"qr": "HTTPS://CERTS.EXAMPLE.TEST/V/" + cert.qr_payload},
        {"credential": cert.credential},
        {"certificate_number": cert.number, "name": cert.name},
        {"qr": cert.qr_payload, "confirm": cert.id_number},
    ):
        response = verify_client.post("/api/v1/verify", json=body)
        assert response.status_code == 200
        verdict = conforms(verify_client, response, "/api/v1/verify")
        assert verdict["outcome"] == "valid"
        assert verdict["certificate"]["holder"] == "雷*怡"
        assert response.headers["Cache-Control"] == "no-store"
    assert verdict["holder_confirmed"] is True


def test_invalid_and_not_found_verdicts_conform(verify_client: FlaskClient, issued: list[Issued]) -> None:
    """Forged and not-found verdicts are 200 verdicts too (the outcome says it), and conform."""
    for body in ({"qr": "NOTAPAYLOAD"}, {"certificate_number": issued[0].number, "name": "某某某"}):
        response = verify_client.post("/api/v1/verify", json=body)
        assert response.status_code == 200
        assert conforms(verify_client, response, "/api/v1/verify")["outcome"] == "invalid"


@pytest.mark.parametrize(
    "body",
    [
        "not json at all",
        [],
        {},
        {"qr": 5},
        {"qr": ""},
        {"qr": "X", "credential": "Y"},
        {"certificate_number": "42120020263000001Z"},
        {"qr": "X", "name": "张三"},
        {"qr": "X", "extra": 1},
        {"certificate_number": "12345", "name": "张三"},
        {"qr": "X" * 20000},
    ],
)
def test_malformed_bodies_are_400_problems(verify_client: FlaskClient, body: Any) -> None:
    """A malformed body or a mistyped number is a 400 problem document, never a 5xx."""
    if isinstance(body, str):
        response = verify_client.post("/api/v1/verify", data=body, content_type="application/json")
    else:
        response = verify_client.post("/api/v1/verify", json=body)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    conforms(verify_client, response, "/api/v1/verify")


BAD_MEMBERS = [
    ({"qr": 5}, "qr"),
    ({"qr": ""}, "qr"),
    ({"qr": "X" * 20000}, "qr"),
    ({"qr": "X", "extra": 1}, "extra"),
    ({"qr": "X", "name": "张三"}, "name"),
    ({"certificate_number": "42120020263000001Z"}, "name"),
    ({"certificate_number": "42120020263000001Z", "name": ["张三"]}, "name"),
    ({"credential": "a.b.c", "confirm": 7}, "confirm"),
]


@pytest.mark.parametrize(("body", "member"), BAD_MEMBERS)
def test_a_bad_member_is_named_in_english_and_chinese(
    verify_client: FlaskClient, body: dict[str, Any], member: str
) -> None:
    """A body with one bad member is a 400 whose ``field`` names it, with an English and a Chinese
    detail that name it too and never repeat the value sent (it may be a name)."""
    response = verify_client.post("/api/v1/verify", json=body)
    problem = conforms(verify_client, response, "/api/v1/verify")
    assert response.status_code == 400 and problem["field"] == member
    assert member in problem["detail"] and member in problem["detail_zh"]
    assert any("\u4e00" <= char <= "\u9fff" for char in problem["detail_zh"])
    assert "张三" not in json.dumps(problem, ensure_ascii=False)


def test_a_batch_item_problem_names_the_member(verify_client: FlaskClient, issued: list[Issued]) -> None:
    """In a batch, a malformed item's problem names the member at fault; the other items are verified."""
    items = [{"qr": issued[0].qr_payload}, *(body for body, _ in BAD_MEMBERS)]
    response = verify_client.post("/api/v1/verify/batch", json={"items": items})
    results = conforms(verify_client, response, "/api/v1/verify/batch")["results"]
    assert results[0]["verdict"]["outcome"] == "valid"
    assert [result["error"]["field"] for result in results[1:]] == [member for _, member in BAD_MEMBERS]
    assert all(result["error"]["detail_zh"] for result in results[1:])


@pytest.mark.parametrize("body", [{}, {"qr": "X", "credential": "Y"}, ["qr"], "qr"])
def test_a_body_of_no_single_form_says_which_forms_there_are(verify_client: FlaskClient, body: Any) -> None:
    """A body that is not one of the three request forms is a 400 listing them, in both languages, with
    no ``field`` (no one member is at fault)."""
    response = verify_client.post("/api/v1/verify", json=body)
    problem = conforms(verify_client, response, "/api/v1/verify")
    assert response.status_code == 400 and "field" not in problem
    assert '"qr"' in problem["detail"] and "certificate_number" in problem["detail_zh"]


@pytest.mark.parametrize("path", ["/api/v1/verify", "/api/v1/verify/batch"])
@pytest.mark.parametrize("body", ["[" * 5000 + "]" * 5000, '{"qr": ' * 3000 + '"x"' + "}" * 3000])
def test_json_nested_too_deeply_is_a_400_problem(verify_client: FlaskClient, path: str, body: str) -> None:
    """JSON nested deeper than the parser follows is malformed like any other body: 400, not a 500."""
    response = verify_client.post(path, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_mistyped_number_says_so(verify_client: FlaskClient, issued: list[Issued]) -> None:
    """A wrong check character is refused as a typo (400, in Chinese too) instead of looked up."""
    number = issued[0].number
    typo = number[:-1] + ("0" if number[-1] != "0" else "1")
    response = verify_client.post("/api/v1/verify", json={"certificate_number": typo, "name": issued[0].name})
    assert response.status_code == 400
    assert response.get_json()["detail_zh"] == "证书编号校验位不符，请检查是否输错"


def test_batch_gives_one_result_per_item_in_order(verify_client: FlaskClient, issued: list[Issued]) -> None:
    """A batch answers verdicts and per-item problems in order, conforming to the schema."""
    items = [
        {"qr": issued[0].qr_payload},
        {"certificate_number": "12345", "name": "张三"},
        {"certificate_number": issued[1].number, "name": issued[1].name},
        {"credential": "a.b.c"},
    ]
    response = verify_client.post("/api/v1/verify/batch", json={"items": items})
    assert response.status_code == 200
    results = conforms(verify_client, response, "/api/v1/verify/batch")["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3]
    assert results[0]["verdict"]["outcome"] == "valid"
    assert results[1]["error"]["status"] == 400
    assert results[2]["verdict"]["outcome"] == "valid"
    assert results[3]["verdict"]["outcome"] == "invalid"


@pytest.mark.parametrize("body", [{}, {"items": []}, {"items": "x"}, {"items": [{"qr": "x"}] * 101}])
def test_malformed_batches_are_400(verify_client: FlaskClient, body: Any) -> None:
    """An empty, oversized or mistyped batch is a 400 problem."""
    response = verify_client.post("/api/v1/verify/batch", json=body)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_no_full_name_or_id_number_in_api_output(verify_client: FlaskClient, issued: list[Issued]) -> None:
    """Whatever the form, the API answer never contains the holder's full name or ID number."""
    cert = issued[3]
    for body in (
        {"qr": cert.qr_payload},
        {"credential": cert.credential},
        {"certificate_number": cert.number, "name": cert.name},
        {"qr": cert.qr_payload, "confirm": cert.name},
    ):
        text = verify_client.post("/api/v1/verify", json=body).get_data(as_text=True)
        decoded = json.dumps(json.loads(text), ensure_ascii=False)
        assert cert.name not in decoded and cert.id_number not in decoded


def test_burst_gets_429_with_retry_after(verify_app: Flask, issued: list[Issued]) -> None:
    """Past the per-client limit the API answers 429 problem JSON with a Retry-After header."""
    verify_app.config["CERTSVC_VERIFY_RATE"] = "3/minute"
    client = verify_app.test_client()
    statuses = [
        client.post("/api/v1/verify", json={"qr": issued[0].qr_payload}).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    limited = client.post("/api/v1/verify", json={"qr": issued[0].qr_payload})
    assert limited.mimetype == "application/problem+json"
    assert int(limited.headers["Retry-After"]) > 0
    other_client = verify_app.test_client()
    other = other_client.post(
        "/api/v1/verify", json={"qr": issued[0].qr_payload}, environ_base={"REMOTE_ADDR": "192.0.2.9"}
    )
    assert other.status_code == 200


def test_by_number_has_a_stricter_shared_budget(verify_app: Flask, issued: list[Issued]) -> None:
    """Name-testing requests (by number, confirm) share a stricter budget; QR checks do not; batch
    items draw on the bulk name budget (tests/verification/test_ratelimits.py)."""
    verify_app.config.update(CERTSVC_VERIFY_NUMBER_RATE="3/minute", CERTSVC_BULK_NAME_RATE="1/minute")
    client = verify_app.test_client()
    by_number = {"certificate_number": issued[0].number, "name": issued[0].name}
    assert client.post("/api/v1/verify", json=by_number).status_code == 200
    assert (
        client.post("/api/v1/verify", json={"qr": issued[0].qr_payload, "confirm": "张三"}).status_code == 200
    )
    # Two name tests in one batch cost two lines of the bulk name budget: more than its one.
    batch = client.post("/api/v1/verify/batch", json={"items": [by_number, by_number]})
    assert batch.status_code == 429
    assert client.post("/api/v1/verify", json=by_number).status_code == 200
    assert client.post("/api/v1/verify", json=by_number).status_code == 429
    assert client.post("/api/v1/verify", json={"qr": issued[0].qr_payload}).status_code == 200


@given(text=st.text(max_size=300))
@GARBAGE_SETTINGS
def test_random_api_input_is_never_a_server_error(verify_client: FlaskClient, text: str) -> None:
    """Random strings as QR, credential or number+name get a verdict or a 4xx, never a 5xx."""
    for body in ({"qr": text}, {"credential": text}, {"certificate_number": text, "name": text}):
        response = verify_client.post("/api/v1/verify", json=body)
        assert response.status_code < 500, (body, response.get_data(as_text=True))


@given(text=st.text(min_size=1, max_size=300))
@GARBAGE_SETTINGS
def test_random_scan_urls_are_never_a_server_error(verify_client: FlaskClient, text: str) -> None:
    """Random /v/ and /V/ paths render a page (invalid) or a 4xx, never a 5xx."""
    for prefix in ("/v/", "/V/"):
        response = verify_client.get(prefix + quote(text, safe=""))
        assert response.status_code < 500, text


def test_certificate_files_can_be_posted_to_the_api(
    runtime: Runtime, verify_client: FlaskClient, issued: list[Issued]
) -> None:
    """A certificate PDF or PNG posted as multipart "file" is read server-side and verified."""
    import io

    from certsvc.certificates.services import render

    for fmt in ("pdf", "png"):
        document = render(runtime, issued[2].number, fmt)
        response = verify_client.post(
            "/api/v1/verify",
            data={"file": (io.BytesIO(document), f"certificate.{fmt}")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 200, fmt
        verdict = conforms(verify_client, response, "/api/v1/verify")
        assert verdict["outcome"] == "valid" and verdict["certificate"]["number"] == issued[2].number
    empty = verify_client.post("/api/v1/verify", data={}, content_type="multipart/form-data")
    assert empty.status_code == 400


def test_name_budget_is_shared_with_the_page_form(app: Flask, issued: list[Issued]) -> None:
    """The by-number page form and the API draw on one stricter budget per client, not one each."""
    app.config.update(
        CERTSVC_VERIFY_RATE="100000/minute", CERTSVC_VERIFY_NUMBER_RATE="2/minute", WTF_CSRF_ENABLED=False
    )
    client = app.test_client()
    by_number = {"certificate_number": issued[0].number, "name": issued[0].name}
    form = {"number": issued[0].number, "name": issued[0].name}
    assert client.post("/verify", data=form).status_code == 200
    assert client.post("/api/v1/verify", json=by_number).status_code == 200
    assert client.post("/verify", data=form).status_code == 429
    assert client.post("/api/v1/verify", json=by_number).status_code == 429


def test_answers_carry_rate_limit_headers(verify_app: Flask, issued: list[Issued]) -> None:
    """Every verify answer tells the client its per-client budget: limit, remaining, reset."""
    verify_app.config["CERTSVC_VERIFY_RATE"] = "5/minute"
    client = verify_app.test_client()
    first = client.post("/api/v1/verify", json={"qr": issued[0].qr_payload})
    second = client.post("/api/v1/verify", json={"qr": issued[0].qr_payload})
    assert first.headers["X-RateLimit-Limit"] == "5"
    assert (first.headers["X-RateLimit-Remaining"], second.headers["X-RateLimit-Remaining"]) == ("4", "3")
    assert int(second.headers["X-RateLimit-Reset"]) > 0 and int(second.headers["Retry-After"]) >= 0


def test_verify_and_batch_have_separate_per_client_budgets(verify_app: Flask, issued: list[Issued]) -> None:
    """Single and batch verification are counted per route, as every other limited route is."""
    verify_app.config["CERTSVC_VERIFY_RATE"] = "1/minute"
    client = verify_app.test_client()
    assert client.post("/api/v1/verify", json={"qr": issued[0].qr_payload}).status_code == 200
    batch = client.post("/api/v1/verify/batch", json={"items": [{"qr": issued[0].qr_payload}]})
    assert batch.status_code == 200
    assert client.post("/api/v1/verify", json={"qr": issued[0].qr_payload}).status_code == 429
