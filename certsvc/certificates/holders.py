"""Holders: ID numbers encrypted at rest and found through a keyed blind index.

- ``id_index``: HMAC-SHA256 of the normalised ID number under the key store's ``blind_index`` key,
  hex. Equal numbers give equal indexes, so lookups and the unique constraint work without ever
  decrypting; without the key the index says nothing about the number.
- ``id_ciphertext``: ``0x01 ‖ nonce(12) ‖ AES-256-GCM(id_number)`` under the ``id_encryption`` key,
  with the blind index as associated data: a ciphertext copied onto another holder row fails to
  decrypt instead of silently giving that holder someone else's number.

Birth date and sex are taken from the ID number (GB 11643), never from the file.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from certsvc.certificates.models import Holder
from certsvc.domain.idnumber import Sex, normalize_id_number
from certsvc.errors import KeyStoreError
from certsvc.runtime import Runtime

if TYPE_CHECKING:
    from hashlib import _Hash

_CIPHERTEXT_FORMAT = 1
_NONCE_BYTES = 12
_AAD_PREFIX = b"certsvc/holder-id/v1|"
SEX_CODES = {Sex.MALE: "M", Sex.FEMALE: "F"}
SEX_ZH = {"M": "男", "F": "女"}


@dataclass(frozen=True)
class HolderKeys:
    """The derived keys holder data needs, ready to use (derivation costs three HKDF runs)."""

    # Secrets: kept out of repr so a logged or printed object cannot leak them.
    blind_index_key: bytes = field(repr=False)
    id_cipher: AESGCM = field(repr=False)
    status_permutation_key: bytes = field(repr=False)
    _index_pads: tuple[_Hash, _Hash] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index_pads", _hmac_sha256_pads(self.blind_index_key))

    def index(self, id_number: str) -> str:
        """Blind index of an already normalised ID number: HMAC-SHA256, hex.

        Computed from the key's two pads hashed once (RFC 2104), which is what ``hmac.new``
        computes too, at under half the cost per call: an import computes one per row.
        """
        inner, outer = (pad.copy() for pad in self._index_pads)
        inner.update(id_number.encode("ascii", "replace"))
        outer.update(inner.digest())
        return outer.hexdigest()

    def encrypt(self, id_number: str, index: str) -> bytes:
        return self.encrypt_all([(id_number, index)])[0]

    def encrypt_all(self, numbers: list[tuple[str, str]]) -> list[bytes]:
        """``encrypt`` of each (ID number, blind index), with every nonce from one read of the
        system's random source: a read per nonce cost an import more than the encryption."""
        nonces = os.urandom(_NONCE_BYTES * len(numbers))
        sealed = []
        for position, (id_number, index) in enumerate(numbers):
            nonce = nonces[position * _NONCE_BYTES : (position + 1) * _NONCE_BYTES]
            ciphertext = self.id_cipher.encrypt(
                nonce, id_number.encode("utf-8"), _AAD_PREFIX + index.encode("ascii")
            )
            sealed.append(bytes([_CIPHERTEXT_FORMAT]) + nonce + ciphertext)
        return sealed

    def decrypt(self, ciphertext: bytes, index: str) -> str:
        if len(ciphertext) <= 1 + _NONCE_BYTES or ciphertext[0] != _CIPHERTEXT_FORMAT:
            raise KeyStoreError("a holder's encrypted ID number has an unknown format")
        nonce, sealed = ciphertext[1 : 1 + _NONCE_BYTES], ciphertext[1 + _NONCE_BYTES :]
        try:
            plain = self.id_cipher.decrypt(nonce, sealed, _AAD_PREFIX + index.encode("ascii"))
        except InvalidTag:
            raise KeyStoreError(
                "a holder's encrypted ID number does not decrypt: wrong key store or tampered row"
            ) from None
        return plain.decode("utf-8")


def _hmac_sha256_pads(key: bytes) -> tuple[_Hash, _Hash]:
    """SHA-256 states after the HMAC inner and outer pads of ``key`` (RFC 2104 §2)."""
    block = hashlib.sha256().block_size
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in key))
    outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in key))
    return inner, outer


def holder_keys(runtime: Runtime) -> HolderKeys:
    """The holder keys of ``runtime``'s key store, derived once per runtime."""
    cached = runtime.cache.holder_keys
    if cached is None:
        data = runtime.keys.data_keys()
        cached = HolderKeys(data.blind_index, AESGCM(data.id_encryption), data.status_permutation)
        runtime.cache.holder_keys = cached
    return cached


def id_index(runtime: Runtime, id_number: str) -> str:
    """The blind index of ``id_number`` (normalised first: full-width digits, lower-case x, spaces)."""
    return holder_keys(runtime).index(normalize_id_number(id_number))


def decrypt_id(runtime: Runtime, holder: Holder) -> str:
    """The holder's ID number in clear. Callers show it only to the holder (or masked)."""
    return holder_keys(runtime).decrypt(holder.id_ciphertext, holder.id_index)


_STAGED_AAD_PREFIX = b"certsvc/staged-import/v1|"


def seal_staged_file(runtime: Runtime, data: bytes, token_sha256: str) -> bytes:
    """A console upload (full of ID numbers) encrypted for the time between dry run and confirmation.

    Same cipher and key as the holders' ID numbers, bound to the upload's token digest, so a
    database dump never shows a staged file's ID numbers in clear (issue 16, finding 7).
    """
    nonce = os.urandom(_NONCE_BYTES)
    sealed = holder_keys(runtime).id_cipher.encrypt(
        nonce, data, _STAGED_AAD_PREFIX + token_sha256.encode("ascii")
    )
    return bytes([_CIPHERTEXT_FORMAT]) + nonce + sealed


def open_staged_file(runtime: Runtime, sealed: bytes, token_sha256: str) -> bytes:
    if len(sealed) <= 1 + _NONCE_BYTES or sealed[0] != _CIPHERTEXT_FORMAT:
        raise KeyStoreError("a staged import has an unknown format")
    nonce, body = sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
    try:
        return holder_keys(runtime).id_cipher.decrypt(
            nonce, body, _STAGED_AAD_PREFIX + token_sha256.encode("ascii")
        )
    except InvalidTag:
        raise KeyStoreError("a staged import does not decrypt: wrong key store or tampered row") from None


def find_holder(session: Session, runtime: Runtime, id_number: str) -> Holder | None:
    return session.scalar(select(Holder).where(Holder.id_index == id_index(runtime, id_number)))
