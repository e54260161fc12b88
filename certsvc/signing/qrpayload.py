"""The QR token: a compact signed binary structure in upper-case Base32, verifiable offline.

Layout (big-endian; ``str`` = 1-byte length + UTF-8 bytes):

    u8   format version (1)
    str  certificate number
    u16  certificate version
    str  masked holder name (e.g. 张*明; never the full name, never the ID number)
    str  title
    u8   level code (LEVEL_CODES)
    u16  date obtained, days since 1970-01-01
    u32  signing time, seconds since the epoch (checked against the key's validity window)
    u16  status list id
    u24  status index (so an offline verifier with a status list can check revocation)
    8    key reference: first 8 bytes of the signing key's RFC 7638 thumbprint digest
    64   Ed25519 signature over DOMAIN_PREFIX + all preceding bytes

The text form is RFC 4648 Base32 without padding: A-Z and 2-7 are all in the QR alphanumeric set,
so with an upper-case URL (``qr_url``) the whole QR is encoded in alphanumeric mode.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import struct
from urllib.parse import urlsplit

from certsvc.errors import MalformedToken, SigningError
from certsvc.signing._codec import base32_encode
from certsvc.signing.keystore import SigningKey

FORMAT_VERSION = 1
DOMAIN_PREFIX = b"certsvc/qr-token/v1\x00"
LEVEL_CODES = {"正高级": 1, "副高级": 2, "中级": 3, "助理级": 4, "员级": 5}
_LEVELS_BY_CODE = {code: level for level, code in LEVEL_CODES.items()}
_EPOCH = dt.date(1970, 1, 1)
_SIGNATURE_LENGTH = 64
_KEY_REF_LENGTH = 8
_FIXED_TAIL = struct.Struct(">BHIH3s8s")
_BASE32 = re.compile(r"[A-Z2-7]+")
_BASE32_TO_INT_DIGITS = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789abcdefghijklmnopqrstuv")


@dataclasses.dataclass(frozen=True)
class QrFields:
    """What the QR asserts. ``masked_name`` must already be masked by the caller."""

    certificate_number: str
    version: int
    masked_name: str
    title: str
    level: str
    obtained: dt.date
    issued_at: dt.datetime
    status_list_id: int
    status_index: int


@dataclasses.dataclass(frozen=True)
class QrToken:
    """A decoded, NOT yet verified token: verify ``signature`` over ``signed_message`` first."""

    fields: QrFields
    key_ref: bytes
    signed_message: bytes
    signature: bytes


def encode_qr(fields: QrFields, key: SigningKey) -> str:
    """Sign ``fields`` with ``key`` and return the upper-case Base32 payload."""
    if "*" not in fields.masked_name:
        raise SigningError("the QR carries a masked holder name only (e.g. 张*明)")
    if fields.level not in LEVEL_CODES:
        raise SigningError(f"unknown level {fields.level!r}")
    days = (fields.obtained - _EPOCH).days
    seconds = int(fields.issued_at.timestamp())
    try:
        body = b"".join(
            [
                bytes([FORMAT_VERSION]),
                _text(fields.certificate_number),
                struct.pack(">H", fields.version),
                _text(fields.masked_name),
                _text(fields.title),
                _FIXED_TAIL.pack(
                    LEVEL_CODES[fields.level],
                    days,
                    seconds,
                    fields.status_list_id,
                    fields.status_index.to_bytes(3, "big"),
                    key.key_ref,
                ),
            ]
        )
    except (struct.error, OverflowError, ValueError) as exc:
        raise SigningError(f"QR field out of range: {exc}") from None
    signature = key.sign(DOMAIN_PREFIX + body)
    return base32_encode(body + signature)


def decode_qr(payload: str) -> QrToken:
    """Parse a payload without verifying it; ``MalformedToken`` (step parse) on any garbage."""
    data = _base32_decode(payload)
    reader = _Reader(data)
    try:
        if reader.take(1)[0] != FORMAT_VERSION:
            raise ValueError("unknown QR token format")
        number = reader.text()
        (version,) = struct.unpack(">H", reader.take(2))
        masked_name = reader.text()
        title = reader.text()
        level_code, days, seconds, list_id, index, key_ref = _FIXED_TAIL.unpack(reader.take(_FIXED_TAIL.size))
        body_end = reader.offset
        signature = reader.take(_SIGNATURE_LENGTH)
        if reader.offset != len(data):
            raise ValueError("trailing bytes")
        if level_code not in _LEVELS_BY_CODE or not number:
            raise ValueError("unknown level or empty certificate number")
    except (ValueError, struct.error, IndexError) as exc:
        raise MalformedToken(f"QR payload is malformed: {exc}", step="parse") from None
    fields = QrFields(
        certificate_number=number,
        version=version,
        masked_name=masked_name,
        title=title,
        level=_LEVELS_BY_CODE[level_code],
        obtained=_EPOCH + dt.timedelta(days=days),
        issued_at=dt.datetime.fromtimestamp(seconds, dt.UTC),
        status_list_id=list_id,
        status_index=int.from_bytes(index, "big"),
    )
    return QrToken(fields, key_ref, DOMAIN_PREFIX + data[:body_end], signature)


def qr_url(base_url: str, payload: str) -> str:
    """``HTTPS://HOST[/BASE-PATH]/V/<payload>``: scheme and host upper-cased (they are case-insensitive)
    so the QR stays in alphanumeric mode; a base path is kept as given, so keep it upper case too."""
    parts = urlsplit(base_url.rstrip("/"))
    if not parts.scheme or not parts.netloc:
        raise ValueError("base URL needs a scheme and a host")
    return f"{parts.scheme.upper()}://{parts.netloc.upper()}{parts.path}/V/{payload}"


def payload_from_url_or_text(text: str) -> str:
    """The payload from a scanned QR URL (``/v/`` or ``/V/``) or from the bare payload itself."""
    text = text.strip()
    if "://" not in text:
        return text
    try:
        path = urlsplit(text).path
    except ValueError:
        # urlsplit rejects e.g. an unbalanced IPv6 bracket: that is a malformed scan, not a crash.
        raise MalformedToken("not a valid URL", step="parse") from None
    segments = [segment for segment in path.split("/") if segment]
    if len(segments) < 2 or segments[-2] not in ("v", "V"):
        raise MalformedToken("not a certsvc verification URL (expected …/v/<payload>)", step="parse")
    return segments[-1]


def _text(value: str) -> bytes:
    encoded = value.encode("utf-8")
    if len(encoded) > 255:
        raise ValueError("text field longer than 255 bytes")
    return bytes([len(encoded)]) + encoded


def _base32_decode(payload: str) -> bytes:
    # base64.b32decode is a pure-Python loop; reading the text as a base-32 integer is C-speed and
    # lets the canonical check (unused trailing bits must be zero) be one mask test.
    if not isinstance(payload, str) or not _BASE32.fullmatch(payload) or len(payload) % 8 in (1, 3, 6):
        raise MalformedToken("QR payload is not upper-case Base32", step="parse")
    value = int(payload.translate(_BASE32_TO_INT_DIGITS), 32)
    length = len(payload) * 5 // 8
    spare_bits = len(payload) * 5 - length * 8
    if value & ((1 << spare_bits) - 1):
        raise MalformedToken("QR payload is not canonical Base32", step="parse")
    return (value >> spare_bits).to_bytes(length, "big")


class _Reader:
    __slots__ = ("data", "offset")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0

    def take(self, count: int) -> bytes:
        end = self.offset + count
        if end > len(self.data):
            raise ValueError("truncated")
        chunk = self.data[self.offset : end]
        self.offset = end
        return chunk

    def text(self) -> str:
        return self.take(self.take(1)[0]).decode("utf-8")
