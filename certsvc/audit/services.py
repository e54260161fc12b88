"""The action log's use cases: record a change (inside the changing transaction), list and
filter it for an auditor, and the rows of an export.

``record_action`` is called by every service that changes something, in the same transaction as
the change, so a change and its log row are committed or rolled back together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from certsvc.accounts.models import User
from certsvc.audit.actors import Actor, staff_pseudonym
from certsvc.audit.models import ActionLogEntry
from certsvc.errors import BadRequest
from certsvc.runtime import Runtime
from certsvc.timefmt import china_midnight

# Every kind of change the log records (labels in certsvc.texts, kind "audit_action").
ACTIONS = (
    "import",
    "reissue",
    "reissue-request",
    "reissue-approve",
    "reissue-reject",
    "suspend",
    "reinstate",
    "revoke",
    "propose",
    "approve",
    "reject",
    "withdraw",
    "key-rotate",
    "key-compromise",
    "registry-update",
    "integrity-open",
    "integrity-end",
    "activation-link",
    "activation-code",
    "activation-email",
    "staff-create",
    "token-create",
)
TARGET_KINDS = ("certificate", "batch", "proposal", "key", "registry", "record", "request", "account")
PAGE_SIZE = 50
MAX_EXPORT_ROWS = 100_000
_MAX_FILTER_CHARS = 100


def record_action(
    session: Session,
    runtime: Runtime,
    actor: Actor,
    action: str,
    *,
    target_kind: str,
    target: str,
    authority_code: str | None,
    reason: str | None = None,
    doc_no: str | None = None,
    note: str | None = None,
    details: dict[str, Any] | None = None,
    ledger_index: int | None = None,
    proposal_id: int | None = None,
) -> None:
    """Add one row to the action log in the caller's transaction; ``proposal_id`` defaults to the
    proposal the actor is putting into effect."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if target_kind not in TARGET_KINDS:
        raise ValueError(f"unknown target kind {target_kind!r}")
    session.add(
        ActionLogEntry(
            at=runtime.now(),
            authority_code=authority_code,
            actor_kind=actor.kind,
            actor_role=actor.role,
            actor_ref=actor.reference[:100],
            actor_user_id=actor.user_id,
            actor_authority=actor.authority_code,
            staff_pseudonym=staff_pseudonym(runtime, actor),
            client_network=actor.client_network[:64],
            client_agent=actor.client_agent[:64],
            action=action,
            target_kind=target_kind,
            target=target[:100],
            reason=reason[:64] if reason else None,
            doc_no=doc_no[:100] if doc_no else None,
            note=note[:500] if note else None,
            proposal_id=proposal_id or actor.proposal_id,
            ledger_index=ledger_index,
            details=details or None,
        )
    )


