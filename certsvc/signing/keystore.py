"""Signing keys, the ledger note key and the data master secret, behind a ``KeyStore`` protocol.

``FileKeyStore`` keeps them as files in one directory that several server processes share:

- ``keys.json``: the public manifest, the whole history of credential signing keys with their
  validity windows (what ``/.well-known/jwks.json`` publishes) and the ledger note public key;
- ``keys.json`` also holds the issuing CA certificate (what ``/.well-known/certsvc-ca.pem``
  publishes) and every seal certificate it issued, one open at a time per issuing authority, with
  its window, like the signing keys;
- ``signing-<kid>.pem``, ``ledger-note.pem``, ``master.key``, ``issuing-ca.pem``, ``seal-<serial>.pem``:
  private material, PKCS#8 PEM
  encrypted with the passphrase (mode 0600). ``master.key`` holds 32 random bytes stored as the seed
  of an X25519 PKCS#8 key, only so that it gets exactly the same PEM encryption as the signing keys;
  it is never used for X25519.

Writers take an ``flock`` on ``.lock`` and replace files atomically; readers notice a changed
manifest by its inode/mtime/size and reload it, so a rotation in one process reaches the others.

Development may store private keys unencrypted (``unsafe_plaintext=True``): that mode is announced
with an ``UnsafePlaintextKeys`` warning and a log line, and a production store refuses such files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import functools
import json
import logging
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import nacl.signing
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from certsvc.errors import KeyStoreError
from certsvc.signing import seals
from certsvc.signing._codec import (
    b64url_decode,
    b64url_encode,
    jwk_thumbprint,
    key_reference,
)
from certsvc.timefmt import parse_rfc3339, rfc3339

log = logging.getLogger(__name__)

STATUS_ACTIVE = "active"
STATUS_RETIRED = "retired"
STATUS_COMPROMISED = "compromised"

# Spelled in two parts so secret scanners do not mistake this check for key material.
_ENCRYPTED_PEM_MARKER = b"BEGIN ENCRYPTED " + b"PRIVATE KEY"
MANIFEST = "keys.json"
_LEDGER_NOTE_FILE = "ledger-note.pem"
_MASTER_FILE = "master.key"
_CA_FILE = "issuing-ca.pem"
_LOCK_FILE = ".lock"
_GITIGNORE = "# Private key material must never be committed.\n*\n!keys.json\n!.gitignore\n"


class UnsafePlaintextKeys(UserWarning):
    """Private keys are stored unencrypted on disk: acceptable for development only."""


def _optional_rfc3339(moment: dt.datetime | None) -> str | None:
    """An optional moment as key facts write it (exact RFC 3339: the manifest, the JWKS), or None."""
    return None if moment is None else rfc3339(moment, exact=True)


def _optional_moment(obj: dict[str, Any], key: str) -> dt.datetime | None:
    """The optional moment ``key`` of a manifest entry (missing or null: None)."""
    text = obj.get(key)
    return None if text is None else parse_rfc3339(text)


@dataclasses.dataclass(frozen=True)
class KeyInfo:
    """Public facts about one credential signing key and its validity window [not_before, not_after)."""

    kid: str
    x: str
    not_before: dt.datetime
    not_after: dt.datetime | None
    compromised_since: dt.datetime | None

    @property
    def status(self) -> str:
        if self.compromised_since is not None:
            return STATUS_COMPROMISED
        return STATUS_ACTIVE if self.not_after is None else STATUS_RETIRED

    @property
    def public_bytes(self) -> bytes:
        return b64url_decode(self.x)

    def signed_within_window(self, moment: dt.datetime) -> bool:
        """True when a signature made at ``moment`` falls inside the key's window and before compromise.

        Tokens record their signing time in whole seconds (JWT ``iat``, the QR timestamp), so the
        start is compared at whole-second precision: a token signed 0.3 s after a rotation at
        12:00:00.5 says 12:00:00 and must still fall inside the new key's window.
        """
        if moment < self.not_before.replace(microsecond=0):
            return False
        if self.not_after is not None and moment >= self.not_after:
            return False
        return self.compromised_since is None or moment < self.compromised_since

    def to_json(self) -> dict[str, Any]:
        return {
            "kid": self.kid,
            "x": self.x,
            "not_before": rfc3339(self.not_before, exact=True),
            "not_after": _optional_rfc3339(self.not_after),
            "compromised_since": _optional_rfc3339(self.compromised_since),
            "status": self.status,
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> KeyInfo:
        return cls(
            kid=obj["kid"],
            x=obj["x"],
            not_before=parse_rfc3339(obj["not_before"]),
            not_after=_optional_moment(obj, "not_after"),
            compromised_since=_optional_moment(obj, "compromised_since"),
        )


@dataclasses.dataclass(frozen=True)
class SigningKey:
    """A credential signing key ready to use. The private key is kept out of ``repr``."""

    kid: str
    private_key: Ed25519PrivateKey = dataclasses.field(repr=False)

    @functools.cached_property
    def key_ref(self) -> bytes:
        # Cached: every QR token signed with this key carries it.
        return key_reference(self.kid)

    @functools.cached_property
    def _signer(self) -> nacl.signing.SigningKey:
        # libsodium signs in about 60% of OpenSSL's time and releases the GIL while it does, so an
        # import's signatures can run beside its other work (ADR 0019). Ed25519 is deterministic:
        # the signature is the same bytes either library makes.
        return nacl.signing.SigningKey(self.private_key.private_bytes_raw())

    def sign(self, data: bytes) -> bytes:
        return self._signer.sign(data).signature


@dataclasses.dataclass(frozen=True)
class SealInfo:
    """Public facts about one seal certificate of an issuing authority, open while ``not_after`` is None."""

    uscc: str
    serial: str
    not_before: dt.datetime
    not_after: dt.datetime | None
    certificate_pem: str

    @functools.cached_property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate_pem.encode("ascii"))

    def to_json(self) -> dict[str, Any]:
        return {
            "uscc": self.uscc,
            "serial": self.serial,
            "not_before": rfc3339(self.not_before, exact=True),
            "not_after": _optional_rfc3339(self.not_after),
            "certificate": self.certificate_pem,
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> SealInfo:
        return cls(
            uscc=obj["uscc"],
            serial=obj["serial"],
            not_before=parse_rfc3339(obj["not_before"]),
            not_after=_optional_moment(obj, "not_after"),
            certificate_pem=obj["certificate"],
        )


@dataclasses.dataclass(frozen=True)
class SealKey:
    """An authority's current seal: private key (kept out of ``repr``), its certificate and the CA's."""

    uscc: str
    private_key: ec.EllipticCurvePrivateKey = dataclasses.field(repr=False)
    certificate: x509.Certificate
    ca_certificate: x509.Certificate


class DataKeys:
    """Purpose-specific 32-byte keys derived by HKDF-SHA256 from the master secret."""

    __slots__ = ("_master", "blind_index", "id_encryption", "status_permutation")

    def __init__(self, master: bytes) -> None:
        self._master = master
        self.blind_index = self.derive("blind-index")
        self.id_encryption = self.derive("id-encryption")
        self.status_permutation = self.derive("status-permutation")

    def derive(self, purpose: str) -> bytes:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"certsvc/v1/" + purpose.encode())
        return hkdf.derive(self._master)

    def __repr__(self) -> str:
        return "DataKeys(<redacted>)"


class KeyStore(Protocol):
    """Where certsvc's keys live. A file store today; an HSM or KMS backend implements the same calls."""

    def ensure_initial_key(self, now: dt.datetime) -> KeyInfo: ...
    def current(self, now: dt.datetime) -> SigningKey: ...
    def rotate(self, now: dt.datetime) -> KeyInfo: ...
    def mark_compromised(self, kid: str, since: dt.datetime) -> KeyInfo: ...
    def history(self) -> list[KeyInfo]: ...
    def ledger_note_key(self, now: dt.datetime) -> Ed25519PrivateKey: ...
    def data_keys(self) -> DataKeys: ...
    def issuing_ca_pem(self) -> bytes: ...
    def seal_key(self, uscc: str, authority_name: str, now: dt.datetime) -> SealKey: ...
    def ensure_seals(self, authorities: list[tuple[str, str]], now: dt.datetime) -> int: ...
    def seal_history(self) -> tuple[SealInfo, ...]: ...


