"""Results files uploaded in the console, kept between their dry run and the operator's confirmation.

Kept in the database, not on local disk, so the confirmation may reach any server process. The
operator's browser holds a random token; only its SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from certsvc.certificates.holders import open_staged_file, seal_staged_file
from certsvc.certificates.models import StagedImport
from certsvc.errors import NotFound
from certsvc.runtime import Runtime

STAGED_LIFETIME = dt.timedelta(hours=1)


def stage_upload(runtime: Runtime, user_id: int, filename: str, data: bytes) -> str:
    """Keep ``data`` for ``user_id`` for an hour; the token that confirms it (dropping expired uploads)."""
    token = secrets.token_urlsafe(24)
    now = runtime.now()
    with runtime.database.write() as session:
        session.execute(delete(StagedImport).where(StagedImport.created_at < now - STAGED_LIFETIME))
        session.add(
            StagedImport(
                token_sha256=_digest(token),
                user_id=user_id,
                filename=filename[:255],
                # Encrypted like the holders' ID numbers, bound to the token (issue 16, finding 7).
                data=seal_staged_file(runtime, data, _digest(token)),
                created_at=now,
            )
        )
    return token


def take_staged_upload(runtime: Runtime, user_id: int, token: str) -> tuple[bytes, str]:
    """(data, filename) of the upload ``token`` names, removed so it is confirmed once only."""
    with runtime.database.write() as session:
        staged = _staged(session, runtime, user_id, token)
        session.delete(staged)
        return open_staged_file(runtime, staged.data, _digest(token)), staged.filename


def peek_staged_upload(runtime: Runtime, user_id: int, token: str) -> tuple[bytes, str]:
    """(data, filename) of the upload ``token`` names, left in place (for its refusal report)."""
    with runtime.database.read() as session:
        staged = _staged(session, runtime, user_id, token)
        return open_staged_file(runtime, staged.data, _digest(token)), staged.filename


def _staged(session: Session, runtime: Runtime, user_id: int, token: str) -> StagedImport:
    staged = session.scalar(
        select(StagedImport).where(
            StagedImport.token_sha256 == _digest(token),
            StagedImport.user_id == user_id,
            StagedImport.created_at >= runtime.now() - STAGED_LIFETIME,
        )
    )
    if staged is None:
        raise NotFound("this upload expired; upload the file again", detail_zh="上传已过期，请重新上传文件")
    return staged


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
