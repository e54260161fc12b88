"""Compact JWS signing: the direct signer makes the very token PyJWT makes, and PyJWT accepts it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from certsvc.domain.canonical import canonical_json
from certsvc.signing._codec import jwk_thumbprint
from certsvc.signing.credential import CredentialFacts, credential_claims, sign_credential
from certsvc.signing.jose import parse_vc_jwt, sign_vc_jwt, sign_vc_jwt_payload
from certsvc.signing.keystore import FileKeyStore, SigningKey
from tests.signing.support import BASE_URL, NOW

_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
KEY = SigningKey(jwk_thumbprint(_KEY.public_key().public_bytes_raw()), _KEY)

json_scalars = (
    st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False, allow_infinity=False)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200)
@given(st.dictionaries(st.text(), json_values, max_size=8))
def test_direct_signer_makes_pyjwts_token_byte_for_byte(claims: dict[str, Any]) -> None:
    """For any claims, signing their canonical JSON directly gives exactly PyJWT's compact JWS."""
    payload = canonical_json(claims)
    by_pyjwt = jwt.api_jws.encode(
        payload, KEY.private_key, algorithm="EdDSA", headers={"kid": KEY.kid, "typ": "vc+jwt"}
    )
    assert sign_vc_jwt_payload(payload, KEY) == by_pyjwt
    assert sign_vc_jwt(claims, KEY) == by_pyjwt


def test_credentials_are_pyjwts_tokens(store: FileKeyStore, facts: CredentialFacts) -> None:
    """A signed credential is the token PyJWT makes of its claims, and PyJWT verifies it."""
    key = store.current(NOW)
    token = sign_credential(facts, key, BASE_URL, NOW)
    assert token == sign_vc_jwt(credential_claims(facts, BASE_URL, NOW), key)
    decoded = jwt.decode(
        token,
        key.private_key.public_key(),
        algorithms=["EdDSA"],
        options={"verify_aud": False, "verify_iat": False, "verify_nbf": False},
    )
    assert decoded == credential_claims(facts, BASE_URL, NOW)
    assert jwt.get_unverified_header(token) == {"alg": "EdDSA", "kid": key.kid, "typ": "vc+jwt"}


def test_tokens_of_another_key_carry_that_keys_kid() -> None:
    """The header prepared for one key is never reused for another."""
    other_private = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
    other = SigningKey(jwk_thumbprint(other_private.public_key().public_bytes_raw()), other_private)
    payload = canonical_json({"iat": int(dt.datetime(2025, 1, 1, tzinfo=dt.UTC).timestamp())})
    assert parse_vc_jwt(sign_vc_jwt_payload(payload, KEY)).kid == KEY.kid
    assert parse_vc_jwt(sign_vc_jwt_payload(payload, other)).kid == other.kid
