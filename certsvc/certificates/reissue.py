"""Reissue (补发): a new version of a certificate supersedes the current one.

Two ways in: the issuing body reissues directly (counter service, ``certsvc reissue``), or a holder
requests it in the portal and a reviewer approves or rejects the request. Each step appends a ledger
entry (reissue-request, reissue or reissue-reject) holding certificate number, version, hashes and
request id only; names and ID numbers never reach the public log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certsvc.accounts.models import User
from certsvc.accounts.notifications import Both, notify
from certsvc.audit.actors import OPERATOR, Actor, as_actor, holder_actor, ledger_actor
from certsvc.audit.services import record_action
from certsvc.certificates.lookup import find_version
from certsvc.certificates.models import (
    CORRECTABLE_FIELDS,
    REISSUE_REASONS,
    Certificate,
    CertificateVersion,
    Holder,
    ReissueRequest,
)
from certsvc.certificates.revocation import lock_certificate
from certsvc.domain.names import check_name
from certsvc.domain.workdays import working_days
from certsvc.errors import BadRequest, CalendarNotCovered, NotFound, WorkflowError
from certsvc.ledger.entries import certificate_event
from certsvc.runtime import Runtime
from certsvc.signing.issuance import credential_digest
from certsvc.texts import both, label
from certsvc.timefmt import china_date

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
# Evidence types are recognised by their first bytes; the browser's declared type is not trusted.
EVIDENCE_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
MAX_NOTE = 500
MAX_ROW_ID = 2**31 - 1


@dataclass(frozen=True)
class Evidence:
    """An uploaded supporting document (e.g. a police report of the loss, a name-change record)."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class Correction:
    field: str
    value: str


@dataclass(frozen=True)
class QueueItem:
    """One request in a reviewer's queue with its age in working days."""

    request: ReissueRequest
    age_working_days: int
    flagged: bool
    approximate: bool


def evidence_type(data: bytes) -> str:
    """The media type of an evidence file, or ``BadRequest`` for anything but PDF, PNG and JPEG."""
    if not data:
        raise BadRequest("the evidence file is empty", detail_zh="证明材料文件为空")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise BadRequest("evidence files are limited to 5 MB", detail_zh="证明材料不能超过 5 MB")
    for magic, media_type in EVIDENCE_SIGNATURES:
        if data.startswith(magic):
            return media_type
    raise BadRequest(
        "evidence must be a PDF, PNG or JPEG file", detail_zh="证明材料须为 PDF、PNG 或 JPEG 文件"
    )


def check_correction(reason: str, field: str | None, value: str | None) -> Correction | None:
    """The correction a request asks for: required with reason ``correction``, refused otherwise."""
    if reason not in REISSUE_REASONS:
        raise BadRequest(f"reason must be one of {', '.join(REISSUE_REASONS)}", detail_zh="补发原因不正确")
    field = (field or "").strip() or None
    value = " ".join((value or "").split()) or None
    if reason != "correction":
        return None
    if field not in CORRECTABLE_FIELDS or value is None:
        raise BadRequest(
            "a correction names the field (name or employer) and its corrected value",
            detail_zh="信息更正须选择更正项目（姓名或工作单位）并填写更正后的内容",
        )
    if field == "name":
        value = check_name(value)
    elif len(value) > 200 or value[0] in "=+-@":
        raise BadRequest(
            "the corrected employer is too long or malformed", detail_zh="工作单位过长或格式不正确"
        )
    return Correction(field, value)


def _apply_correction(session: Session, certificate: Certificate, correction: Correction) -> str | None:
    """Apply ``correction`` to this certificate only; the corrected name for its new version, if any.

    A name belongs to each certificate version (issue 16): correcting it here never changes what
    another authority's certificates of the same holder show. The shared holder row (the account's
    display name) follows only when every certificate of the holder is this authority's.
    """
    if correction.field != "name":
        certificate.employer = correction.value
        return None
    shared = session.scalar(
        select(Certificate.id)
        .where(
            Certificate.holder_id == certificate.holder_id,
            Certificate.authority_code != certificate.authority_code,
        )
        .limit(1)
    )
    if shared is None:
        holder = session.get(Holder, certificate.holder_id)
        assert holder is not None
        holder.name = correction.value
    return correction.value


