"""The issuer JSON API: ``/api/v1/certificates/<number>[/reissue|revoke|suspend|reinstate]`` and
``/api/v1/reissue-requests[/<id>[/approve|reject]]`` with an issuing body's API token.

Every response in these tests is checked against the OpenAPI document the service publishes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import select
from werkzeug.test import TestResponse

from certsvc.accounts.services import create_api_token
from certsvc.certificates.models import ReissueRequest
from certsvc.certificates.reissue import submit_request
from certsvc.certificates.revocation import change_status
from certsvc.domain.checkdigits import mod37_36_check_char
from certsvc.ledger.services import audit
from certsvc.runtime import Runtime
from tests.accounts.fixtures import COUNTY, PROVINCE, Person, holder_account, people
from tests.workflows.support import certificate_state, ledger_entries, ledger_size, versions

ROLES = ("operator", "reviewer", "auditor")
DOC = "鄂人社〔2026〕7号"
UNLIMITED = {
    "CERTSVC_ISSUER_API_RATE": "100000/minute",
    "CERTSVC_VERIFY_RATE": "100000/minute",
    "CERTSVC_VERIFY_NUMBER_RATE": "100000/minute",
}


# --- the client ------------------------------------------------------------------------------------
def _template(document: dict[str, Any], path: str) -> str:
    for template in document["paths"]:
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path):
            return str(template)
    raise AssertionError(f"{path} is not in the OpenAPI document")


def conforms(document: dict[str, Any], method: str, path: str, response: TestResponse) -> None:
    """The status is documented for the operation, and the body validates against its schema."""
    operation = document["paths"][_template(document, path.split("?", maxsplit=1)[0])][method.lower()]
    declared = operation["responses"].get(str(response.status_code))
    assert declared is not None, f"{method} {path}: {response.status_code} is not documented"
    content = declared["content"]
    assert response.mimetype in content, f"{method} {path}: {response.mimetype} not documented"
    schema = content[response.mimetype]["schema"]
    Draft202012Validator({**document, **schema}, format_checker=FormatChecker()).validate(response.get_json())


@dataclass
class Api:
    """A test client that sends a token of (authority, role) and checks every answer."""

    runtime: Runtime
    client: FlaskClient
    document: dict[str, Any]
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)

    def token(self, authority: str, role: str) -> str:
        if (authority, role) not in self.tokens:
            with self.runtime.database.write() as session:
                self.tokens[authority, role] = create_api_token(
                    session, self.runtime, authority_code=authority, role=role, label="test"
                )
        return self.tokens[authority, role]

    def call(
        self,
        method: str,
        path: str,
        role: str | None = "reviewer",
        authority: str = COUNTY,
        **kwargs: Any,
    ) -> TestResponse:
        headers = {"Authorization": f"Bearer {self.token(authority, role)}"} if role else {}
        response = self.client.open(path, method=method, headers=headers, **kwargs)
        assert response.status_code < 500, response.get_data(as_text=True)[:500]
        conforms(self.document, method, path, response)
        return response


@pytest.fixture
def api(issued: Runtime) -> Api:
    from certsvc import create_app

    app = create_app(runtime=issued)
    app.config.update(TESTING=True, **UNLIMITED)
    client = app.test_client()
    return Api(issued, client, client.get("/api/v1/openapi.json").get_json())


def _request(runtime: Runtime, person: Person, reason: str = "lost", **kwargs: Any) -> int:
    with runtime.database.write() as session:
        return submit_request(
            session, runtime, holder_id=person.holder_id, number=person.number, reason=reason, **kwargs
        ).id


def _suspend(runtime: Runtime, number: str) -> None:
    with runtime.database.write() as session:
        change_status(session, runtime, number, "suspend", "investigation", DOC)


def _request_status(runtime: Runtime, request_id: int) -> str:
    with runtime.database.read() as session:
        row = session.get(ReissueRequest, request_id)
        assert row is not None
        return row.status


def _unknown_number(number: str) -> str:
    """A well-formed number (right check character) that nobody issued."""
    body = number[:11] + "ZZZZZZ"
    return body + mod37_36_check_char(body)


def _outcome(api: Api, verification_url: str) -> str:
    """What a verifier scanning that QR is told, through the public verify API."""
    response = api.client.post("/api/v1/verify", json={"qr": verification_url})
    assert response.status_code == 200
    return str(response.get_json()["outcome"])


# --- who may do what --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # "{number}" or "{request}" stands for the target
    roles: tuple[str, ...]
    body: dict[str, Any] | None = None
    prepare: Callable[[Runtime, Person], None] | None = None


ENDPOINTS = {
    "certificate": Endpoint("GET", "/api/v1/certificates/{number}", ROLES),
    "reissue": Endpoint(
        "POST", "/api/v1/certificates/{number}/reissue", ("operator",), {"reason": "damaged"}
    ),
    "revoke": Endpoint(
        "POST",
        "/api/v1/certificates/{number}/revoke",
        ("reviewer",),
        {"reason": "fraud", "document_number": DOC},
    ),
    "suspend": Endpoint(
        "POST",
        "/api/v1/certificates/{number}/suspend",
        ("reviewer",),
        {"reason": "investigation", "document_number": DOC, "effective": "2026-11-20"},
    ),
    "reinstate": Endpoint(
        "POST",
        "/api/v1/certificates/{number}/reinstate",
        ("reviewer",),
        {"reason": "cleared", "document_number": DOC},
        prepare=lambda runtime, person: _suspend(runtime, person.number),
    ),
    "request": Endpoint("GET", "/api/v1/reissue-requests/{request}", ROLES),
    "approve": Endpoint("POST", "/api/v1/reissue-requests/{request}/approve", ("reviewer",), {}),
    "reject": Endpoint(
        "POST", "/api/v1/reissue-requests/{request}/reject", ("reviewer",), {"reason": "请补充报失证明"}
    ),
}


def _state(runtime: Runtime, person: Person, request_id: int) -> tuple[object, ...]:
    return (
        certificate_state(runtime, person.number),
        versions(runtime, person.number),
        _request_status(runtime, request_id),
        ledger_size(runtime),
    )


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_each_role_gets_its_due_on_own_and_other_authoritys_resources(api: Api, name: str) -> None:
    """Tokens of every role and of both authorities, on a county and a province resource: a role the
    endpoint does not allow gets 403; another authority's resource 404, exactly like a missing one;
    the allowed role on its own resource 200. Refused attempts change nothing."""
    endpoint = ENDPOINTS[name]
    targets: dict[str, tuple[Person, int]] = {}
    for authority in (COUNTY, PROVINCE):
        person = people(api.runtime, authority, 1)[0]
        request_id = _request(api.runtime, person)
        if endpoint.prepare:
            endpoint.prepare(api.runtime, person)
        targets[authority] = (person, request_id)
    for token_authority in (COUNTY, PROVINCE):
        for role in ROLES:
            for target_authority, (person, request_id) in targets.items():
                path = endpoint.path.format(number=person.number, request=request_id)
                before = _state(api.runtime, person, request_id)
                response = api.call(endpoint.method, path, role, token_authority, json=endpoint.body)
                if role not in endpoint.roles:
                    want = 403
                elif token_authority != target_authority:
                    want = 404
                else:
                    want = 200
                assert response.status_code == want, (role, token_authority, target_authority, response.json)
                assert response.mimetype == (
                    "application/json" if want == 200 else "application/problem+json"
                )
                if want != 200:
                    assert _state(api.runtime, person, request_id) == before


def test_another_authoritys_resource_answers_exactly_like_a_missing_one(api: Api) -> None:
    """On every endpoint, the 404 for a province certificate or request asked for with a county token
    carries the same problem as one for a number or id that does not exist: guessing reveals nothing."""
    province = people(api.runtime, PROVINCE, 1)[0]
    theirs = {"number": province.number, "request": _request(api.runtime, province)}
    missing = {"number": _unknown_number(province.number), "request": 999_999}
    for name, endpoint in ENDPOINTS.items():
        answers = []
        for target in (theirs, missing):
            path = endpoint.path.format(**target)
            body = api.call(endpoint.method, path, endpoint.roles[0], COUNTY, json=endpoint.body).get_json()
            named = re.compile(rf"\b({re.escape(str(target['number']))}|{target['request']})\b")
            # The answer may repeat the number or id asked for; everything else must be the same.
            answers.append(
                {key: named.sub("<asked>", str(value)) for key, value in body.items() if key != "instance"}
            )
        assert answers[0] == answers[1], name
        assert answers[0]["status"] == "404", name


GUESSES = (
    "/api/v1/certificates/NOT-A-NUMBER",
    "/api/v1/certificates/" + "0" * 300 + "/revoke",
    "/api/v1/certificates/50000020241000001Z/suspend",
    "/api/v1/reissue-requests/0/approve",
    "/api/v1/reissue-requests/2147483648/reject",
    "/api/v1/reissue-requests/" + "9" * 30,
    "/api/v1/reissue-requests/-1",
)


def test_guessed_numbers_and_ids_are_404_problems(api: Api) -> None:
    """Malformed, absurd or unused numbers and ids answer a 404 problem to the allowed role, never a 5xx."""
    for path in GUESSES:
        method = "GET" if path.count("/") == 4 else "POST"
        body = {"reason": "x"} if path.endswith("reject") else None
        body = {"reason": "investigation", "document_number": DOC} if path.endswith("suspend") else body
        response = api.call(method, path, "reviewer", json=body)
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json", path


def test_without_a_valid_token_nothing_is_read_or_changed(api: Api) -> None:
    """No token, an unknown one or another scheme: 401 problem on every endpoint, nothing changes."""
    person = people(api.runtime, COUNTY, 1)[0]
    request_id = _request(api.runtime, person)
    before = _state(api.runtime, person, request_id)
    for headers in (
        {},
        {"Authorization": "Bearer cst_not-a-token"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer"},
    ):
        for endpoint in ENDPOINTS.values():
            path = endpoint.path.format(number=person.number, request=request_id)
            response = api.client.open(path, method=endpoint.method, headers=headers, json=endpoint.body)
            conforms(api.document, endpoint.method, path, response)
            assert response.status_code == 401, (headers, path)
    assert _state(api.runtime, person, request_id) == before


def test_a_revoked_token_is_refused(api: Api) -> None:
    """Revoking a token takes effect at once: its next request is a 401."""
    from certsvc.accounts.models import ApiToken
    from certsvc.accounts.services import revoke_api_token

    person = people(api.runtime, COUNTY, 1)[0]
    path = f"/api/v1/certificates/{person.number}"
    assert api.call("GET", path, "auditor").status_code == 200
    with api.runtime.database.write() as session:
        token_id = session.scalars(select(ApiToken.id)).one()
        revoke_api_token(session, api.runtime, token_id)
    assert api.call("GET", path, "auditor").status_code == 401


# --- reading -----------------------------------------------------------------------------------------
def test_certificate_view_shows_status_and_versions_without_personal_data(api: Api) -> None:
    """An auditor reads a certificate: number, status, current version, every version with the URL its
    QR code holds; the holder's name masked and the ID number absent."""
    person = people(api.runtime, COUNTY, 1)[0]
    response = api.call("GET", f"/api/v1/certificates/{person.number}", "auditor")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    view = response.get_json()
    assert (view["certificate_number"], view["authority_code"]) == (person.number, COUNTY)
    assert (view["status"], view["current_version"]) == ("valid", 1)
    [version] = view["versions"]
    assert version["status"] == "valid" and version["verification_url"].endswith(
        versions(api.runtime, person.number)[0][2]
    )
    text = response.get_data(as_text=True)
    assert person.name not in text and person.id_number not in text
    assert view["holder"][0] == person.name[0] and "*" in view["holder"]


