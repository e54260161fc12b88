"""The integrity record (诚信档案, DESIGN §2 rule 10): who may not obtain a title, until when.

A certificate revoked because the title was obtained by fraud (reason ``fraud``) puts its holder in
the record for 3 years (渝职改办〔2022〕226号 §七(一), 广西办法 第四十九条, 咸宁制度 第二条). While a
record runs, intake refuses that person's results, naming the record's document number and never
its reasons. A record ends by itself, by an authority's decision with a document number, or when
the revocation that opened it is reversed. Records are never public: only the authority that
opened one (or the HR department of its province) lists and ends it, and the ledger records each
change by record number, authority and document number, with no personal data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from certsvc.audit.actors import OPERATOR, Actor, as_actor, ledger_actor
from certsvc.audit.services import record_action
from certsvc.certificates.models import Certificate, Holder, IntegrityRecord
from certsvc.domain.levels import AuthorityKind
from certsvc.domain.names import mask_name
from certsvc.errors import BadRequest, NotFound, WorkflowError
from certsvc.ledger.entries import integrity_event
from certsvc.registry.models import Authority
from certsvc.runtime import Runtime

RECORD_YEARS = 3
OPENING_REASONS = frozenset({"fraud"})


@dataclass(frozen=True, slots=True)
class RecordView:
    """One record as an authority sees it: the person only masked, the decision documents."""

    id: int
    authority_code: str
    holder: str
    certificate_number: str | None
    doc_no: str
    reason: str
    starts_on: dt.date
    runs_until: dt.date
    ended_on: dt.date | None
    end_doc_no: str | None

    def running_on(self, day: dt.date) -> bool:
        return self.ended_on is None and self.starts_on <= day < self.runs_until


def record_end(starts_on: dt.date) -> dt.date:
    """The first day the record no longer runs: three years after it started."""
    try:
        return starts_on.replace(year=starts_on.year + RECORD_YEARS)
    except ValueError:  # opened on 29 February
        return starts_on.replace(year=starts_on.year + RECORD_YEARS, month=3, day=1)


def open_for_revocation(
    session: Session,
    runtime: Runtime,
    certificate: Certificate,
    *,
    reason: str,
    doc_no: str,
    effective: dt.date,
    actor: Actor,
) -> bytes | None:
    """Open a record for a certificate revoked for fraud; the ledger entry to append, or None."""
    if reason not in OPENING_REASONS:
        return None
    holder = session.get(Holder, certificate.holder_id)
    assert holder is not None
    record = IntegrityRecord(
        id_index=holder.id_index,
        authority_code=certificate.authority_code,
        certificate_id=certificate.id,
        doc_no=doc_no,
        reason=reason,
        starts_on=effective,
        runs_until=record_end(effective),
        created_by=actor.reference[:100],
        created_at=runtime.now(),
    )
    session.add(record)
    session.flush()
    dates = {"starts_on": record.starts_on.isoformat(), "runs_until": record.runs_until.isoformat()}
    return _logged_event(
        session,
        runtime,
        actor,
        "integrity-open",
        record,
        doc_no=doc_no,
        reason=reason,
        details={"certificate": certificate.number, **dates},
        dates=dates,
    )


def end_for_reversal(
    session: Session, runtime: Runtime, certificate: Certificate, doc_no: str, *, actor: Actor = OPERATOR
) -> list[bytes]:
    """End the running records a reversed revocation had opened; their ledger entries."""
    today = runtime.today()
    records = session.scalars(
        select(IntegrityRecord).where(
            IntegrityRecord.certificate_id == certificate.id, IntegrityRecord.ended_on.is_(None)
        )
    ).all()
    return [
        _end(session, record, runtime, doc_no=doc_no, today=today, actor=actor, why="reversal")
        for record in records
        if today < record.runs_until
    ]


def running(session: Session, id_indexes: Iterable[str], day: dt.date) -> dict[str, IntegrityRecord]:
    """The record running on ``day`` for each of these blind indexes that has one (one query)."""
    indexes = list(id_indexes)
    if not indexes:
        return {}
    rows = session.scalars(
        select(IntegrityRecord)
        .where(
            IntegrityRecord.id_index.in_(indexes),
            IntegrityRecord.ended_on.is_(None),
            IntegrityRecord.starts_on <= day,
            IntegrityRecord.runs_until > day,
        )
        .order_by(IntegrityRecord.runs_until.desc())
    )
    found: dict[str, IntegrityRecord] = {}
    for row in rows:
        found.setdefault(row.id_index, row)
    return found


def list_records(session: Session, actor_authority: str | None) -> list[RecordView]:
    """The records ``actor_authority`` may consult (None: the operator, every record), newest first."""
    query = (
        select(IntegrityRecord, Holder.name, Certificate.number)
        .join(Holder, Holder.id_index == IntegrityRecord.id_index)
        .outerjoin(Certificate, Certificate.id == IntegrityRecord.certificate_id)
        .order_by(IntegrityRecord.id.desc())
    )
    if actor_authority is not None:
        query = query.where(IntegrityRecord.authority_code.in_(_consultable_codes(session, actor_authority)))
    return [
        RecordView(
            id=record.id,
            authority_code=record.authority_code,
            holder=mask_name(name),
            certificate_number=number,
            doc_no=record.doc_no,
            reason=record.reason,
            starts_on=record.starts_on,
            runs_until=record.runs_until,
            ended_on=record.ended_on,
            end_doc_no=record.end_doc_no,
        )
        for record, name, number in session.execute(query)
    ]


def end_record(
    session: Session,
    runtime: Runtime,
    record_id: int,
    doc_no: str,
    *,
    actor_authority: str | None,
    actor: Actor | str | None = None,
) -> IntegrityRecord:
    """End a running record early by decision ``doc_no``; another authority's record is absent."""
    doc_no = " ".join((doc_no or "").split())
    if not doc_no or len(doc_no) > 100 or doc_no[0] in "=+-@":
        raise BadRequest(
            "a document number (文号) is required to end a record", detail_zh="结束诚信档案记录须填写决定文号"
        )
    record = session.scalar(select(IntegrityRecord).where(IntegrityRecord.id == record_id).with_for_update())
    if record is None or (
        actor_authority is not None
        and record.authority_code not in _consultable_codes(session, actor_authority)
    ):
        raise NotFound(
            f"no integrity record {record_id} here", detail_zh=f"本机构没有诚信档案记录 {record_id}"
        )
    today = runtime.today()
    if record.ended_on is not None or today >= record.runs_until:
        raise WorkflowError(
            f"integrity record {record_id} has already ended",
            detail_zh=f"诚信档案记录 {record_id} 已经结束",
        )
    from certsvc.ledger.services import lock
    from certsvc.ledger.services import record as append

    lock(session)
    entry = _end(session, record, runtime, doc_no=doc_no, today=today, actor=as_actor(actor), why="decision")
    append(session, runtime, [entry])
    session.flush()
    return record