def _new_current_version(
    session: Session,
    runtime: Runtime,
    certificate: Certificate,
    reason: str,
    request_id: int | None,
    *,
    corrected_name: str | None = None,
    actor: Actor,
    correction: Correction | None = None,
) -> CertificateVersion:
    from certsvc.certificates.versions import new_version
    from certsvc.ledger.services import record

    if reason not in REISSUE_REASONS:
        raise BadRequest(f"reason must be one of {', '.join(REISSUE_REASONS)}", detail_zh="补发原因不正确")
    previous = find_version(session, certificate)
    if previous.status != "valid" or certificate.status != "valid":
        raise WorkflowError(
            f"only a valid certificate can be reissued; this one is {previous.status}",
            detail_zh=f"证书当前状态为“{label('outcome', previous.status, 'zh')}”，不能补发",
        )
    now = runtime.now()
    created = new_version(
        session,
        runtime,
        certificate,
        version=previous.version + 1,
        holder_name=corrected_name if corrected_name is not None else previous.holder_name,
        reissue_reason=reason,
        now=now,
    )
    previous.status = "superseded"
    previous.status_reason = "reissued"
    previous.status_changed_at = now
    previous.status_effective = runtime.today()
    certificate.current_version = created.version
    extra: dict[str, Any] = {"supersedes": previous.version, "reason": reason}
    if request_id is not None:
        extra["request"] = request_id
    entry = certificate_event(
        "reissue",
        certificate.number,
        created.version,
        credential_digest(created.credential),
        now,
        **extra,
        **ledger_actor(runtime, actor),
    )
    [index] = record(session, runtime, [entry])
    created.ledger_index = index
    details: dict[str, object] = {"version": created.version, "supersedes": previous.version}
    if request_id is not None:
        details["request"] = request_id
    if correction is not None:
        details["corrected_field"] = correction.field  # which field, never the holder's new value
    record_action(
        session,
        runtime,
        actor,
        "reissue" if request_id is None else "reissue-approve",
        target_kind="certificate",
        target=certificate.number,
        authority_code=certificate.authority_code,
        reason=reason,
        details=details,
        ledger_index=index,
    )
    session.flush()
    return created


def reissue(
    session: Session,
    runtime: Runtime,
    number: str,
    reason: str,
    actor_authority: str | None = None,
    *,
    correction: Correction | None = None,
    actor: Actor | None = None,
) -> CertificateVersion:
    """Issuer-side reissue: version n+1 becomes current, version n is superseded. ``actor``
    (default: the server's operator) is named in the ledger entry and the action log."""
    certificate = lock_certificate(session, number, actor_authority)
    corrected_name = None if correction is None else _apply_correction(session, certificate, correction)
    return _new_current_version(
        session,
        runtime,
        certificate,
        reason,
        None,
        corrected_name=corrected_name,
        actor=actor or OPERATOR,
        correction=correction,
    )