# --- reading ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ActionFilter:
    """What an auditor narrows the log to; every member optional."""

    action: str | None = None
    staff: str | None = None  # a login, a pseudonym (st-…) or "cli"
    target: str | None = None  # a certificate number, batch, proposal or record number, a key id
    since: dt.date | None = None  # China dates, inclusive
    until: dt.date | None = None

    @classmethod
    def parse(cls, arguments: dict[str, str]) -> ActionFilter:
        """From query parameters; a bad one is a ``BadRequest`` naming it in Chinese and English."""
        action = (arguments.get("action") or "").strip() or None
        if action is not None and action not in ACTIONS:
            raise BadRequest(f"unknown action {action[:40]!r}", detail_zh="操作类型不正确")
        staff = " ".join((arguments.get("staff") or "").split())[:_MAX_FILTER_CHARS] or None
        target = " ".join((arguments.get("target") or "").split())[:_MAX_FILTER_CHARS] or None
        return cls(action, staff, target, _date(arguments, "since"), _date(arguments, "until"))

    def as_query(self) -> dict[str, str]:
        """The filter as query parameters (for the export link and the pages)."""
        values = {
            "action": self.action,
            "staff": self.staff,
            "target": self.target,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        return {name: value for name, value in values.items() if value}


def _date(arguments: dict[str, str], name: str) -> dt.date | None:
    text = (arguments.get(name) or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadRequest(
            f"{name} must be a date YYYY-MM-DD", detail_zh=f"日期（{name}）格式应为 YYYY-MM-DD"
        ) from None


@dataclass(frozen=True)
class ActionRow:
    """One row as an auditor reads it."""

    id: int
    at: dt.datetime
    authority_code: str | None
    actor_kind: str
    actor_role: str
    actor: str  # login, "api-token:3", "cli:root", "holder"
    actor_name: str | None
    staff_pseudonym: str | None
    client_network: str
    client_agent: str
    action: str
    target_kind: str
    target: str
    reason: str | None
    doc_no: str | None
    note: str | None
    proposal_id: int | None
    ledger_index: int | None
    details: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        from certsvc.timefmt import rfc3339

        return {
            "id": self.id,
            "at": rfc3339(self.at, exact=True),
            "authority": self.authority_code,
            "actor": {
                "kind": self.actor_kind,
                "role": self.actor_role,
                "account": self.actor,
                "staff_id": self.staff_pseudonym,
                "client_network": self.client_network or None,
                "client_agent": self.client_agent or None,
            },
            "action": self.action,
            "target": {"kind": self.target_kind, "id": self.target},
            "reason": self.reason,
            "document_number": self.doc_no,
            "note": self.note,
            "proposal": self.proposal_id,
            "ledger_index": self.ledger_index,
            "details": self.details,
        }


@dataclass(frozen=True)
class ActionPage:
    rows: list[ActionRow]
    total: int
    page: int
    pages: int


def _query(authority_code: str | None, filters: ActionFilter) -> Select[ActionLogEntry, str, str]:
    query = select(ActionLogEntry, User.login, User.display_name).outerjoin(
        User, User.id == ActionLogEntry.actor_user_id
    )
    if authority_code is not None:
        # An authority's auditor reads its own business and what concerns every authority (keys,
        # the registry); never another authority's.
        query = query.where(
            or_(ActionLogEntry.authority_code == authority_code, ActionLogEntry.authority_code.is_(None))
        )
    if filters.action:
        query = query.where(ActionLogEntry.action == filters.action)
    if filters.staff:
        query = query.where(
            or_(
                User.login == filters.staff,
                ActionLogEntry.staff_pseudonym == filters.staff,
                ActionLogEntry.actor_ref == filters.staff,
            )
        )
    if filters.target:
        target = filters.target.upper() if filters.target.isascii() else filters.target
        query = query.where(or_(ActionLogEntry.target == filters.target, ActionLogEntry.target == target))
    if filters.since:
        query = query.where(ActionLogEntry.at >= china_midnight(filters.since))
    if filters.until:
        query = query.where(ActionLogEntry.at < china_midnight(filters.until + dt.timedelta(days=1)))
    return query


def _row(entry: ActionLogEntry, login: str | None, display_name: str | None) -> ActionRow:
    return ActionRow(
        id=entry.id,
        at=entry.at,
        authority_code=entry.authority_code,
        actor_kind=entry.actor_kind,
        actor_role=entry.actor_role,
        actor=login or entry.actor_ref,
        actor_name=display_name,
        staff_pseudonym=entry.staff_pseudonym,
        client_network=entry.client_network,
        client_agent=entry.client_agent,
        action=entry.action,
        target_kind=entry.target_kind,
        target=entry.target,
        reason=entry.reason,
        doc_no=entry.doc_no,
        note=entry.note,
        proposal_id=entry.proposal_id,
        ledger_index=entry.ledger_index,
        details=dict(entry.details or {}),
    )


def list_actions(
    session: Session,
    *,
    authority_code: str | None,
    filters: ActionFilter,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> ActionPage:
    """One page of the log, newest first; ``authority_code`` None reads every authority's."""
    query = _query(authority_code, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = session.execute(
        query.order_by(ActionLogEntry.at.desc(), ActionLogEntry.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return ActionPage([_row(entry, login, name) for entry, login, name in rows], total, page, pages)


def iter_actions(
    session: Session, *, authority_code: str | None, filters: ActionFilter, limit: int = MAX_EXPORT_ROWS
) -> Iterator[ActionRow]:
    """Every row the filter selects, oldest first (exports and the command line)."""
    query = _query(authority_code, filters).order_by(ActionLogEntry.at, ActionLogEntry.id).limit(limit)
    for entry, login, name in session.execute(query):
        yield _row(entry, login, name)
