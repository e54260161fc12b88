"""W3C Bitstring Status List: bits, encoding, the keyed slot permutation, the signed list credential."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import hmac
import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certsvc.errors import InvalidStatusList
from certsvc.signing.jose import parse_vc_jwt
from certsvc.signing.jwks import KeySet
from certsvc.signing.keystore import FileKeyStore
from certsvc.signing.statuslist import (
    MAX_SIZE,
    StatusBits,
    parse_status_list_url,
    sign_status_list,
    status_index,
    status_list_url,
    verify_status_list,
)
from tests.signing.support import BASE_URL, NOW

SECRET = bytes(range(32))
LIST_URL = f"{BASE_URL}/status/7/revocation"


def test_bits_set_get_and_clear() -> None:
    """Setting a bit shows in get(); clearing it (reinstatement) removes it; others stay untouched."""
    bits = StatusBits()
    bits.set(0)
    bits.set(131071)
    bits.set(4711)
    bits.set(4711, False)
    assert bits.set_indexes() == [0, 131071]
    with pytest.raises(IndexError):
        bits.get(131072)


def test_encoding_follows_the_spec() -> None:
    """encodedList is 'u' + unpadded base64url GZIP; index 0 is the first byte's most significant bit."""
    bits = StatusBits()
    bits.set(0)
    bits.set(9)
    encoded = bits.encode()
    assert encoded.startswith("u") and "=" not in encoded
    body = encoded[1:]
    raw = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert len(raw) == 16384 and raw[:2] == b"\x80\x40"
    assert StatusBits.decode(encoded).set_indexes() == [0, 9]


@pytest.mark.parametrize(
    "encoded",
    [
        "z" + StatusBits(64).encode()[1:],
        "u!!!!",
        "u" + base64.urlsafe_b64encode(b"not gzip").decode(),
        "u" + base64.urlsafe_b64encode(gzip.compress(bytes(10**7))).decode(),
    ],
    ids=["wrong-multibase", "not-base64", "not-gzip", "gzip-bomb"],
)
def test_decode_refuses_garbage(encoded: str) -> None:
    """Wrong multibase prefix, bad base64, non-GZIP data and oversized lists are refused."""
    with pytest.raises(ValueError):
        StatusBits.decode(encoded)


@pytest.mark.parametrize("size", [1, 2, 3, 8, 100, 1000, 4096])
def test_status_index_is_a_bijection_on_small_domains(size: int) -> None:
    """Every counter in [0, size) maps to a distinct slot in [0, size): exhaustive check."""
    slots = [status_index(SECRET, 3, counter, size) for counter in range(size)]
    assert sorted(slots) == list(range(size))


def test_status_index_on_the_full_list_is_injective_and_scattered() -> None:
    """Sampled counters of a 131072-slot list land on distinct in-range slots, not in issue order."""
    counters = random.Random(1).sample(range(131072), 20000)
    slots = [status_index(SECRET, 3, counter) for counter in counters]
    assert len(set(slots)) == len(slots) and all(0 <= slot < 131072 for slot in slots)
    consecutive = [status_index(SECRET, 3, counter) for counter in range(100)]
    assert sum(b - a == 1 for a, b in itertools.pairwise(consecutive)) < 5


def test_status_index_depends_on_secret_and_list() -> None:
    """Different lists, or a different secret, give a different slot order."""
    base = [status_index(SECRET, 1, counter) for counter in range(50)]
    assert base != [status_index(SECRET, 2, counter) for counter in range(50)]
    assert base != [status_index(bytes(32), 1, counter) for counter in range(50)]
    with pytest.raises(ValueError):
        status_index(SECRET, 1, 131072)


def test_status_index_keeps_the_slots_of_existing_lists() -> None:
    """Known answers: lists already in use keep handing out the same slots (a changed permutation
    would collide with slots allocated before, and the database refuses a shared slot)."""
    assert [status_index(SECRET, 1, counter) for counter in (0, 1, 2, 3, 100, 131071)] == [
        13467,
        111371,
        5526,
        20699,
        59520,
        20979,
    ]
    assert [status_index(SECRET, 7, counter, 1000) for counter in (0, 1, 2, 999)] == [58, 131, 683, 773]
    assert [status_index(b"\xff" * 32, 123456, counter) for counter in (0, 5, 77777)] == [
        33165,
        93479,
        116878,
    ]


