"""Issue 16, finding 3: one check of incoming text, a 400 naming the field, and bounded JSON."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from flask.testing import FlaskClient

from certsvc.runtime import Runtime
from certsvc.signing import verifier
from certsvc.signing.jwks import KeySet
from tests.accounts.fixtures import PROVINCE, issued, people, portal_app, web  # noqa: F401
from tests.security import hostile


@pytest.mark.parametrize(
    ("text", "complaint"), [("张\x00三", "NUL"), ("张\ud800三", "surrogate"), ("张\x1b三", "control")]
)
def test_forbidden_characters_in_json_get_a_400_naming_the_field(
    issued: Runtime,  # noqa: F811
    web: FlaskClient,  # noqa: F811
    text: str,
    complaint: str,
) -> None:
    """A NUL, an unpaired surrogate or a control character in a JSON member gets a 400 problem
    that names the member, in English and Chinese (before: a 500 on PostgreSQL for NUL, and when
    encoding the surrogate)."""
    person = people(issued, PROVINCE, 1)[0]
    body = json.dumps({"certificate_number": person.number, "name": text})  # \ud800 as an escape
    response = web.post("/api/v1/verify", data=body, content_type="application/json")
    assert response.status_code == 400
    problem = response.json
    assert problem["field"] == "name" and complaint in problem["detail"] and problem["detail_zh"]


def test_forbidden_characters_in_a_form_field_get_a_400_naming_it(
    issued: Runtime,  # noqa: F811
    web: FlaskClient,  # noqa: F811
) -> None:
    """The same check covers forms and query strings: a NUL typed into the public verify form
    or into a query parameter is refused naming the field, and changes nothing."""
    person = people(issued, PROVINCE, 1)[0]
    response = web.post("/verify", data={"certificate_number": person.number, "name": "张\x00三"})
    assert response.status_code == 400 and "name" in response.get_data(as_text=True)
    assert web.get("/?lang=%00").status_code == 400


def test_deeply_nested_json_is_a_400_not_a_500(issued: Runtime, web: FlaskClient) -> None:  # noqa: F811
    """Bodies nested 100,000 deep, or 33 deep, are malformed requests (400) on every JSON route."""
    for body in (hostile.deep_json(), hostile.deep_object(), "[" * 33 + "]" * 33):
        for path in ("/api/v1/verify", "/api/v1/verify/batch"):
            response = web.post(path, data=body, content_type="application/json")
            assert response.status_code == 400, (path, response.status_code)


def test_a_jws_with_deeply_nested_header_or_claims_fails_as_parse() -> None:
    """The pure verifier never raises on bad input: JSON nested 20,000 deep inside the header or
    the claims of a compact JWS is a "parse" failure (before: RecursionError, a 500)."""
    now = dt.datetime(2026, 11, 21, tzinfo=dt.UTC)
    for token in (
        hostile.deep_jws(),
        hostile.jws_with('{"alg":"EdDSA","typ":"vc+jwt","kid":"k"}', hostile.deep_object(20_000)),
        hostile.surrogate_jws(),
    ):
        verdict = verifier.verify(token, KeySet([]), now)
        assert (verdict.outcome, verdict.step) == ("invalid", "parse")


@pytest.mark.parametrize("disposition", ['form-data; name="a\rb"', "form-data", 'form-data; name=""'])
def test_a_multipart_part_without_a_readable_name_is_not_a_500(
    issued: Runtime,  # noqa: F811
    web: FlaskClient,  # noqa: F811
    disposition: str,
) -> None:
    """A multipart part whose name is missing or cut by a stray carriage return (the parser then
    reports no name at all) is an ordinary bad request or ignored field, never a 500 (before: the
    text check met a missing name and raised TypeError; found by the schemathesis fuzzer)."""
    boundary = "certsvcboundary"
    body = (
        f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n{{}}\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="certificate_number"\r\n\r\nX\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    for path in ("/verify", "/api/v1/results", "/verify/photo"):
        response = web.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")
        assert response.status_code < 500, (path, disposition, response.status_code)