def test_lowercase_or_spaced_numbers_name_the_same_certificate(api: Api) -> None:
    """A number typed in lower case is the same certificate (the console and CLI accept it too)."""
    person = people(api.runtime, COUNTY, 1)[0]
    response = api.call("GET", f"/api/v1/certificates/{person.number.lower()}", "operator")
    assert response.status_code == 200
    assert response.get_json()["certificate_number"] == person.number


def test_queue_lists_the_tokens_authority_only_and_filters_by_status(api: Api) -> None:
    """Every role sees its own authority's requests, oldest first, and none of another authority's;
    ?status= picks pending (default), approved, rejected or all; anything else is a 400 naming it."""
    county = people(api.runtime, COUNTY, 3)
    province = people(api.runtime, PROVINCE, 1)[0]
    ids = [_request(api.runtime, person) for person in county]
    theirs = _request(api.runtime, province)
    api.call("POST", f"/api/v1/reissue-requests/{ids[0]}/reject", json={"reason": "材料不全"})
    for role in ROLES:
        listed = api.call("GET", "/api/v1/reissue-requests", role).get_json()
        assert [r["id"] for r in listed["requests"]] == ids[1:]
        assert {r["certificate_number"] for r in listed["requests"]} == {p.number for p in county[1:]}
        assert listed["flag_after_working_days"] == api.runtime.settings.reissue_flag_working_days
    everything = api.call("GET", "/api/v1/reissue-requests?status=all", "auditor").get_json()["requests"]
    assert [r["id"] for r in everything] == ids and theirs not in [r["id"] for r in everything]
    rejected = api.call("GET", "/api/v1/reissue-requests?status=rejected", "auditor").get_json()["requests"]
    assert [(r["id"], r["decision_reason"]) for r in rejected] == [(ids[0], "材料不全")]
    province_view = api.call("GET", "/api/v1/reissue-requests", "auditor", PROVINCE).get_json()["requests"]
    assert [r["id"] for r in province_view] == [theirs]
    response = api.call("GET", "/api/v1/reissue-requests?status=everything", "auditor")
    assert response.status_code == 400 and response.get_json()["field"] == "status"


