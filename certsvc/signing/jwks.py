"""The published key set (RFC 7517 JWKS) and the verifier-side ``KeySet`` built from it.

Each key is an RFC 8037 OKP/Ed25519 JWK with ``kid`` = RFC 7638 thumbprint, ``use`` "sig" and
``alg`` "EdDSA", plus its validity window, in two forms:

- ``nbf`` / ``exp``: epoch seconds, for generic tooling. ``exp`` is the earlier of the key's
  ``not_after`` and ``compromised_since`` (absent while the key is current), so a tool that only
  reads these fields still refuses what a compromised key signed later.
- ``not_before`` / ``not_after`` / ``compromised_since``: certsvc-specific RFC 3339 UTC strings with
  microseconds (``null`` when not set), and ``status`` (active, retired, compromised). The window is
  half-open: a signature made at time t is acceptable when not_before <= t < not_after and
  t < compromised_since. certsvc's own verifier reads these.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from certsvc.errors import InvalidKeySet, VerificationError
from certsvc.signing._codec import b64url_decode, epoch_seconds, jwk_thumbprint, key_reference
from certsvc.signing.keystore import KeyInfo
from certsvc.timefmt import parse_rfc3339


def jwks_document(history: Iterable[KeyInfo]) -> dict[str, Any]:
    """The JSON document served at ``/.well-known/jwks.json``: every key ever used, with validity."""
    return {"keys": [_jwk(info) for info in history]}


def _jwk(info: KeyInfo) -> dict[str, Any]:
    jwk: dict[str, Any] = {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": info.x,
        "kid": info.kid,
        "use": "sig",
        "alg": "EdDSA",
        "nbf": epoch_seconds(info.not_before),
    }
    ends = [moment for moment in (info.not_after, info.compromised_since) if moment is not None]
    if ends:
        jwk["exp"] = epoch_seconds(min(ends))
    jwk.update({field: value for field, value in info.to_json().items() if field not in ("kid", "x")})
    return jwk


@dataclasses.dataclass(frozen=True)
class TrustedKey:
    """One verification key with its parsed public key object, loaded once."""

    info: KeyInfo
    public_key: Ed25519PublicKey = dataclasses.field(repr=False, compare=False)
    key_ref: bytes

    def check_signed_at(self, signed_at: dt.datetime) -> None:
        """Raise ``VerificationError`` unless a signature made at ``signed_at`` is within this key's life."""
        compromised_since = self.info.compromised_since
        if compromised_since is not None and signed_at >= compromised_since:
            raise VerificationError("signed after its key was reported compromised", step="key-compromised")
        if not self.info.signed_within_window(signed_at):
            raise VerificationError("signed outside its key's validity window", step="key-window")


class KeySet:
    """Verification keys indexed by kid and by the QR's 8-byte key reference."""

    def __init__(self, keys: Sequence[TrustedKey]) -> None:
        self._by_kid: dict[str, TrustedKey] = {}
        self._by_ref: dict[bytes, TrustedKey] = {}
        for key in keys:
            if key.info.kid in self._by_kid or key.key_ref in self._by_ref:
                raise InvalidKeySet(f"duplicate key id {key.info.kid}")
            self._by_kid[key.info.kid] = key
            self._by_ref[key.key_ref] = key

    @classmethod
    def from_history(cls, history: Iterable[KeyInfo]) -> KeySet:
        """Build from the key store's history (server side, no JSON round trip)."""
        return cls([_trusted(info) for info in history])

    @classmethod
    def from_jwks(cls, document: Mapping[str, Any]) -> KeySet:
        """Parse a JWKS document as ``jwks_document`` writes it; raise ``InvalidKeySet`` on anything else."""
        entries = document.get("keys") if isinstance(document, Mapping) else None
        if not isinstance(entries, list):
            raise InvalidKeySet("a JWKS needs a 'keys' array")
        return cls([_trusted(_info_from_jwk(entry)) for entry in entries])

    def by_kid(self, kid: str) -> TrustedKey | None:
        return self._by_kid.get(kid)

    def by_ref(self, key_ref: bytes) -> TrustedKey | None:
        return self._by_ref.get(key_ref)

    def __len__(self) -> int:
        return len(self._by_kid)


def _info_from_jwk(entry: Any) -> KeyInfo:
    if not isinstance(entry, Mapping):
        raise InvalidKeySet("a JWKS key must be an object")
    if entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519":
        raise InvalidKeySet("only OKP Ed25519 keys are accepted")
    if entry.get("alg", "EdDSA") != "EdDSA" or entry.get("use", "sig") != "sig":
        raise InvalidKeySet("key is not an EdDSA signing key")
    try:
        return KeyInfo(
            kid=str(entry["kid"]),
            x=str(entry["x"]),
            not_before=_time(entry, "not_before", "nbf"),
            # A generic JWKS may carry only "exp"; honour it rather than treat the key as open-ended.
            not_after=(
                _optional_time(entry["not_after"])
                if "not_after" in entry
                else _optional_epoch(entry.get("exp"))
            ),
            compromised_since=_optional_time(entry.get("compromised_since")),
        )
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise InvalidKeySet(f"malformed JWKS key: {exc}") from None


def _time(entry: Mapping[str, Any], rfc3339_field: str, epoch_field: str) -> dt.datetime:
    if entry.get(rfc3339_field) is not None:
        return parse_rfc3339(entry[rfc3339_field])
    moment = _optional_epoch(entry[epoch_field])
    if moment is None:
        raise ValueError(f"{epoch_field} is required")
    return moment


def _optional_time(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("times must be RFC 3339 strings")
    return parse_rfc3339(value)


def _optional_epoch(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("exp must be an integer")
    return dt.datetime.fromtimestamp(value, dt.UTC)


def _trusted(info: KeyInfo) -> TrustedKey:
    try:
        public = b64url_decode(info.x)
        if len(public) != 32:
            raise ValueError("Ed25519 public keys are 32 bytes")
        public_key = Ed25519PublicKey.from_public_bytes(public)
    except ValueError as exc:
        raise InvalidKeySet(f"key {info.kid}: {exc}") from None
    if jwk_thumbprint(public) != info.kid:
        # A kid that is not the key's thumbprint would let one key impersonate another's window.
        raise InvalidKeySet(f"key id {info.kid} is not the RFC 7638 thumbprint of its key")
    return TrustedKey(info=info, public_key=public_key, key_ref=key_reference(info.kid))
