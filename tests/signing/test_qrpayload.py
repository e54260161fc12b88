"""The compact QR token: round trip, strict parsing of garbage, URL form, and the QR size budget."""

from __future__ import annotations

import base64
import contextlib
import csv
import dataclasses
import datetime as dt
from pathlib import Path

import pytest
import qrcode
from hypothesis import given
from hypothesis import strategies as st
from qrcode.util import MODE_ALPHA_NUM

from certsvc.errors import MalformedToken, SigningError
from certsvc.signing.keystore import FileKeyStore, SigningKey
from certsvc.signing.qrpayload import (
    DOMAIN_PREFIX,
    QrFields,
    decode_qr,
    encode_qr,
    payload_from_url_or_text,
    qr_url,
)
from tests.signing.support import BASE_URL, NOW

RESULTS = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "results"


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode().rstrip("=")


def test_round_trip(store: FileKeyStore, qr_fields: QrFields) -> None:
    """Decoding gives back every field (signing time to the second) and a signature over the body."""
    key = store.current(NOW)
    token = decode_qr(encode_qr(qr_fields, key))
    assert token.fields == dataclasses.replace(qr_fields, issued_at=NOW.replace(microsecond=0))
    assert token.key_ref == key.key_ref
    assert token.signed_message.startswith(DOMAIN_PREFIX)
    key.private_key.public_key().verify(token.signature, token.signed_message)


def test_payload_is_upper_case_base32(store: FileKeyStore, qr_fields: QrFields) -> None:
    """The payload uses only A-Z and 2-7, so a QR code can hold it in alphanumeric mode."""
    payload = encode_qr(qr_fields, store.current(NOW))
    assert set(payload) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def test_unmasked_name_is_refused(store: FileKeyStore, qr_fields: QrFields) -> None:
    """The QR never carries a full name: a name without a mask is refused at signing."""
    with pytest.raises(SigningError):
        encode_qr(dataclasses.replace(qr_fields, masked_name="雷俊怡"), store.current(NOW))


@pytest.mark.parametrize(
    "field", [{"level": "特级"}, {"version": 70000}, {"status_index": 1 << 24}, {"title": "长" * 90}]
)
def test_out_of_range_fields_are_refused(
    store: FileKeyStore, qr_fields: QrFields, field: dict[str, object]
) -> None:
    """Values the compact layout cannot hold raise SigningError instead of being truncated."""
    with pytest.raises(SigningError):
        encode_qr(dataclasses.replace(qr_fields, **field), store.current(NOW))  # type: ignore[arg-type]


def _raw_bytes(payload: str) -> bytes:
    return base64.b32decode(payload + "=" * (-len(payload) % 8))


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda data: data[:-1], id="truncated"),
        pytest.param(lambda data: data[:10], id="truncated-in-string"),
        pytest.param(lambda data: data + b"\x00", id="trailing-byte"),
        pytest.param(lambda data: b"\x02" + data[1:], id="unknown-format"),
        pytest.param(lambda data: data[:1] + b"\xff" + data[2:], id="length-past-end"),
        pytest.param(lambda data: b"", id="empty"),
    ],
)
def test_structural_garbage_is_malformed(store: FileKeyStore, qr_fields: QrFields, mutate: object) -> None:
    """Truncation, trailing bytes, unknown format and impossible lengths raise MalformedToken."""
    data = _raw_bytes(encode_qr(qr_fields, store.current(NOW)))
    with pytest.raises(MalformedToken):
        decode_qr(_b32(mutate(data)))  # type: ignore[operator]


def test_bad_utf8_is_malformed() -> None:
    """A text field that is not UTF-8 raises MalformedToken, not UnicodeDecodeError."""
    body = b"\x01\x02\xff\xfe" + bytes(200)
    with pytest.raises(MalformedToken):
        decode_qr(_b32(body))


@pytest.mark.parametrize("payload", ["", "abcdefgh", "ABC1", "ABCDEFGH=", "A", "ABC", "ABCDEF", "AB CD"])
def test_bad_base32_is_malformed(payload: str) -> None:
    """Lower case, digits outside 2-7, padding, impossible lengths and spaces raise MalformedToken."""
    with pytest.raises(MalformedToken):
        decode_qr(payload)


