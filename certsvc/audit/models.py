"""The action log: one row per change, append-only (triggers refuse UPDATE and DELETE).

Who (staff user, API token, command line, holder: never named), when, from which client (network
prefix and browser family only), what (action, target) and why (reason, document number, note).
No personal data of holders: targets are certificate numbers, batch, proposal and record numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from certsvc.db.base import Base, UTCDateTime


class ActionLogEntry(Base):
    __tablename__ = "action_log"
    __table_args__ = (Index("ix_action_log_authority_at", "authority_code", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    # Whose business it is: the authority of the certificate, batch or proposal; None for what
    # concerns the whole installation (signing keys, the registry).
    authority_code: Mapped[str | None] = mapped_column(String(32))
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_role: Mapped[str] = mapped_column(String(16))
    actor_ref: Mapped[str] = mapped_column(String(100))
    actor_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_authority: Mapped[str | None] = mapped_column(String(32))
    staff_pseudonym: Mapped[str | None] = mapped_column(String(16))
    client_network: Mapped[str] = mapped_column(String(64))
    client_agent: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32), index=True)
    target_kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(100), index=True)
    reason: Mapped[str | None] = mapped_column(String(64))
    doc_no: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(500))
    proposal_id: Mapped[int | None] = mapped_column(Integer)
    ledger_index: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
