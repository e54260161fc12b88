"""Certificate versions: status-list slots, the signed credential and the signed QR payload.

``new_version`` makes one version (reissue uses it); the batch import uses the same pieces
(``allocate_slots``, ``sign_version``) with bulk inserts. Writing the ledger entry is the caller's
job (``ledger_entry`` builds it), so a batch can append all its entries in one ledger call.

Slots: status lists are rows of ``DEFAULT_SIZE`` slots; the n-th slot handed out in list L is
``signing.statuslist.status_index(secret, L, n)``, a keyed permutation, so slot numbers say
nothing about issue order. A full list is left alone and a new one started. On PostgreSQL the list
row is locked (``FOR UPDATE``) so concurrent writers never share a counter value; SQLite writers
are already serialised by ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from certsvc.certificates.holders import holder_keys
from certsvc.certificates.models import Certificate, CertificateVersion, StatusList
from certsvc.domain.names import mask_name
from certsvc.ledger.entries import certificate_event
from certsvc.registry.models import Authority
from certsvc.runtime import Runtime
from certsvc.signing.credential import CredentialFacts, issuer_id_for_uscc, sign_credential
from certsvc.signing.keystore import SigningKey
from certsvc.signing.qrpayload import QrFields, encode_qr, qr_url
from certsvc.signing.statuslist import DEFAULT_SIZE, status_permutation

STATUS_VALID = "valid"


@dataclass(frozen=True, slots=True)
class SignedVersion:
    """What signing one certificate version produced."""

    credential: str
    qr_payload: str
    kid: str

    @property
    def credential_sha256(self) -> str:
        return hashlib.sha256(self.credential.encode("ascii")).hexdigest()


def allocate_slots(session: Session, runtime: Runtime, count: int, now: dt.datetime) -> list[tuple[int, int]]:
    """``count`` fresh (status_list_id, status_index) slots, filling the newest list first."""
    secret = holder_keys(runtime).status_permutation_key
    slots: list[tuple[int, int]] = []
    while len(slots) < count:
        current = session.execute(
            select(StatusList.id, StatusList.size, StatusList.allocated)
            .where(StatusList.allocated < StatusList.size)
            .order_by(StatusList.id.desc())
            .limit(1)
            .with_for_update()
        ).first()
        if current is None:
            list_id = session.execute(
                insert(StatusList)
                .values(size=DEFAULT_SIZE, allocated=0, created_at=now)
                .returning(StatusList.id)
            ).scalar_one()
            size, allocated = DEFAULT_SIZE, 0
        else:
            list_id, size, allocated = current
        take = min(count - len(slots), size - allocated)
        permutation = status_permutation(secret, list_id, size)
        slots += [(list_id, permutation.slot(n)) for n in range(allocated, allocated + take)]
        session.execute(update(StatusList).where(StatusList.id == list_id).values(allocated=allocated + take))
    return slots


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


def sign_versions(
    facts: list[CredentialFacts], key: SigningKey, base_url: str, now: dt.datetime
) -> list[SignedVersion]:
    """``sign_version`` of each of ``facts``, in order (an import signs a chunk at a time)."""
    return [sign_version(one, key, base_url, now) for one in facts]


def ledger_entry(
    event: str, number: str, version: int, credential: str, now: dt.datetime, **who: Any
) -> bytes:
    """The ledger entry for a version event ("issue", "reissue"): number, version, credential hash,
    and who acted (``who``: ``audit.actors.ledger_actor``)."""
    digest = hashlib.sha256(credential.encode("ascii")).hexdigest()
    return certificate_event(event, number, version, digest, now, **who)


def verification_url(runtime: Runtime, qr_payload: str) -> str:
    """The URL a version's QR code holds."""
    return qr_url(runtime.settings.base_url, qr_payload)


def credential_facts(
    certificate: Certificate,
    authority: Authority,
    *,
    holder_name: str,
    version: int,
    slot: tuple[int, int],
) -> CredentialFacts:
    return CredentialFacts(
        certificate_number=certificate.number,
        version=version,
        holder_name=holder_name,
        title=certificate.title,
        level=certificate.level,
        series=certificate.series,
        specialty=certificate.specialty,
        obtained=certificate.obtained_date,
        issuer_id=issuer_id_for_uscc(authority.uscc),
        issuer_name=authority.name,
        status_list_id=slot[0],
        status_index=slot[1],
        employer=certificate.employer or None,
        acquisition=certificate.acquisition_facts,
        supervisor=certificate.supervisor,
    )


def new_version(
    session: Session,
    runtime: Runtime,
    certificate: Certificate,
    *,
    version: int,
    holder_name: str,
    reissue_reason: str | None,
    now: dt.datetime,
) -> CertificateVersion:
    """Add version ``version`` of ``certificate``: a fresh slot, signed with the current key.

    ``holder_name`` (the previous version's, or the authority's correction) is signed and kept on
    the version. The caller updates ``certificate.current_version``,
    supersedes the previous version and writes the ledger entry (see ``ledger_entry``).
    """
    authority = session.scalars(select(Authority).where(Authority.code == certificate.authority_code)).one()
    slot = allocate_slots(session, runtime, 1, now)[0]
    key = runtime.keys.current(now)
    facts = credential_facts(certificate, authority, holder_name=holder_name, version=version, slot=slot)
    signed = sign_version(facts, key, runtime.settings.base_url, now)
    row = CertificateVersion(
        certificate_id=certificate.id,
        version=version,
        status=STATUS_VALID,
        issued_at=now,
        kid=signed.kid,
        credential=signed.credential,
        qr_payload=signed.qr_payload,
        status_list_id=slot[0],
        status_index=slot[1],
        holder_name=holder_name,
        reissue_reason=reissue_reason,
    )
    session.add(row)
    session.flush()
    return row
