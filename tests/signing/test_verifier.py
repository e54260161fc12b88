"""The pure offline verifier: every failure has its own step, and it never says valid without status."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certsvc.domain.canonical import canonical_json
from certsvc.signing.credential import CredentialFacts, credential_claims, sign_credential
from certsvc.signing.jwks import KeySet, jwks_document
from certsvc.signing.keystore import FileKeyStore, SigningKey
from certsvc.signing.qrpayload import QrFields, encode_qr, qr_url
from certsvc.signing.statuslist import StatusBits, sign_status_list, status_list_url, verify_status_list
from certsvc.signing.verifier import StatusEvidence, Verdict, verify
from tests.signing.support import BASE_URL, NOW

LATER = NOW + dt.timedelta(days=30)
CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=/ "
FUZZ = settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


def _evidence(
    store: FileKeyStore, keyset: KeySet, *, revoked: Collection[int] = (), suspended: Collection[int] = ()
) -> StatusEvidence:
    lists = []
    for purpose, marked in (("revocation", revoked), ("suspension", suspended)):
        bits = StatusBits()
        for index in marked:
            bits.set(index)
        url = status_list_url(BASE_URL, 1, purpose)
        jws = sign_status_list(bits, purpose, url, store.current(NOW), NOW, ttl_seconds=86400)
        lists.append(verify_status_list(jws, keyset, NOW))
    return StatusEvidence.of(lists)


@pytest.fixture
def evidence(store: FileKeyStore, keyset: KeySet) -> StatusEvidence:
    return _evidence(store, keyset)


@pytest.fixture
def qr(store: FileKeyStore, qr_fields: QrFields) -> str:
    return encode_qr(qr_fields, store.current(NOW))


@pytest.fixture
def credential(store: FileKeyStore, facts: CredentialFacts) -> str:
    return sign_credential(facts, store.current(NOW), BASE_URL, NOW)


def _check(verdict: Verdict, outcome: str, step: str | None) -> None:
    assert (verdict.outcome, verdict.step) == (outcome, step), verdict.reason


def test_qr_payload_url_and_jws_verify_with_status(
    qr: str, credential: str, keyset: KeySet, evidence: StatusEvidence
) -> None:
    """An authentic QR (bare or as URL, str or bytes) and credential with a clean status list are valid."""
    for target in (qr, qr_url(BASE_URL, qr), qr_url(BASE_URL, qr).encode(), credential):
        verdict = verify(target, keyset, NOW, evidence)
        _check(verdict, "valid", None)
        assert verdict.facts is not None and verdict.facts.certificate_number == "HB2024GC0001237"
    assert verify(qr, keyset, NOW, evidence).facts.holder_name == "雷*怡"  # type: ignore[union-attr]
    jws_facts = verify(credential, keyset, NOW, evidence).facts
    assert jws_facts is not None and jws_facts.credential is not None
    assert jws_facts.credential.employer == "重庆云链数据服务有限公司"


def test_without_status_authentic_is_never_valid(qr: str, credential: str, keyset: KeySet) -> None:
    """Offline without a status list, an authentic token is unknown-status, with its facts shown."""
    for target in (qr, credential):
        verdict = verify(target, keyset, NOW, None)
        _check(verdict, "unknown-status", "status-unavailable")
        assert verdict.authentic and verdict.facts is not None


def test_stale_or_foreign_status_is_unknown(qr: str, keyset: KeySet, evidence: StatusEvidence) -> None:
    """An expired status list, or lists for another list id, give unknown-status rather than valid."""
    _check(verify(qr, keyset, NOW + dt.timedelta(days=2), evidence), "unknown-status", "status-unavailable")
    only_revocation = StatusEvidence(
        {key: value for key, value in evidence.lists.items() if key[0] == "revocation"}
    )
    _check(verify(qr, keyset, NOW, only_revocation), "unknown-status", "status-unavailable")
    other_list = StatusEvidence.of(dataclasses.replace(item, list_id=2) for item in evidence.lists.values())
    _check(verify(qr, keyset, NOW, other_list), "unknown-status", "status-unavailable")


@pytest.mark.parametrize(
    ("revoked", "suspended", "outcome"),
    [
        ({4711}, set(), "revoked"),
        (set(), {4711}, "suspended"),
        ({4711}, {4711}, "revoked"),
        ({4712}, {1}, "valid"),
    ],
)
def test_status_bits_decide(
    store: FileKeyStore,
    keyset: KeySet,
    qr: str,
    credential: str,
    revoked: set[int],
    suspended: set[int],
    outcome: str,
) -> None:
    """The certificate's own bit decides: revocation wins over suspension; other bits do not matter."""
    evidence = _evidence(store, keyset, revoked=revoked, suspended=suspended)
    for target in (qr, credential):
        _check(verify(target, keyset, NOW, evidence), outcome, None if outcome == "valid" else "status")


