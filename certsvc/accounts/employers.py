"""Employers (用人单位): organisations that check certificates at scale, their users and API keys.

An operator registers an employer (``certsvc employer add``) with its name, its Unified Social
Credit Code (GB 32100: the check character must hold) and a first user who signs in like staff, by
username and password. That user makes and revokes the organisation's API keys: named, 256 random
bits, shown once and stored as SHA-256, like the issuers' tokens. Each employer has a quota of
checked lines (a rate such as ``20000/hour;100000/day``) that the rate limiter counts per key
(and per account on the signed-in bulk page).

An employer sees and revokes only its own keys: another employer's key answers 404 exactly like
a missing one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from certsvc.accounts.models import EMPLOYER_ROLE, Employer, EmployerKey, User
from certsvc.accounts.passwords import check_new_password, hash_password
from certsvc.accounts.services import USERNAME, add_user, clean_email, sha256_hex
from certsvc.domain.checkdigits import uscc_is_valid
from certsvc.errors import AuthenticationRequired, BadRequest, NotFound
from certsvc.runtime import Runtime

# A public marker that makes leaked keys easy to scan for.
EMPLOYER_KEY_PREFIX = "cek_"
MAX_NAME_CHARS = 100
MAX_KEY_TEXT = 200
MAX_ACTIVE_KEYS = 20
_FORMULA_PREFIXES = ("=", "+", "-", "@")


@dataclasses.dataclass(frozen=True)
class EmployerKeyPrincipal:
    """Who an employer API key speaks for: the organisation, the key, and the quota it counts."""

    employer_id: int
    employer_name: str
    key_id: int
    quota: str


@dataclasses.dataclass(frozen=True)
class KeyView:
    """An API key as its employer sees it (never the key itself, which is shown once)."""

    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclasses.dataclass(frozen=True)
class EmployerView:
    """An employer account as its user sees it."""

    id: int
    name: str
    uscc: str
    quota: str
    keys: tuple[KeyView, ...]


# --- validation ----------------------------------------------------------------------------------
def clean_uscc(text: str) -> str:
    """The USCC upper-cased and stripped; ``BadRequest`` unless its GB 32100 check character holds."""
    code = unicodedata.normalize("NFKC", text or "").strip().upper()
    if not uscc_is_valid(code):
        raise BadRequest(
            "the Unified Social Credit Code must be 18 characters of 0-9 and A-Y (no I, O, S, V, Z) "
            "whose last character is its GB 32100 check character",
            detail_zh="统一社会信用代码应为 18 位（数字和除 I、O、S、V、Z 外的大写字母），且第 18 位校验码须正确",
        )
    return code


def clean_label(text: str, what_en: str, what_zh: str) -> str:
    """An organisation or key name: 1-100 characters, no control characters, no formula prefix."""
    value = unicodedata.normalize("NFC", text or "").strip()
    if not value or len(value) > MAX_NAME_CHARS:
        raise BadRequest(
            f"the {what_en} must be 1 to {MAX_NAME_CHARS} characters",
            detail_zh=f"{what_zh}应为 1 至 {MAX_NAME_CHARS} 个字符",
        )
    if value.startswith(_FORMULA_PREFIXES) or any(unicodedata.category(c)[0] == "C" for c in value):
        raise BadRequest(
            f"the {what_en} may not start with = + - @ nor hold control characters",
            detail_zh=f"{what_zh}不能以 = + - @ 开头，也不能含控制字符",
        )
    return value


def clean_quota(text: str) -> str:
    """A quota as the rate limiter reads it (``20000/hour;100000/day``)."""
    from limits import parse_many

    value = (text or "").strip()
    try:
        if not value or len(value) > 64 or not parse_many(value):
            raise ValueError(value)
    except ValueError:
        raise BadRequest(
            "a quota is a rate such as 20000/hour;100000/day (lines checked)",
            detail_zh="限额应写成如 20000/hour;100000/day 的形式（查验行数）",
        ) from None
    return value


# --- accounts ------------------------------------------------------------------------------------
def add_employer(
    session: Session,
    runtime: Runtime,
    *,
    name: str,
    uscc: str,
    username: str,
    email: str | None = None,
    quota: str | None = None,
    password: str | None = None,
    created_by: str = "cli",
) -> tuple[Employer, User, str]:
    """A new employer and its first user; returns both and the user's password (random unless given,
    shown once)."""
    name = clean_label(name, "organisation name", "单位名称")
    code = clean_uscc(uscc)
    quota = clean_quota(quota or runtime.settings.employer_quota)
    login = (username or "").strip().lower()
    if not USERNAME.fullmatch(login):
        raise BadRequest(
            "a username is 3-32 characters a-z 0-9 _ . - starting with a letter",
            detail_zh="用户名应为 3 至 32 个字符（a-z、0-9、_ . -），以字母开头",
        )
    if session.scalar(select(Employer.id).where(Employer.uscc == code)) is not None:
        raise BadRequest(
            f"an employer with the code {code} is already registered",
            detail_zh=f"统一社会信用代码 {code} 已登记",
        )
    if session.scalar(select(User.id).where(User.login == login)) is not None:
        raise BadRequest(f"username {login} is taken", detail_zh=f"用户名 {login} 已被使用")
    password = password or secrets.token_urlsafe(12)
    check_new_password(password)
    now = runtime.now()
    employer = Employer(name=name, uscc=code, quota=quota, active=True, created_by=created_by, created_at=now)
    session.add(employer)
    session.flush()
    user = add_user(
        session,
        login=login,
        kind="employer",
        employer_id=employer.id,
        role=EMPLOYER_ROLE,
        display_name=name,
        email=clean_email(email),
        password_hash=hash_password(password),
        created_at=now,
    )
    return employer, user, password


def employer_by_uscc(session: Session, uscc: str) -> Employer:
    employer = session.scalar(select(Employer).where(Employer.uscc == clean_uscc(uscc)))
    if employer is None:
        raise NotFound("no employer with this code", detail_zh="没有该统一社会信用代码的用人单位")
    return employer


def set_quota(session: Session, uscc: str, quota: str) -> Employer:
    employer = employer_by_uscc(session, uscc)
    employer.quota = clean_quota(quota)
    return employer


def set_active(session: Session, uscc: str, active: bool) -> Employer:
    """Disable (or enable again) an employer: its keys and its users' sign-in stop (or resume)."""
    employer = employer_by_uscc(session, uscc)
    employer.active = active
    for user in session.scalars(select(User).where(User.employer_id == employer.id)):
        user.active = active
    return employer


