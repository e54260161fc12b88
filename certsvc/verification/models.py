"""Verification counters: how many checks per day, channel and outcome, and nothing else.

No row ever holds a name, a certificate number or a payload: the regulations ask for public
verification with personal privacy protected, so statistics are aggregated before they are stored.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from certsvc.db.base import Base


class VerificationCount(Base):
    __tablename__ = "verification_counts"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