def test_request_view_carries_the_correction_and_evidence_facts(api: Api) -> None:
    """A correction request shows the field, the corrected value, the holder's note and the evidence
    type and size (the file itself stays in the console)."""
    from certsvc.certificates.reissue import Evidence

    person = people(api.runtime, COUNTY, 1)[0]
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    request_id = _request(
        api.runtime,
        person,
        "correction",
        corrected_field="employer",
        corrected_value="示例市第一人民医院",
        note="单位更名",
        evidence=Evidence("change.png", png),
    )
    view = api.call("GET", f"/api/v1/reissue-requests/{request_id}", "auditor").get_json()
    assert (view["reason"], view["corrected_field"], view["corrected_value"]) == (
        "correction",
        "employer",
        "示例市第一人民医院",
    )
    assert view["holder_note"] == "单位更名" and view["evidence"] == {
        "media_type": "image/png",
        "size": len(png),
    }
    assert (view["status"], view["age_working_days"], view["flagged"]) == ("pending", 0, False)


# --- the workflows and their traces ------------------------------------------------------------------
def test_reissue_supersedes_the_old_qr_and_logs_it(api: Api) -> None:
    """An operator's reissue makes version 2 current: the old QR now verifies as superseded, the new one
    as valid, the ledger has the reissue entry, and the ledger audit still passes."""
    person = people(api.runtime, COUNTY, 1)[0]
    start = ledger_size(api.runtime)
    old_url = api.call("GET", f"/api/v1/certificates/{person.number}", "operator").get_json()["versions"][0][
        "verification_url"
    ]
    response = api.call(
        "POST", f"/api/v1/certificates/{person.number}/reissue", "operator", json={"reason": "lost"}
    )
    assert response.status_code == 200
    view = response.get_json()
    assert (view["status"], view["current_version"]) == ("valid", 2)
    assert [(v["version"], v["status"]) for v in view["versions"]] == [(1, "superseded"), (2, "valid")]
    assert view["versions"][1]["reissue_reason"] == "lost"
    assert _outcome(api, old_url) == "superseded"
    assert _outcome(api, view["versions"][1]["verification_url"]) == "valid"
    [entry] = ledger_entries(api.runtime, start)
    assert (entry["type"], entry["certificate_number"], entry["version"]) == ("reissue", person.number, 2)
    assert view["versions"][1]["ledger_index"] == start
    assert audit(api.runtime, None).ok