@FUZZ
@given(data=st.data())
def test_any_single_character_change_to_a_qr_payload_fails(
    qr: str, keyset: KeySet, evidence: StatusEvidence, data: st.DataObject
) -> None:
    """Changing any one character of the QR payload makes it invalid, never valid or unknown-status."""
    position = data.draw(st.integers(0, len(qr) - 1))
    replacement = data.draw(st.sampled_from(CHARS).filter(lambda char: char != qr[position]))
    altered = qr[:position] + replacement + qr[position + 1 :]
    assert verify(altered, keyset, NOW, evidence).outcome == "invalid"


@FUZZ
@given(data=st.data())
def test_any_single_character_change_to_a_jws_fails(
    credential: str, keyset: KeySet, evidence: StatusEvidence, data: st.DataObject
) -> None:
    """Changing any one character of the credential makes it invalid, never valid or unknown-status."""
    position = data.draw(st.integers(0, len(credential) - 1))
    replacement = data.draw(st.sampled_from(CHARS).filter(lambda char: char != credential[position]))
    altered = credential[:position] + replacement + credential[position + 1 :]
    assert verify(altered, keyset, NOW, evidence).outcome == "invalid"


def test_every_last_character_variant_fails(qr: str, credential: str, keyset: KeySet) -> None:
    """The last character (where base32/base64 padding bits hide) cannot be swapped for any other."""
    for token in (qr, credential):
        for char in CHARS.replace(token[-1], ""):
            assert verify(token[:-1] + char, keyset, NOW).outcome == "invalid"


