"""Tables of the accounts package: users, one-time links, API tokens, the notification outbox, and
employers (organisations that check certificates at scale) with their API keys.

Secrets are never stored in a form that lets a database reader use them: passwords as argon2id
hashes, link and API tokens as SHA-256 digests (they are 256-bit random, so a slow hash adds
nothing), TOTP secrets encrypted with a key derived from the key store's master secret.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from certsvc.db.base import Base, UTCDateTime

STAFF_ROLES = ("operator", "reviewer", "auditor")
# The one role of an employer's user: manages the organisation's API keys and runs bulk checks.
EMPLOYER_ROLE = "employer"
LINK_PURPOSES = ("activate", "reset")


class User(Base):
    """A person who signs in: a holder (bound to one ``holders`` row), staff of one authority, or
    the user of one employer (``kind`` "employer", bound to one ``employers`` row).

    ``login`` is the staff username, or for holders the blind index of their ID number, so
    holders sign in with the ID number they know and the table never holds it in clear.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id"), unique=True)
    authority_code: Mapped[str | None] = mapped_column(ForeignKey("authorities.code"), index=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), index=True)
    role: Mapped[str | None] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_last_counter: Mapped[int | None] = mapped_column(Integer)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Bumped on password change or reset: sessions carry it and die when it moves.
    auth_epoch: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    @property
    def totp_enabled(self) -> bool:
        return self.totp_secret is not None


class UserSession(Base):
    """A signed-in browser session. The cookie is signed, but only a live row here makes it count,
    so signing out ends the session even for a copy of the cookie."""

    __tablename__ = "user_sessions"

    sid_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class OneTimeLink(Base):
    """A single-use link: an issuing body's activation (or re-activation) link, or a reset link."""

    __tablename__ = "one_time_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ApiToken(Base):
    """A machine credential bound to one authority and one role."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(100))
    authority_code: Mapped[str] = mapped_column(ForeignKey("authorities.code"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """A notification for one user: always shown in the portal, also emailed when SMTP is set up."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    email_to: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ActivationCode(Base):
    """A one-time activation code the issuing body hands the holder on a printed notice.

    It proves what the certificate itself cannot: that the person received the notice. Only its
    SHA-256 is kept (80 random bits); wrong identity details typed with a valid code count in
    ``failures`` and spend the code after a few, so a stolen notice cannot be tried at leisure.
    """

    __tablename__ = "activation_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    failures: Mapped[int] = mapped_column(Integer, default=0)


class LoginThrottle(Base):
    """Failed sign-ins of one account from one client address (issue 16, finding 5).

    Keyed by a digest of (account, address), so the table holds neither logins nor addresses in
    clear. Locking the pair, not the account, keeps a guesser elsewhere from locking the owner out.
    """

    __tablename__ = "login_throttles"

    key_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    login_sha256: Mapped[str] = mapped_column(String(64), index=True)
    failures: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class Employer(Base):
    """An organisation that checks certificates (用人单位): its name, its Unified Social Credit Code
    (GB 32100, check character validated), and its quota of checked lines (a rate such as
    ``20000/hour;100000/day``), counted per API key and, on the bulk page, per account."""

    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    quota: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class EmployerKey(Base):
    """A named API key of one employer. Only its SHA-256 is kept (256 random bits), so the key is
    shown once, when it is made; revoking it stops it at once."""

    __tablename__ = "employer_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