def test_correction_reissue_changes_the_printed_name(api: Api) -> None:
    """A correction of the name reissues with the corrected name (shown masked)."""
    person = people(api.runtime, COUNTY, 1)[0]
    response = api.call(
        "POST",
        f"/api/v1/certificates/{person.number}/reissue",
        "operator",
        json={"reason": "correction", "corrected_field": "name", "corrected_value": "欧阳明华"},
    )
    assert response.status_code == 200
    assert response.get_json()["holder"] == "欧**华"


def test_suspend_reinstate_revoke_show_to_verifiers_and_in_the_ledger(api: Api) -> None:
    """A reviewer suspends, reinstates and revokes: each answer shows the new status, the public verify
    API agrees at once, each step appends one ledger entry with reason and document number, and the
    ledger audit passes."""
    person = people(api.runtime, COUNTY, 1)[0]
    base = f"/api/v1/certificates/{person.number}"
    url = api.call("GET", base).get_json()["versions"][0]["verification_url"]
    start = ledger_size(api.runtime)
    steps = (
        ("suspend", {"reason": "complaint", "document_number": DOC}, "suspended"),
        ("reinstate", {"reason": "mistaken", "document_number": DOC}, "valid"),
        (
            "revoke",
            {"reason": "fraud", "document_number": "鄂人社〔2026〕8号", "effective": "2026-11-02"},
            "revoked",
        ),
    )
    for action, body, status in steps:
        response = api.call("POST", f"{base}/{action}", json=body)
        assert response.status_code == 200, response.json
        view = response.get_json()
        assert view["status"] == status and view["versions"][0]["status"] == status
        assert view["versions"][0]["status_reason"] == body["reason"]
        assert _outcome(api, url) == status
    assert view["versions"][0]["status_document_number"] == "鄂人社〔2026〕8号"
    assert view["versions"][0]["status_effective"] == "2026-11-02"
    entries = ledger_entries(api.runtime, start)
    # The fraud revocation also opens an integrity record (rule 10), with no reason in its entry.
    assert [(e["type"], e.get("reason")) for e in entries] == [
        ("suspend", "complaint"),
        ("reinstate", "mistaken"),
        ("revoke", "fraud"),
        ("integrity-open", None),
    ]
    assert entries[2]["doc_no"] == "鄂人社〔2026〕8号" and entries[2]["effective"] == "2026-11-02"
    assert audit(api.runtime, None).ok


