"""Every route in the URL map, public and portal, survives hostile requests without a 5xx.

Issue 16, finding 3 and its done-when item: a property-based test sends hostile variants (deep
nesting inside JSON and inside JWS headers and claims, lone surrogates, NUL and control
characters, decompression and pixel bombs, degenerate PDFs, odd query parameters and headers) to
every rule of ``app.url_map``, signed in as the principal each area needs, and requires that no
answer is a server error. A fixed set of examples covers every hostile class on each run; the
random ones combine them. The example budget keeps the test well under a minute (CI runs it).
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.routing import Rule

from certsvc.accounts.services import create_api_token
from certsvc.certificates.models import Certificate
from tests.security import hostile
from tests.security.conftest import COUNTY, PASSWORD, World

EXAMPLES = int(os.environ.get("CERTSVC_HOSTILE_EXAMPLES", "4"))
BODY_KINDS = ("none", "json", "form", "multipart", "raw")
# Where each area of the app needs a signed-in principal (the rest is public).
AREAS = (
    ("/issuer/", "staff"),
    ("/me/", "holder"),
    ("/api/v1/certificates", "token"),
    ("/api/v1/reissue-requests", "token"),
    ("/api/v1/results", "token"),
    ("/employer/", "employer"),
    ("/api/v1/verify/bulk", "employer-key"),
)


@dataclass(frozen=True)
class Hostile:
    """One hostile variant, sent to every route."""

    text: str
    body: str = "none"
    file: str = "junk.bin"
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    hostile_path: bool = False
    anonymous: bool = False
    role: int = 0
    shape: int = 0


@dataclass
class Target:
    app: Flask
    world: World
    number: str
    payload: str
    request_id: int
    tokens: tuple[str, str]
    clients: dict[str, FlaskClient] = field(default_factory=dict)
    employer_key: str = ""
    routes: list[tuple[Rule, str]] = field(default_factory=list)


def _encode(text: str) -> str:
    """Percent-encode any text, lone surrogates included (as the bytes a hostile client sends)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def _multipart_text(text: str) -> object:
    """A multipart text field as a hostile client sends it: lone surrogates as their raw bytes.

    Werkzeug's test client encodes a text field as strict UTF-8 and fails on a surrogate before
    any request is made; a field given as bytes (no filename) is sent as those bytes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return io.BytesIO(text.encode("utf-8", "surrogatepass"))
    return text


@pytest.fixture(scope="module")
def target(world: World) -> Iterator[Target]:
    """The world's data behind an app with CSRF checks off (so hostile forms reach the views)."""
    from certsvc import create_app

    app = create_app(runtime=world.runtime)
    app.config.update(TESTING=False, WTF_CSRF_ENABLED=False, PROPAGATE_EXCEPTIONS=False)
    runtime = world.runtime
    holder = world.holders["holder-a"]
    with runtime.database.write() as session:
        certificate = session.scalars(select(Certificate).where(Certificate.number == holder.number)).one()
        payload = certificate.versions[-1].qr_payload
        tokens = tuple(
            create_api_token(session, runtime, authority_code=COUNTY, role=role, label="hostile")
            for role in ("operator", "reviewer")
        )
    routes = [
        (rule, method)
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]
    found = Target(app, world, holder.number, payload, holder.request_id, tokens, routes=routes)  # type: ignore[arg-type]
    for key, login in (
        ("holder", holder.login),
        ("staff0", world.staff["operator-own"][0]),
        ("staff1", world.staff["reviewer-own"][0]),
    ):
        client = app.test_client()
        response = client.post("/auth/login", data={"account": login, "password": PASSWORD})
        assert response.status_code == 302
        found.clients[key] = client
    employer = world.employers["employer-a"]
    client = app.test_client()
    assert (
        client.post("/auth/login", data={"account": employer.login, "password": PASSWORD}).status_code == 302
    )
    found.clients["employer"] = client
    found.clients["anonymous"] = app.test_client()
    found.employer_key = employer.api_key
    yield found


_PLACEHOLDER = re.compile(r"<(?:([^>]*):)?(\w+)>")