# --- the holder's request and the reviewer's decision ---------------------------------------------
def submit_request(
    session: Session,
    runtime: Runtime,
    *,
    holder_id: int,
    number: str,
    reason: str,
    corrected_field: str | None = None,
    corrected_value: str | None = None,
    note: str | None = None,
    evidence: Evidence | None = None,
    actor: Actor | None = None,
) -> ReissueRequest:
    """A holder asks for a reissue of one of their own certificates (``NotFound`` for anyone else's)."""
    correction = check_correction(reason, corrected_field, corrected_value)
    if correction is not None and evidence is None:
        raise BadRequest("a correction needs a supporting document", detail_zh="信息更正须上传证明材料")
    media_type = evidence_type(evidence.data) if evidence is not None else None
    note = " ".join((note or "").split())[:MAX_NOTE] or None
    certificate = lock_certificate(session, number, None)
    if certificate.holder_id != holder_id:
        raise NotFound(
            f"no certificate {certificate.number} here", detail_zh=f"没有证书 {certificate.number}"
        )
    row = find_version(session, certificate)
    if row.status != "valid":
        raise WorkflowError(
            f"a {row.status} certificate cannot be reissued", detail_zh="证书当前状态不能申请补发"
        )
    pending = session.scalar(
        select(ReissueRequest.id).where(
            ReissueRequest.certificate_id == certificate.id, ReissueRequest.status == "pending"
        )
    )
    if pending is not None:
        raise WorkflowError(
            "a request for this certificate is already waiting for a decision",
            detail_zh="该证书已有待处理的补发申请",
        )
    now = runtime.now()
    request = ReissueRequest(
        certificate_id=certificate.id,
        holder_id=holder_id,
        authority_code=certificate.authority_code,
        version=row.version,
        reason=reason,
        corrected_field=correction.field if correction else None,
        corrected_value=correction.value if correction else None,
        holder_note=note,
        evidence=evidence.data if evidence else None,
        evidence_type=media_type,
        evidence_name=_safe_filename(evidence.filename) if evidence else None,
        evidence_size=len(evidence.data) if evidence else None,
        status="pending",
        created_at=now,
    )
    session.add(request)
    session.flush()
    from certsvc.ledger.services import record

    actor = actor or holder_actor()
    entry = certificate_event(
        "reissue-request",
        certificate.number,
        row.version,
        credential_digest(row.credential),
        now,
        request=request.id,
        reason=reason,
        **ledger_actor(runtime, actor),
    )
    [index] = record(session, runtime, [entry])
    record_action(
        session,
        runtime,
        actor,
        "reissue-request",
        target_kind="request",
        target=str(request.id),
        authority_code=certificate.authority_code,
        reason=reason,
        details={"certificate": certificate.number, "version": row.version},
        ledger_index=index,
    )
    return request


