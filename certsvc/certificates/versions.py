"""Certificate versions: status-list slots, the signed credential and the signed QR payload.

``new_version`` makes one version (reissue uses it); the batch import uses the same pieces
(``allocate_slots``, and ``signing.issuance`` for the signatures) with bulk inserts. Writing the
ledger entry is the caller's job, so a batch can append all its entries in one ledger call.

Slots: status lists are rows of ``DEFAULT_SIZE`` slots; the n-th slot handed out in list L is
``signing.statuslist.status_index(secret, L, n)``, a keyed permutation, so slot numbers say
nothing about issue order. A full list is left alone and a new one started. On PostgreSQL the list
row is locked (``FOR UPDATE``) so concurrent writers never share a counter value; SQLite writers
are already serialised by ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from certsvc.certificates.holders import holder_keys
from certsvc.certificates.models import Certificate, CertificateVersion, StatusList
from certsvc.registry.models import Authority
from certsvc.runtime import Runtime
from certsvc.signing.credential import CredentialFacts, issuer_id_for_uscc
from certsvc.signing.issuance import sign_version
from certsvc.signing.qrpayload import qr_url
from certsvc.signing.statuslist import DEFAULT_SIZE, status_permutation

STATUS_VALID = "valid"


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