def test_non_canonical_trailing_bits_are_malformed(store: FileKeyStore, qr_fields: QrFields) -> None:
    """A second spelling of the same bytes (non-zero unused bits in the last character) is refused."""
    payload = encode_qr(qr_fields, store.current(NOW))
    assert len(payload) % 8 != 0
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    twin = payload[:-1] + alphabet[alphabet.index(payload[-1]) + 1]
    assert _raw_bytes(twin) == _raw_bytes(payload)
    with pytest.raises(MalformedToken):
        decode_qr(twin)


@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash_the_decoder(data: bytes) -> None:
    """Any byte string, Base32-encoded, either decodes or raises MalformedToken: nothing else escapes."""
    with contextlib.suppress(MalformedToken):
        decode_qr(_b32(data))


@given(st.text(max_size=300))
def test_arbitrary_text_never_crashes_the_decoder(text: str) -> None:
    """Any text either decodes or raises MalformedToken."""
    with contextlib.suppress(MalformedToken):
        decode_qr(text)


def test_url_is_upper_case_and_payload_comes_back() -> None:
    """qr_url upper-cases scheme and host; the payload is found in /V/ and /v/ URLs and as bare text."""
    url = qr_url(BASE_URL + "/", "ABCD2345")
    assert url == "HTTPS://ZHICHENG.EXAMPLE.GOV.CN/V/ABCD2345"
    assert payload_from_url_or_text(url) == "ABCD2345"
    assert payload_from_url_or_text(" https://zhicheng.example.gov.cn/v/ABCD2345/\n") == "ABCD2345"
    assert payload_from_url_or_text("ABCD2345") == "ABCD2345"
    with pytest.raises(MalformedToken):
        payload_from_url_or_text("https://evil.example/x/ABCD2345")


def _mask(name: str) -> str:
    """The 张*明 rule, worst case for size: first and last characters and middle dots stay visible."""
    return name[0] + "".join("·" if char == "·" else "*" for char in name[1:-1]) + name[-1]


def _longest(column: str) -> str:
    values: list[str] = []
    for path in sorted(RESULTS.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            values.extend(row[column] for row in csv.DictReader(handle))
    assert values, f"no test data in {RESULTS}"
    return max(values, key=lambda value: len(value.encode("utf-8")))


@pytest.mark.parametrize(
    ("name", "title"),
    [
        pytest.param(None, None, id="longest-in-testdata"),
        # 20 characters, three middle dots: the longest personal name intake accepts.
        pytest.param("阿依古丽·买买提明·艾尔肯江·吐尔逊娜依", None, id="20-char-minority-name"),
        pytest.param("阿依古丽·买买提明·艾尔肯江·吐尔逊娜依", "正高级工程师", id="minority-name-long-title"),
    ],
)
def test_qr_fits_version_10_at_ecc_m_in_alphanumeric_mode(
    store: FileKeyStore, qr_fields: QrFields, name: str | None, title: str | None
) -> None:
    """The full QR URL for the longest names and titles fits QR version <= 10 at ECC M, all alphanumeric.

    Worst case elsewhere too: a 32-character certificate number (the column width) and maximal
    version, status list id and index.
    """
    name = name or _longest("name")
    title = title or _longest("title")
    assert len(name) <= 20
    fields = dataclasses.replace(
        qr_fields,
        certificate_number="X" * 32,
        version=65535,
        masked_name=_mask(name),
        title=title,
        status_list_id=65535,
        status_index=131071,
    )
    url = qr_url(BASE_URL, encode_qr(fields, store.current(NOW)))
    code = qrcode.QRCode(version=None, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    assert [chunk.mode for chunk in code.data_list] == [MODE_ALPHA_NUM]
    assert code.version is not None and code.version <= 10, (code.version, len(url))


def test_other_key_signature_does_not_parse_as_different_key(
    store: FileKeyStore, qr_fields: QrFields
) -> None:
    """The key reference in the token is the signing key's, so verifiers look up the right key."""
    old: SigningKey = store.current(NOW)
    store.rotate(NOW + dt.timedelta(days=1))
    new = store.current(NOW + dt.timedelta(days=1))
    assert decode_qr(encode_qr(qr_fields, old)).key_ref != decode_qr(encode_qr(qr_fields, new)).key_ref


def test_unparseable_url_is_a_malformed_token_not_a_crash() -> None:
    """A scanned text that urlsplit cannot parse (unbalanced IPv6 bracket) is refused as malformed."""
    from certsvc.errors import MalformedToken
    from certsvc.signing.qrpayload import payload_from_url_or_text

    with pytest.raises(MalformedToken):
        payload_from_url_or_text("http://[x/v/A")