CONFLICTS: tuple[tuple[list[str], str, dict[str, Any]], ...] = (
    ([], "reinstate", {"reason": "cleared", "document_number": DOC}),
    (["revoke"], "revoke", {"reason": "error", "document_number": DOC}),
    (["revoke"], "suspend", {"reason": "investigation", "document_number": DOC}),
    (["revoke"], "reinstate", {"reason": "cleared", "document_number": DOC}),
    (["suspend"], "suspend", {"reason": "investigation", "document_number": DOC}),
    (["suspend"], "reissue", {"reason": "lost"}),
    (["revoke"], "reissue", {"reason": "damaged"}),
    (["reissue"], "suspend", {"reason": "investigation", "document_number": DOC, "version": 1}),
)
EARLIER = {
    "revoke": ("reviewer", {"reason": "fraud", "document_number": DOC}),
    "suspend": ("reviewer", {"reason": "investigation", "document_number": DOC}),
    "reissue": ("operator", {"reason": "lost"}),
}


def test_workflow_conflicts_are_409_and_write_nothing(api: Api) -> None:
    """A transition the rules do not allow (reinstate a valid certificate, revoke twice, reissue a
    suspended or revoked one, act on a superseded version) is a 409 problem and writes nothing."""
    for person, (setup, action, body) in zip(
        people(api.runtime, COUNTY, len(CONFLICTS)), CONFLICTS, strict=True
    ):
        base = f"/api/v1/certificates/{person.number}"
        for step in setup:
            role, step_body = EARLIER[step]
            assert api.call("POST", f"{base}/{step}", role, json=step_body).status_code == 200
        before = (certificate_state(api.runtime, person.number), ledger_size(api.runtime))
        role = "operator" if action == "reissue" else "reviewer"
        response = api.call("POST", f"{base}/{action}", role, json=body)
        assert response.status_code == 409, (setup, action, response.json)
        assert response.get_json()["type"].endswith("/workflow")
        assert (certificate_state(api.runtime, person.number), ledger_size(api.runtime)) == before


