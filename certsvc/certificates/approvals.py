"""The two-person rule (maker–checker): a change one staff member proposes takes effect only when a
second one, a reviewer, approves it.

What needs a second person: suspending, reinstating and revoking a certificate, rotating the
signing key or marking it compromised, and an import larger than
``Settings.import_approval_rows``. The proposer (an operator or a reviewer of the authority)
sees what will happen before proposing (``preview_*``); the reviewer sees it again, computed on the
certificate as it is then, before approving. The proposer can never approve their own proposal
(``SelfApproval``) but may withdraw it; a rejection needs a reason and changes nothing else.
Approving applies the change as the approver, ``approving`` the proposer's proposal, so the ledger
entry names both (role and pseudonymous staff id) and the action log has the proposal, the
decision and the change.

The command line and the API tokens act directly (the server's operator issues both) and the
action log records that they did.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from certsvc.accounts.models import User
from certsvc.audit.actors import Actor, staff_actor
from certsvc.audit.services import record_action
from certsvc.certificates import keys as key_service
from certsvc.certificates import revocation
from certsvc.certificates.holders import open_staged_file, seal_staged_file
from certsvc.certificates.integrity import record_end
from certsvc.certificates.lookup import find_certificate
from certsvc.certificates.models import Certificate, IntegrityRecord, Proposal, ReissueRequest
from certsvc.domain.levels import AuthorityKind
from certsvc.errors import BadRequest, Forbidden, NotFound, SelfApproval, WorkflowError
from certsvc.registry.models import Authority
from certsvc.runtime import Runtime

if TYPE_CHECKING:
    from certsvc.certificates.issuing import ImportReport

STATUS_ACTIONS = revocation.ACTIONS  # suspend, reinstate, revoke
PROPOSAL_ACTIONS = (*STATUS_ACTIONS, *key_service.KEY_ACTIONS, "import")
STATUSES = ("pending", "approved", "rejected", "withdrawn")
PROPOSER_ROLES = ("operator", "reviewer")
APPROVER_ROLES = ("reviewer",)
MAX_NOTE = 500
MAX_ROW_ID = 2**31 - 1


# --- who may do what -------------------------------------------------------------------------------
def _require_role(actor: Actor, roles: tuple[str, ...]) -> None:
    if actor.kind != "staff" or actor.user_id is None or actor.role not in roles:
        raise Forbidden(f"your role ({actor.role}) may not do this", detail_zh="您的角色无权执行此操作")


def manages_keys(session: Session, authority_code: str | None) -> bool:
    """Signing keys belong to the whole installation: the staff of a provincial HR department
    (an authority of kind ``province``) propose and approve their rotation and compromise."""
    if authority_code is None:
        return False
    kind = session.scalar(select(Authority.kind).where(Authority.code == authority_code))
    return kind == AuthorityKind.PROVINCE.value


def require_key_staff(session: Session, actor: Actor) -> None:
    """``Forbidden`` unless the actor is staff of a provincial HR department (``manages_keys``)."""
    if not manages_keys(session, actor.authority_code):
        raise Forbidden(
            "signing keys are managed by the staff of a provincial HR department",
            detail_zh="签名密钥由省级人社部门工作人员管理",
        )


def _clean_note(note: str | None) -> str | None:
    return " ".join((note or "").split())[:MAX_NOTE] or None


# --- what will happen --------------------------------------------------------------------------------
@dataclass(frozen=True)
class StatusEffect:
    """What a status change does, shown before it is proposed and before it is approved."""

    number: str
    version: int
    title: str
    level: str
    holder_name: str
    action: str
    reason: str
    doc_no: str
    effective: dt.date
    from_status: str
    to_status: str
    integrity_until: dt.date | None  # a fraud revocation records the holder until then
    ends_records: int  # a reversed revocation ends this many running integrity records
    status_bit: str  # revocation | suspension | cleared
    pending_request: int | None  # a reissue request that can no longer be approved


def _status_effect(session: Session, runtime: Runtime, plan: revocation.StatusPlan) -> StatusEffect:
    certificate, row = plan.certificate, plan.row
    ends = 0
    if plan.reversing:
        ends = (
            session.scalar(
                select(func.count())
                .select_from(IntegrityRecord)
                .where(
                    IntegrityRecord.certificate_id == certificate.id,
                    IntegrityRecord.ended_on.is_(None),
                    IntegrityRecord.runs_until > runtime.today(),
                )
            )
            or 0
        )
    pending = session.scalar(
        select(ReissueRequest.id).where(
            ReissueRequest.certificate_id == certificate.id, ReissueRequest.status == "pending"
        )
    )
    bit = {"revoked": "revocation", "suspended": "suspension"}.get(plan.to_status, "cleared")
    return StatusEffect(
        number=certificate.number,
        version=row.version,
        title=certificate.title,
        level=certificate.level,
        holder_name=row.holder_name,
        action=plan.action,
        reason=plan.reason,
        doc_no=plan.doc_no,
        effective=plan.effective,
        from_status=row.status,
        to_status=plan.to_status,
        integrity_until=record_end(plan.effective) if plan.opens_integrity_record else None,
        ends_records=int(ends),
        status_bit=bit,
        pending_request=pending if plan.action != "reinstate" else None,
    )


def _pending_for(session: Session, certificate_id: int) -> int | None:
    return session.scalar(
        select(Proposal.id).where(Proposal.certificate_id == certificate_id, Proposal.status == "pending")
    )


def preview_status_change(
    session: Session, runtime: Runtime, actor: Actor, change: revocation.StatusChange
) -> StatusEffect:
    """Check a proposed status change and say what it would do; nothing is written.

    Another authority's certificate (or a malformed number) is ``NotFound`` before anything else
    is looked at, like a missing one."""
    _require_role(actor, PROPOSER_ROLES)
    find_certificate(
        session, change.number, authority_code=actor.authority_code or "", malformed_is_absent=True
    )
    plan = revocation.plan_status_change(session, runtime, change, actor.authority_code or "", lock=False)
    waiting = _pending_for(session, plan.certificate.id)
    if waiting is not None:
        raise WorkflowError(
            f"proposal {waiting} for this certificate is waiting for a decision",
            detail_zh=f"该证书已有待审批的申请（编号 {waiting}），请先处理",
        )
    return _status_effect(session, runtime, plan)


def propose_status_change(
    session: Session,
    runtime: Runtime,
    actor: Actor,
    change: revocation.StatusChange,
    *,
    note: str | None = None,
) -> Proposal:
    """Propose a status change; it takes effect when another staff member, a reviewer, approves."""
    effect = preview_status_change(session, runtime, actor, change)
    certificate = session.scalars(select(Certificate).where(Certificate.number == effect.number)).one()
    proposal = _new_proposal(
        runtime,
        actor,
        note,
        authority_code=certificate.authority_code,
        action=change.action,
        certificate_id=certificate.id,
        version=effect.version,
        from_status=effect.from_status,
        reason=effect.reason,
        doc_no=effect.doc_no,
        effective=effect.effective,
    )
    session.add(proposal)
    try:
        session.flush()
    except IntegrityError:
        # Another proposal for this certificate was made at the same moment (the unique index).
        raise WorkflowError(
            "another proposal for this certificate is waiting for a decision",
            detail_zh="该证书已有待审批的申请，请先处理",
        ) from None
    _log_proposal(session, runtime, actor, proposal, target=effect.number)
    return proposal


def preview_key_action(
    session: Session,
    runtime: Runtime,
    actor: Actor,
    *,
    action: str,
    kid: str | None = None,
    since: dt.datetime | None = None,
) -> key_service.KeyEffect:
    """Check a proposed key rotation or compromise and say what it would do to issued certificates."""
    _require_role(actor, PROPOSER_ROLES)
    require_key_staff(session, actor)
    effect = key_service.key_effect(session, runtime, action, kid, since)
    waiting = session.scalar(
        select(Proposal.id).where(Proposal.action.in_(key_service.KEY_ACTIONS), Proposal.status == "pending")
    )
    if waiting is not None:
        raise WorkflowError(
            f"key proposal {waiting} is waiting for a decision",
            detail_zh=f"已有待审批的密钥申请（编号 {waiting}），请先处理",
        )
    return effect


def propose_key_action(
    session: Session,
    runtime: Runtime,
    actor: Actor,
    *,
    action: str,
    kid: str | None = None,
    since: dt.datetime | None = None,
    note: str | None = None,
) -> Proposal:
    """Propose a signing-key rotation or compromise (a reviewer of the authority approves it)."""
    effect = preview_key_action(session, runtime, actor, action=action, kid=kid, since=since)
    proposal = _new_proposal(
        runtime,
        actor,
        note,
        authority_code=actor.authority_code,
        action=action,
        kid=effect.kid,
        since=since if action == "key-compromise" else None,
    )
    session.add(proposal)
    session.flush()
    _log_proposal(session, runtime, actor, proposal, target=effect.kid)
    return proposal


def import_needs_approval(runtime: Runtime, would_issue: int) -> bool:
    """Whether an import issuing ``would_issue`` certificates needs a reviewer's approval."""
    return would_issue > runtime.settings.import_approval_rows


