"""The registry's tables: policies, issuing bodies and their grants, committee registrations and
commission letters (委托函)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from certsvc.db.base import Base, UTCDateTime


class RegistryPolicy(Base):
    """A province's policy: minimum committee sizes and the body that supervises (监制) certificates."""

    __tablename__ = "registry_policies"

    region: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    supervisor: Mapped[str | None] = mapped_column(String(200))
    committee_minimums: Mapped[dict[str, int]] = mapped_column(JSON)
    adjustable: Mapped[list[str] | None] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Authority(Base):
    """An issuing body: an HR department, an industry department or a self-review unit.

    ``grants`` (levels × series × routes × validity, as in the registry JSON) decide what it may
    confirm; ``levels`` is their union, kept for display.
    """

    __tablename__ = "authorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(String(16))
    levels: Mapped[list[str]] = mapped_column(JSON)
    region: Mapped[str | None] = mapped_column(String(6))
    grants: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class CommitteeRegistration(Base):
    """One registration (核准备案) of a review committee; renewals add rows, history is kept.

    ``authority_code`` is the forming unit (组建单位), ``registered_by`` the registering body.
    """

    __tablename__ = "committee_registrations"
    __table_args__ = (UniqueConstraint("code", "registered_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    authority_code: Mapped[str] = mapped_column(ForeignKey("authorities.code"))
    series: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(Integer)
    registered_from: Mapped[dt.date] = mapped_column(Date)
    registered_until: Mapped[dt.date] = mapped_column(Date)
    registered_by: Mapped[str | None] = mapped_column(ForeignKey("authorities.code"))
    confirms_own_results: Mapped[bool] = mapped_column(Boolean, server_default=false())
    specialty: Mapped[str | None] = mapped_column(String(64))
    organisation: Mapped[str] = mapped_column(String(16), server_default=text("'series'"))
    size_adjustment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Commission(Base):
    """A commission letter (委托函): ``authority_code`` commissioned a committee to review for it."""

    __tablename__ = "commissions"
    __table_args__ = (UniqueConstraint("authority_code", "committee_code", "letter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_code: Mapped[str] = mapped_column(ForeignKey("authorities.code"), index=True)
    committee_code: Mapped[str] = mapped_column(String(64), index=True)
    levels: Mapped[list[str]] = mapped_column(JSON)
    letter: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
