"""Small strict codecs shared by the signing modules: base64url and JWK thumbprints.

Strictness matters here: a lenient decoder that ignores non-zero padding bits would let two
different strings carry the same signed bytes, so every decoder re-encodes and compares.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
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


def base32_encode(data: bytes) -> str:
    """RFC 4648 Base32 (upper case) without ``=`` padding: ``base64.b32encode(data)`` minus the '='.

    ``base64.b32encode`` is a Python loop over 5-byte groups (~10 µs for a QR token). Here the
    whole input is one integer whose 5-bit groups are spread into bytes by a few shift-and-mask
    steps over all groups at once (see ``_spread_masks``), then mapped to the alphabet by
    ``bytes.translate``: ~3 µs.
    """
    bits = len(data) * 8
    groups = -(-bits // 5)
    if not groups:
        return ""
    # Unused low bits of the last group are zero, as RFC 4648 pads them.
    value = int.from_bytes(data, "big") << (groups * 5 - bits)
    depth = (groups - 1).bit_length()
    for shift, low_mask in _spread_masks(depth):
        low = value & low_mask
        value = low | ((value ^ low) << shift)
    spread = value.to_bytes(1 << depth, "big")  # one group per byte, leading zero groups first
    return spread[(1 << depth) - groups :].translate(_BASE32_ALPHABET).decode("ascii")


_BASE32_ALPHABET = bytes.maketrans(bytes(range(32)), b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


@functools.cache
def _spread_masks(depth: int) -> tuple[tuple[int, int], ...]:
    """Steps that move 2**depth packed 5-bit groups into one byte each, most significant first.

    Before the step for level j, blocks of 2**j groups (5·2**j bits) sit at the bottom of slots of
    8·2**j bits. The step keeps each block's lower half where it is and shifts its upper half up by
    3·2**(j-1) bits, to the bottom of the slot's upper half: afterwards blocks of 2**(j-1) groups
    sit in slots of 8·2**(j-1) bits. After level 1, each group has a byte of its own.
    """
    steps = []
    for level in range(depth, 0, -1):
        half = 5 << (level - 1)
        slot = 8 << level
        slots = 1 << (depth - level)
        every_slot = ((1 << (slot * slots)) - 1) // ((1 << slot) - 1)  # a 1 at the bottom of each slot
        steps.append((3 << (level - 1), ((1 << half) - 1) * every_slot))
    return tuple(steps)


def epoch_seconds(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def jwk_thumbprint(public_key: bytes) -> str:
    """RFC 7638 thumbprint of an Ed25519 OKP key: base64url SHA-256 of the required members."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": b64url_encode(public_key)}
    return b64url_encode(hashlib.sha256(canonical_json(members)).digest())


def key_reference(kid: str) -> bytes:
    """The 8-byte short key reference the QR token carries: the first 8 bytes of the thumbprint digest."""
    return b64url_decode(kid)[:8]