def large_import(
    runtime: Runtime, data: bytes, filename: str, *, acting_authority: str | None
) -> ImportReport | None:
    """The dry run of a results file that would issue more certificates than
    ``import_approval_rows`` (so a reviewer must approve it), else None.

    A file with no more rows than that can never issue more, so only its rows are counted (no
    second check of every rule)."""
    from certsvc.certificates.intake.readers import read_rows
    from certsvc.certificates.issuing import import_results

    limit = runtime.settings.import_approval_rows
    if sum(1 for _ in itertools.islice(read_rows(data, filename), limit + 1)) <= limit:
        return None
    report = import_results(runtime, data, filename, dry_run=True, acting_authority=acting_authority)
    return report if report.ok and import_needs_approval(runtime, report.would_issue) else None


def propose_import(
    runtime: Runtime,
    actor: Actor,
    data: bytes,
    filename: str,
    *,
    rows: int,
    would_issue: int,
    note: str | None = None,
) -> int:
    """Keep a checked results file (encrypted) until a reviewer approves or rejects its import; the
    proposal's number. ``rows``/``would_issue`` come from the dry run the proposer just saw."""
    _require_role(actor, PROPOSER_ROLES)
    binding = secrets.token_hex(32)
    with runtime.database.write() as session:
        proposal = _new_proposal(
            runtime,
            actor,
            note,
            authority_code=actor.authority_code,
            action="import",
            filename=filename[:255],
            file_sha256=hashlib.sha256(data).hexdigest(),
            file_rows=rows,
            file_data=seal_staged_file(runtime, data, binding),
            file_binding=binding,
            outcome={"would_issue": would_issue},
        )
        session.add(proposal)
        session.flush()
        _log_proposal(
            session,
            runtime,
            actor,
            proposal,
            target=str(proposal.id),
            extra={"file": proposal.filename, "rows": rows, "would_issue": would_issue},
        )
        return proposal.id


