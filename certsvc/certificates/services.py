"""Certificates as their holders and issuers see them: lookup, the printable document, renderings.

What is printed for a version comes from that version's own signed credential (name, employer,
title …), so a superseded version's document shows exactly what it asserted, even after a
correction changed the holder's current name.
"""

from __future__ import annotations

import functools
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from certsvc.certificates.holders import SEX_ZH, decrypt_id
from certsvc.certificates.lookup import find_certificate, find_version
from certsvc.certificates.models import Certificate, CertificateVersion, Holder
from certsvc.certificates.versions import verification_url
from certsvc.documents import (
    CertificateDocument,
    CjkFont,
    RenderKey,
    cached_render,
    find_cjk_font,
    render_pdf,
    render_png,
)
from certsvc.domain.idnumber import mask_id as masked_id_number
from certsvc.errors import BadRequest
from certsvc.registry.models import Authority
from certsvc.runtime import Runtime
from certsvc.signing.credential import decode_unverified
from certsvc.timefmt import china_date

FORMATS = ("png", "pdf", "jws", "url")


def document_for(
    runtime: Runtime, version: CertificateVersion, *, mask_id: bool, watermark: str | None = None
) -> CertificateDocument:
    """The printable document of ``version``; ``mask_id`` prints the ID number masked."""
    session = object_session(version)
    if session is not None:
        return _document(session, runtime, version, mask=mask_id, watermark=watermark)
    with runtime.database.read() as fresh:
        return _document(fresh, runtime, version, mask=mask_id, watermark=watermark)


def _document(
    session: Session,
    runtime: Runtime,
    version: CertificateVersion,
    *,
    mask: bool,
    watermark: str | None = None,
) -> CertificateDocument:
    certificate = session.get(Certificate, version.certificate_id)
    assert certificate is not None  # a foreign key guarantees it
    holder = session.get(Holder, certificate.holder_id)
    assert holder is not None
    authority = session.scalars(select(Authority).where(Authority.code == certificate.authority_code)).one()
    subject = decode_unverified(version.credential)["credentialSubject"]
    id_number = decrypt_id(runtime, holder)
    first_issue = china_date(certificate.created_at)
    return CertificateDocument(
        holder_name=subject["name"],
        sex=SEX_ZH.get(holder.sex, holder.sex),
        birth_date=holder.birth_date,
        id_number=masked_id_number(id_number) if mask else id_number,
        employer=subject.get("employer") or certificate.employer,
        series=subject["series"],
        specialty=subject["specialty"],
        title=subject["title"],
        level=subject["level"],
        date_obtained=certificate.confirmation_date,
        committee_name=certificate.committee_name,
        confirmation_number=certificate.confirmation_doc_no,
        certificate_number=certificate.number,
        authority_name=authority.name,
        issue_date=first_issue,
        version=version.version,
        reissue_date=None if version.version == 1 else china_date(version.issued_at),
        qr_url=verification_url(runtime, version.qr_payload),
        credential_jws=version.credential,
        seal_text=authority.name,
        watermark=watermark,
    )


def render(
    runtime: Runtime,
    number: str,
    fmt: str,
    version: int | None = None,
    *,
    mask_id: bool = False,
    watermark: str | None = None,
) -> bytes:
    """The certificate's document (png, pdf), signed credential (jws) or QR URL (url), as bytes.

    Documents are cached under ``settings.cache_dir`` by (number, version, variant): versions never
    change, so a cached file never goes stale. A watermarked copy ("仅用于 …", free text chosen by
    the holder) is rendered each time: caching every wording would grow the cache without bound.
    """
    if fmt not in FORMATS:
        raise BadRequest(
            f"format must be one of {', '.join(FORMATS)}", detail_zh="格式应为 png、pdf、jws 或 url"
        )
    with runtime.database.read() as session:
        certificate = find_certificate(session, number)
        row = find_version(session, certificate, version)
        if fmt == "jws":
            return row.credential.encode("ascii")
        if fmt == "url":
            return verification_url(runtime, row.qr_payload).encode("ascii")
        key = RenderKey(certificate.number, row.version, fmt, variant="masked" if mask_id else "holder")
        cache_dir = runtime.settings.cache_dir / "documents"
        renderer = render_png if fmt == "png" else render_pdf

        def draw() -> bytes:
            document = _document(session, runtime, row, mask=mask_id, watermark=watermark)
            return renderer(document, _font(runtime.settings.cjk_font))

        return draw() if watermark else cached_render(cache_dir, key, draw)


@functools.lru_cache(maxsize=4)
def _font(configured: Path | None) -> CjkFont:
    return find_cjk_font(configured)
