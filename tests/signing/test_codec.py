"""The small codecs under the signed formats: the fast Base32 encoder is RFC 4648 Base32, exactly."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certsvc.signing._codec import base32_encode


def _reference(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


@given(st.binary(max_size=600))
def test_base32_matches_the_standard_library_on_any_bytes(data: bytes) -> None:
    """For any input, the text is base64.b32encode's without the '=' padding, character for character."""
    assert base32_encode(data) == _reference(data)


@pytest.mark.parametrize("length", range(0, 300))
@pytest.mark.parametrize("fill", [0x00, 0xFF, 0xA5])
def test_base32_matches_the_standard_library_at_every_length(length: int, fill: int) -> None:
    """Every length (each remainder mod 5, each power-of-two boundary), with all-zero and all-one bits."""
    data = bytes([fill]) * length
    assert base32_encode(data) == _reference(data)


def test_base32_of_rfc4648_test_vectors() -> None:
    """RFC 4648 §10 test vectors, without their padding."""
    vectors = {
        b"": "",
        b"f": "MY",
        b"fo": "MZXQ",
        b"foo": "MZXW6",
        b"foob": "MZXW6YQ",
        b"fooba": "MZXW6YTB",
        b"foobar": "MZXW6YTBOI",
    }
    for data, text in vectors.items():
        assert base32_encode(data) == text
