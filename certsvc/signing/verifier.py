"""Offline verification of a QR URL, a QR payload or a JWS credential: PURE, fails closed.

Steps, each named in ``Verdict.step`` when it is the one that failed:

    parse -> key-unknown -> signature -> claims -> key-window / key-compromised
          -> status-unavailable (outcome unknown-status) / status (revoked, suspended)

Without status evidence an authentic token is ``unknown-status``, never ``valid``. Online verdicts
that need the certificate store (superseded, unknown certificate) are added by the services layer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from cryptography.exceptions import InvalidSignature

from certsvc.errors import MalformedToken, VerificationError
from certsvc.signing.credential import CredentialFacts, facts_from_claims
from certsvc.signing.jose import authenticate, parse_vc_jwt
from certsvc.signing.jwks import KeySet, TrustedKey
from certsvc.signing.qrpayload import QrToken, decode_qr, payload_from_url_or_text
from certsvc.signing.statuslist import VerifiedStatusList

VALID = "valid"
REVOKED = "revoked"
SUSPENDED = "suspended"
INVALID = "invalid"
UNKNOWN_STATUS = "unknown-status"


@dataclasses.dataclass(frozen=True)
class VerifiedFacts:
    """What an authentic token says. ``holder_name`` is masked for a QR, in full for a credential."""

    form: str  # "qr" or "jws"
    certificate_number: str
    version: int
    holder_name: str
    title: str
    level: str
    obtained: dt.date
    issued_at: dt.datetime
    kid: str
    status_list_id: int
    status_index: int
    credential: CredentialFacts | None = None


@dataclasses.dataclass(frozen=True)
class Verdict:
    outcome: str
    step: str | None
    reason: str
    facts: VerifiedFacts | None = None

    @property
    def authentic(self) -> bool:
        return self.outcome != INVALID


@dataclasses.dataclass(frozen=True)
class StatusEvidence:
    """Verified status lists (``statuslist.verify_status_list``), found by (purpose, list id)."""

    lists: dict[tuple[str, int], VerifiedStatusList]

    @classmethod
    def of(cls, lists: Iterable[VerifiedStatusList]) -> StatusEvidence:
        return cls({(item.purpose, item.list_id): item for item in lists})

    def bit(self, purpose: str, list_id: int, index: int, now: dt.datetime) -> bool | None:
        """The slot's bit, or None when no current list covers it."""
        status_list = self.lists.get((purpose, list_id))
        if status_list is None or not status_list.valid_from <= now < status_list.valid_until:
            return None
        if index >= status_list.bits.size:
            return None
        return status_list.bits.get(index)


def verify(
    target: str | bytes, keyset: KeySet, now: dt.datetime, status: StatusEvidence | None = None
) -> Verdict:
    """Verify a QR URL, QR payload or JWS against ``keyset`` at ``now``; never raises on bad input."""
    try:
        facts = _authenticate(_as_text(target), keyset)
    except VerificationError as exc:
        return Verdict(INVALID, exc.step, exc.message)
    return _status_verdict(facts, status, now)


def _as_text(target: str | bytes) -> str:
    if isinstance(target, bytes):
        try:
            return target.decode("ascii").strip()
        except UnicodeDecodeError:
            raise MalformedToken("input is not a token or URL", step="parse") from None
    return target.strip()


def _authenticate(text: str, keyset: KeySet) -> VerifiedFacts:
    if text.count(".") == 2 and "://" not in text:
        return _authenticate_jws(text, keyset)
    return _authenticate_qr(decode_qr(payload_from_url_or_text(text)), keyset)


def _authenticate_jws(text: str, keyset: KeySet) -> VerifiedFacts:
    parsed = parse_vc_jwt(text)
    key = authenticate(parsed, keyset)
    facts, issued_at = facts_from_claims(parsed.claims)
    key.check_signed_at(issued_at)
    return VerifiedFacts(
        form="jws",
        certificate_number=facts.certificate_number,
        version=facts.version,
        holder_name=facts.holder_name,
        title=facts.title,
        level=facts.level,
        obtained=facts.obtained,
        issued_at=issued_at,
        kid=key.info.kid,
        status_list_id=facts.status_list_id,
        status_index=facts.status_index,
        credential=facts,
    )


def _authenticate_qr(token: QrToken, keyset: KeySet) -> VerifiedFacts:
    key: TrustedKey | None = keyset.by_ref(token.key_ref)
    if key is None:
        raise VerificationError("the QR was signed by a key this key set does not know", step="key-unknown")
    try:
        key.public_key.verify(token.signature, token.signed_message)
    except InvalidSignature:
        raise VerificationError("the signature does not match the QR contents", step="signature") from None
    fields = token.fields
    key.check_signed_at(fields.issued_at)
    return VerifiedFacts(
        form="qr",
        certificate_number=fields.certificate_number,
        version=fields.version,
        holder_name=fields.masked_name,
        title=fields.title,
        level=fields.level,
        obtained=fields.obtained,
        issued_at=fields.issued_at,
        kid=key.info.kid,
        status_list_id=fields.status_list_id,
        status_index=fields.status_index,
    )


def _status_verdict(facts: VerifiedFacts, status: StatusEvidence | None, now: dt.datetime) -> Verdict:
    if status is None:
        return Verdict(UNKNOWN_STATUS, "status-unavailable", "authentic, but no status list was given", facts)
    revoked = status.bit("revocation", facts.status_list_id, facts.status_index, now)
    if revoked:
        return Verdict(
            REVOKED,
            "status",
            "the revocation status list marks this version (revoked, or superseded by a reissue)",
            facts,
        )
    suspended = status.bit("suspension", facts.status_list_id, facts.status_index, now)
    if revoked is None or suspended is None:
        return Verdict(
            UNKNOWN_STATUS, "status-unavailable", "authentic, but no current status list covers it", facts
        )
    if suspended:
        return Verdict(SUSPENDED, "status", "the suspension status list marks this certificate", facts)
    return Verdict(VALID, None, "authentic and not revoked or suspended", facts)
