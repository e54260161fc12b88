"""The signed VC 2.0 credential (vc+jwt): shape, canonical payload, independent verification."""

from __future__ import annotations

import base64
import json

from jwcrypto import jwk, jws

from certsvc.domain.canonical import canonical_json
from certsvc.signing.credential import CredentialFacts, decode_unverified, facts_from_claims, sign_credential
from certsvc.signing.jwks import jwks_document
from certsvc.signing.keystore import FileKeyStore
from tests.signing.support import BASE_URL, NOW


def _segment(token: str, position: int) -> bytes:
    part = token.split(".")[position]
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_credential_has_vc2_shape_and_jwt_claims(store: FileKeyStore, facts: CredentialFacts) -> None:
    """The credential is a VC 2.0 title credential (base context, then certsvc's context defining its
    terms) with iss/sub/jti/iat claims and no nbf (VC-JOSE-COSE), and two status entries pointing at
    the lists its own issuer signs."""
    claims = decode_unverified(sign_credential(facts, store.current(NOW), BASE_URL, NOW))
    assert claims["@context"] == ["https://www.w3.org/ns/credentials/v2", f"{BASE_URL}/contexts/v2.jsonld"]
    assert claims["type"] == ["VerifiableCredential", "ProfessionalTitleCredential"]
    assert claims["issuer"] == {"id": "urn:uscc:11421200011223344X", "name": "咸宁市人力资源和社会保障局"}
    assert claims["validFrom"] == "2025-03-01T09:30:15Z"
    assert claims["iat"] == int(NOW.timestamp()) and "nbf" not in claims
    assert claims["iss"] == facts.issuer_id and claims["jti"] == claims["id"]
    subject = claims["credentialSubject"]
    assert subject["name"] == "雷俊怡" and subject["certificateNumber"] == "HB2024GC0001237"
    assert subject["obtained"] == "2024-11-20" and subject["employer"] == facts.employer
    revocation, suspension = claims["credentialStatus"]
    lists = f"{BASE_URL}/issuers/11421200011223344X/status/1"
    assert revocation == {
        "id": f"{lists}/revocation#4711",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "4711",
        "statusListCredential": f"{lists}/revocation",
    }
    assert suspension["statusPurpose"] == "suspension"
    assert suspension["statusListCredential"] == f"{lists}/suspension"


def test_header_and_payload_bytes(store: FileKeyStore, facts: CredentialFacts) -> None:
    """The header is {alg EdDSA, kid, typ vc+jwt} and the signed payload is exactly the canonical JSON."""
    key = store.current(NOW)
    token = sign_credential(facts, key, BASE_URL, NOW)
    assert json.loads(_segment(token, 0)) == {"alg": "EdDSA", "kid": key.kid, "typ": "vc+jwt"}
    payload = _segment(token, 1)
    assert payload == canonical_json(json.loads(payload))


def test_facts_round_trip(store: FileKeyStore, facts: CredentialFacts) -> None:
    """Reading a signed credential back gives the facts that were signed and the signing time."""
    claims = decode_unverified(sign_credential(facts, store.current(NOW), BASE_URL, NOW))
    read, issued_at = facts_from_claims(claims)
    assert read == facts
    assert issued_at == NOW.replace(microsecond=0)


def test_independent_jose_library_verifies_against_published_jwks(
    store: FileKeyStore, facts: CredentialFacts
) -> None:
    """jwcrypto, given only the JWKS document, verifies the credential's signature and kid."""
    token = sign_credential(facts, store.current(NOW), BASE_URL, NOW)
    keyset = jwk.JWKSet.from_json(json.dumps(jwks_document(store.history())))
    verifier = jws.JWS()
    verifier.deserialize(token)
    verifier.verify(keyset)
    assert verifier.jose_header["kid"] == store.current(NOW).kid
    assert json.loads(verifier.payload)["jti"] == "urn:certsvc:certificate:HB2024GC0001237:v1"