def _new_proposal(runtime: Runtime, actor: Actor, note: str | None, **proposed: Any) -> Proposal:
    """A pending proposal by ``actor``, made now; ``proposed`` says what it asks for (the columns
    of its kind: a certificate's status, a key, or a file)."""
    return Proposal(
        status="pending",
        note=_clean_note(note),
        proposed_by_user=actor.user_id,
        proposed_by=actor.reference[:100],
        proposed_at=runtime.now(),
        **proposed,
    )


def _log_proposal(
    session: Session,
    runtime: Runtime,
    actor: Actor,
    proposal: Proposal,
    *,
    target: str,
    extra: dict[str, Any] | None = None,
) -> None:
    details: dict[str, Any] = {"action": proposal.action, "subject": target, **(extra or {})}
    if proposal.since is not None:
        from certsvc.timefmt import rfc3339

        details["since"] = rfc3339(proposal.since, exact=True)
    if proposal.effective is not None:
        details["effective"] = proposal.effective.isoformat()
    record_action(
        session,
        runtime,
        actor,
        "propose",
        target_kind="proposal",
        target=str(proposal.id),
        authority_code=proposal.authority_code,
        reason=proposal.reason,
        doc_no=proposal.doc_no,
        note=proposal.note,
        details=details,
        proposal_id=proposal.id,
    )


# --- reading -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProposalView:
    """A proposal as the console shows it (plain values)."""

    id: int
    authority_code: str
    action: str
    status: str
    certificate_number: str | None
    version: int | None
    from_status: str | None
    reason: str | None
    doc_no: str | None
    effective: dt.date | None
    kid: str | None
    since: dt.datetime | None
    filename: str | None
    file_rows: int | None
    note: str | None
    proposed_by_user: int
    proposer: str
    proposer_name: str
    proposed_at: dt.datetime
    decided_by_user: int | None
    decider: str | None
    decider_name: str | None
    decided_at: dt.datetime | None
    decision_note: str | None
    outcome: dict[str, Any]

    @property
    def subject(self) -> str:
        """What it acts on: a certificate number, a key id or a file name."""
        return self.certificate_number or self.kid or self.filename or ""


