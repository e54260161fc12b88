"""Certificates as their holders and issuers see them: lookup, the printable document, renderings.

What is printed for a version comes from that version's own signed credential (name, employer,
title …), so a superseded version's document shows exactly what it asserted, even after a
correction changed the holder's current name. A version that is not the valid current one is
rendered with a watermark saying so (已撤销, 已被替换, 已暂停), wherever it is rendered from.

PDFs are signed by the issuing authority's seal certificate (``documents.signature``).
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
    PdfSealer,
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
# What a rendered version that is not the valid current one says across its page.
WATERMARKS = {"revoked": "已撤销", "superseded": "已被替换", "suspended": "已暂停"}


def watermark_for(certificate: Certificate, version: CertificateVersion) -> str:
    """The watermark of ``version``'s document: empty only for the current version while valid."""
    if version.status in WATERMARKS:
        return WATERMARKS[version.status]
    if version.version != certificate.current_version:
        return WATERMARKS["superseded"]
    return ""


def document_for(
    runtime: Runtime, version: CertificateVersion, *, mask_id: bool, usage_note: str | None = None
) -> CertificateDocument:
    """The printable document of ``version``; ``mask_id`` prints the ID number masked."""
    session = object_session(version)
    if session is not None:
        return _document(session, runtime, version, mask=mask_id, usage_note=usage_note)
    with runtime.database.read() as fresh:
        return _document(fresh, runtime, version, mask=mask_id, usage_note=usage_note)


def _document(
    session: Session,
    runtime: Runtime,
    version: CertificateVersion,
    *,
    mask: bool,
    usage_note: str | None = None,
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
        date_obtained=certificate.obtained_date,
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
        watermark=watermark_for(certificate, version),
        usage_note=usage_note,
        acquisition=certificate.acquisition_facts,
        supervisor=certificate.supervisor,
    )


def render(
    runtime: Runtime,
    number: str,
    fmt: str,
    version: int | None = None,
    *,
    mask_id: bool = False,
    usage_note: str | None = None,
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
        # The status is part of the key: a version revoked after it was cached renders anew, watermarked.
        variant = ("masked" if mask_id else "holder") + f"-{row.status}"
        if row.version != certificate.current_version:
            variant += "-old"
        key = RenderKey(certificate.number, row.version, fmt, variant=variant)
        cache_dir = runtime.settings.cache_dir / "documents"

        def draw() -> bytes:
            document = _document(session, runtime, row, mask=mask_id, usage_note=usage_note)
            font = _font(runtime.settings.cjk_font)
            if fmt == "png":
                return render_png(document, font)
            authority = session.scalars(
                select(Authority).where(Authority.code == certificate.authority_code)
            ).one()
            return render_pdf(document, pdf_sealer(runtime, authority), font)

        return draw() if usage_note else cached_render(cache_dir, key, draw)


def pdf_sealer(runtime: Runtime, authority: Authority) -> PdfSealer:
    """What signs ``authority``'s PDFs now: its open seal (created on first use) and the TSA, if any."""
    seal = runtime.keys.seal_key(authority.uscc, authority.name, runtime.now())
    return PdfSealer(seal.private_key, seal.certificate, seal.ca_certificate, runtime.settings.tsa_url)


@functools.lru_cache(maxsize=4)
def _font(configured: Path | None) -> CjkFont:
    return find_cjk_font(configured)
