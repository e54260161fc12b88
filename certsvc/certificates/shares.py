"""Share links (亮证): a holder shows one certificate for one purpose, sees who looked, ends it.

A share names its purpose ("入职 XX 公司"), lasts at most ``MAX_SHARE_DAYS`` and carries a scope:
the full name and/or the ID number masked to its last 4 characters (otherwise the masked name only,
as on the public verification page). Whoever opens the link sees that scope, the purpose and the
live verdict of the certificate's current version; each opening is logged for the holder with a
coarse client description, never an address. Tokens are 192-bit random and stored as SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certsvc.certificates.holders import decrypt_id
from certsvc.certificates.models import Certificate, CertificateShare, Holder, ShareAccess
from certsvc.certificates.reissue import MAX_ROW_ID
from certsvc.domain.certno import validate_certificate_number
from certsvc.domain.names import mask_name
from certsvc.errors import BadRequest, NotFound
from certsvc.registry.models import Authority
from certsvc.runtime import Runtime

MAX_SHARE_DAYS = 90
DEFAULT_SHARE_DAYS = 30
MAX_PURPOSE_CHARS = 100
MAX_ACCESSES_SHOWN = 500
SHARE_PATH = "/s/"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


@dataclass(frozen=True)
class SharedCertificate:
    """What an open share shows: the chosen scope of the holder, the certificate, the purpose."""

    purpose: str
    expires_at: dt.datetime
    holder_name: str
    name_is_full: bool
    id_last4: str | None
    number: str
    title: str
    level: str
    series: str
    specialty: str
    authority: str
    qr_payload: str


@dataclass(frozen=True)
class ClosedShare:
    """A share that exists but no longer shows anything: ``reason`` is ``ended`` or ``expired``."""

    reason: str
    at: dt.datetime


def share_url(runtime: Runtime, token: str) -> str:
    return f"{runtime.settings.base_url}{SHARE_PATH}{token}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _own_certificate(session: Session, holder_id: int, number: str) -> Certificate:
    try:
        canonical = validate_certificate_number(number)
    except BadRequest:
        raise NotFound("no such certificate", detail_zh="没有这张证书") from None
    certificate = session.scalar(select(Certificate).where(Certificate.number == canonical))
    if certificate is None or certificate.holder_id != holder_id:
        raise NotFound("no such certificate", detail_zh="没有这张证书")
    return certificate


def create_share(
    session: Session,
    runtime: Runtime,
    *,
    holder_id: int,
    number: str,
    purpose: str,
    days: str | int,
    show_full_name: bool,
    show_id_last4: bool,
) -> tuple[CertificateShare, str]:
    """A new share of one of the holder's certificates; returns it with its token (shown once)."""
    certificate = _own_certificate(session, holder_id, number)
    purpose = " ".join(purpose.split())
    if not purpose or len(purpose) > MAX_PURPOSE_CHARS:
        raise BadRequest(
            f"say what the link is for, in at most {MAX_PURPOSE_CHARS} characters (e.g. a job application)",
            detail_zh=f"请填写用途（不超过 {MAX_PURPOSE_CHARS} 字），例如“入职 XX 公司”",
        )
    try:
        lifetime = int(days)
    except (TypeError, ValueError):
        lifetime = 0
    if not 1 <= lifetime <= MAX_SHARE_DAYS:
        raise BadRequest(
            f"the link lasts 1 to {MAX_SHARE_DAYS} days", detail_zh=f"有效期应为 1 至 {MAX_SHARE_DAYS} 天"
        )
    token = secrets.token_urlsafe(24)
    now = runtime.now()
    share = CertificateShare(
        token_sha256=_digest(token),
        certificate_id=certificate.id,
        holder_id=holder_id,
        purpose=purpose,
        show_full_name=show_full_name,
        show_id_last4=show_id_last4,
        created_at=now,
        expires_at=now + dt.timedelta(days=lifetime),
        ended_at=None,
    )
    session.add(share)
    session.flush()
    return share, token


def shares_of(session: Session, holder_id: int, number: str) -> list[tuple[CertificateShare, int]]:
    """The holder's shares of one certificate, newest first, each with how often it was opened."""
    certificate = _own_certificate(session, holder_id, number)
    opened = select(ShareAccess.share_id, func.count().label("n")).group_by(ShareAccess.share_id).subquery()
    rows = session.execute(
        select(CertificateShare, func.coalesce(opened.c.n, 0))
        .outerjoin(opened, opened.c.share_id == CertificateShare.id)
        .where(CertificateShare.certificate_id == certificate.id, CertificateShare.holder_id == holder_id)
        .order_by(CertificateShare.created_at.desc(), CertificateShare.id.desc())
    ).all()
    return [(share, int(count)) for share, count in rows]