def test_approve_and_reject_requests(api: Api) -> None:
    """A reviewer approves one request (version 2, superseding the version the holder asked to replace,
    the old QR superseded, the holder notified) and rejects another with a reason; deciding either
    again is a 409; both decisions are in the ledger, which still audits clean."""
    from certsvc.accounts.models import OutboxMessage

    alice, bob = people(api.runtime, COUNTY, 2)
    holder_account(api.runtime, alice)
    first, second = _request(api.runtime, alice), _request(api.runtime, bob)
    old_url = api.call("GET", f"/api/v1/certificates/{alice.number}").get_json()["versions"][0][
        "verification_url"
    ]
    start = ledger_size(api.runtime)

    approved = api.call("POST", f"/api/v1/reissue-requests/{first}/approve")
    assert approved.status_code == 200
    view = approved.get_json()
    assert (view["status"], view["new_version"], view["version"]) == ("approved", 2, 1)
    assert view["decided_by"].startswith("api-token:")
    assert certificate_state(api.runtime, alice.number) == ("valid", 2)
    assert _outcome(api, old_url) == "superseded"

    rejected = api.call(
        "POST", f"/api/v1/reissue-requests/{second}/reject", json={"reason": "  请先登报声明  "}
    )
    assert rejected.status_code == 200
    assert (rejected.get_json()["status"], rejected.get_json()["decision_reason"]) == (
        "rejected",
        "请先登报声明",
    )
    assert certificate_state(api.runtime, bob.number) == ("valid", 1)

    for path, body in ((f"{first}/reject", {"reason": "x"}), (f"{second}/approve", None)):
        again = api.call("POST", f"/api/v1/reissue-requests/{path}", json=body)
        assert again.status_code == 409
    entries = ledger_entries(api.runtime, start)
    assert [(e["type"], e.get("request")) for e in entries] == [
        ("reissue", first),
        ("reissue-reject", second),
    ]
    with api.runtime.database.read() as session:
        subjects = session.scalars(select(OutboxMessage.subject)).all()
    assert any("Reissue approved" in subject for subject in subjects)
    assert audit(api.runtime, None).ok


def test_a_stale_request_cannot_be_approved(api: Api) -> None:
    """If the certificate was reissued at the counter after the request, approving it is a 409."""
    person = people(api.runtime, COUNTY, 1)[0]
    request_id = _request(api.runtime, person)
    api.call("POST", f"/api/v1/certificates/{person.number}/reissue", "operator", json={"reason": "damaged"})
    response = api.call("POST", f"/api/v1/reissue-requests/{request_id}/approve", json={})
    assert response.status_code == 409
    assert certificate_state(api.runtime, person.number) == ("valid", 2)


# --- bad bodies ----------------------------------------------------------------------------------------
REVOKE_OK = {"reason": "fraud", "document_number": DOC}


BAD_MEMBERS: tuple[tuple[str, dict[str, Any], str], ...] = (
    ("revoke", {"document_number": DOC}, "reason"),
    ("revoke", {**REVOKE_OK, "reason": "investigation"}, "reason"),  # a suspension reason
    ("revoke", {**REVOKE_OK, "reason": 3}, "reason"),
    ("revoke", {"reason": "fraud"}, "document_number"),
    ("revoke", {**REVOKE_OK, "document_number": ["x"]}, "document_number"),
    ("revoke", {**REVOKE_OK, "effective": "2026-13-01"}, "effective"),
    ("revoke", {**REVOKE_OK, "effective": "20261101"}, "effective"),
    ("revoke", {**REVOKE_OK, "effective": 20261101}, "effective"),
    ("revoke", {**REVOKE_OK, "version": 0}, "version"),
    ("revoke", {**REVOKE_OK, "version": True}, "version"),
    ("revoke", {**REVOKE_OK, "version": "1"}, "version"),
    ("revoke", {**REVOKE_OK, "doc_no": DOC}, "doc_no"),
    ("suspend", {"reason": "fraud", "document_number": DOC}, "reason"),
    ("reinstate", {"reason": "fraud", "document_number": DOC}, "reason"),
    ("reissue", {}, "reason"),
    ("reissue", {"reason": "stolen"}, "reason"),
    ("reissue", {"reason": "correction"}, "corrected_field"),
    ("reissue", {"reason": "correction", "corrected_field": "name"}, "corrected_value"),
    (
        "reissue",
        {"reason": "correction", "corrected_field": "name", "corrected_value": "x1"},
        "corrected_value",
    ),
    (
        "reissue",
        {"reason": "correction", "corrected_field": "title", "corrected_value": "教授"},
        "corrected_field",
    ),
    (
        "reissue",
        {"reason": "correction", "corrected_field": "employer", "corrected_value": "=HYPERLINK()"},
        "corrected_value",
    ),
    (
        "reissue",
        {"reason": "lost", "corrected_field": "name", "corrected_value": "张三"},
        "corrected_field",
    ),
    ("reissue", {"reason": "lost", "corrected_value": "张三"}, "corrected_value"),
)


