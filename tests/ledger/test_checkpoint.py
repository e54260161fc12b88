"""Signed checkpoints: C2SP signed-note and tlog-checkpoint formats."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from certsvc.errors import CheckpointError
from certsvc.ledger import checkpoint
from certsvc.ledger.checkpoint import Checkpoint

ORIGIN = "certsvc.example/ledger"
ROOT = hashlib.sha256(b"some tree").digest()

# Published known answers, quoted rather than derived so they check our encoding independently:
# golang.org/x/mod/sumdb/note, package documentation in note.go (signer key, verifier key, note).
PETER_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_TEXT = (
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
PETER_NOTE = (
    PETER_TEXT + "\n\u2014 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
# C2SP signed-note.md, section "Example", at commit d4c16da5e7687a016619074e78dad84b2c7238cc.
SPEC_VERIFIER = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n\u2014 example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)


@pytest.fixture(scope="module")
def private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def key_string(private_key: Ed25519PrivateKey) -> str:
    return checkpoint.verifier_key(ORIGIN, private_key.public_key())


@pytest.fixture(scope="module")
def signed(private_key: Ed25519PrivateKey) -> str:
    return checkpoint.sign_note(checkpoint.format_checkpoint(ORIGIN, 1234, ROOT), ORIGIN, private_key)


# --- known answers -----------------------------------------------------------------------------
def test_go_reference_note_verifies() -> None:
    """The x/mod sumdb/note example note opens under its published verifier key."""
    assert checkpoint.open_note(PETER_NOTE, PETER_VERIFIER) == PETER_TEXT


def test_go_reference_signer_reproduces_the_published_note() -> None:
    """Signing the example text with the published signer key yields the published note byte for byte."""
    name, key = checkpoint.parse_signer_key(PETER_SIGNER)
    assert checkpoint.sign_note(PETER_TEXT, name, key) == PETER_NOTE
    assert checkpoint.verifier_key(name, key.public_key()) == PETER_VERIFIER
    assert checkpoint.signer_key(name, key) == PETER_SIGNER


def test_c2sp_spec_example_verifies() -> None:
    """The example note of the C2SP signed-note specification opens under its key."""
    assert checkpoint.open_note(SPEC_NOTE, SPEC_VERIFIER) == "This is an example message.\n"


# --- round trip --------------------------------------------------------------------------------
def test_signed_checkpoint_round_trips(signed: str, key_string: str) -> None:
    """A checkpoint we sign verifies and yields the same origin, size and root."""
    assert signed.startswith(f"{ORIGIN}\n1234\n{base64.b64encode(ROOT).decode()}\n\n\u2014 {ORIGIN} ")
    assert checkpoint.verify_note(signed, key_string, origin=ORIGIN) == Checkpoint(ORIGIN, 1234, ROOT)
    assert checkpoint.verify_note(signed.encode(), key_string).size == 1234


def test_verifier_key_string_parses_back(private_key: Ed25519PrivateKey, key_string: str) -> None:
    """The published key string gives back the name, the key ID and the public key."""
    public_raw = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    parsed = checkpoint.parse_verifier_key(key_string)
    expected_id = int.from_bytes(hashlib.sha256(ORIGIN.encode() + b"\n\x01" + public_raw).digest()[:4], "big")
    assert parsed.name == ORIGIN
    assert parsed.key_id == expected_id
    assert parsed.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw) == public_raw
    typed_key = base64.b64encode(bytes([1]) + public_raw).decode()
    assert key_string == f"{ORIGIN}+{expected_id:08x}+{typed_key}"
    assert str(parsed) == key_string


def test_unknown_cosignatures_are_ignored(signed: str, key_string: str) -> None:
    """A witness cosignature from a key we do not know does not stop our signature verifying."""
    witness = Ed25519PrivateKey.generate()
    body = checkpoint.format_checkpoint(ORIGIN, 1234, ROOT)
    witness_line = checkpoint.sign_note(body, "witness.example", witness).rsplit("\n\n", 1)[1]
    cosigned = signed + witness_line
    assert checkpoint.verify_note(cosigned, key_string).root == ROOT


# --- failures ----------------------------------------------------------------------------------
def test_tampered_body_fails(signed: str, key_string: str) -> None:
    """Changing the tree size after signing breaks the signature."""
    with pytest.raises(CheckpointError, match="does not verify"):
        checkpoint.verify_note(signed.replace("\n1234\n", "\n1235\n", 1), key_string)


def test_wrong_key_fails(signed: str) -> None:
    """A note is refused under another key published with the same name."""
    other = checkpoint.verifier_key(ORIGIN, Ed25519PrivateKey.generate().public_key())
    with pytest.raises(CheckpointError):
        checkpoint.verify_note(signed, other)


def test_wrong_key_name_fails(private_key: Ed25519PrivateKey, key_string: str) -> None:
    """The right key signing under another name is not a signature by the trusted key."""
    body = checkpoint.format_checkpoint(ORIGIN, 1, ROOT)
    renamed = checkpoint.sign_note(body, "impostor.example/ledger", private_key)
    with pytest.raises(CheckpointError, match="no signature by the trusted key"):
        checkpoint.verify_note(renamed, key_string)


def test_key_string_with_edited_name_is_refused(key_string: str) -> None:
    """Editing the name of a verifier key string breaks its key ID, so it no longer parses."""
    with pytest.raises(CheckpointError, match="does not match"):
        checkpoint.parse_verifier_key(key_string.replace(ORIGIN, "other.example/ledger"))


def test_missing_signature_line_fails(signed: str, key_string: str) -> None:
    """A checkpoint with its signature lines cut off is refused."""
    body = checkpoint.format_checkpoint(ORIGIN, 1234, ROOT)
    for unsigned in (body, body + "\n"):
        with pytest.raises(CheckpointError):
            checkpoint.verify_note(unsigned, key_string)


def test_failed_trusted_signature_rejects_note(signed: str, key_string: str) -> None:
    """A corrupted signature by the trusted key rejects the note even if a good one follows."""
    body, our_line = signed.rsplit("\n\n", 1)
    name_part, encoded = our_line.rstrip("\n").rsplit(" ", 1)
    raw = bytearray(base64.b64decode(encoded))
    raw[10] ^= 1
    corrupted = f"{name_part} {base64.b64encode(bytes(raw)).decode()}\n"
    with pytest.raises(CheckpointError, match="does not verify"):
        checkpoint.verify_note(f"{body}\n\n{corrupted}{our_line}", key_string)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda note: note.replace("\u2014 ", "-- "),
        lambda note: note.replace("\n", "\r\n"),
        lambda note: note.rstrip("\n"),
        lambda note: note[:-3] + "!!\n",
    ],
    ids=["ascii-dash", "crlf", "no-final-newline", "bad-base64"],
)
def test_malformed_notes_are_refused(signed: str, key_string: str, mangle: Callable[[str], str]) -> None:
    """Notes that bend the signed-note syntax are refused rather than guessed at."""
    with pytest.raises(CheckpointError):
        checkpoint.verify_note(mangle(signed), key_string)


def test_checkpoint_for_another_log_is_refused(signed: str, key_string: str) -> None:
    """When the caller names the expected origin, a checkpoint of another log is refused."""
    with pytest.raises(CheckpointError, match="another log"):
        checkpoint.verify_note(signed, key_string, origin="elsewhere.example/log")


@pytest.mark.parametrize(
    "body",
    [
        f"{ORIGIN}\n01\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n-1\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n1\n{base64.b64encode(ROOT[:31]).decode()}\n",
        f"{ORIGIN}\n1\n",
        f"\n1\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n1\n{base64.b64encode(ROOT).decode()}",
        f"{ORIGIN}\n1\n{base64.b64encode(ROOT).decode()}\n\n",
    ],
    ids=[
        "leading-zero",
        "negative",
        "short-root",
        "no-root",
        "empty-origin",
        "no-newline",
        "empty-extension",
    ],
)
def test_parse_checkpoint_is_strict(body: str) -> None:
    """Checkpoint text that departs from tlog-checkpoint is refused."""
    with pytest.raises(CheckpointError):
        checkpoint.parse_checkpoint(body)


def test_extension_lines_are_kept() -> None:
    """Extension lines after the root survive formatting and parsing."""
    body = checkpoint.format_checkpoint(ORIGIN, 0, ROOT, ("ext one",))
    assert checkpoint.parse_checkpoint(body) == Checkpoint(ORIGIN, 0, ROOT, ("ext one",))


def test_format_checkpoint_refuses_bad_values() -> None:
    """A root that is not a digest, a negative size or a multi-line origin is never formatted."""
    with pytest.raises(CheckpointError):
        checkpoint.format_checkpoint(ORIGIN, 1, ROOT[:16])
    with pytest.raises(CheckpointError):
        checkpoint.format_checkpoint(ORIGIN, -1, ROOT)
    with pytest.raises(CheckpointError):
        checkpoint.format_checkpoint("a\nb", 1, ROOT)


def test_key_names_with_plus_or_space_are_refused(private_key: Ed25519PrivateKey) -> None:
    """Key names may not hold '+' or spaces, which would make key strings ambiguous."""
    for name in ("a+b", "a b", ""):
        with pytest.raises(CheckpointError):
            checkpoint.verifier_key(name, private_key.public_key())
