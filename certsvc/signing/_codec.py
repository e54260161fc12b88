"""Small strict codecs shared by the signing modules: base64url, RFC 3339 times, JWK thumbprints.

Strictness matters here: a lenient decoder that ignores non-zero padding bits would let two
different strings carry the same signed bytes, so every decoder re-encodes and compares.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re

from certsvc.domain.canonical import canonical_json

_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url; raise ValueError unless ``text`` is the one canonical encoding."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError("not base64url") from exc
    if b64url_encode(data) != text:
        raise ValueError("non-canonical base64url")
    return data


def format_time(moment: dt.datetime) -> str:
    """RFC 3339 UTC with a 'Z' suffix and whole seconds (what VC ``validFrom`` expects)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_time_exact(moment: dt.datetime) -> str:
    """RFC 3339 UTC keeping microseconds, for key windows that must not be rounded."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def parse_time(text: str) -> dt.datetime:
    """Parse an RFC 3339 time with an explicit offset into an aware UTC datetime."""
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("RFC 3339 time needs an offset")
    return moment.astimezone(dt.UTC)


def epoch_seconds(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def jwk_thumbprint(public_key: bytes) -> str:
    """RFC 7638 thumbprint of an Ed25519 OKP key: base64url SHA-256 of the required members."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": b64url_encode(public_key)}
    return b64url_encode(hashlib.sha256(canonical_json(members)).digest())


def key_reference(kid: str) -> bytes:
    """The 8-byte short key reference the QR token carries: the first 8 bytes of the thumbprint digest."""
    return b64url_decode(kid)[:8]