def test_bad_members_are_400_problems_naming_the_member(api: Api) -> None:
    """A missing, mistyped or out-of-range member is a 400 problem whose ``field`` names it; nothing
    is written."""
    person = people(api.runtime, COUNTY, 1)[0]
    before = (certificate_state(api.runtime, person.number), ledger_size(api.runtime))
    for action, body, field_name in BAD_MEMBERS:
        role = "operator" if action == "reissue" else "reviewer"
        response = api.call("POST", f"/api/v1/certificates/{person.number}/{action}", role, json=body)
        assert response.status_code == 400, (action, body, response.json)
        problem = response.get_json()
        assert problem["field"] == field_name and problem["detail"], (action, body, problem)
    assert (certificate_state(api.runtime, person.number), ledger_size(api.runtime)) == before


SERVICE_REFUSALS = (
    ({**REVOKE_OK, "document_number": "   "}, "document number"),
    ({**REVOKE_OK, "document_number": "=cmd|x"}, "document number"),
    ({**REVOKE_OK, "document_number": "文" * 101}, "document number"),
    ({**REVOKE_OK, "effective": "2026-12-31"}, "effective date"),
)


def test_service_rules_on_the_document_number_and_date_are_400s_saying_which(api: Api) -> None:
    """The revocation service's own checks (document number form, no future effective date) come back
    as 400 problems that say what is wrong."""
    person = people(api.runtime, COUNTY, 1)[0]
    for body, words in SERVICE_REFUSALS:
        response = api.call("POST", f"/api/v1/certificates/{person.number}/revoke", json=body)
        assert response.status_code == 400, body
        assert words in response.get_json()["detail"], body
    assert certificate_state(api.runtime, person.number) == ("valid", 1)


UNREADABLE = (
    (b"", "application/json"),
    (b"not json", "application/json"),
    (b"[]", "application/json"),
    (b'"revoke"', "application/json"),
    (b"[" * 10_000, "application/json"),
    (b'{"reason": "fraud", "document_number": "x"}', "text/plain"),
    (b"reason=fraud&document_number=x", "application/x-www-form-urlencoded"),
    (b"\xff\xfe{}", "application/json"),
    (b'{"reason": "fraud", "document_number": "' + b"x" * 20_000 + b'"}', "application/json"),
)


def test_unreadable_bodies_are_400_problems(api: Api) -> None:
    """Empty, non-JSON, non-object, deeply nested, oversized or form-encoded bodies are 400 problems."""
    person = people(api.runtime, COUNTY, 1)[0]
    for data, content_type in UNREADABLE:
        response = api.call(
            "POST", f"/api/v1/certificates/{person.number}/revoke", data=data, content_type=content_type
        )
        assert response.status_code == 400, data[:40]
        assert response.mimetype == "application/problem+json"
    assert certificate_state(api.runtime, person.number) == ("valid", 1)


def test_reject_needs_a_reason_and_approve_takes_no_members(api: Api) -> None:
    """Rejecting without a reason (or a blank one) is a 400 naming ``reason``; approve accepts an empty
    body or {} and refuses members it does not know; the request stays pending."""
    person = people(api.runtime, COUNTY, 1)[0]
    request_id = _request(api.runtime, person)
    base = f"/api/v1/reissue-requests/{request_id}"
    for body in ({}, {"reason": "   "}, {"reason": 5}, {"reason": "x" * 501}):
        response = api.call("POST", f"{base}/reject", json=body)
        assert (response.status_code, response.get_json()["field"]) == (400, "reason")
    response = api.call("POST", f"{base}/approve", json={"version": 2})
    assert (response.status_code, response.get_json()["field"]) == (400, "version")
    assert _request_status(api.runtime, request_id) == "pending"
    assert api.call("POST", f"{base}/approve").status_code == 200


