"""Signed W3C Bitstring Status Lists built from the certificate versions' statuses.

Purpose ``revocation``: the bit of every revoked AND every superseded version; ``suspension``: the
bit of every suspended version. The signed list is cached in-process for a few seconds, keyed by a
fingerprint of the list's statuses, so a burst of verifiers costs one build and a status change is
served at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certsvc.certificates.models import CertificateVersion, StatusList
from certsvc.errors import BadRequest, NotFound
from certsvc.runtime import Runtime
from certsvc.signing.statuslist import PURPOSES, StatusBits, sign_status_list, status_list_url

DEFAULT_TTL_SECONDS = 300
CACHE_SECONDS = 5.0
BITS_BY_PURPOSE = {"revocation": ("revoked", "superseded"), "suspension": ("suspended",)}


@dataclasses.dataclass(frozen=True)
class SignedStatusList:
    jws: str
    built_at: dt.datetime
    valid_until: dt.datetime
    etag: str

    def max_age(self, now: dt.datetime) -> int:
        """Seconds a cache may keep it: never beyond the list's own ``validUntil``."""
        return max(0, int((self.valid_until - now).total_seconds()))


def signed_status_list(
    runtime: Runtime, list_id: int, purpose: str, *, ttl_seconds: int = DEFAULT_TTL_SECONDS
) -> SignedStatusList:
    """The list, rebuilt when its statuses changed or the cached copy is more than a few seconds old."""
    if purpose not in PURPOSES:
        raise BadRequest(f"status purpose must be one of {', '.join(PURPOSES)}")
    now = runtime.now()
    with runtime.database.read() as session:
        size = session.execute(select(StatusList.size).where(StatusList.id == list_id)).scalar_one_or_none()
        if size is None:
            raise NotFound("no such status list", detail_zh="没有这个状态列表")
        fingerprint = _fingerprint(session, list_id)
        key = (purpose, list_id)
        with runtime.cache.lock:
            cached = runtime.cache.status_lists.get(key)
        if cached is not None and cached[0] == fingerprint:
            age = (now - cached[1].built_at).total_seconds()
            if 0 <= age < CACHE_SECONDS:
                return cached[1]
        bits = StatusBits(size)
        for index in session.execute(
            select(CertificateVersion.status_index)
            .where(CertificateVersion.status_list_id == list_id)
            .where(CertificateVersion.status.in_(BITS_BY_PURPOSE[purpose]))
        ).scalars():
            bits.set(index)
    url = status_list_url(runtime.settings.base_url, list_id, purpose)
    jws = sign_status_list(bits, purpose, url, runtime.keys.current(now), now, ttl_seconds=ttl_seconds)
    signed = SignedStatusList(
        jws=jws,
        built_at=now,
        valid_until=now + dt.timedelta(seconds=ttl_seconds),
        etag=hashlib.sha256(jws.encode("ascii")).hexdigest()[:32],
    )
    with runtime.cache.lock:
        runtime.cache.status_lists[key] = (fingerprint, signed)
    return signed


def _fingerprint(session: Session, list_id: int) -> str:
    """Changes whenever any version of the list is added or changes status."""
    rows = session.execute(
        select(
            CertificateVersion.status,
            func.count(),
            func.max(CertificateVersion.id),
            func.max(CertificateVersion.status_changed_at),
        )
        .where(CertificateVersion.status_list_id == list_id)
        .group_by(CertificateVersion.status)
        .order_by(CertificateVersion.status)
    ).all()
    return repr([tuple(row) for row in rows])