def _path(target: Target, rule: Rule, variant: Hostile) -> str:
    """The rule's path with real values (a certificate, a request of the signed-in holder), or
    hostile text in every plain string argument."""
    values = {
        "number": target.number,
        "payload": target.payload,
        "request_id": str(target.request_id),
        "token": "x" * 43,
        "list_id": "1",
        "purpose": "revocation",
        "size": "1",
        "index": "0",
        "fmt": "png",
        "filename": "style.css",
    }

    def fill(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        if variant.hostile_path and converter in (None, "string", "path"):
            return _encode(variant.text[:200] or "\x00")
        return values.get(name, "1")

    return _PLACEHOLDER.sub(fill, rule.rule)


def _principal(target: Target, path: str, variant: Hostile) -> tuple[str, dict[str, str]]:
    """The client key and extra headers a route's area needs (anonymous when the variant says so)."""
    if variant.anonymous:
        return "anonymous", {}
    for prefix, kind in AREAS:
        if path.startswith(prefix):
            if kind == "token":
                return "anonymous", {}
            if kind == "employer-key":
                return "anonymous", {"Authorization": f"Bearer {target.employer_key}"}
            if kind == "employer":
                return "employer", {}
            return ("holder" if kind == "holder" else f"staff{variant.role}"), {}
    return "anonymous", {}


def _members(target: Target, variant: Hostile) -> dict[str, object]:
    """The members of one body shape, the hostile text in the places each shape reads."""
    text = variant.text
    if text == "deep":
        return {"qr": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}
    if text == "deep-jws":
        return {"credential": hostile.deep_jws()}
    number = target.number
    shapes: list[dict[str, object]] = [
        {"certificate_number": number, "name": text},
        {"qr": text, "confirm": text},
        {"credential": hostile.surrogate_jws(), "confirm": text},
        {"items": [{"certificate_number": number, "name": text}, {"qr": text}]},
        {
            "reason": "correction",
            "corrected_field": "name",
            "corrected_value": text,
            "field": "name",
            "value": text,
        },
        {
            "reason": text,
            "category": text,
            "doc_no": text,
            "document_number": text,
            "effective": text,
            "note": text,
        },
        {"account": text, "password": text, "code": text, "id_number": text, "email": text, "number": number},
        {"q": text, "query": text, "status": text, "action": text, "decision": text, "decision_reason": text},
        {"action": "password", "current": text, "password": text, "confirmation": text, "token": text},
        {"lines": text, "text": text, "targets": text, "next": text, "lang": text},
        {"items": text, "output": text, "name": text, "payload": text, "report": text},
    ]
    return shapes[variant.shape % len(shapes)]


def _body(target: Target, variant: Hostile) -> dict[str, object]:
    if variant.body == "json":
        if variant.text == "deep":
            raw = hostile.deep_json()
        else:
            raw = json.dumps(_members(target, variant), ensure_ascii=True)
        return {"data": raw.encode("utf-8"), "content_type": "application/json"}
    if variant.body == "form":
        members = _members(target, variant)
        raw = "&".join(
            f"{name}={_encode(value if isinstance(value, str) else json.dumps(value))}"
            for name, value in members.items()
        )
        return {"data": raw.encode("ascii"), "content_type": "application/x-www-form-urlencoded"}
    if variant.body == "multipart":
        contents = hostile.HOSTILE_FILES[variant.file]()
        data: dict[str, object] = {
            name: _multipart_text(value)
            for name, value in _members(target, variant).items()
            if isinstance(value, str)
        }
        for name in ("file", "evidence", "files"):
            data[name] = (io.BytesIO(contents), variant.file)
        return {"data": data, "content_type": "multipart/form-data"}
    if variant.body == "raw":
        return {"data": hostile.HOSTILE_FILES[variant.file](), "content_type": "text/csv"}
    return {}


def _send_everywhere(target: Target, variant: Hostile) -> list[str]:
    failures = []
    query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in variant.query)
    # A body changes nothing for GET: those are worth sending only with a hostile URL or headers.
    send_gets = bool(variant.query or variant.headers or variant.hostile_path or variant.anonymous)
    for rule, method in target.routes:
        if method == "GET" and not send_gets:
            continue
        path = _path(target, rule, variant)
        principal, headers = _principal(target, path, variant)
        if rule.rule == "/auth/logout":
            principal = "anonymous"  # signing the shared clients out would blind the rest of the run
        if (
            principal == "anonymous"
            and not variant.anonymous
            and rule.rule.startswith(("/api/v1/certificates", "/api/v1/reissue-requests", "/api/v1/results"))
        ):
            headers["Authorization"] = f"Bearer {target.tokens[variant.role]}"
        headers.update(dict(variant.headers))
        client = target.clients[principal]
        response = client.open(
            path + ("?" + query if query else ""),
            method=method,
            headers=headers,
            **(_body(target, variant) if method != "GET" else {}),
        )
        if response.status_code >= 500:
            failures.append(f"{method} {rule.rule} -> {response.status_code}")
        response.close()
    return failures


