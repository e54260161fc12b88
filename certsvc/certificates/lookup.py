"""Finding a certificate by its number: the one lookup every service and view uses.

Scoped lookups answer ``NotFound`` for a certificate outside the scope exactly as for one that does
not exist, so a console user or API client of one authority (or a holder) cannot probe another's
certificate numbers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from certsvc.certificates.holders import find_holder
from certsvc.certificates.models import Certificate, CertificateVersion
from certsvc.domain.certno import validate_certificate_number
from certsvc.domain.idnumber import normalize_id_number, parse_id_number
from certsvc.errors import BadRequest, InvalidCertificateNumber, InvalidIdNumber, NotFound
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
    """True for text shaped like an 18-character resident ID number (spaces and full-width allowed).

    Only the shape: many certificate numbers have it too (an authority code, a year, a level and a
    serial made of digits). ``read_number`` tells the two apart by their check characters.
    """
    id_number = normalize_id_number(text)
    return len(id_number) == 18 and id_number[:17].isdigit()


@dataclass(frozen=True, slots=True)
class TypedNumber:
    """What a number typed into a search box can be: a certificate number (canonical), an ID
    number (normalised), or both when it passes both check characters (rare, but possible)."""

    certificate_number: str | None
    id_number: str | None


def read_number(text: str, *, today: dt.date) -> TypedNumber:
    """``text`` read as a certificate number and/or an ID number, each only when its check
    character agrees (an ID number also needs a plausible birth date before ``today``).

    A number whose first 17 characters are digits has the shape of both, so the shape alone
    decides nothing (it once sent a third of certificate numbers to the ID-number search). Raises
    ``InvalidCertificateNumber`` (or its check-character subclass) when it is neither, worded for
    an ID number when it has an ID number's shape, without repeating the number.
    """
    try:
        certificate_number: str | None = validate_certificate_number(text[:64])
        problem: BadRequest | None = None
    except BadRequest as error:
        certificate_number, problem = None, error
    id_number: str | None = None
    if looks_like_id_number(text):
        candidate = normalize_id_number(text)
        try:
            parse_id_number(candidate, today=today)
        except InvalidIdNumber:
            if certificate_number is None:
                raise InvalidCertificateNumber(
                    "this is neither a certificate number nor an ID number whose check character "
                    "matches: please check for a typing error",
                    detail_zh="既不是有效的证书编号，也不是有效的身份证号（校验位不符），请检查是否输错",
                ) from None
        else:
            id_number = candidate
    if certificate_number is None and id_number is None:
        assert problem is not None
        raise problem
    return TypedNumber(certificate_number, id_number)


def search_certificates(
    session: Session, runtime: Runtime, query: str, *, authority_code: str
) -> list[Certificate]:
    """``authority_code``'s certificates matching ``query``: a certificate number, or a holder's ID
    number (found through the blind index), told apart by ``read_number``; both when it is both.
    A malformed number raises ``InvalidCertificateNumber`` (a typo is worth telling apart from
    "not ours")."""
    typed = read_number(query, today=runtime.today())
    found: dict[int, Certificate] = {}
    if typed.certificate_number is not None:
        with contextlib.suppress(NotFound):
            certificate = find_certificate(session, typed.certificate_number, authority_code=authority_code)
            found[certificate.id] = certificate
    if typed.id_number is not None:
        holder = find_holder(session, runtime, typed.id_number)
        if holder is not None:
            for certificate in session.scalars(
                select(Certificate)
                .where(Certificate.holder_id == holder.id, Certificate.authority_code == authority_code)
                .order_by(Certificate.id)
            ):
                found.setdefault(certificate.id, certificate)
    return list(found.values())