def _views(session: Session, query: Any) -> list[ProposalView]:
    proposer, decider = aliased(User), aliased(User)
    rows = session.execute(
        query.add_columns(
            Certificate.number,
            proposer.login,
            proposer.display_name,
            decider.login,
            decider.display_name,
        )
        .outerjoin(Certificate, Certificate.id == Proposal.certificate_id)
        .join(proposer, proposer.id == Proposal.proposed_by_user)
        .outerjoin(decider, decider.id == Proposal.decided_by_user)
    ).all()
    return [
        ProposalView(
            id=p.id,
            authority_code=p.authority_code,
            action=p.action,
            status=p.status,
            certificate_number=number,
            version=p.version,
            from_status=p.from_status,
            reason=p.reason,
            doc_no=p.doc_no,
            effective=p.effective,
            kid=p.kid,
            since=p.since,
            filename=p.filename,
            file_rows=p.file_rows,
            note=p.note,
            proposed_by_user=p.proposed_by_user,
            proposer=proposer_login,
            proposer_name=proposer_name,
            proposed_at=p.proposed_at,
            decided_by_user=p.decided_by_user,
            decider=decider_login,
            decider_name=decider_name,
            decided_at=p.decided_at,
            decision_note=p.decision_note,
            outcome=dict(p.outcome or {}),
        )
        for p, number, proposer_login, proposer_name, decider_login, decider_name in rows
    ]


def list_proposals(
    session: Session, authority_code: str, *, statuses: tuple[str, ...] = ("pending",), limit: int = 200
) -> list[ProposalView]:
    """An authority's proposals: pending ones oldest first, decided ones newest first."""
    order = Proposal.proposed_at if statuses == ("pending",) else Proposal.proposed_at.desc()
    query = (
        select(Proposal)
        .where(Proposal.authority_code == authority_code, Proposal.status.in_(statuses))
        .order_by(order, Proposal.id)
        .limit(limit)
    )
    return _views(session, query)


def get_proposal(session: Session, authority_code: str, proposal_id: int) -> ProposalView:
    """One proposal of ``authority_code``; another authority's answers ``NotFound`` like a missing one."""
    if not 0 < proposal_id <= MAX_ROW_ID:
        raise _no_proposal(proposal_id)
    found = _views(
        session,
        select(Proposal).where(Proposal.id == proposal_id, Proposal.authority_code == authority_code),
    )
    if not found:
        raise _no_proposal(proposal_id)
    return found[0]


def pending_for_certificate(session: Session, certificate_id: int) -> int | None:
    """The pending proposal of a certificate, if any (its page links to it)."""
    return _pending_for(session, certificate_id)


def awaiting(session: Session, actor: Actor) -> int:
    """Pending proposals of the actor's authority someone else made (what a reviewer may decide)."""
    query = (
        select(func.count())
        .select_from(Proposal)
        .where(Proposal.authority_code == actor.authority_code, Proposal.status == "pending")
    )
    if actor.user_id is not None:
        query = query.where(Proposal.proposed_by_user != actor.user_id)
    return int(session.scalar(query) or 0)


def current_effect(
    session: Session, runtime: Runtime, proposal: ProposalView
) -> StatusEffect | key_service.KeyEffect | None:
    """What approving a pending proposal would do now (the certificate may have changed since it
    was proposed); a ``WorkflowError``/``BadRequest`` says it can no longer be done."""
    if proposal.status != "pending":
        return None
    if proposal.action in STATUS_ACTIONS:
        assert proposal.certificate_number is not None and proposal.reason and proposal.doc_no
        change = revocation.StatusChange(
            proposal.certificate_number,
            proposal.action,
            proposal.reason,
            proposal.doc_no,
            proposal.effective,
            proposal.version,
        )
        plan = revocation.plan_status_change(session, runtime, change, proposal.authority_code, lock=False)
        return _status_effect(session, runtime, plan)
    if proposal.action in key_service.KEY_ACTIONS:
        return key_service.key_effect(session, runtime, proposal.action, proposal.kid, proposal.since)
    return None


