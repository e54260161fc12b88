"""The registry's tables: issuing bodies and their review committees' registrations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certsvc.db.base import Base, UTCDateTime


class Authority(Base):
    """An issuing body: a province/city/county HR department or a self-review unit."""

    __tablename__ = "authorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(String(16))
    levels: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class CommitteeRegistration(Base):
    """One registration (核准备案) of a review committee; renewals add rows, history is kept."""

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
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