def list_employers(session: Session) -> list[Employer]:
    return list(session.scalars(select(Employer).order_by(Employer.id)))


def employer_view(session: Session, employer_id: int) -> EmployerView:
    """The employer with its keys, newest first."""
    employer = session.get(Employer, employer_id)
    if employer is None:
        raise NotFound("no such employer", detail_zh="没有该用人单位")
    keys = session.scalars(
        select(EmployerKey).where(EmployerKey.employer_id == employer_id).order_by(EmployerKey.id.desc())
    )
    return EmployerView(
        id=employer.id,
        name=employer.name,
        uscc=employer.uscc,
        quota=employer.quota,
        keys=tuple(
            KeyView(key.id, key.name, key.prefix, key.created_at, key.revoked_at, key.last_used_at)
            for key in keys
        ),
    )


def employer_quota(runtime: Runtime, employer_id: int) -> str:
    """The quota of an employer (one read; the rate limiter calls this for a signed-in page)."""
    with runtime.database.read() as session:
        employer = session.get(Employer, employer_id)
        return employer.quota if employer is not None else runtime.settings.employer_quota


# --- API keys ------------------------------------------------------------------------------------
def create_key(
    session: Session, runtime: Runtime, *, employer_id: int, name: str, created_by: str
) -> tuple[KeyView, str]:
    """A new named key of the employer; the returned key text is shown exactly once."""
    name = clean_label(name, "key name", "密钥名称")
    active = session.scalars(
        select(EmployerKey.id).where(EmployerKey.employer_id == employer_id, EmployerKey.revoked_at.is_(None))
    ).all()
    if len(active) >= MAX_ACTIVE_KEYS:
        raise BadRequest(
            f"at most {MAX_ACTIVE_KEYS} keys may be in use; revoke one first",
            detail_zh=f"最多可同时使用 {MAX_ACTIVE_KEYS} 个密钥，请先吊销不用的密钥",
        )
    token = EMPLOYER_KEY_PREFIX + secrets.token_urlsafe(32)
    key = EmployerKey(
        employer_id=employer_id,
        name=name,
        token_sha256=sha256_hex(token),
        prefix=token[:10],
        created_by=created_by[:100],
        created_at=runtime.now(),
    )
    session.add(key)
    session.flush()
    return KeyView(key.id, key.name, key.prefix, key.created_at, None, None), token


def revoke_key(session: Session, runtime: Runtime, *, employer_id: int, key_id: int) -> None:
    """Revoke one of the employer's keys (another employer's key is ``NotFound``, like a missing one)."""
    # An id beyond the column's range names no key (PostgreSQL would refuse to compare it).
    key = session.get(EmployerKey, key_id) if 0 < key_id < 2**31 else None
    if key is None or key.employer_id != employer_id:
        raise NotFound("no such key", detail_zh="没有这个密钥")
    if key.revoked_at is None:
        key.revoked_at = runtime.now()


def authenticate_key(runtime: Runtime, token: str) -> EmployerKeyPrincipal:
    """The employer behind an API key: ``AuthenticationRequired`` when unknown, revoked, or the
    employer is disabled."""
    refused = AuthenticationRequired(
        "a valid employer API key is required ('Authorization: Bearer cek_…')",
        detail_zh="需要有效的用人单位 API 密钥（Authorization: Bearer cek_…）",
    )
    if not token.startswith(EMPLOYER_KEY_PREFIX) or len(token) > MAX_KEY_TEXT:
        raise refused
    with runtime.database.write() as session:
        row = session.execute(
            select(EmployerKey, Employer)
            .join(Employer, Employer.id == EmployerKey.employer_id)
            .where(EmployerKey.token_sha256 == sha256_hex(token))
        ).first()
        if row is None:
            raise refused
        key, employer = row
        if key.revoked_at is not None or not employer.active:
            raise refused
        key.last_used_at = runtime.now()
        return EmployerKeyPrincipal(employer.id, employer.name, key.id, employer.quota)
