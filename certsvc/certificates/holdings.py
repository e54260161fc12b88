"""What a signed-in holder sees of their own certificates and reissue requests (the holder portal's reads)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certsvc.certificates.models import Certificate, ReissueRequest
from certsvc.registry.models import Authority


def authority_names(session: Session) -> dict[str, str]:
    """Authority code -> name."""
    return {code: name for code, name in session.execute(select(Authority.code, Authority.name))}


def holder_certificates(session: Session, holder_id: int) -> list[dict[str, Any]]:
    """The holder's certificates, oldest first, as the portal lists them."""
    rows = session.scalars(
        select(Certificate).where(Certificate.holder_id == holder_id).order_by(Certificate.created_at)
    ).all()
    authorities = authority_names(session)
    return [
        {
            "number": c.number,
            "title": c.title,
            "level": c.level,
            "series": c.series,
            "specialty": c.specialty,
            "authority": authorities.get(c.authority_code, c.authority_code),
            "status": c.status,
            "version": c.current_version,
        }
        for c in rows
    ]


def certificate_requests(session: Session, certificate: Certificate, holder_id: int) -> list[ReissueRequest]:
    """The holder's reissue requests for one certificate, newest first."""
    return list(
        session.scalars(
            select(ReissueRequest)
            .where(ReissueRequest.certificate_id == certificate.id, ReissueRequest.holder_id == holder_id)
            .order_by(ReissueRequest.created_at.desc())
        )
    )


def holder_requests(session: Session, holder_id: int) -> list[tuple[ReissueRequest, str, str]]:
    """Every reissue request of the holder with its certificate's number and title, newest first."""
    rows = session.execute(
        select(ReissueRequest, Certificate.number, Certificate.title)
        .join(Certificate, Certificate.id == ReissueRequest.certificate_id)
        .where(ReissueRequest.holder_id == holder_id)
        .order_by(ReissueRequest.created_at.desc())
    )
    return [(request, number, title) for request, number, title in rows]