# --- deciding ----------------------------------------------------------------------------------------
def _locked_pending(session: Session, actor: Actor, proposal_id: int) -> Proposal:
    from certsvc.ledger.services import lock as lock_ledger

    if not 0 < proposal_id <= MAX_ROW_ID:
        raise _no_proposal(proposal_id)
    # The ledger lock first, as every writer takes it (one lock order: ledger, then rows).
    lock_ledger(session)
    proposal = session.scalar(
        select(Proposal)
        .where(Proposal.id == proposal_id, Proposal.authority_code == actor.authority_code)
        .with_for_update()
    )
    return _still_pending(proposal, proposal_id)


_STATUS_ZH = {"approved": "已批准", "rejected": "已驳回", "withdrawn": "已撤回", "pending": "待审批"}


def _no_proposal(proposal_id: int) -> NotFound:
    return NotFound(f"no proposal {proposal_id} here", detail_zh=f"没有编号为 {proposal_id} 的申请")


def _still_pending(proposal: Proposal | None, proposal_id: int) -> Proposal:
    """The proposal, when it exists here and no one has decided it yet."""
    if proposal is None:
        raise _no_proposal(proposal_id)
    if proposal.status != "pending":
        raise WorkflowError(
            f"proposal {proposal_id} was already {proposal.status}",
            detail_zh=f"申请 {proposal_id} 已处理（{_STATUS_ZH.get(proposal.status, proposal.status)}）",
        )
    return proposal


def _check_decider(actor: Actor, proposal: Proposal) -> None:
    """A reviewer who is not the proposer (the proposer gets ``SelfApproval``, whatever their role)."""
    if actor.kind == "staff" and actor.user_id == proposal.proposed_by_user:
        raise SelfApproval(
            "you proposed this change; a second reviewer must approve or reject it",
            detail_zh="这是您本人提出的申请，不能由您本人批准或驳回，须由另一名审核员处理",
        )
    _require_role(actor, APPROVER_ROLES)


def _proposer(session: Session, proposal: Proposal) -> Actor:
    user = session.get(User, proposal.proposed_by_user)
    assert user is not None
    return staff_actor(
        user_id=user.id, login=user.login, role=user.role or "", authority_code=user.authority_code or ""
    )


def _decided(
    session: Session, runtime: Runtime, actor: Actor, proposal: Proposal, *, status: str, note: str | None
) -> None:
    proposal.status = status
    proposal.decided_by_user = actor.user_id
    proposal.decided_by = actor.reference[:100]
    proposal.decided_at = runtime.now()
    proposal.decision_note = note
    proposal.file_data = None  # an import's file is kept only until the decision
    session.flush()


@dataclass(frozen=True)
class Decision:
    """What an approval did: the proposal, and for an import its report."""

    proposal_id: int
    action: str
    approved: bool
    outcome: dict[str, Any]
    report: Any = None  # certificates.issuing.ImportReport for imports


def approve(runtime: Runtime, actor: Actor, proposal_id: int) -> Decision:
    """Approve a pending proposal of the actor's authority and put it into effect (own transaction).

    Refused: another authority's or a missing proposal (``NotFound``), one already decided
    (``WorkflowError``), the proposer (``SelfApproval``), a role other than reviewer
    (``Forbidden``), and a change that can no longer be made (the service's own error); in each case
    nothing changes.
    """
    with runtime.database.read() as session:
        kind = (
            session.scalar(
                select(Proposal.action).where(
                    Proposal.id == proposal_id, Proposal.authority_code == actor.authority_code
                )
            )
            if 0 < proposal_id <= MAX_ROW_ID
            else None
        )
    if kind == "import":
        return _approve_import(runtime, actor, proposal_id)
    with runtime.database.write() as session:
        proposal = _locked_pending(session, actor, proposal_id)
        _check_decider(actor, proposal)
        acting = actor.approving(proposal.id, _proposer(session, proposal))
        outcome: dict[str, Any]
        if proposal.action in STATUS_ACTIONS:
            certificate = session.get(Certificate, proposal.certificate_id)
            assert certificate is not None and proposal.reason and proposal.doc_no
            row = revocation.change_status(
                session,
                runtime,
                certificate.number,
                proposal.action,
                proposal.reason,
                proposal.doc_no,
                proposal.effective,
                proposal.authority_code,
                version=proposal.version,
                actor=acting,
            )
            outcome = {"version": row.version, "status": row.status}
        elif proposal.action == "key-rotate":
            require_key_staff(session, actor)
            info = key_service.rotate_key(session, runtime, actor=acting)
            outcome = {"new_kid": info.kid}
        elif proposal.action == "key-compromise":
            require_key_staff(session, actor)
            assert proposal.kid is not None and proposal.since is not None
            compromised, rotated = key_service.compromise_key(
                session, runtime, proposal.kid, proposal.since, actor=acting, rotate_if_current=True
            )
            outcome = {"kid": compromised.kid, **({"new_kid": rotated.kid} if rotated else {})}
        else:  # pragma: no cover - PROPOSAL_ACTIONS is closed
            raise WorkflowError(f"unknown proposal action {proposal.action}")
        _decided(session, runtime, actor, proposal, status="approved", note=None)
        proposal.outcome = {**(proposal.outcome or {}), **outcome}
        _log_decision(session, runtime, acting, proposal, action="approve", outcome=outcome)
        return Decision(proposal.id, proposal.action, True, outcome)