def _end(
    session: Session,
    record: IntegrityRecord,
    runtime: Runtime,
    *,
    doc_no: str,
    today: dt.date,
    actor: Actor,
    why: str,
) -> bytes:
    record.ended_on = today
    record.end_doc_no = doc_no
    record.ended_by = "reversal" if why == "reversal" else actor.reference[:100]
    return _logged_event(
        session,
        runtime,
        actor,
        "integrity-end",
        record,
        doc_no=doc_no,
        details={"ended_on": today.isoformat(), "by": why},
        dates={"ended_on": today.isoformat()},
    )


def _logged_event(
    session: Session,
    runtime: Runtime,
    actor: Actor,
    event: str,
    record: IntegrityRecord,
    *,
    doc_no: str,
    reason: str | None = None,
    details: dict[str, Any],
    dates: dict[str, str],
) -> bytes:
    """Write ``event`` on ``record`` to the action log and return its ledger entry: an integrity
    record never opens or ends without both."""
    record_action(
        session,
        runtime,
        actor,
        event,
        target_kind="record",
        target=str(record.id),
        authority_code=record.authority_code,
        reason=reason,
        doc_no=doc_no,
        details=details,
    )
    return integrity_event(
        event,
        record.id,
        record.authority_code,
        doc_no,
        runtime.now(),
        actor=ledger_actor(runtime, actor)["actor"],
        **dates,
    )


def _consultable_codes(session: Session, actor_authority: str) -> list[str]:
    """Its own records; for a province's HR department, those of every authority in the province."""
    actor = session.scalar(select(Authority).where(Authority.code == actor_authority))
    if actor is None:
        return [actor_authority]
    if actor.kind != AuthorityKind.PROVINCE.value:
        return [actor_authority]
    province = (actor.region or actor.code)[:2]
    codes = session.scalars(
        select(Authority.code).where(
            or_(Authority.region.like(f"{province}%"), Authority.code.like(f"{province}%"))
        )
    ).all()
    return sorted({actor_authority, *codes})
