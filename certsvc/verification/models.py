"""Verification counters (how many checks per day, channel and outcome, and nothing else) and
verification reports (a verification's recorded result, kept because someone asked for a report).

No counter row ever holds a name, a certificate number or a payload: the regulations ask for public
verification with personal privacy protected, so statistics are aggregated before they are stored.
A report holds only what the public verdict page shows (masked names), never who verified.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from certsvc.db.base import Base, UTCDateTime


class VerificationCount(Base):
    __tablename__ = "verification_counts"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class VerificationReport(Base):
    """A verification report (核验报告): the recorded result of one verification or of a bulk check,
    with its own number, as ``/r/<number>`` shows it and its signed PDF prints it.

    ``content`` is canonical JSON of what any page may show (masked holder names, certificate
    numbers, verdicts, issuers); nothing about who verified is recorded: no account, no address.
    """

    __tablename__ = "verification_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # single | bulk
    checked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    items: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