def _safe_filename(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return "".join(ch for ch in base if ch.isprintable())[:100] or "evidence"


def get_request(
    session: Session,
    request_id: int,
    *,
    authority_code: str | None = None,
    holder_id: int | None = None,
    for_update: bool = False,
) -> ReissueRequest:
    """A request visible to an authority's staff or to its holder; anyone else gets ``NotFound``."""
    if not 0 < request_id <= MAX_ROW_ID:
        # Beyond the database's integer range the query itself would fail; it is simply not there.
        raise NotFound(f"no request {request_id} here", detail_zh=f"没有编号为 {request_id} 的申请")
    query = select(ReissueRequest).where(ReissueRequest.id == request_id)
    if authority_code is not None:
        query = query.where(ReissueRequest.authority_code == authority_code)
    if holder_id is not None:
        query = query.where(ReissueRequest.holder_id == holder_id)
    if for_update:
        from certsvc.ledger.services import lock as lock_ledger

        lock_ledger(session)
        query = query.with_for_update()
    request = session.scalar(query)
    if request is None:
        raise NotFound(f"no request {request_id} here", detail_zh=f"没有编号为 {request_id} 的申请")
    return request


def _pending(session: Session, request_id: int, actor_authority: str | None) -> ReissueRequest:
    request = get_request(session, request_id, authority_code=actor_authority, for_update=True)
    if request.status != "pending":
        raise WorkflowError(f"request {request_id} was already {request.status}", detail_zh="该申请已处理")
    return request


def approve_request(
    session: Session,
    runtime: Runtime,
    request_id: int,
    *,
    actor: Actor | str | None,
    actor_authority: str | None = None,
) -> CertificateVersion:
    """Approve: apply the correction if any, make version n+1, supersede n, notify the holder."""
    actor = as_actor(actor)
    request = _pending(session, request_id, actor_authority)
    certificate = lock_certificate(session, request.certificate.number, actor_authority)
    if certificate.current_version != request.version:
        raise WorkflowError(
            "the certificate changed since the request; reject it and let the holder ask again",
            detail_zh="申请提交后证书已变更，请驳回后由持证人重新申请",
        )
    corrected_name = None
    correction = None
    if request.corrected_field and request.corrected_value:
        correction = Correction(request.corrected_field, request.corrected_value)
        corrected_name = _apply_correction(session, certificate, correction)
    created = _new_current_version(
        session,
        runtime,
        certificate,
        request.reason,
        request.id,
        corrected_name=corrected_name,
        actor=actor,
        correction=correction,
    )
    request.status = "approved"
    request.decided_by = actor.reference[:100]
    request.decided_at = runtime.now()
    request.new_version = created.version
    _notify_holder(
        session,
        runtime,
        request,
        both("补发申请已批准"),
        both(
            "证书 %(number)s 已补发第 %(version)s 版，请登录下载；旧版本已作废。",
            number=certificate.number,
            version=created.version,
        ),
    )
    return created


def reject_request(
    session: Session,
    runtime: Runtime,
    request_id: int,
    *,
    reason: str,
    actor: Actor | str | None,
    actor_authority: str | None = None,
) -> ReissueRequest:
    """Reject with a reason the holder reads in the portal."""
    actor = as_actor(actor)
    reason = " ".join((reason or "").split())
    if not reason:
        raise BadRequest("a rejection needs a reason the holder can act on", detail_zh="驳回须填写理由")
    request = _pending(session, request_id, actor_authority)
    certificate = request.certificate
    row = session.scalar(
        select(CertificateVersion).where(
            CertificateVersion.certificate_id == certificate.id, CertificateVersion.version == request.version
        )
    )
    assert row is not None
    now = runtime.now()
    request.status = "rejected"
    request.decision_reason = reason[:MAX_NOTE]
    request.decided_by = actor.reference[:100]
    request.decided_at = now
    from certsvc.ledger.services import record

    [index] = record(
        session,
        runtime,
        [
            certificate_event(
                "reissue-reject",
                certificate.number,
                row.version,
                credential_digest(row.credential),
                now,
                request=request.id,
                **ledger_actor(runtime, actor),
            )
        ],
    )
    record_action(
        session,
        runtime,
        actor,
        "reissue-reject",
        target_kind="request",
        target=str(request.id),
        authority_code=certificate.authority_code,
        note=request.decision_reason,
        details={"certificate": certificate.number, "version": row.version},
        ledger_index=index,
    )
    _notify_holder(
        session,
        runtime,
        request,
        both("补发申请未获批准"),
        both(
            "证书 %(number)s 的补发申请未获批准，理由：%(reason)s",
            number=certificate.number,
            reason=request.decision_reason,
        ),
    )
    return request


def _notify_holder(
    session: Session, runtime: Runtime, request: ReissueRequest, subject: Both, body: Both
) -> None:
    user = session.scalar(select(User).where(User.holder_id == request.holder_id))
    if user is not None:
        notify(session, runtime, user, subject, body)


def request_age(created_at: dt.datetime, today: dt.date) -> tuple[int, bool]:
    """Working days a request has waited (after its submission day, up to today) and whether the
    count is approximate (Mon–Fri) because the official calendar does not cover the dates."""
    submitted = china_date(created_at)
    start = submitted + dt.timedelta(days=1)
    try:
        return working_days(start, today), False
    except CalendarNotCovered:
        days = (today - submitted).days
        weekdays = sum(1 for n in range(1, days + 1) if (submitted + dt.timedelta(days=n)).weekday() < 5)
        return weekdays, True


def queue(
    session: Session,
    runtime: Runtime,
    authority_code: str | None,
    *,
    statuses: tuple[str, ...] = ("pending",),
    limit: int = 200,
) -> list[QueueItem]:
    """Requests of one authority (all when None), oldest first, flagged past the configured age."""
    query = select(ReissueRequest).where(ReissueRequest.status.in_(statuses))
    if authority_code is not None:
        query = query.where(ReissueRequest.authority_code == authority_code)
    rows = session.scalars(query.order_by(ReissueRequest.created_at, ReissueRequest.id).limit(limit)).all()
    today = runtime.today()
    return [queue_item(runtime, row, today) for row in rows]


def queue_item(runtime: Runtime, request: ReissueRequest, today: dt.date) -> QueueItem:
    """``request`` with its age on ``today``, flagged when it is still pending past the configured age."""
    age, approximate = request_age(request.created_at, today)
    flagged = request.status == "pending" and age > runtime.settings.reissue_flag_working_days
    return QueueItem(request, age, flagged, approximate)
