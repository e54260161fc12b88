"""Suspension (during an investigation), reinstatement and revocation (撤销) of certificates.

A status change acts on the current version of a certificate, records the reason category, the
document number that decided it and its effective date, and appends the ledger entry in the same
transaction, so the status list and the public log never disagree. The status list reads version
status: ``revoked`` (and ``superseded``) set the revocation bit, ``suspended`` the suspension bit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from certsvc.audit.actors import OPERATOR, Actor, ledger_actor
from certsvc.audit.services import record_action
from certsvc.certificates.lookup import find_certificate, find_version
from certsvc.certificates.models import Certificate, CertificateVersion
from certsvc.domain.certno import validate_certificate_number
from certsvc.errors import BadRequest, WorkflowError
from certsvc.ledger.entries import certificate_event
from certsvc.runtime import Runtime
from certsvc.signing.issuance import credential_digest
from certsvc.texts import label

ACTIONS = ("suspend", "reinstate", "revoke")
# Reason categories per action (slugs go to the ledger; their labels are in certsvc.texts).
REASONS: dict[str, tuple[str, ...]] = {
    "revoke": ("fraud", "misconduct", "procedure", "error", "other"),
    "suspend": ("investigation", "complaint", "other"),
    "reinstate": ("cleared", "mistaken", "overturned", "other"),
}
# A revocation is reversed only by a decision saying so; the other reasons end a suspension.
REVERSAL_REASON = "overturned"


@dataclass(frozen=True)
class Transition:
    from_statuses: frozenset[str]
    to_status: str


TRANSITIONS = {
    "suspend": Transition(frozenset({"valid"}), "suspended"),
    "reinstate": Transition(frozenset({"suspended", "revoked"}), "valid"),
    "revoke": Transition(frozenset({"valid", "suspended"}), "revoked"),
}


def lock_certificate(session: Session, number: str, actor_authority: str | None) -> Certificate:
    """The certificate, row-locked for the rest of the transaction (two reviewers acting at once
    then serialise instead of both creating version n+1).

    Another authority's certificate is reported as absent, exactly like a missing one.
    """
    from certsvc.ledger.services import lock as lock_ledger

    number = validate_certificate_number(number)
    lock_ledger(session)
    return find_certificate(session, number, authority_code=actor_authority, for_update=True)


def choices(status: str) -> dict[str, tuple[str, ...]]:
    """The actions a certificate in ``status`` allows, each with the reasons it accepts there (a
    suspension ends for any reinstatement reason but the reversal of a revocation)."""
    return {
        action: tuple(
            reason
            for reason in REASONS[action]
            if action != "reinstate" or (reason == REVERSAL_REASON) == (status == "revoked")
        )
        for action in ACTIONS
        if status in TRANSITIONS[action].from_statuses
    }


def check_reason(action: str, reason: str) -> str:
    """``reason`` when it is one of ``action``'s reasons; otherwise ``BadRequest`` listing them in
    words (the form's people read it; API clients get the slugs from the request schema)."""
    if action not in ACTIONS:
        words_en = ", ".join(label("action", a, "en") for a in ACTIONS)
        words_zh = "、".join(label("action", a, "zh") for a in ACTIONS)
        raise BadRequest(f"the action must be one of: {words_en}", detail_zh=f"操作应为{words_zh}之一")
    if reason not in REASONS[action]:
        words_en = "; ".join(label("reason", r, "en") for r in REASONS[action])
        words_zh = "、".join(f"“{label('reason', r, 'zh')}”" for r in REASONS[action])
        raise BadRequest(
            f"the reason to {label('action', action, 'en')} must be one of: {words_en}",
            detail_zh=f"{label('action', action, 'zh')}的原因类别应为{words_zh}之一",
        )
    return reason


def _check_doc_no(doc_no: str) -> str:
    doc_no = " ".join((doc_no or "").split())
    if not doc_no:
        raise BadRequest("a document number (文号) is required", detail_zh="须填写决定文号")
    if len(doc_no) > 100 or doc_no[0] in "=+-@":
        raise BadRequest("the document number is too long or malformed", detail_zh="文号过长或格式不正确")
    return doc_no


@dataclass(frozen=True)
class StatusPlan:
    """A status change checked against the certificate as it is now, not yet applied."""

    certificate: Certificate
    row: CertificateVersion
    action: str
    reason: str
    doc_no: str
    effective: dt.date
    to_status: str
    reversing: bool  # reinstating a revoked certificate (a revocation overturned by decision)

    @property
    def opens_integrity_record(self) -> bool:
        from certsvc.certificates.integrity import OPENING_REASONS

        return self.action == "revoke" and self.reason in OPENING_REASONS


@dataclass(frozen=True)
class StatusChange:
    """A status change as asked for (typed in a form, proposed, or given to ``change_status``),
    not yet checked: one value carried through preview, proposal and plan instead of six
    arguments repeated at each step."""

    number: str
    action: str
    reason: str
    doc_no: str
    effective: dt.date | None = None  # today (China time) when not given
    version: int | None = None  # the version the caller means; an older one is refused


def plan_status_change(
    session: Session,
    runtime: Runtime,
    change: StatusChange,
    actor_authority: str | None = None,
    *,
    lock: bool = True,
) -> StatusPlan:
    """Check a status change as ``change_status`` would, without changing anything.

    ``lock`` takes the ledger lock and the certificate's row lock (for a change about to be
    applied); a preview or a proposal reads without them.
    """
    number, action, reason, version = change.number, change.action, change.reason, change.version
    check_reason(action, reason)
    doc_no = _check_doc_no(change.doc_no)
    today = runtime.today()
    effective = change.effective or today
    if effective > today:
        raise BadRequest(
            "the effective date lies in the future; record the change when it takes effect",
            detail_zh="生效日期不能晚于今天，请在生效时再登记",
        )
    if lock:
        certificate = lock_certificate(session, number, actor_authority)
    else:
        certificate = find_certificate(
            session, validate_certificate_number(number), authority_code=actor_authority
        )
    if version is not None and version != certificate.current_version:
        raise WorkflowError(
            f"version {version} of {certificate.number} is not current (superseded); "
            f"only version {certificate.current_version} can change status",
            detail_zh=f"第 {version} 版已被取代，只能对当前第 {certificate.current_version} 版操作",
        )
    row = find_version(session, certificate)
    transition = TRANSITIONS[action]
    reversing = action == "reinstate" and row.status == "revoked"
    if row.status not in transition.from_statuses or reversing != (
        action == "reinstate" and reason == REVERSAL_REASON
    ):
        reversal_en = (
            f" (a revocation is reversed only for the reason: {label('reason', REVERSAL_REASON, 'en')})"
            if action == "reinstate"
            else ""
        )
        reversal_zh = "（撤销决定须以“撤销决定经复查或复议撤回”恢复）" if action == "reinstate" else ""
        raise WorkflowError(
            f"cannot {label('action', action, 'en')} a certificate that is "
            f"{label('status', row.status, 'en')} for the reason: "
            f"{label('reason', reason, 'en')}{reversal_en}",
            detail_zh=f"证书当前状态为“{label('outcome', row.status, 'zh')}”，不能以该原因"
            f"{label('action', action, 'zh')}{reversal_zh}",
        )
    if reversing:
        _refuse_if_title_held_again(session, certificate)
    return StatusPlan(certificate, row, action, reason, doc_no, effective, transition.to_status, reversing)


def change_status(  # noqa: PLR0917 - positional order fixed by docs/architecture.md
    session: Session,
    runtime: Runtime,
    number: str,
    action: str,
    reason: str,
    doc_no: str,
    effective: dt.date | None = None,
    actor_authority: str | None = None,
    *,
    version: int | None = None,
    actor: Actor | None = None,
) -> CertificateVersion:
    """Suspend, reinstate or revoke the current version of certificate ``number``.

    ``version`` (optional) names the version the caller means; naming an older one, e.g. a
    superseded version, is refused with ``WorkflowError`` rather than silently acting on another.
    ``effective`` defaults to today (China time) and may not lie in the future. ``actor`` (default:
    the server's operator) is named in the ledger entry and the action log.
    """
    actor = actor or OPERATOR
    plan = plan_status_change(
        session, runtime, StatusChange(number, action, reason, doc_no, effective, version), actor_authority
    )
    certificate, row = plan.certificate, plan.row
    from_status = row.status
    now = runtime.now()
    row.status = plan.to_status
    row.status_reason = plan.reason
    row.status_doc_no = plan.doc_no
    row.status_effective = plan.effective
    row.status_changed_at = now
    certificate.status = plan.to_status
    who = ledger_actor(runtime, actor)
    entry = certificate_event(
        action,
        certificate.number,
        row.version,
        credential_digest(row.credential),
        now,
        reason=plan.reason,
        doc_no=plan.doc_no,
        effective=plan.effective.isoformat(),
        **who,
    )
    from certsvc.certificates import integrity
    from certsvc.ledger.services import record

    entries = [entry]
    if action == "revoke":
        opened = integrity.open_for_revocation(
            session,
            runtime,
            certificate,
            reason=plan.reason,
            doc_no=plan.doc_no,
            effective=plan.effective,
            actor=actor,
        )
        entries += [opened] if opened is not None else []
    elif plan.reversing:
        entries += integrity.end_for_reversal(session, runtime, certificate, plan.doc_no, actor=actor)
    indexes = record(session, runtime, entries)
    record_action(
        session,
        runtime,
        actor,
        action,
        target_kind="certificate",
        target=certificate.number,
        authority_code=certificate.authority_code,
        reason=plan.reason,
        doc_no=plan.doc_no,
        details={
            "version": row.version,
            "from": from_status,
            "to": plan.to_status,
            "effective": plan.effective.isoformat(),
        },
        ledger_index=indexes[0],
    )
    session.flush()
    return row


def _refuse_if_title_held_again(session: Session, certificate: Certificate) -> None:
    """A reversed revocation may not give a person the same title twice (rule 8)."""
    other = session.scalar(
        select(Certificate.number).where(
            Certificate.holder_id == certificate.holder_id,
            Certificate.series == certificate.series,
            Certificate.specialty == certificate.specialty,
            Certificate.title == certificate.title,
            Certificate.status != "revoked",
            Certificate.id != certificate.id,
        )
    )
    if other is not None:
        raise WorkflowError(
            f"the holder has held this title again since the revocation ({other}); revoke that one first",
            detail_zh=f"撤销后该持证人已另行取得同一职称（{other}），须先处理该证书",
        )
