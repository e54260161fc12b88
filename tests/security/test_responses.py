"""What every response carries and never carries: security headers on every HTML and JSON endpoint
(derived from the url map), templates that print hostile text literally, and no ID number or full
name in anything the public can fetch.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import url_for
from sqlalchemy import select
from werkzeug.test import TestResponse

from certsvc.certificates.holders import decrypt_id
from certsvc.certificates.models import Certificate, CertificateVersion, Holder
from certsvc.certificates.versions import verification_url
from certsvc.domain.idnumber import mask_id
from certsvc.domain.names import mask_name
from certsvc.registry.models import Authority
from tests.reliability.figures import record
from tests.security.conftest import World, csrf_token

HOSTILE = "{{7*7}}${7*7}<script>alert(1)</script>"


def _sample_urls(world: World) -> Iterator[tuple[str, str]]:
    """(principal, url) for every GET route, with real values for its parameters, as its audience."""
    person = world.holders["holder-a"]
    with world.runtime.database.read() as session:
        payload = session.scalar(
            select(CertificateVersion.qr_payload).join(Certificate).where(Certificate.number == person.number)
        )
        uscc = session.scalar(select(Authority.uscc).limit(1))
    samples: dict[str, Any] = {
        "number": person.number,
        "request_id": person.request_id,
        "share_id": person.share_id,
        "proposal_id": person.proposal_id,
        "fmt": "pdf",
        "payload": payload,
        "list_id": 1,
        "purpose": "revocation",
        "uscc": uscc,
        "index": 0,
        "size": 1,
        "token": "x" * 43,
        "filename": "certsvc.css",
        "route": "recognition",
        "version": "v2",
    }
    for rule in sorted(world.app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()):
            continue
        principal = (
            "holder-a"
            if rule.endpoint.startswith("holder.")
            else "reviewer-own"
            if rule.endpoint.startswith("issuer")  # the console's blueprints are all issuer*
            else "anonymous"
        )
        with world.app.test_request_context():
            yield principal, url_for(rule.endpoint, **{name: samples[name] for name in rule.arguments})


def _check_headers(url: str, response: TestResponse) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert csp, f"{url}: no Content-Security-Policy"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, f"{url}: {csp}"
    assert "frame-ancestors 'none'" in csp, f"{url}: {csp}"
    assert re.search(r"(^|;)\s*script-src 'self'(;|$)", csp) or "default-src 'self'" in csp, csp
    assert headers.get("X-Content-Type-Options") == "nosniff", url
    assert headers.get("Referrer-Policy") == "no-referrer", url


def test_security_headers_on_every_get_endpoint(world: World) -> None:
    """Every GET route (HTML pages, JSON, text, files, errors) carries CSP without unsafe-inline and
    with frame-ancestors 'none', nosniff and no-referrer."""
    checked = 0
    for principal, url in _sample_urls(world):
        response = world.client(principal).get(url)
        assert response.status_code < 500, f"{url}: {response.status_code}"
        _check_headers(url, response)
        checked += 1
    assert checked >= 30
    record("headers", database=world.runtime.database.engine.dialect.name, endpoints=checked)


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/no-such-page", None),
        ("GET", "/api/v1/no-such-thing", None),
        ("POST", "/api/v1/verify", {"qr": "garbage"}),
        ("POST", "/api/v1/verify", {"nonsense": 1}),
        ("GET", "/v/NOT-BASE32!", None),
    ],
)
def test_security_headers_on_errors_and_api_answers(world: World, method: str, url: str, body: Any) -> None:
    """Error pages, problem documents and API verdicts carry the same headers as pages."""
    client = world.fresh_client()
    response = client.get(url) if method == "GET" else client.post(url, json=body)
    assert response.status_code < 500
    _check_headers(url, response)


# --- template injection ----------------------------------------------------------------------------
def test_hostile_text_in_forms_is_printed_literally(world: World) -> None:
    """Text a visitor types (sign-in account, verify-by-number name) is echoed, if at all, escaped:
    no raw <script> reaches the page."""
    client = world.fresh_client()
    token = csrf_token(client, "/auth/login")
    page = client.post(
        "/auth/login", data={"account": HOSTILE, "password": "x", "csrf_token": token}
    ).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    token = csrf_token(client, "/")
    response = client.post(
        "/verify", data={"number": world.holders["holder-a"].number, "name": HOSTILE, "csrf_token": token}
    )
    assert response.status_code < 500
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_hostile_text_stored_by_a_holder_is_printed_literally_to_staff(world: World) -> None:
    """A reissue request note written by a holder (a stored-XSS vector into the issuer console) is
    shown escaped and unevaluated on the reviewer's request page."""
    from certsvc.certificates.reissue import submit_request

    person = world.holders["holder-c"]
    with world.runtime.database.write() as session:
        holder_id = session.scalar(select(Certificate.holder_id).where(Certificate.number == person.number))
        assert holder_id is not None
        # holder C's first request is still pending; a second certificate is not needed: cancel by rejecting
        from certsvc.certificates.reissue import reject_request

        reject_request(
            session, world.runtime, person.request_id, reason=HOSTILE, actor="test", actor_authority=None
        )
        request = submit_request(
            session, world.runtime, holder_id=holder_id, number=person.number, reason="damaged", note=HOSTILE
        )
        session.flush()
        request_id = request.id
    page = world.client("reviewer-other").get(f"/issuer/requests/{request_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "{{7*7}}" in page
    assert "<script>alert(1)</script>" not in page
    holder_page = world.client("holder-c").get(f"/me/requests/{person.request_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in holder_page and "{{7*7}}" in holder_page


# --- no personal data in public output -------------------------------------------------------------
def _people(world: World) -> list[tuple[str, str, str]]:
    """(full name, ID number, QR URL of the current version) of every holder."""
    out = []
    with world.runtime.database.read() as session:
        rows = session.execute(
            select(Holder, CertificateVersion.qr_payload)
            .join(Certificate, Certificate.holder_id == Holder.id)
            .join(CertificateVersion, CertificateVersion.certificate_id == Certificate.id)
            .where(CertificateVersion.version == Certificate.current_version)
        ).all()
        for holder, payload in rows:
            out.append(
                (holder.name, decrypt_id(world.runtime, holder), verification_url(world.runtime, payload))
            )
    return out


def _public_documents(world: World) -> Iterator[tuple[str, str]]:
    client = world.fresh_client()
    for path in (
        "/.well-known/jwks.json",
        "/api/v1/openapi.json",
        "/api/v1/ledger/checkpoint",
        "/status/1/revocation",
    ):
        yield path, client.get(path).get_data(as_text=True)
    size = int(client.get("/api/v1/ledger/checkpoint").get_data(as_text=True).splitlines()[1])
    for index in range(size):
        yield (
            f"/api/v1/ledger/entries/{index}",
            client.get(f"/api/v1/ledger/entries/{index}").get_data(as_text=True),
        )


def test_no_id_number_or_full_name_in_public_output(world: World) -> None:
    """Scan pages, verdicts (by QR, by number + name, with a holder confirmation by ID number), the
    ledger, keys, status lists and the API description: no holder's ID number or full name appears
    (their masked forms may)."""
    people = _people(world)
    client = world.fresh_client()
    client.application.config.update(
        CERTSVC_VERIFY_RATE="100000/minute", CERTSVC_VERIFY_NUMBER_RATE="100000/minute"
    )
    ids = {id_number for _, id_number, _ in people}
    names = {name for name, _, _ in people if len(name) >= 2 and mask_name(name) != name}
    scanned = 0

    def check(where: str, text: str) -> None:
        nonlocal scanned
        scanned += 1
        leaked_ids = [i for i in ids if i in text or (mask_id(i) != i and i[:14] in text)]
        assert not leaked_ids, f"{where}: ID number in public output"
        leaked_names = [n for n in names if n in text]
        assert not leaked_names, f"{where}: full name in public output"

    for where, text in _public_documents(world):
        check(where, text)
    with world.runtime.database.read() as session:
        numbers = dict(
            session.execute(
                select(Holder.name, Certificate.number).join(Certificate, Certificate.holder_id == Holder.id)
            ).all()
        )
    for name, id_number, url in people[:25]:
        path = url.split("/", 3)[3] if "://" in url else url
        check(f"GET /{path}", client.get("/" + path.replace("V/", "v/", 1)).get_data(as_text=True))
        check(
            "verify qr",
            client.post("/api/v1/verify", json={"qr": url, "confirm": id_number}).get_data(as_text=True),
        )
        check(
            "verify number",
            client.post("/api/v1/verify", json={"certificate_number": numbers[name], "name": name}).get_data(
                as_text=True
            ),
        )
    record(
        "privacy", database=world.runtime.database.engine.dialect.name, documents=scanned, holders=len(people)
    )