TEXTS = st.sampled_from((*hostile.HOSTILE_TEXTS, "deep", "deep-jws"))
VARIANTS = st.builds(
    Hostile,
    text=TEXTS,
    body=st.sampled_from(BODY_KINDS),
    file=st.sampled_from(sorted(hostile.HOSTILE_FILES)),
    query=st.lists(st.sampled_from(hostile.QUERY_PARAMETERS), max_size=3).map(tuple),
    headers=st.lists(st.sampled_from(hostile.HEADERS), max_size=2, unique_by=lambda h: h[0]).map(tuple),
    hostile_path=st.booleans(),
    anonymous=st.booleans(),
    role=st.integers(0, 1),
    shape=st.integers(0, 10),
)


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(variant=VARIANTS)
@example(
    Hostile(
        "deep",
        body="json",
        query=(("_external", "1"), ("_method", "PATCH")),
        headers=(("Host", "evil.example"),),
    )
)
@example(Hostile("deep-jws", body="json", role=1, hostile_path=True))
@example(Hostile("a\udfffb", body="json", shape=0, headers=(("Accept", "application/json"),)))
@example(Hostile("\ud800", body="json", shape=3, role=1, query=(("status", "\ud800"), ("lang", "\x00"))))
@example(Hostile("张\x00三", body="json", shape=4, hostile_path=True))
@example(Hostile("张\x00三", body="form", shape=5, role=1))
@example(Hostile("\x00", body="form", shape=6, anonymous=True))
@example(
    Hostile("\x07\x1b[31m", body="form", shape=7, role=1, headers=(("X-Forwarded-Host", "evil.example"),))
)
@example(
    Hostile("\x00", body="form", shape=8, query=(("next", "//evil.example/"), ("_scheme", "javascript")))
)
@example(Hostile("x" * 70_000, body="form", shape=9, headers=(("Cookie", "session=\x00; lang=\xfe"),)))
@example(Hostile("\x00", body="multipart", file="pixel-bomb.png", shape=1))
@example(Hostile("\ud800", body="multipart", file="bad-attachment.pdf", shape=0))
@example(Hostile("=1+1", body="multipart", file="bomb.xlsx", shape=10))
@example(Hostile("x" * 70_000, body="form", file="broken.xlsx", shape=10, role=1))
@example(Hostile("x", body="multipart", file="broken.xlsx", shape=10, anonymous=True))
@example(Hostile("x", body="multipart", file="text-bomb.png", role=1, shape=4))
@example(Hostile("x", body="multipart", file="bad-attachment.pdf", shape=2))
@example(Hostile("x", body="multipart", file="zero-image.pdf", role=1, shape=5))
@example(Hostile("\x00", body="raw", file="nul.csv", headers=(("Authorization", "Bearer " + "A" * 5000),)))
@example(
    Hostile(
        "\ud800",
        body="raw",
        file="surrogate.json",
        headers=(("Content-Type", "application/json; charset=utf-16"),),
    )
)
def test_no_route_answers_a_hostile_request_with_a_server_error(target: Target, variant: Hostile) -> None:
    """Whatever the variant, every route answers with a client error or success, never a 5xx."""
    failures = _send_everywhere(target, variant)
    assert not failures, "\n".join(failures)
