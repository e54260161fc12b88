"""Fuzzing everything that parses a token a stranger can hand us: QR payloads, JWS credentials,
JWKS documents, status list credentials and signed ledger checkpoints.

Properties: garbage gives the parser's own error (``MalformedToken``/``VerificationError``,
``InvalidKeySet``, ``InvalidStatusList``, ``CheckpointError``) and the verifier answers ``invalid``
without raising; every single-character change to a genuine token makes it invalid; tokens that are
correctly signed but carry nonsense claims (what a stolen or buggy signer could produce) are still
refused cleanly.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import string
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from certsvc.domain.canonical import canonical_json
from certsvc.errors import CheckpointError, InvalidKeySet, InvalidStatusList, MalformedToken, SigningError
from certsvc.ledger.checkpoint import format_checkpoint, open_note, parse_checkpoint, sign_note, verifier_key
from certsvc.signing.credential import CredentialFacts, issuer_id_for_uscc, sign_credential
from certsvc.signing.jose import sign_vc_jwt
from certsvc.signing.jwks import KeySet, jwks_document
from certsvc.signing.keystore import FileKeyStore, SigningKey
from certsvc.signing.qrpayload import LEVEL_CODES, QrFields, decode_qr, encode_qr, qr_url
from certsvc.signing.statuslist import StatusBits, sign_status_list, status_list_url, verify_status_list
from certsvc.signing.verifier import INVALID, UNKNOWN_STATUS, verify
from tests.reliability import strategies as fs
from tests.reliability.figures import Tally, fuzz_settings

NOW = dt.datetime(2025, 3, 1, 9, 30, 15, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(hours=2)
BASE_URL = "https://zhicheng.example.gov.cn"
BASE32 = string.ascii_uppercase + "234567"
B64URL = string.ascii_letters + string.digits + "-_"
FUZZ = fuzz_settings(300)
TOKEN_TEXT = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=BASE32, max_size=400),
    st.text(alphabet=B64URL + ".", max_size=400),
    st.binary(max_size=300).map(lambda b: base64.b32encode(b).decode().rstrip("=")),
    st.builds(lambda a, b, c: f"{a}.{b}.{c}", *[st.text(alphabet=B64URL, max_size=120)] * 3),
    st.text(alphabet=BASE32, max_size=200).map(lambda p: f"https://certs.example.test/v/{p}"),
)


@dataclasses.dataclass(frozen=True)
class Signer:
    key: SigningKey
    keyset: KeySet
    store: FileKeyStore


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> Signer:
    store = FileKeyStore(tmp_path_factory.mktemp("keys"), b"fuzz passphrase", unsafe_plaintext=False)
    store.ensure_initial_key(NOW)
    return Signer(store.current(NOW), KeySet.from_history(store.history()), store)


@pytest.fixture(scope="module")
def tally() -> Iterator[Tally]:
    counts = Tally()
    yield counts
    counts.flush()


SHORT_TEXT = st.text(min_size=1, max_size=30)
# What a signed credential can hold: intake refuses control characters in every field (rule 9)
# and incoming text never carries unpaired surrogates, so the verifier refuses them as foreign.
SIGNED_TEXT = st.text(st.characters(exclude_categories=["Cc", "Cs"]), min_size=1, max_size=30)


@st.composite
def qr_fields(draw: st.DrawFn) -> QrFields:
    return QrFields(
        certificate_number=draw(SHORT_TEXT),
        version=draw(st.integers(1, 65535)),
        masked_name=draw(st.text(max_size=5)) + "*" + draw(st.text(max_size=5)),
        title=draw(SHORT_TEXT),
        level=draw(st.sampled_from(sorted(LEVEL_CODES))),
        obtained=draw(st.dates(dt.date(1970, 1, 1), dt.date(2099, 12, 31))),
        issued_at=NOW + dt.timedelta(seconds=draw(st.integers(0, 3600))),
        status_list_id=draw(st.integers(1, 65535)),
        status_index=draw(st.integers(0, 2**24 - 1)),
    )


@st.composite
def credential_facts(draw: st.DrawFn) -> CredentialFacts:
    return CredentialFacts(
        certificate_number=draw(SIGNED_TEXT),
        version=draw(st.integers(1, 10**6)),
        holder_name=draw(SIGNED_TEXT),
        title=draw(SIGNED_TEXT),
        level=draw(st.sampled_from(sorted(LEVEL_CODES))),
        series=draw(SIGNED_TEXT),
        specialty=draw(SIGNED_TEXT),
        obtained=draw(st.dates(dt.date(1970, 1, 1), dt.date(2099, 12, 31))),
        issuer_id=issuer_id_for_uscc("11421200011223344X"),
        issuer_name=draw(SIGNED_TEXT),
        status_list_id=draw(st.integers(1, 65535)),
        status_index=draw(st.integers(0, 131071)),
        employer=draw(st.none() | SIGNED_TEXT),
    )


# --- garbage ---------------------------------------------------------------------------------------
@FUZZ
@given(text=TOKEN_TEXT)
def test_decode_qr_refuses_garbage_with_malformed_token(tally: Tally, text: str) -> None:
    """Any text handed to the QR decoder either decodes or raises MalformedToken at step parse."""
    try:
        decode_qr(text)
        outcome = "decoded"
    except MalformedToken as error:
        assert error.step == "parse"
        outcome = "malformed"
    tally.tick("QR payload decoder: random text", outcome)


@FUZZ
@given(target=st.one_of(TOKEN_TEXT, st.binary(max_size=400)))
def test_verifier_answers_invalid_for_garbage(tally: Tally, signer: Signer, target: str | bytes) -> None:
    """The offline verifier never raises and never calls garbage authentic."""
    verdict = verify(target, signer.keyset, NOW)
    assert verdict.outcome == INVALID
    assert verdict.step in {"parse", "key-unknown", "signature", "claims"}
    tally.tick("verifier: random text/bytes", verdict.step)


# --- genuine tokens, one character changed ---------------------------------------------------------
@FUZZ
@given(data=st.data(), fields=qr_fields())
def test_qr_roundtrips_and_any_changed_character_invalidates_it(
    tally: Tally, signer: Signer, data: st.DataObject, fields: QrFields
) -> None:
    """A genuine payload decodes to what was signed; changing any one of its characters makes it invalid."""
    try:
        payload = encode_qr(fields, signer.key)
    except SigningError:  # a text longer than its 255-byte slot: the encoder refuses, as it must
        return
    decoded = decode_qr(payload).fields
    assert decoded == dataclasses.replace(fields, issued_at=fields.issued_at.replace(microsecond=0))
    assert verify(qr_url(BASE_URL, payload), signer.keyset, LATER).outcome == UNKNOWN_STATUS
    altered = data.draw(fs.char_substitutions(payload, BASE32))
    verdict = verify(altered, signer.keyset, LATER)
    assert verdict.outcome == INVALID
    tally.tick("QR payload: genuine, one character changed", verdict.step)


@FUZZ
@given(data=st.data(), facts=credential_facts())
def test_any_changed_character_invalidates_a_credential(
    tally: Tally, signer: Signer, data: st.DataObject, facts: CredentialFacts
) -> None:
    """A genuine JWS credential verifies; changing any one character (dots included) makes it invalid."""
    jws = sign_credential(facts, signer.key, BASE_URL, NOW)
    genuine = verify(jws, signer.keyset, NOW)
    assert genuine.outcome == UNKNOWN_STATUS and genuine.facts is not None
    assert genuine.facts.certificate_number == facts.certificate_number
    altered = data.draw(fs.char_substitutions(jws, B64URL + "."))
    verdict = verify(altered, signer.keyset, NOW)
    assert verdict.outcome == INVALID
    tally.tick("JWS credential: genuine, one character changed", verdict.step)


# --- correctly signed nonsense -------------------------------------------------------------------
@FUZZ
@given(
    claims=st.dictionaries(
        st.sampled_from(["@context", "type", "credentialSubject", "credentialStatus", "iat", "issuer", "x"]),
        fs.JSON_VALUES,
        max_size=7,
    )
)
def test_signed_nonsense_claims_are_refused(tally: Tally, signer: Signer, claims: dict[str, Any]) -> None:
    """A JWS with a good signature but nonsense claims is invalid (at parse for non-JSON numbers such as
    Infinity, else at claims), never a crash."""
    verdict = verify(sign_vc_jwt(claims, signer.key), signer.keyset, NOW)
    assert verdict.outcome == INVALID and verdict.step in {"parse", "claims"}, verdict
    tally.tick("JWS credential: signed, nonsense claims", verdict.step)


@st.composite
def status_claims(draw: st.DrawFn) -> dict[str, Any]:
    """Claims of a real status list with some members replaced by random JSON."""
    url = status_list_url(BASE_URL, 1, "revocation")
    subject: dict[str, Any] = {
        "id": f"{url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": StatusBits().encode(),
    }
    claims: dict[str, Any] = {
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "validFrom": "2025-03-01T00:00:00Z",
        "validUntil": "2025-03-02T00:00:00Z",
        "credentialSubject": subject,
        "iat": int(NOW.timestamp()),
    }
    for _ in range(draw(st.integers(1, 3))):
        target = draw(st.sampled_from([claims, subject]))
        target[draw(st.sampled_from(sorted(target)))] = draw(fs.JSON_VALUES)
    return claims


@FUZZ
@given(data=st.data())
def test_signed_nonsense_status_lists_are_refused(tally: Tally, signer: Signer, data: st.DataObject) -> None:
    """A status list with a good signature but a broken member is refused as InvalidStatusList."""
    jws = sign_vc_jwt(data.draw(status_claims()), signer.key)
    try:
        verify_status_list(jws, signer.keyset, NOW)
        outcome = "accepted"
    except InvalidStatusList as error:
        outcome = error.step
    tally.tick("status list: signed, one member nonsense", outcome)


@FUZZ
@given(text=TOKEN_TEXT)
def test_status_list_parser_refuses_garbage(tally: Tally, signer: Signer, text: str) -> None:
    """Random text as a status list credential is InvalidStatusList, never another exception."""
    with pytest.raises(InvalidStatusList):
        verify_status_list(text, signer.keyset, NOW)
    tally.tick("status list: random text", "refused")


def test_genuine_status_list_is_accepted(signer: Signer) -> None:
    """Guard for the status list fuzzers: the list they break is accepted when intact."""
    url = status_list_url(BASE_URL, 1, "revocation")
    jws = sign_status_list(StatusBits(), "revocation", url, signer.key, NOW, ttl_seconds=3600)
    assert verify_status_list(jws, signer.keyset, NOW).list_id == 1


# --- JWKS ------------------------------------------------------------------------------------------
@st.composite
def jwks_documents(draw: st.DrawFn, genuine: dict[str, Any]) -> Any:
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return draw(fs.JSON_VALUES)
    document = json.loads(json.dumps(genuine))
    key = document["keys"][0]
    for _ in range(draw(st.integers(1, 3))):
        key[draw(st.sampled_from([*sorted(key), "exp", "nbf"]))] = draw(fs.JSON_VALUES)
    return document


@FUZZ
@given(data=st.data())
def test_jwks_parser_refuses_malformed_documents(tally: Tally, signer: Signer, data: st.DataObject) -> None:
    """A JWKS document with broken members is InvalidKeySet; one that parses still verifies nothing forged."""
    genuine = jwks_document(signer.store.history())
    document = data.draw(jwks_documents(genuine))
    try:
        keyset = KeySet.from_jwks(document)
        outcome = "parsed"
    except InvalidKeySet:
        outcome = "refused"
    else:
        verdict = verify("not-a-token", keyset, NOW)
        assert verdict.outcome == INVALID
    tally.tick("JWKS documents", outcome)


# --- signed checkpoints ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def note_key() -> tuple[str, Ed25519PrivateKey, str]:
    private = Ed25519PrivateKey.generate()
    return "fuzz.example/ledger", private, verifier_key("fuzz.example/ledger", private.public_key())


@FUZZ
@given(data=st.data(), text=st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_checkpoint_parsers_refuse_garbage(
    tally: Tally, note_key: tuple[str, Ed25519PrivateKey, str], data: st.DataObject, text: str | bytes
) -> None:
    """Random notes, and genuine signed checkpoints with bytes damaged, give CheckpointError only."""
    name, private, vkey = note_key
    genuine = sign_note(format_checkpoint(name, 42, bytes(32)), name, private)
    candidate: str | bytes = text if data.draw(st.booleans()) else data.draw(fs.mutated(genuine.encode()))
    try:
        body = open_note(candidate, vkey)
        parse_checkpoint(body)
        outcome = "verified"
        assert body == format_checkpoint(name, 42, bytes(32)), "only the genuine note verifies"
    except CheckpointError:
        outcome = "refused"
    tally.tick("signed checkpoints: random and damaged notes", outcome)


@FUZZ
@given(body=st.text(max_size=200))
def test_checkpoint_body_parser_refuses_garbage(tally: Tally, body: str) -> None:
    """Any checkpoint body text either parses strictly or raises CheckpointError."""
    try:
        parsed = parse_checkpoint(body)
        assert format_checkpoint(parsed.origin, parsed.size, parsed.root, parsed.extensions) == body
        outcome = "parsed"
    except CheckpointError:
        outcome = "refused"
    tally.tick("checkpoint body parser", outcome)


def test_canonical_json_is_what_gets_signed(signer: Signer) -> None:
    """Guard: the nonsense-claims fuzzer signs canonical bytes, so its tokens pass the signature step."""
    jws = sign_vc_jwt({"x": 1}, signer.key)
    assert base64.urlsafe_b64decode(jws.split(".")[1] + "==") == canonical_json({"x": 1})
    assert verify(jws, signer.keyset, NOW).step == "claims"