@given(st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_garbage_is_invalid_at_parse(target: str | bytes) -> None:
    """Arbitrary input never raises: it is invalid at the parse step."""
    verdict = verify(target, KeySet([]), NOW)
    assert verdict.outcome == "invalid" and verdict.step == "parse"


def test_unknown_key(qr: str, credential: str) -> None:
    """Tokens from a key the key set does not hold are invalid at key-unknown."""
    for target in (qr, credential):
        _check(verify(target, KeySet([]), NOW), "invalid", "key-unknown")


def test_signed_by_another_key_under_this_kid(
    store: FileKeyStore, keyset: KeySet, qr_fields: QrFields, facts: CredentialFacts
) -> None:
    """A token claiming a published key's id but signed with another key fails at signature."""
    published = store.current(NOW)
    impostor = SigningKey(published.kid, Ed25519PrivateKey.generate())
    _check(verify(encode_qr(qr_fields, impostor), keyset, NOW), "invalid", "signature")
    _check(verify(sign_credential(facts, impostor, BASE_URL, NOW), keyset, NOW), "invalid", "signature")


def test_signed_outside_the_key_window(
    store: FileKeyStore, qr_fields: QrFields, facts: CredentialFacts
) -> None:
    """Tokens dated before a key existed, or made by a retired key after its rotation, fail at key-window."""
    old = store.current(NOW)
    store.rotate(LATER)
    keyset = KeySet.from_jwks(jwks_document(store.history()))
    before = NOW - dt.timedelta(days=1)
    after = LATER + dt.timedelta(seconds=1)
    for moment in (before, after):
        qr = encode_qr(dataclasses.replace(qr_fields, issued_at=moment), old)
        _check(verify(qr, keyset, after), "invalid", "key-window")
        _check(verify(sign_credential(facts, old, BASE_URL, moment), keyset, after), "invalid", "key-window")


def test_signed_after_compromise(store: FileKeyStore, qr_fields: QrFields, facts: CredentialFacts) -> None:
    """After a key is marked compromised, what it signed from then on is invalid; earlier tokens stand."""
    key = store.current(NOW)
    since = NOW + dt.timedelta(days=1)
    earlier = encode_qr(qr_fields, key)
    later_time = since + dt.timedelta(hours=1)
    later_qr = encode_qr(dataclasses.replace(qr_fields, issued_at=later_time), key)
    later_jws = sign_credential(facts, key, BASE_URL, later_time)
    store.mark_compromised(key.kid, since)
    keyset = KeySet.from_jwks(jwks_document(store.history()))
    _check(verify(later_qr, keyset, LATER), "invalid", "key-compromised")
    _check(verify(later_jws, keyset, LATER), "invalid", "key-compromised")
    _check(verify(earlier, keyset, LATER), "unknown-status", "status-unavailable")


def test_after_rotation_old_tokens_verify_and_new_carry_new_kid(
    store: FileKeyStore, qr_fields: QrFields, facts: CredentialFacts
) -> None:
    """A rotated key still verifies what it signed while current; new tokens are signed by the new key."""
    old_qr = encode_qr(qr_fields, store.current(NOW))
    old_jws = sign_credential(facts, store.current(NOW), BASE_URL, NOW)
    new_info = store.rotate(LATER)
    new_key = store.current(LATER)
    assert new_key.kid == new_info.kid
    new_qr = encode_qr(dataclasses.replace(qr_fields, issued_at=LATER), new_key)
    keyset = KeySet.from_jwks(jwks_document(store.history()))
    for target in (old_qr, old_jws, new_qr):
        assert verify(target, keyset, LATER).outcome == "unknown-status"
    assert verify(new_qr, keyset, LATER).facts.kid == new_info.kid  # type: ignore[union-attr]
    assert verify(old_jws, keyset, LATER).facts.kid != new_info.kid  # type: ignore[union-attr]


def test_token_signed_just_after_a_sub_second_rotation(store: FileKeyStore, qr_fields: QrFields) -> None:
    """Signing times are whole seconds: a token made 0.2 s after a rotation at x.5 s still verifies."""
    rotated_at = LATER.replace(microsecond=500000)
    store.rotate(rotated_at)
    signed_at = rotated_at + dt.timedelta(milliseconds=200)
    qr = encode_qr(dataclasses.replace(qr_fields, issued_at=signed_at), store.current(signed_at))
    keyset = KeySet.from_history(store.history())
    _check(verify(qr, keyset, signed_at), "unknown-status", "status-unavailable")


def test_well_signed_but_malformed_claims(
    store: FileKeyStore, keyset: KeySet, facts: CredentialFacts
) -> None:
    """A correctly signed JWS whose claims are not a title credential is invalid at claims."""
    claims = credential_claims(facts, BASE_URL, NOW)
    del claims["credentialSubject"]["certificateNumber"]
    key = store.current(NOW)
    token = jwt.api_jws.encode(
        canonical_json(claims), key.private_key, algorithm="EdDSA", headers={"kid": key.kid, "typ": "vc+jwt"}
    )
    _check(verify(token, keyset, NOW), "invalid", "claims")


def test_wrong_header_is_refused(store: FileKeyStore, keyset: KeySet, facts: CredentialFacts) -> None:
    """A JWS with another typ or an extra (e.g. crit) header parameter is refused at parse."""
    key = store.current(NOW)
    payload = canonical_json(credential_claims(facts, BASE_URL, NOW))
    for headers in (
        {"kid": key.kid, "typ": "JWT"},
        {"kid": key.kid, "typ": "vc+jwt", "crit": ["exp"], "exp": 1},
    ):
        token = jwt.api_jws.encode(payload, key.private_key, algorithm="EdDSA", headers=headers)
        _check(verify(token, keyset, NOW), "invalid", "parse")
