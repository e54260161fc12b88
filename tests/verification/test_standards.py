"""Credentials and status lists read by independent libraries: jwcrypto checks the signatures, pyld
expands the credentials with the JSON-LD contexts certsvc serves, and status lists name the same
issuer as the credentials that point at them."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from jwcrypto import jwk, jws
from pyld import jsonld

from certsvc.runtime import Runtime
from certsvc.signing import verifier
from certsvc.signing.contexts import VC_CONTEXT, vc_context_bytes
from certsvc.signing.credential import decode_unverified
from certsvc.signing.jose import sign_vc_jwt
from certsvc.signing.jwks import KeySet
from certsvc.signing.statuslist import verify_status_list
from tests.verification.conftest import Issued

JSON_LD_KEYWORD_ALIASES = {"id", "type", "@context"}


def _get(client: FlaskClient, url: str) -> bytes:
    """What certsvc serves at ``url`` (an absolute URL under its base)."""
    parts = urlsplit(url)
    response = client.get(parts.path)
    assert response.status_code == 200, (url, response.status_code)
    return response.data


def _loader(client: FlaskClient, base_url: str) -> Any:
    """A pyld document loader: certsvc's contexts as certsvc serves them, the W3C VC 2.0 context
    from the packaged copy; anything else is an error (no network)."""

    def load(url: str, options: dict[str, Any]) -> dict[str, Any]:
        if url == VC_CONTEXT:
            document = json.loads(vc_context_bytes())
        elif url.startswith(base_url):
            document = json.loads(_get(client, url))
        else:
            raise jsonld.JsonLdError(f"unexpected context {url}", "loading document failed")
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": document,
        }

    return load


def _property_count(node: Any) -> int:
    """How many properties (keys that are not JSON-LD keywords or their aliases) a document holds."""
    if isinstance(node, list):
        return sum(_property_count(item) for item in node)
    if not isinstance(node, dict):
        return 0
    return sum(
        (0 if key.startswith("@") or key in JSON_LD_KEYWORD_ALIASES else 1) + _property_count(value)
        for key, value in node.items()
    )


def _expanded_property_count(node: Any) -> int:
    if isinstance(node, list):
        return sum(_expanded_property_count(item) for item in node)
    if not isinstance(node, dict):
        return 0
    total = 0
    for key, value in node.items():
        if key == "@value":
            continue
        total += 0 if key.startswith("@") else 1
        total += _expanded_property_count(value)
    return total


def _dropped_terms(document: dict[str, Any], client: FlaskClient, base_url: str) -> int:
    expanded = jsonld.expand(document, {"documentLoader": _loader(client, base_url)})
    return _property_count(document) - _expanded_property_count(expanded)


def _keyset(client: FlaskClient) -> jwk.JWKSet:
    return jwk.JWKSet.from_json(client.get("/.well-known/jwks.json").data.decode())


def _jwcrypto_claims(token: str, keys: jwk.JWKSet) -> dict[str, Any]:
    """The payload once jwcrypto has verified the signature with the key named by ``kid``."""
    parsed = jws.JWS()
    parsed.deserialize(token)
    header = parsed.jose_header
    assert header["typ"] == "vc+jwt"
    parsed.verify(keys.get_key(header["kid"]), alg="EdDSA")
    return dict(json.loads(parsed.payload))


def test_jwcrypto_verifies_credentials_against_the_published_jwks(
    verify_client: FlaskClient, issued: list[Issued]
) -> None:
    """Every issued credential verifies with jwcrypto using only /.well-known/jwks.json, and a
    credential with one changed claim does not."""
    keys = _keyset(verify_client)
    for certificate in issued[:5]:
        claims = _jwcrypto_claims(certificate.credential, keys)
        assert claims["credentialSubject"]["certificateNumber"] == certificate.number
        assert "nbf" not in claims
    header, _, signature = issued[0].credential.split(".")
    other = decode_unverified(issued[1].credential)
    forged_payload = jws.base64url_encode(json.dumps(other, separators=(",", ":")).encode())
    with pytest.raises(jws.InvalidJWSSignature):
        _jwcrypto_claims(f"{header}.{forged_payload}.{signature}", keys)


def test_pyld_expansion_with_served_contexts_drops_no_term(
    verify_client: FlaskClient, issued: list[Issued], runtime: Runtime
) -> None:
    """Expanding a credential with the VC 2.0 context and certsvc's own context (fetched from
    certsvc) keeps every property: ProfessionalTitleCredential, certificateNumber, title, level,
    and how the title was obtained (route, committee, reviewDate; every route's terms:
    tests/services/test_routes.py)."""
    base = runtime.settings.base_url
    claims = decode_unverified(issued[0].credential)
    assert claims["@context"] == [VC_CONTEXT, f"{base}/contexts/v2.jsonld"]
    assert _dropped_terms(claims, verify_client, base) == 0
    expanded = json.dumps(jsonld.expand(claims, {"documentLoader": _loader(verify_client, base)}))
    for term in (
        "ProfessionalTitleCredential",
        "certificateNumber",
        "specialty",
        "obtained",
        "version",
        "route",
        "committee",
        "reviewDate",
    ):
        assert f"urn:certsvc:vocab#{term}" in expanded
    # The check has teeth: with the base context alone, expansion drops certsvc's terms.
    assert _dropped_terms({**claims, "@context": [VC_CONTEXT]}, verify_client, base) >= 8


def test_the_context_is_served_as_json_ld_and_cacheable(verify_client: FlaskClient) -> None:
    """GET /contexts/v1.jsonld and /contexts/v2.jsonld answer application/ld+json, cacheable, open to
    other origins; v2 is v1 unchanged plus the route terms; no other version exists."""
    documents = {}
    for version in ("v1", "v2"):
        response = verify_client.get(f"/contexts/{version}.jsonld")
        assert response.status_code == 200
        assert response.mimetype == "application/ld+json"
        assert "max-age" in response.headers["Cache-Control"]
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        documents[version] = response.get_json()["@context"]
    assert "certificateNumber" in documents["v1"] and "route" not in documents["v1"]
    assert documents["v1"].items() <= documents["v2"].items()
    assert {"route", "reviewDate", "originalDate", "examDate", "education", "supervisor"} <= documents[
        "v2"
    ].keys()
    assert verify_client.get("/contexts/v3.jsonld").status_code == 404


def test_status_list_issuer_is_the_credentials_issuer(
    verify_client: FlaskClient, issued: list[Issued], runtime: Runtime
) -> None:
    """The status list a credential points at is signed (jwcrypto verifies it) by the same issuer
    as the credential, and expands without dropping a term."""
    keys = _keyset(verify_client)
    base = runtime.settings.base_url
    claims = decode_unverified(issued[0].credential)
    for entry in claims["credentialStatus"]:
        status_jws = _get(verify_client, entry["statusListCredential"]).decode()
        status_claims = _jwcrypto_claims(status_jws, keys)
        assert status_claims["issuer"] == claims["issuer"]["id"]
        assert status_claims["id"] == entry["statusListCredential"]
        assert status_claims["credentialSubject"]["statusPurpose"] == entry["statusPurpose"]
        assert "nbf" not in status_claims
        assert _dropped_terms(status_claims, verify_client, base) == 0


def test_status_lists_of_unknown_issuers_are_not_signed(verify_client: FlaskClient) -> None:
    """Asking for a status list in the name of an authority that is not registered gets 404, not a
    list signed in its name."""
    assert verify_client.get("/issuers/91110000000000000X/status/1/revocation").status_code == 404
    assert verify_client.get("/issuers/not-a-uscc/status/1/revocation").status_code == 404


def test_credentials_of_the_old_shape_keep_verifying(
    verify_client: FlaskClient, issued: list[Issued], runtime: Runtime
) -> None:
    """A credential issued before this change (base context only, nbf, site-wide status list URL)
    still verifies, against the site-wide status list still served at its old URL."""
    now = runtime.now()
    claims = decode_unverified(issued[0].credential)
    old_lists = {}
    for entry in claims["credentialStatus"]:
        list_path = urlsplit(entry["statusListCredential"]).path.split("/status/", 1)[1]
        url = f"{runtime.settings.base_url}/status/{list_path}"
        index = entry["statusListIndex"]
        entry.update({"id": f"{url}#{index}", "statusListCredential": url})
        old_lists[entry["statusPurpose"]] = _get(verify_client, url).decode()
    old = {**claims, "@context": [VC_CONTEXT], "nbf": claims["iat"]}
    token = sign_vc_jwt(old, runtime.keys.current(now))
    keyset = KeySet.from_jwks(json.loads(verify_client.get("/.well-known/jwks.json").data))
    evidence = verifier.StatusEvidence.of(
        verify_status_list(jws_, keyset, now) for jws_ in old_lists.values()
    )
    verdict = verifier.verify(token, keyset, now, evidence)
    assert verdict.outcome == verifier.VALID, verdict.reason
    assert verdict.facts is not None and verdict.facts.certificate_number == issued[0].number
