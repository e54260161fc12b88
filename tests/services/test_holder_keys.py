"""The blind index of an ID number is exactly HMAC-SHA256 under the blind-index key."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st

from certsvc.certificates.holders import HolderKeys


@settings(max_examples=300, deadline=None)
@given(key=st.binary(min_size=0, max_size=200), id_number=st.text(max_size=40))
def test_blind_index_is_hmac_sha256(key: bytes, id_number: str) -> None:
    """For any key (shorter, as long as, or longer than a SHA-256 block) and any text, the index
    is hmac.new's hex digest of the text's ASCII bytes, so stored indexes keep matching."""
    keys = HolderKeys(key, None, b"")  # type: ignore[arg-type]  # the cipher plays no part here
    expected = hmac.new(key, id_number.encode("ascii", "replace"), hashlib.sha256).hexdigest()
    assert keys.index(id_number) == expected
    assert keys.index(id_number) == expected  # the kept pads are not consumed by a call


def test_precomputed_pads_are_not_shown() -> None:
    """The precomputed pads, which stand in for the key, stay out of the keys' text form."""
    assert "pads" not in repr(HolderKeys(b"k" * 32, None, b""))  # type: ignore[arg-type]


def test_holder_keys_never_show_their_secrets_in_repr() -> None:
    """Printing or logging the derived keys shows no key bytes."""
    secret = bytes(range(32))
    keys = HolderKeys(secret, AESGCM(bytes(32)), bytes(range(32, 64)))
    shown = repr(keys)
    assert secret.hex() not in shown and repr(secret) not in shown
    assert repr(bytes(range(32, 64))) not in shown