def _status_index_by_definition(secret: bytes, list_id: int, counter: int, size: int) -> int:
    """The permutation as specified: HMAC-SHA256 Feistel rounds computed one by one, cycle walking."""
    half_bits = max(1, ((size - 1).bit_length() + 1) // 2)
    mask = (1 << half_bits) - 1
    list_key = hmac.new(secret, b"certsvc/status-index/" + str(list_id).encode(), hashlib.sha256).digest()

    def feistel(value: int) -> int:
        left, right = value >> half_bits, value & mask
        for round_number in range(8):
            digest = hmac.digest(list_key, bytes([round_number]) + right.to_bytes(4, "big"), "sha256")
            left, right = right, left ^ (int.from_bytes(digest[:4], "big") & mask)
        return (left << half_bits) | right

    value = feistel(counter)
    while value >= size:
        value = feistel(value)
    return value


@settings(max_examples=300, deadline=None)  # each new secret tabulates its list first (~10 ms)
@given(
    secret=st.binary(min_size=32, max_size=32),
    list_id=st.integers(min_value=1, max_value=10**9),
    size=st.sampled_from([1, 2, 7, 1000, 4096, 131072, 1 << 20]),
    data=st.data(),
)
def test_status_index_follows_its_definition(
    secret: bytes, list_id: int, size: int, data: st.DataObject
) -> None:
    """The tabulated round function gives exactly the slots of the round-by-round HMAC definition."""
    counter = data.draw(st.integers(min_value=0, max_value=size - 1))
    assert status_index(secret, list_id, counter, size) == _status_index_by_definition(
        secret, list_id, counter, size
    )


@pytest.mark.parametrize("size", [0, -1, MAX_SIZE + 1])
def test_status_list_sizes_outside_what_the_qr_can_carry_are_refused(size: int) -> None:
    """A list must have at least one slot and no index beyond the QR token's 24-bit field."""
    with pytest.raises(ValueError):
        status_index(SECRET, 1, 0, size)


def test_url_round_trip() -> None:
    """Status list URLs carry list id and purpose, and are parsed back; other URLs are refused."""
    assert status_list_url(BASE_URL + "/", 7, "suspension") == f"{BASE_URL}/status/7/suspension"
    assert parse_status_list_url(LIST_URL) == (7, "revocation")
    with pytest.raises(ValueError):
        parse_status_list_url(f"{BASE_URL}/status/7/expired")


def _signed(store: FileKeyStore, bits: StatusBits, ttl: int = 3600) -> str:
    return sign_status_list(bits, "revocation", LIST_URL, store.current(NOW), NOW, ttl_seconds=ttl)


def test_signed_list_round_trip(store: FileKeyStore, keyset: KeySet) -> None:
    """A signed list verifies within its validity and gives back its bits, list id and purpose."""
    bits = StatusBits()
    bits.set(4711)
    verified = verify_status_list(_signed(store, bits), keyset, NOW + dt.timedelta(minutes=5))
    assert (verified.list_id, verified.purpose, verified.url) == (7, "revocation", LIST_URL)
    assert verified.bits.set_indexes() == [4711]
    assert verified.valid_until == NOW.replace(microsecond=0) + dt.timedelta(hours=1)


def test_signed_list_claims(store: FileKeyStore) -> None:
    """The list credential is a BitstringStatusListCredential with validFrom/validUntil and ttl (ms)."""
    claims = parse_vc_jwt(_signed(store, StatusBits())).claims
    assert claims["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert claims["validFrom"] == "2025-03-01T09:30:15Z"
    assert claims["validUntil"] == "2025-03-01T10:30:15Z"
    assert claims["credentialSubject"]["ttl"] == 3_600_000
    assert claims["credentialSubject"]["statusPurpose"] == "revocation"


def test_expired_list_is_refused(store: FileKeyStore, keyset: KeySet) -> None:
    """A list past validUntil is not evidence: stale revocation data must not make a certificate valid."""
    with pytest.raises(InvalidStatusList) as caught:
        verify_status_list(_signed(store, StatusBits()), keyset, NOW + dt.timedelta(hours=2))
    assert caught.value.step == "freshness"


def test_forged_list_is_refused(store: FileKeyStore, keyset: KeySet) -> None:
    """A list whose payload was swapped (a revocation bit cleared) fails the signature check."""
    bits = StatusBits()
    bits.set(4711)
    header, _, signature = _signed(store, bits).split(".")
    _, cleared_payload, _ = _signed(store, StatusBits()).split(".")
    with pytest.raises(InvalidStatusList) as caught:
        verify_status_list(f"{header}.{cleared_payload}.{signature}", keyset, NOW)
    assert caught.value.step == "signature"


def test_list_signed_by_unknown_key_is_refused(store: FileKeyStore) -> None:
    """A list signed by a key outside the key set is refused."""
    with pytest.raises(InvalidStatusList) as caught:
        verify_status_list(_signed(store, StatusBits()), KeySet([]), NOW)
    assert caught.value.step == "key-unknown"