@dataclasses.dataclass(frozen=True)
class _Manifest:
    signing_keys: tuple[KeyInfo, ...] = ()
    ledger_note: dict[str, str] | None = None
    issuing_ca: str | None = None
    seals: tuple[SealInfo, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "format": 1,
            "signing_keys": [key.to_json() for key in self.signing_keys],
            "ledger_note_key": self.ledger_note,
            "issuing_ca": self.issuing_ca,
            "seals": [seal.to_json() for seal in self.seals],
        }

    def open_seal(self, uscc: str) -> SealInfo | None:
        return next((seal for seal in self.seals if seal.uscc == uscc and seal.not_after is None), None)


class FileKeyStore:
    """Keys as files under ``keys_dir``; see the module docstring for the layout and protection."""

    def __init__(self, keys_dir: str | os.PathLike[str], passphrase: bytes | None, *, unsafe_plaintext: bool):
        self._dir = Path(keys_dir)
        self._unsafe_plaintext = unsafe_plaintext
        if not unsafe_plaintext and not passphrase:
            raise KeyStoreError("a key passphrase is required unless unsafe plaintext keys are enabled")
        self._passphrase = passphrase or None
        if unsafe_plaintext:
            message = f"private keys in {self._dir} are stored UNENCRYPTED (development only)"
            # A typed warning for library callers; the command line and the server, which log in
            # JSON, show the log line only (certsvc.log.configure_logging).
            warnings.warn(message, UnsafePlaintextKeys, stacklevel=2)
            log.warning("%s: %s", UnsafePlaintextKeys.__name__, message)
        self._manifest_stamp: tuple[int, int, int] | None = None
        self._manifest_cache = _Manifest()
        self._private_cache: dict[str, PrivateKeyTypes] = {}

    def __repr__(self) -> str:
        mode = "UnsafePlaintextKeys" if self._unsafe_plaintext else "encrypted"
        return f"FileKeyStore({str(self._dir)!r}, {mode})"

    # --- public API ----------------------------------------------------------------------------
    def plaintext_private_files(self) -> list[str]:
        """Names of private key files in the directory that are not passphrase-encrypted.

        Checked at production start, so such a directory refuses to serve at once instead of
        failing later, on the first request that needs a key (issue 16, finding 4).
        """
        found = []
        for name in sorted(os.listdir(self._dir)) if self._dir.is_dir() else []:
            if name.endswith(".pem") or name == _MASTER_FILE:
                with contextlib.suppress(OSError):
                    if _ENCRYPTED_PEM_MARKER not in (self._dir / name).read_bytes():
                        found.append(name)
        return found

    def ensure_initial_key(self, now: dt.datetime) -> KeyInfo:
        """Create the directory, first signing key, ledger note key and master secret if missing."""
        with self._locked():
            manifest = self._manifest(force=True)
            if not manifest.signing_keys:
                manifest = self._add_signing_key(manifest, now)
            if manifest.ledger_note is None:
                manifest = self._add_ledger_note_key(manifest, now)
            if not (self._dir / _MASTER_FILE).exists():
                self._write_private(_MASTER_FILE, X25519PrivateKey.generate())
            if manifest.issuing_ca is None:
                manifest = self._add_issuing_ca(manifest, now)
            self._write_manifest(manifest)
            return manifest.signing_keys[-1]

    def current(self, now: dt.datetime) -> SigningKey:
        """The newest uncompromised key whose window contains ``now``."""
        usable = [key for key in self.history() if key.signed_within_window(now)]
        if not usable:
            raise KeyStoreError(
                "no usable signing key at this time: run `certsvc init` or `certsvc keys rotate`"
            )
        info = max(usable, key=lambda key: key.not_before)
        return SigningKey(info.kid, self._signing_private_key(info))

    def rotate(self, now: dt.datetime) -> KeyInfo:
        """Close the open key's window at ``now`` and start a new key at ``now``; every authority's
        open seal certificate is replaced by a new one the same way."""
        with self._locked():
            manifest = self._manifest(force=True)
            keys = list(manifest.signing_keys)
            for position, key in enumerate(keys):
                if key.not_after is None:
                    if now <= key.not_before:
                        raise KeyStoreError("rotation time must be after the current key's start")
                    keys[position] = dataclasses.replace(key, not_after=now)
            manifest = self._add_signing_key(dataclasses.replace(manifest, signing_keys=tuple(keys)), now)
            manifest = self._rotate_seals(manifest, now)
            self._write_manifest(manifest)
            log.info("signing key rotated", extra={"kid": manifest.signing_keys[-1].kid})
            return manifest.signing_keys[-1]

    def mark_compromised(self, kid: str, since: dt.datetime) -> KeyInfo:
        """Record that ``kid`` is compromised from ``since``; what it signed from then on is invalid.

        If it was the current key, signing stops until ``rotate`` is called.
        """
        with self._locked():
            manifest = self._manifest(force=True)
            keys = list(manifest.signing_keys)
            for position, key in enumerate(keys):
                if key.kid == kid:
                    earliest = since if key.compromised_since is None else min(since, key.compromised_since)
                    keys[position] = dataclasses.replace(key, compromised_since=earliest)
                    self._write_manifest(dataclasses.replace(manifest, signing_keys=tuple(keys)))
                    log.warning("signing key marked compromised", extra={"kid": kid})
                    return keys[position]
            raise KeyStoreError(f"unknown key id {kid!r}")

    def history(self) -> tuple[KeyInfo, ...]:
        """Every signing key ever used, oldest first (public facts only). The same tuple object
        until the manifest changes, so a cache of what is derived from it can compare identities."""
        return self._manifest().signing_keys

    def ledger_note_key(self, now: dt.datetime) -> Ed25519PrivateKey:
        """The Ed25519 key that signs ledger checkpoints (created at ``now`` if missing)."""
        if self._manifest().ledger_note is None:
            with self._locked():
                manifest = self._manifest(force=True)
                if manifest.ledger_note is None:
                    self._write_manifest(self._add_ledger_note_key(manifest, now))
        key = self._load_private(_LEDGER_NOTE_FILE)
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyStoreError("ledger note key file does not hold an Ed25519 key")
        return key

    def data_keys(self) -> DataKeys:
        """Keys for blind indexes, ID encryption and status index permutation.

        The master secret is created only by ``ensure_initial_key``: silently creating a new one
        here would make every stored blind index and encrypted ID unreadable.
        """
        if not (self._dir / _MASTER_FILE).exists():
            raise KeyStoreError(f"{self._dir / _MASTER_FILE} is missing: run `certsvc init`")
        key = self._load_private(_MASTER_FILE)
        if not isinstance(key, X25519PrivateKey):
            raise KeyStoreError("master secret file has an unexpected type")
        return DataKeys(key.private_bytes_raw())

    def issuing_ca_pem(self) -> bytes:
        """The issuing CA certificate (PEM), which verifiers import to trust signed PDFs."""
        pem = self._manifest().issuing_ca
        if pem is None:
            raise KeyStoreError("no issuing CA yet: run `certsvc init`")
        return pem.encode("ascii")

    def seal_history(self) -> tuple[SealInfo, ...]:
        """Every seal certificate ever issued, oldest first."""
        return self._manifest().seals

    def ensure_seals(self, authorities: list[tuple[str, str]], now: dt.datetime) -> int:
        """Give each (uscc, name) without an open seal one, in one manifest write; how many were made."""
        with self._locked():
            manifest = self._manifest(force=True)
            missing = [(uscc, name) for uscc, name in authorities if manifest.open_seal(uscc) is None]
            if not missing:
                return 0
            if manifest.issuing_ca is None:
                manifest = self._add_issuing_ca(manifest, now)
            for uscc, name in missing:
                manifest = self._add_seal(manifest, uscc, name, now)
            self._write_manifest(manifest)
            return len(missing)

    def seal_key(self, uscc: str, authority_name: str, now: dt.datetime) -> SealKey:
        """The authority's open seal (key and certificate), created at ``now`` if it has none yet."""
        info = self._manifest().open_seal(uscc)
        if info is None:
            with self._locked():
                manifest = self._manifest(force=True)
                if manifest.open_seal(uscc) is None:
                    if manifest.issuing_ca is None:
                        manifest = self._add_issuing_ca(manifest, now)
                    manifest = self._add_seal(manifest, uscc, authority_name, now)
                    self._write_manifest(manifest)
                    log.info("seal certificate created", extra={"uscc": uscc})
                info = manifest.open_seal(uscc)
            assert info is not None  # created just above under the lock
        key = self._load_private(f"seal-{info.serial}.pem")
        if (
            not isinstance(key, ec.EllipticCurvePrivateKey)
            or key.public_key() != info.certificate.public_key()
        ):
            raise KeyStoreError(f"private key file of seal {info.serial} does not match its certificate")
        return SealKey(uscc, key, info.certificate, self._ca_certificate())

    # --- manifest ------------------------------------------------------------------------------
    def _manifest(self, *, force: bool = False) -> _Manifest:
        path = self._dir / MANIFEST
        try:
            st = path.stat()
        except FileNotFoundError:
            return _Manifest()
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        if force or stamp != self._manifest_stamp:
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                self._manifest_cache = _Manifest(
                    signing_keys=tuple(KeyInfo.from_json(item) for item in raw["signing_keys"]),
                    ledger_note=raw.get("ledger_note_key"),
                    issuing_ca=raw.get("issuing_ca"),
                    seals=tuple(SealInfo.from_json(item) for item in raw.get("seals", ())),
                )
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise KeyStoreError(f"key manifest {path} is unreadable: {exc}") from exc
            self._manifest_stamp = stamp
        return self._manifest_cache

    def _write_manifest(self, manifest: _Manifest) -> None:
        data = json.dumps(manifest.to_json(), indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
        self._atomic_write(MANIFEST, data, mode=0o644)
        self._manifest(force=True)

    def _add_signing_key(self, manifest: _Manifest, now: dt.datetime) -> _Manifest:
        private = Ed25519PrivateKey.generate()
        public = private.public_key().public_bytes_raw()
        kid = jwk_thumbprint(public)
        self._write_private(f"signing-{kid}.pem", private)
        info = KeyInfo(
            kid=kid, x=b64url_encode(public), not_before=now, not_after=None, compromised_since=None
        )
        return dataclasses.replace(manifest, signing_keys=(*manifest.signing_keys, info))

    def _add_ledger_note_key(self, manifest: _Manifest, now: dt.datetime) -> _Manifest:
        private = Ed25519PrivateKey.generate()
        self._write_private(_LEDGER_NOTE_FILE, private)
        public = b64url_encode(private.public_key().public_bytes_raw())
        return dataclasses.replace(manifest, ledger_note={"x": public, "created": rfc3339(now, exact=True)})

    def _add_issuing_ca(self, manifest: _Manifest, now: dt.datetime) -> _Manifest:
        private = seals.new_key()
        certificate = seals.issuing_ca_certificate(private, "certsvc", now)
        self._write_private(_CA_FILE, private)
        pem = certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
        return dataclasses.replace(manifest, issuing_ca=pem)

    def _ca_certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.issuing_ca_pem())

    def _add_seal(self, manifest: _Manifest, uscc: str, authority_name: str, now: dt.datetime) -> _Manifest:
        ca_key = self._load_private(_CA_FILE)
        if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
            raise KeyStoreError("issuing CA key file does not hold an EC key")
        if manifest.issuing_ca is None:
            raise KeyStoreError("no issuing CA yet: run `certsvc init`")
        private = seals.new_key()
        certificate = seals.seal_certificate(
            ca_key,
            x509.load_pem_x509_certificate(manifest.issuing_ca.encode("ascii")),
            private.public_key(),
            uscc=uscc,
            authority_name=authority_name,
            now=now,
        )
        serial = format(certificate.serial_number, "x")
        self._write_private(f"seal-{serial}.pem", private)
        info = SealInfo(
            uscc=uscc,
            serial=serial,
            not_before=now,
            not_after=None,
            certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        )
        return dataclasses.replace(manifest, seals=(*manifest.seals, info))

    def _rotate_seals(self, manifest: _Manifest, now: dt.datetime) -> _Manifest:
        for info in [seal for seal in manifest.seals if seal.not_after is None]:
            closed = tuple(
                dataclasses.replace(seal, not_after=now) if seal.serial == info.serial else seal
                for seal in manifest.seals
            )
            name = info.certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
            manifest = self._add_seal(dataclasses.replace(manifest, seals=closed), info.uscc, str(name), now)
        return manifest

    # --- private files -------------------------------------------------------------------------
    def _signing_private_key(self, info: KeyInfo) -> Ed25519PrivateKey:
        key = self._load_private(f"signing-{info.kid}.pem")
        if not isinstance(key, Ed25519PrivateKey) or key.public_key().public_bytes_raw() != info.public_bytes:
            raise KeyStoreError(f"private key file for {info.kid} does not match the manifest")
        return key

    def _load_private(self, name: str) -> PrivateKeyTypes:
        cached = self._private_cache.get(name)
        if cached is not None:
            return cached
        path = self._dir / name
        try:
            pem = path.read_bytes()
        except OSError as exc:
            raise KeyStoreError(f"cannot read private key file {path}: {exc.strerror}") from None
        encrypted = _ENCRYPTED_PEM_MARKER in pem
        if not encrypted and not self._unsafe_plaintext:
            raise KeyStoreError(f"{path} is not encrypted: refusing plaintext keys outside development")
        if encrypted and self._passphrase is None:
            raise KeyStoreError(f"{path} is encrypted and no passphrase is configured")
        try:
            key = serialization.load_pem_private_key(pem, password=self._passphrase if encrypted else None)
        except (ValueError, TypeError):
            # The library's message may quote the file; say only what the operator needs.
            raise KeyStoreError(f"cannot decrypt {path}: wrong passphrase or damaged file") from None
        self._private_cache[name] = key
        return key

    def _write_private(
        self, name: str, key: Ed25519PrivateKey | X25519PrivateKey | ec.EllipticCurvePrivateKey
    ) -> None:
        encryption: serialization.KeySerializationEncryption
        if self._passphrase is not None and not self._unsafe_plaintext:
            encryption = serialization.BestAvailableEncryption(self._passphrase)
        else:
            encryption = serialization.NoEncryption()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
        self._atomic_write(name, pem, mode=0o600)
        self._private_cache[name] = key

    def _atomic_write(self, name: str, data: bytes, *, mode: int) -> None:
        target = self._dir / name
        tmp = self._dir / f".{name}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            os.fchmod(fd, mode)
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        dir_fd = os.open(self._dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self._dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        gitignore = self._dir / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text(_GITIGNORE, encoding="utf-8")
        fd = os.open(self._dir / _LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)
