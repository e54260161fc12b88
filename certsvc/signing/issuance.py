"""What issuing a certificate version signs: the credential, the QR token and the ledger entry.

Pure functions of facts, a key and ``now``. ``sign_chunk`` does it for a chunk of an import and is
what the import's signing worker runs (``certificates/signer.py``, ADR 0019), so this module
imports nothing but the signing and ledger cores: a worker process starts from it alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certsvc.domain.names import mask_name
from certsvc.ledger.entries import certificate_event
from certsvc.signing.credential import CredentialFacts, sign_credential
from certsvc.signing.keystore import SigningKey
from certsvc.signing.qrpayload import QrFields, encode_qr


@dataclass(frozen=True, slots=True)
class SignedVersion:
    """What signing one certificate version produced."""

    credential: str
    qr_payload: str
    kid: str


def sign_version(facts: CredentialFacts, key: SigningKey, base_url: str, now: dt.datetime) -> SignedVersion:
    """The credential JWS and the QR payload of one version, both signed with ``key`` at ``now``."""
    credential = sign_credential(facts, key, base_url, now)
    payload = encode_qr(
        QrFields(
            certificate_number=facts.certificate_number,
            version=facts.version,
            masked_name=mask_name(facts.holder_name),
            title=facts.title,
            level=facts.level,
            obtained=facts.obtained,
            issued_at=now,
            status_list_id=facts.status_list_id,
            status_index=facts.status_index,
        ),
        key,
    )
    return SignedVersion(credential, payload, key.kid)


def credential_digest(credential: str) -> str:
    """The hash by which ledger entries name a version's signed credential (hex SHA-256)."""
    return hashlib.sha256(credential.encode("ascii")).hexdigest()


def ledger_entry(
    event: str, number: str, version: int, credential: str, now: dt.datetime, **who: Any
) -> bytes:
    """The ledger entry for a version event ("issue"): number, version, credential hash, and who
    acted (``who``: ``audit.actors.ledger_actor``)."""
    return certificate_event(event, number, version, credential_digest(credential), now, **who)


# Per version: (credential, QR payload, ledger entry). Plain tuples, because they cross a pipe
# (a slotted dataclass pickles through ``fields()`` per object).
Signed = list[tuple[str, str, bytes]]


@dataclass(frozen=True)
class SigningOrder:
    """What every chunk of one import is signed with; picklable, for the signing worker."""

    kid: str
    private_bytes: bytes = field(repr=False)
    base_url: str
    now: dt.datetime
    who: dict[str, Any]

    @classmethod
    def for_key(cls, key: SigningKey, base_url: str, now: dt.datetime, who: dict[str, Any]) -> SigningOrder:
        return cls(key.kid, key.private_key.private_bytes_raw(), base_url, now, who)


def sign_chunk(order: SigningOrder, facts: list[CredentialFacts]) -> Signed:
    """Each new version's signed credential and QR payload, and its "issue" ledger entry, in order."""
    key = SigningKey(order.kid, Ed25519PrivateKey.from_private_bytes(order.private_bytes))
    signed: Signed = []
    for one in facts:
        version = sign_version(one, key, order.base_url, order.now)
        entry = ledger_entry(
            "issue", one.certificate_number, one.version, version.credential, order.now, **order.who
        )
        signed.append((version.credential, version.qr_payload, entry))
    return signed
