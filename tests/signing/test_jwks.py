"""The published JWKS document and the verifier's KeySet built from it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from certsvc.errors import InvalidKeySet
from certsvc.signing.jwks import KeySet, jwks_document
from certsvc.signing.keystore import FileKeyStore
from tests.signing.support import NOW

LATER = NOW + dt.timedelta(days=10)


def test_jwks_publishes_every_key_with_its_window(store: FileKeyStore) -> None:
    """Rotated keys stay published with RFC 7517 members plus nbf/exp and RFC 3339 window fields."""
    store.rotate(LATER)
    old, new = jwks_document(store.history())["keys"]
    for jwk in (old, new):
        assert {"kty": "OKP", "crv": "Ed25519", "use": "sig", "alg": "EdDSA"}.items() <= jwk.items()
        assert "d" not in jwk
    assert old["nbf"] == int(NOW.timestamp()) and old["exp"] == int(LATER.timestamp())
    assert old["not_after"] == new["not_before"] == "2025-03-11T09:30:15.250000Z"
    assert old["status"] == "retired" and new["status"] == "active"
    assert "exp" not in new and new["not_after"] is None


def test_compromise_shortens_exp_for_generic_tools(store: FileKeyStore) -> None:
    """A tool reading only exp still rejects what a compromised key signed after the compromise."""
    kid = store.history()[0].kid
    since = NOW + dt.timedelta(days=2)
    store.mark_compromised(kid, since)
    store.rotate(LATER)
    jwk = jwks_document(store.history())["keys"][0]
    assert jwk["exp"] == int(since.timestamp())
    assert jwk["compromised_since"] == "2025-03-03T09:30:15.250000Z"


def test_keyset_round_trips_the_document(store: FileKeyStore) -> None:
    """A verifier parsing the served JWKS sees the same keys and windows as the server's key store."""
    store.rotate(LATER)
    parsed = KeySet.from_jwks(jwks_document(store.history()))
    for info in store.history():
        trusted = parsed.by_kid(info.kid)
        assert trusted is not None and trusted.info == info
        assert parsed.by_ref(trusted.key_ref) is trusted


def _document(store: FileKeyStore) -> dict[str, Any]:
    return jwks_document(store.history())


def test_keyset_rejects_a_kid_that_is_not_the_thumbprint(store: FileKeyStore) -> None:
    """A JWKS that labels a key with another key's id is refused, not trusted."""
    document = _document(store)
    document["keys"][0]["kid"] = "A" * 43
    with pytest.raises(InvalidKeySet, match="thumbprint"):
        KeySet.from_jwks(document)


@pytest.mark.parametrize(
    ("member", "value"),
    [("kty", "EC"), ("crv", "Ed448"), ("alg", "RS256"), ("x", "not base64!"), ("not_before", 12)],
)
def test_keyset_rejects_malformed_keys(store: FileKeyStore, member: str, value: object) -> None:
    """Keys that are not well-formed Ed25519 signing keys make the whole document unusable."""
    document = _document(store)
    document["keys"][0][member] = value
    with pytest.raises(InvalidKeySet):
        KeySet.from_jwks(document)


def test_keyset_honours_exp_when_certsvc_fields_are_missing(store: FileKeyStore) -> None:
    """A JWKS with only nbf/exp (e.g. re-published by another tool) still bounds the key's window."""
    store.rotate(LATER)
    document = _document(store)
    for jwk in document["keys"]:
        for member in ("not_before", "not_after", "compromised_since", "status"):
            del jwk[member]
    info = KeySet.from_jwks(document).by_kid(store.history()[0].kid)
    assert info is not None
    assert info.info.not_after == LATER.replace(microsecond=0)
    assert info.info.not_before == NOW.replace(microsecond=0)


def test_keyset_rejects_documents_without_keys() -> None:
    """A document that is not a JWKS is refused."""
    with pytest.raises(InvalidKeySet):
        KeySet.from_jwks({"nokeys": []})
