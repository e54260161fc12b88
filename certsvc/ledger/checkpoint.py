"""C2SP signed notes (c2sp.org/signed-note) carrying tlog checkpoints (c2sp.org/tlog-checkpoint).

Pure: text and keys in, text out. Only Ed25519 note keys (signature type 0x01) are produced or
verified; signatures by other keys are parsed and ignored, as the spec requires, so witness
cosignatures can sit beside ours. Behaviour follows golang.org/x/mod/sumdb/note, the reference
implementation: the last blank line splits text from signatures, at most 100 signature lines,
and the first signature by the trusted key decides the note.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from certsvc.errors import CheckpointError

ED25519_TYPE = 0x01
ROOT_HASH_SIZE = 32
MAX_SIGNATURES = 100
_SIGNATURE_PREFIX = "\u2014 "  # em dash, space
_PRIVATE_KEY_PREFIX = "PRIVATE+KEY+"
_HEX8 = re.compile(r"[0-9a-fA-F]{8}")
_TREE_SIZE = re.compile(r"0|[1-9][0-9]*")
_MAX_TREE_SIZE = 2**64 - 1


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's tree head: ``origin`` (log identity), ``size`` (leaves) and RFC 6962 ``root``."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """A note verifier key: name, 32-bit key ID, Ed25519 public key."""

    name: str
    key_id: int
    public_key: Ed25519PublicKey

    def __str__(self) -> str:
        return f"{self.name}+{self.key_id:08x}+{_b64(bytes([ED25519_TYPE]) + _raw_public(self.public_key))}"


# --- keys --------------------------------------------------------------------------------------
def key_id(name: str, public_key: Ed25519PublicKey) -> int:
    """SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4], big-endian (signed-note §Ed25519)."""
    _require_key_name(name)
    return _key_id(name, bytes([ED25519_TYPE]) + _raw_public(public_key))


def verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """The verifier key string ``name+hex8(key ID)+base64(0x01 ‖ public key)`` auditors pin."""
    return str(VerifierKey(name, key_id(name, public_key), public_key))


def parse_verifier_key(text: str) -> VerifierKey:
    """Parse and check a verifier key string; the key ID must match name and key."""
    name, _, rest = text.partition("+")
    hex_id, _, encoded = rest.partition("+")
    typed_key = _b64decode(encoded, "verifier key")
    if not _is_key_name(name) or not _HEX8.fullmatch(hex_id) or not typed_key:
        raise CheckpointError("malformed note verifier key")
    if int(hex_id, 16) != _key_id(name, typed_key):
        raise CheckpointError("note verifier key ID does not match its name and key")
    if typed_key[0] != ED25519_TYPE or len(typed_key) != 33:
        raise CheckpointError("note verifier key is not an Ed25519 key")
    return VerifierKey(name, int(hex_id, 16), Ed25519PublicKey.from_public_bytes(typed_key[1:]))


def signer_key(name: str, private_key: Ed25519PrivateKey) -> str:
    """The x/mod note signer key form ``PRIVATE+KEY+name+hex8(key ID)+base64(0x01 ‖ seed)``."""
    seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    typed_seed = _b64(bytes([ED25519_TYPE]) + seed)
    return f"{_PRIVATE_KEY_PREFIX}{name}+{key_id(name, private_key.public_key()):08x}+{typed_seed}"


def parse_signer_key(text: str) -> tuple[str, Ed25519PrivateKey]:
    """Parse a signer key string into (key name, private key); the key ID must match."""
    if not text.startswith(_PRIVATE_KEY_PREFIX):
        raise CheckpointError("malformed note signer key")
    name, _, rest = text[len(_PRIVATE_KEY_PREFIX) :].partition("+")
    hex_id, _, encoded = rest.partition("+")
    typed_seed = _b64decode(encoded, "signer key")
    if not _is_key_name(name) or not _HEX8.fullmatch(hex_id) or len(typed_seed) != 33:
        raise CheckpointError("malformed note signer key")
    if typed_seed[0] != ED25519_TYPE:
        raise CheckpointError("note signer key is not an Ed25519 key")
    private_key = Ed25519PrivateKey.from_private_bytes(typed_seed[1:])
    if int(hex_id, 16) != key_id(name, private_key.public_key()):
        raise CheckpointError("note signer key ID does not match its name and key")
    return name, private_key


# --- checkpoint body ---------------------------------------------------------------------------
def format_checkpoint(origin: str, size: int, root: bytes, extensions: tuple[str, ...] = ()) -> str:
    """The checkpoint note text: origin, decimal size, base64 root, one per line."""
    if not origin or "\n" in origin or _has_control_chars(origin):
        raise CheckpointError("checkpoint origin must be one non-empty line")
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= _MAX_TREE_SIZE:
        raise CheckpointError(f"invalid checkpoint tree size {size!r}")
    if not isinstance(root, bytes) or len(root) != ROOT_HASH_SIZE:
        raise CheckpointError("checkpoint root must be a 32-byte SHA-256 digest")
    for line in extensions:
        if not line or "\n" in line or _has_control_chars(line):
            raise CheckpointError("checkpoint extension lines must be single non-empty lines")
    return "".join(f"{line}\n" for line in (origin, str(size), _b64(root), *extensions))


def parse_checkpoint(body: str) -> Checkpoint:
    """Parse checkpoint note text (no signatures) into a Checkpoint, strictly."""
    if not body.endswith("\n") or _has_control_chars(body.replace("\n", "")):
        raise CheckpointError("checkpoint text must be lines ending in a newline")
    lines = body[:-1].split("\n")
    if len(lines) < 3 or not all(lines):
        raise CheckpointError("checkpoint needs origin, size and root hash on non-empty lines")
    origin, size_text, root_text, *extensions = lines
    if not _TREE_SIZE.fullmatch(size_text) or int(size_text) > _MAX_TREE_SIZE:
        raise CheckpointError("checkpoint tree size is not a plain decimal number")
    root = _b64decode(root_text, "checkpoint root hash")
    if len(root) != ROOT_HASH_SIZE or _b64(root) != root_text:
        raise CheckpointError("checkpoint root hash is not a base64 SHA-256 digest")
    return Checkpoint(origin, int(size_text), root, tuple(extensions))


# --- signed notes ------------------------------------------------------------------------------
def sign_note(body: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """Append a blank line and ``— name base64(key ID ‖ Ed25519 signature over body)``."""
    _require_key_name(name)
    if not body.endswith("\n") or _has_control_chars(body.replace("\n", "")):
        raise CheckpointError("note text must end in a newline and hold no control characters")
    text = _utf8(body)
    signature = private_key.sign(text)
    tag = key_id(name, private_key.public_key()).to_bytes(4, "big")
    return f"{body}\n{_SIGNATURE_PREFIX}{name} {_b64(tag + signature)}\n"


def open_note(note_text: str | bytes, verifier_key: str | VerifierKey) -> str:
    """Return the note text if the key ``verifier_key`` signed it; raise CheckpointError otherwise."""
    key = parse_verifier_key(verifier_key) if isinstance(verifier_key, str) else verifier_key
    note = _decode_note(note_text)
    if _has_control_chars(note.replace("\n", "")):
        raise CheckpointError("signed note holds control characters")
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise CheckpointError("signed note has no signature block")
    text, signature_block = note[: split + 1], note[split + 2 :]
    signature_lines = signature_block[:-1].split("\n") if signature_block else []
    if not signature_lines:
        raise CheckpointError("signed note has no signature lines")
    if len(signature_lines) > MAX_SIGNATURES:
        raise CheckpointError("signed note has too many signatures")
    ours: bytes | None = None
    for line in signature_lines:
        name, tag, signature = _parse_signature_line(line)
        if ours is None and name == key.name and tag == key.key_id:
            ours = signature
    if ours is None:
        raise CheckpointError("signed note carries no signature by the trusted key")
    try:
        key.public_key.verify(ours, _utf8(text))
    except InvalidSignature:
        raise CheckpointError("signed note signature does not verify") from None
    return text


def verify_note(
    note_text: str | bytes, verifier_key: str | VerifierKey, *, origin: str | None = None
) -> Checkpoint:
    """Verify a signed checkpoint and return it; ``origin``, when given, must match."""
    checkpoint = parse_checkpoint(open_note(note_text, verifier_key))
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError("checkpoint is for another log")
    return checkpoint


# --- helpers -----------------------------------------------------------------------------------
def _parse_signature_line(line: str) -> tuple[str, int, bytes]:
    if not line.startswith(_SIGNATURE_PREFIX):
        raise CheckpointError("malformed signature line in signed note")
    name, _, encoded = line[len(_SIGNATURE_PREFIX) :].partition(" ")
    raw = _b64decode(encoded, "signature")
    if not _is_key_name(name) or len(raw) < 5:
        raise CheckpointError("malformed signature line in signed note")
    return name, int.from_bytes(raw[:4], "big"), raw[4:]


def _key_id(name: str, typed_key: bytes) -> int:
    return int.from_bytes(hashlib.sha256(_utf8(name) + b"\n" + typed_key).digest()[:4], "big")


def _is_key_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() for c in name) and _is_utf8(name)


def _require_key_name(name: str) -> None:
    if not _is_key_name(name):
        raise CheckpointError("note key names must be non-empty, without spaces or '+'")


def _has_control_chars(text: str) -> bool:
    return any(ord(c) < 0x20 for c in text)


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise CheckpointError(f"{what} is not standard base64") from None


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise CheckpointError("note text is not valid Unicode") from None


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _decode_note(note_text: str | bytes) -> str:
    if isinstance(note_text, str):
        _utf8(note_text)
        return note_text
    try:
        return note_text.decode("utf-8")
    except UnicodeDecodeError:
        raise CheckpointError("signed note is not valid UTF-8") from None