def own_share(session: Session, holder_id: int, share_id: int) -> CertificateShare:
    """One of the holder's shares; another holder's answers 404 like one that does not exist."""
    # Beyond the database's integer range the lookup itself would fail; such a share is simply not there.
    share = session.get(CertificateShare, share_id) if 0 < share_id <= MAX_ROW_ID else None
    if share is None or share.holder_id != holder_id:
        raise NotFound("no such share link", detail_zh="没有这个分享链接")
    return share


def accesses(session: Session, share: CertificateShare) -> list[ShareAccess]:
    return list(
        session.scalars(
            select(ShareAccess)
            .where(ShareAccess.share_id == share.id)
            .order_by(ShareAccess.at.desc(), ShareAccess.id.desc())
            .limit(MAX_ACCESSES_SHOWN)
        )
    )


def end_share(session: Session, runtime: Runtime, holder_id: int, share_id: int) -> CertificateShare:
    """End a share at once: the link then shows only that it was ended. Ending twice is harmless."""
    share = own_share(session, holder_id, share_id)
    if share.ended_at is None:
        share.ended_at = runtime.now()
    return share


def share_state(share: CertificateShare, now: dt.datetime) -> str:
    """``active``, ``ended`` or ``expired``."""
    if share.ended_at is not None:
        return "ended"
    return "active" if share.expires_at > now else "expired"


def open_share(
    session: Session, runtime: Runtime, token: str, *, user_agent: str, address: str
) -> SharedCertificate | ClosedShare:
    """What the share behind ``token`` shows, logging the opening; ``NotFound`` for an unknown token."""
    share = (
        session.scalar(select(CertificateShare).where(CertificateShare.token_sha256 == _digest(token)))
        if _TOKEN.fullmatch(token)
        else None
    )
    if share is None:
        raise NotFound(
            "this share link does not exist; ask the holder for the link again",
            detail_zh="分享链接不存在，请向持证人重新索取",
        )
    now = runtime.now()
    state = share_state(share, now)
    if state != "active":
        return ClosedShare(state, share.ended_at if share.ended_at is not None else share.expires_at)
    session.add(
        ShareAccess(
            share_id=share.id,
            at=now,
            client=coarse_client(user_agent),
            visitor=_visitor(runtime, address, user_agent),
        )
    )
    certificate = share.certificate
    holder = session.get(Holder, certificate.holder_id)
    assert holder is not None  # a foreign key guarantees it
    authority = session.scalar(select(Authority.name).where(Authority.code == certificate.authority_code))
    id_last4 = "*" * 14 + decrypt_id(runtime, holder)[-4:] if share.show_id_last4 else None
    return SharedCertificate(
        purpose=share.purpose,
        expires_at=share.expires_at,
        holder_name=holder.name if share.show_full_name else mask_name(holder.name),
        name_is_full=share.show_full_name,
        id_last4=id_last4,
        number=certificate.number,
        title=certificate.title,
        level=certificate.level,
        series=certificate.series,
        specialty=certificate.specialty,
        authority=authority or certificate.authority_code,
        qr_payload=certificate.current_version_row.qr_payload,
    )


def _visitor(runtime: Runtime, address: str, user_agent: str) -> str:
    """A short keyed digest: the same visitor gets the same label, the address cannot be recovered."""
    key = runtime.settings.secret_key.encode("utf-8")
    return hmac.new(key, f"share-visitor\x00{address}\x00{user_agent}".encode(), "sha256").hexdigest()[:8]


# Order matters: in-app browsers and Edge also claim to be Chrome and Safari.
_BROWSERS = (
    ("MicroMessenger", "WeChat"),
    ("DingTalk", "DingTalk"),
    ("QQ/", "QQ"),
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chrome"),
    ("Safari/", "Safari"),
)
_BOTS = re.compile(r"bot|spider|crawl|preview|curl|wget|python|okhttp|java/", re.IGNORECASE)


def coarse_client(user_agent: str) -> str:
    """``browser family · device class`` (e.g. ``WeChat · phone``), never more of the User-Agent."""
    agent = user_agent[:512]
    if not agent.strip():
        return "unknown · unknown"
    if _BOTS.search(agent):
        return "program · other"
    browser = next((name for marker, name in _BROWSERS if marker in agent), "other")
    if "iPad" in agent or ("Android" in agent and "Mobile" not in agent):
        device = "tablet"
    elif "Mobi" in agent or "iPhone" in agent or "Android" in agent:
        device = "phone"
    else:
        device = "computer"
    return f"{browser} · {device}"
