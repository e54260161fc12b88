"""Finding a certificate by its number: the one lookup every service and view uses.

Scoped lookups answer ``NotFound`` for a certificate outside the scope exactly as for one that does
not exist, so a console user or API client of one authority (or a holder) cannot probe another's
certificate numbers.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from certsvc.certificates.holders import find_holder
from certsvc.certificates.models import Certificate, CertificateVersion
from certsvc.domain.certno import validate_certificate_number
from certsvc.domain.idnumber import normalize_id_number
from certsvc.errors import BadRequest, NotFound
from certsvc.runtime import Runtime


def find_certificate(
    session: Session,
    number: str,
    *,
    authority_code: str | None = None,
    holder_id: int | None = None,
    for_update: bool = False,
    malformed_is_absent: bool = False,
) -> Certificate:
    """The certificate with ``number`` as typed (any accepted spelling).

    ``authority_code`` / ``holder_id`` restrict the answer to that authority's / holder's
    certificates; ``for_update`` locks the row for a status change or reissue. A malformed number
    raises ``InvalidCertificateNumber`` unless ``malformed_is_absent`` (a number in a URL path: it
    names no certificate, so it is a 404 like any other).
    """
    here = " here" if authority_code is not None else ""
    here_zh = "本机构" if authority_code is not None else ""
    try:
        canonical = validate_certificate_number(number[:64])
    except BadRequest:
        if not malformed_is_absent:
            raise
        raise NotFound(f"no such certificate{here}", detail_zh=f"{here_zh}没有这张证书") from None
    query = select(Certificate).where(Certificate.number == canonical)
    if for_update:
        query = query.with_for_update()
    certificate = session.scalar(query)
    if (
        certificate is None
        or (authority_code is not None and certificate.authority_code != authority_code)
        or (holder_id is not None and certificate.holder_id != holder_id)
    ):
        raise NotFound(
            f"no certificate {canonical}{here}", detail_zh=f"{here_zh or '未找到'}证书 {canonical}"
        )
    return certificate


def find_version(
    session: Session, certificate: Certificate, version: int | None = None
) -> CertificateVersion:
    """Version ``version`` of ``certificate`` (its current version when None)."""
    wanted = certificate.current_version if version is None else version
    row = session.scalar(
        select(CertificateVersion).where(
            CertificateVersion.certificate_id == certificate.id, CertificateVersion.version == wanted
        )
    )
    if row is None:
        raise NotFound(
            f"certificate {certificate.number} has no version {wanted}",
            detail_zh=f"证书 {certificate.number} 没有第 {wanted} 版",
        )
    return row


def looks_like_id_number(text: str) -> bool:
    """True for text shaped like an 18-character resident ID number (spaces and full-width allowed)."""
    id_number = normalize_id_number(text)
    return len(id_number) == 18 and id_number[:17].isdigit()


def search_certificates(
    session: Session, runtime: Runtime, query: str, *, authority_code: str
) -> list[Certificate]:
    """``authority_code``'s certificates matching ``query``: a certificate number, or a holder's ID
    number (found through the blind index). A malformed number raises ``InvalidCertificateNumber``
    (a typo is worth telling apart from "not ours")."""
    if looks_like_id_number(query):
        holder = find_holder(session, runtime, normalize_id_number(query))
        if holder is None:
            return []
        return list(
            session.scalars(
                select(Certificate).where(
                    Certificate.holder_id == holder.id, Certificate.authority_code == authority_code
                )
            )
        )
    validate_certificate_number(query)
    try:
        return [find_certificate(session, query, authority_code=authority_code)]
    except NotFound:
        return []
