"""Compact JWS (RFC 7515) for certsvc's ``vc+jwt`` tokens: signing, and strict parsing.

``sign_vc_jwt`` signs ``canonical_json(claims)``; ``sign_vc_jwt_payload`` signs claims already
serialised that way. Both make exactly the compact JWS PyJWT's ``api_jws.encode`` makes of those
bytes (the tests pin it byte for byte; Ed25519 signatures are deterministic, and PyJWT verifies
the tokens) without PyJWT's per-call work (header JSON, algorithm lookup, key checks): the header
segment is built once per key and the rest is one base64url pass and one Ed25519 signature. An
import of N rows signs N credentials, so this is on its hot path.

Parsing is done here, strictly, because a verifier must accept exactly one spelling of each token
and nothing it does not understand: base64url segments must be canonical (Python's base64 module
ignores non-zero trailing bits), JSON must have no duplicate members, only ``alg`` EdDSA with
``typ`` vc+jwt is taken, and unknown header parameters (``crit``, ``b64``...) are refused. The key
is looked up by ``kid`` in an already-parsed ``KeySet``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from typing import Any

from cryptography.exceptions import InvalidSignature

from certsvc.domain.canonical import canonical_json
from certsvc.domain.incoming import loads_bounded
from certsvc.errors import MalformedToken, VerificationError
from certsvc.signing._codec import b64url_decode, b64url_encode
from certsvc.signing.jwks import KeySet, TrustedKey
from certsvc.signing.keystore import SigningKey

TYP = "vc+jwt"
ALG = "EdDSA"
_ALLOWED_HEADER = frozenset({"alg", "typ", "kid", "cty"})


@dataclasses.dataclass(frozen=True)
class ParsedJws:
    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes

    @property
    def kid(self) -> str:
        return str(self.header["kid"])


def sign_vc_jwt(claims: dict[str, Any], key: SigningKey) -> str:
    """Compact JWS over ``canonical_json(claims)`` with header {alg: EdDSA, kid, typ: vc+jwt}."""
    return sign_vc_jwt_payload(canonical_json(claims), key)


def sign_vc_jwt_payload(payload: bytes, key: SigningKey) -> str:
    """The compact JWS ``sign_vc_jwt`` makes, from claims already serialised by ``canonical_json``."""
    signing_input = _protected_header(key.kid) + b64url_encode(payload)
    return f"{signing_input}.{b64url_encode(key.sign(signing_input.encode('ascii')))}"


@functools.lru_cache(maxsize=64)
def _protected_header(kid: str) -> str:
    """``base64url(header) + "."`` for ``kid``, spelled as PyJWT spells it (sorted keys, no spaces)."""
    header = json.dumps({"alg": ALG, "kid": kid, "typ": TYP}, separators=(",", ":"), sort_keys=True)
    return b64url_encode(header.encode("utf-8")) + "."


def parse_vc_jwt(token: str) -> ParsedJws:
    """Split and decode a compact JWS without verifying it; ``MalformedToken`` on anything unexpected."""
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedToken("a compact JWS has three dot-separated parts", step="parse")
    try:
        header = _json_object(b64url_decode(parts[0]))
        claims = _json_object(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except ValueError as exc:
        raise MalformedToken(f"JWS is not well-formed: {exc}", step="parse") from None
    if header.get("alg") != ALG or header.get("typ") != TYP or not isinstance(header.get("kid"), str):
        raise MalformedToken("JWS header must have alg EdDSA, typ vc+jwt and a kid", step="parse")
    if not header.keys() <= _ALLOWED_HEADER:
        # Unknown (possibly critical) header parameters would change the meaning of the token.
        raise MalformedToken("JWS header has unsupported parameters", step="parse")
    if len(signature) != 64:
        raise MalformedToken("an Ed25519 signature is 64 bytes", step="parse")
    return ParsedJws(header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)


def authenticate(parsed: ParsedJws, keyset: KeySet) -> TrustedKey:
    """Find the signing key by kid and check the signature; raise ``VerificationError`` with its step."""
    key = keyset.by_kid(parsed.kid)
    if key is None:
        raise VerificationError(
            "the token was signed by a key this key set does not know", step="key-unknown"
        )
    try:
        key.public_key.verify(parsed.signature, parsed.signing_input)
    except InvalidSignature:
        raise VerificationError("the signature does not match the token", step="signature") from None
    return key


def _json_object(data: bytes) -> dict[str, Any]:
    # Bounded: a header or claims nested 20,000 deep must fail as "parse", not as a RecursionError.
    value = loads_bounded(
        data.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constants
    )
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate JSON member")
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
