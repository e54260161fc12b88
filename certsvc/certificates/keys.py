"""Signing keys as an issuing body manages them: the list, what a rotation or a compromise would do
to the certificates already issued, and the two acts themselves (ledger entry + action log).

The console proposes and a second person approves (``certificates.approvals``); the command line
acts at once for the server's operator. Keys belong to the installation, so the effect is counted
over every authority's certificates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certsvc.audit.actors import OPERATOR, Actor, ledger_actor
from certsvc.audit.services import record_action
from certsvc.certificates.models import Certificate, CertificateVersion
from certsvc.errors import BadRequest, NotFound, WorkflowError
from certsvc.ledger.entries import key_event
from certsvc.registry.models import Authority
from certsvc.runtime import Runtime
from certsvc.signing.keystore import KeyInfo
from certsvc.timefmt import rfc3339

KEY_ACTIONS = ("key-rotate", "key-compromise")
IN_USE = ("valid", "suspended")  # versions a holder relies on now (superseded and revoked are not)


@dataclass(frozen=True)
class KeyRow:
    """One signing key as the console lists it."""

    kid: str
    status: str  # active | retired | compromised
    not_before: dt.datetime
    not_after: dt.datetime | None
    compromised_since: dt.datetime | None
    current: bool
    in_use: int  # current versions (valid or suspended) it signed


@dataclass(frozen=True)
class AuthorityCount:
    code: str
    name: str
    count: int


@dataclass(frozen=True)
class KeyEffect:
    """What a rotation or a compromise would do, shown before anyone confirms it."""

    action: str
    kid: str  # rotation: the key that retires; compromise: the compromised key
    since: dt.datetime | None
    is_current: bool
    rotates: bool  # a new signing key starts
    in_use: int  # current versions the key signed
    invalidated: int  # compromise: versions signed from ``since`` on, whatever their status
    invalidated_in_use: int  # ... of them current: their holders need a reissue
    by_authority: tuple[AuthorityCount, ...]  # in_use (rotation) or invalidated_in_use, per authority
    seals: int  # authorities whose seal certificate is renewed with a new key


def key_list(session: Session, runtime: Runtime) -> list[KeyRow]:
    """Every signing key, newest first, with the number of current versions each signed."""
    counts = dict(
        session.execute(
            select(CertificateVersion.kid, func.count())
            .where(CertificateVersion.status.in_(IN_USE))
            .group_by(CertificateVersion.kid)
        ).all()
    )
    current = _current_kid(runtime)
    return [
        KeyRow(
            info.kid,
            info.status,
            info.not_before,
            info.not_after,
            info.compromised_since,
            info.kid == current,
            int(counts.get(info.kid, 0)),
        )
        for info in reversed(runtime.keys.history())
    ]


def _current_kid(runtime: Runtime) -> str | None:
    open_keys = [info for info in runtime.keys.history() if info.not_after is None]
    return open_keys[-1].kid if open_keys else None


def find_key(runtime: Runtime, kid: str) -> KeyInfo:
    for info in runtime.keys.history():
        if info.kid == kid:
            return info
    raise NotFound(f"no signing key {kid[:64]!r}", detail_zh="没有该签名密钥")


def check_key_action(runtime: Runtime, action: str, kid: str | None, since: dt.datetime | None) -> str:
    """The key the action concerns, after checking it can be done now."""
    if action == "key-rotate":
        current = _current_kid(runtime)
        if current is None:
            raise WorkflowError(
                "there is no current signing key to rotate", detail_zh="当前没有可轮换的签名密钥"
            )
        return current
    if action != "key-compromise":
        raise BadRequest("unknown key action", detail_zh="密钥操作类型不正确")
    info = find_key(runtime, kid or "")
    if since is None:
        raise BadRequest(
            "say since when the key is compromised (date and time)", detail_zh="须填写密钥泄露的起始时间"
        )
    if since > runtime.now():
        raise BadRequest("the compromise time lies in the future", detail_zh="泄露起始时间不能晚于现在")
    if info.compromised_since is not None and info.compromised_since <= since:
        raise WorkflowError(
            f"key {info.kid} is already compromised since {rfc3339(info.compromised_since)}",
            detail_zh=f"该密钥已标记为自 {rfc3339(info.compromised_since)} 起泄露",
        )
    return info.kid


def key_effect(
    session: Session, runtime: Runtime, action: str, kid: str | None = None, since: dt.datetime | None = None
) -> KeyEffect:
    """What ``action`` would do to the certificates already issued (nothing is changed)."""
    kid = check_key_action(runtime, action, kid, since)
    is_current = kid == _current_kid(runtime)
    names = dict(session.execute(select(Authority.code, Authority.name)).all())
    signed = (
        select(Certificate.authority_code, func.count())
        .select_from(CertificateVersion)
        .join(Certificate, Certificate.id == CertificateVersion.certificate_id)
        .where(CertificateVersion.kid == kid)
    )
    in_use = session.scalar(
        select(func.count())
        .select_from(CertificateVersion)
        .where(CertificateVersion.kid == kid, CertificateVersion.status.in_(IN_USE))
    )
    invalidated = invalidated_in_use = 0
    if action == "key-compromise":
        assert since is not None
        invalidated = (
            session.scalar(
                select(func.count())
                .select_from(CertificateVersion)
                .where(CertificateVersion.kid == kid, CertificateVersion.issued_at >= since)
            )
            or 0
        )
        rows = session.execute(
            signed.where(
                CertificateVersion.issued_at >= since, CertificateVersion.status.in_(IN_USE)
            ).group_by(Certificate.authority_code)
        ).all()
    else:
        rows = session.execute(
            signed.where(CertificateVersion.status.in_(IN_USE)).group_by(Certificate.authority_code)
        ).all()
    by_authority = tuple(
        AuthorityCount(code, names.get(code, code), int(count))
        for code, count in sorted(rows, key=lambda row: (-int(row[1]), row[0]))
    )
    if action == "key-compromise":
        invalidated_in_use = sum(item.count for item in by_authority)
    rotates = action == "key-rotate" or is_current
    return KeyEffect(
        action=action,
        kid=kid,
        since=since,
        is_current=is_current,
        rotates=rotates,
        in_use=int(in_use or 0),
        invalidated=int(invalidated),
        invalidated_in_use=invalidated_in_use,
        by_authority=by_authority,
        seals=len(names) if rotates else 0,
    )


# --- the acts ----------------------------------------------------------------------------------------
def rotate_key(session: Session, runtime: Runtime, *, actor: Actor = OPERATOR) -> KeyInfo:
    """Start a new signing key now (every authority's seal certificate is renewed with it); the old
    key stays published and verifies what it signed. Inside the caller's write transaction: if the
    key store refuses, no entry is written."""
    from certsvc.ledger.services import lock, record

    lock(session)
    now = runtime.now()
    retiring = _current_kid(runtime)
    info = runtime.keys.rotate(now)
    [index] = record(
        session, runtime, [key_event("key-rotate", info.kid, now, **ledger_actor(runtime, actor))]
    )
    record_action(
        session,
        runtime,
        actor,
        "key-rotate",
        target_kind="key",
        target=info.kid,
        authority_code=None,
        details={"retired": retiring, "from": rfc3339(info.not_before, exact=True)},
        ledger_index=index,
    )
    return info


def compromise_key(
    session: Session,
    runtime: Runtime,
    kid: str,
    since: dt.datetime,
    *,
    actor: Actor = OPERATOR,
    rotate_if_current: bool = False,
) -> tuple[KeyInfo, KeyInfo | None]:
    """Mark ``kid`` compromised from ``since``: what it signed from then on no longer verifies.
    With ``rotate_if_current`` a compromised current key is replaced at once (the console does
    this, so issuing never stops); the new key's info is returned second."""
    from certsvc.ledger.services import lock, record

    kid = check_key_action(runtime, "key-compromise", kid, since)
    lock(session)
    now = runtime.now()
    was_current = kid == _current_kid(runtime)
    rotated = None
    if was_current and rotate_if_current:
        rotated = rotate_key(session, runtime, actor=actor)
    info = runtime.keys.mark_compromised(kid, since)
    [index] = record(
        session,
        runtime,
        [
            key_event(
                "key-compromise",
                info.kid,
                now,
                compromised_since=rfc3339(since, exact=True),
                **ledger_actor(runtime, actor),
            )
        ],
    )
    record_action(
        session,
        runtime,
        actor,
        "key-compromise",
        target_kind="key",
        target=info.kid,
        authority_code=None,
        details={"since": rfc3339(since, exact=True), "was_current": was_current},
        ledger_index=index,
    )
    return info, rotated