def _approve_import(runtime: Runtime, actor: Actor, proposal_id: int) -> Decision:
    """Run the proposed import as the approver; the proposal is marked approved inside the import's
    own transaction, so a refused file (or a concurrent decision) leaves both unchanged."""
    from certsvc.certificates.issuing import import_results

    with runtime.database.read() as session:
        proposal = _still_pending(
            session.scalar(
                select(Proposal).where(
                    Proposal.id == proposal_id, Proposal.authority_code == actor.authority_code
                )
            ),
            proposal_id,
        )
        _check_decider(actor, proposal)
        assert proposal.file_data is not None and proposal.file_binding is not None
        data = open_staged_file(runtime, proposal.file_data, proposal.file_binding)
        filename = proposal.filename or "results"
        acting = actor.approving(proposal.id, _proposer(session, proposal))

    def mark_approved(session: Session, report: ImportReport) -> None:
        locked = _locked_pending(session, actor, proposal_id)
        outcome = {"batch": report.batch_id, "issued": len(report.issued), "rows": report.rows}
        _decided(session, runtime, actor, locked, status="approved", note=None)
        locked.outcome = {**(locked.outcome or {}), **outcome}
        _log_decision(session, runtime, acting, locked, action="approve", outcome=outcome)

    report = import_results(
        runtime,
        data,
        filename,
        dry_run=False,
        acting_authority=actor.authority_code,
        actor=acting,
        within=mark_approved,
    )
    outcome = {"batch": report.batch_id, "issued": len(report.issued), "rows": report.rows}
    return Decision(proposal_id, "import", report.ok, outcome, report)


def reject(session: Session, runtime: Runtime, actor: Actor, proposal_id: int, reason: str) -> Proposal:
    """Reject with a reason; nothing else changes (an import's file is dropped)."""
    reason = _clean_note(reason) or ""
    if not reason:
        raise BadRequest("a rejection needs a reason", detail_zh="驳回须填写理由")
    proposal = _locked_pending(session, actor, proposal_id)
    _check_decider(actor, proposal)
    _decided(session, runtime, actor, proposal, status="rejected", note=reason)
    _log_decision(session, runtime, actor, proposal, action="reject", outcome={}, note=reason)
    return proposal


def withdraw(session: Session, runtime: Runtime, actor: Actor, proposal_id: int) -> Proposal:
    """The proposer takes back their own pending proposal; nothing else changes."""
    proposal = _locked_pending(session, actor, proposal_id)
    if actor.user_id != proposal.proposed_by_user:
        raise Forbidden("only the proposer may withdraw a proposal", detail_zh="只有提出人可以撤回申请")
    _decided(session, runtime, actor, proposal, status="withdrawn", note=None)
    _log_decision(session, runtime, actor, proposal, action="withdraw", outcome={})
    return proposal


def _log_decision(
    session: Session,
    runtime: Runtime,
    actor: Actor,
    proposal: Proposal,
    *,
    action: str,
    outcome: dict[str, Any],
    note: str | None = None,
) -> None:
    record_action(
        session,
        runtime,
        actor,
        action,
        target_kind="proposal",
        target=str(proposal.id),
        authority_code=proposal.authority_code,
        reason=proposal.reason,
        doc_no=proposal.doc_no,
        note=note,
        details={"action": proposal.action, "proposed_by": proposal.proposed_by, **outcome},
        proposal_id=proposal.id,
    )