# --- limits, description, parity with the command line -----------------------------------------------
def test_requests_beyond_the_rate_limit_get_429(api: Api) -> None:
    """Past the configured rate the API answers 429 problem JSON with Retry-After."""
    api.client.application.config["CERTSVC_ISSUER_API_RATE"] = "2/minute"
    api.client.environ_base["REMOTE_ADDR"] = "10.77.0.1"  # a budget no other test has touched
    person = people(api.runtime, COUNTY, 1)[0]
    path = f"/api/v1/certificates/{person.number}"
    statuses = [api.call("GET", path, "auditor").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = api.call("GET", path, "auditor")
    assert response.mimetype == "application/problem+json" and response.headers["Retry-After"]


def test_openapi_describes_every_operation_with_bearer_auth(api: Api) -> None:
    """The published document is valid OpenAPI 3.1 and lists each operation with the bearer scheme."""
    from openapi_spec_validator import validate

    validate(api.document)
    operations = {
        ("get", "/api/v1/certificates/{number}"),
        ("post", "/api/v1/certificates/{number}/reissue"),
        ("post", "/api/v1/certificates/{number}/revoke"),
        ("post", "/api/v1/certificates/{number}/suspend"),
        ("post", "/api/v1/certificates/{number}/reinstate"),
        ("get", "/api/v1/reissue-requests"),
        ("get", "/api/v1/reissue-requests/{request_id}"),
        ("post", "/api/v1/reissue-requests/{request_id}/approve"),
        ("post", "/api/v1/reissue-requests/{request_id}/reject"),
    }
    schemes = api.document["components"]["securitySchemes"]
    for method, path in operations:
        operation = api.document["paths"][path][method]
        [requirement] = operation["security"]
        assert schemes[next(iter(requirement))]["scheme"] == "bearer"
        assert {"401", "403", "404"} <= set(operation["responses"])


PARITY: tuple[tuple[list[str], str, str], ...] = (
    ([], "reinstate", "cleared"),
    (["revoke"], "revoke", "error"),
    (["revoke"], "suspend", "investigation"),
)


def test_api_and_command_line_refuse_the_same_transitions_alike(
    api: Api, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command line and the API enforce one rule set: a transition the CLI refuses with an error
    code, the API refuses with a problem of the same code, and both leave the same state."""
    from certsvc.cli import main

    settings = api.runtime.settings
    for name, value in {
        "CERTSVC_ENV": "test",
        "CERTSVC_INSTANCE_DIR": str(settings.instance_dir),
        "CERTSVC_DATABASE_URL": settings.database_url,
        "CERTSVC_KEYS_DIR": str(settings.keys_dir),
        "CERTSVC_BASE_URL": settings.base_url,
        "CERTSVC_SECRET_KEY": settings.secret_key,
        "CERTSVC_LOG_LEVEL": "WARNING",
    }.items():
        monkeypatch.setenv(name, value)
    holders = iter(people(api.runtime, COUNTY, 2 * len(PARITY)))
    for setup, action, reason in PARITY:
        by_cli, by_api = next(holders), next(holders)
        for step in setup:
            assert main([step, by_cli.number, "--reason", "fraud", "--doc-no", DOC]) == 0
            body = {"reason": "fraud", "document_number": DOC}
            assert (
                api.call("POST", f"/api/v1/certificates/{by_api.number}/{step}", json=body).status_code == 200
            )
        capsys.readouterr()
        assert main([action, by_cli.number, "--reason", reason, "--doc-no", DOC]) == 1
        cli_code = capsys.readouterr().err.split(":")[1].strip()
        response = api.call(
            "POST",
            f"/api/v1/certificates/{by_api.number}/{action}",
            json={"reason": reason, "document_number": DOC},
        )
        assert response.status_code == 409
        assert response.get_json()["type"].rsplit("/", 1)[1] == cli_code == "workflow"
        assert certificate_state(api.runtime, by_cli.number) == certificate_state(api.runtime, by_api.number)
