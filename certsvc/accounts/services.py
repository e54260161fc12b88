"""Account use cases: sign-in with lockout and TOTP, holder activation and reset, staff users,
API tokens and the demo accounts.

Answers never reveal whether an account or a person exists: sign-in, activation and reset fail
with one message whatever was wrong, and an unknown account costs the same argon2 work as a wrong
password. Functions that count failures open their own transaction, because the failure they
report must not roll back the counter it just raised.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from certsvc.accounts import totp
from certsvc.accounts.models import (
    LINK_PURPOSES,
    STAFF_ROLES,
    ApiToken,
    LoginThrottle,
    OneTimeLink,
    User,
    UserSession,
)
from certsvc.accounts.notifications import notify
from certsvc.accounts.passwords import check_new_password, hash_password, needs_rehash, verify_password
from certsvc.audit.actors import OPERATOR, Actor, as_actor
from certsvc.audit.services import record_action
from certsvc.certificates.lookup import find_certificate
from certsvc.certificates.models import Certificate, Holder
from certsvc.domain.certno import validate_certificate_number
from certsvc.domain.idnumber import normalize_id_number
from certsvc.domain.names import mask_name, normalize_name
from certsvc.errors import (
    ActivationFailed,
    AuthenticationRequired,
    BadRequest,
    CertsvcError,
    Forbidden,
    LoginFailed,
    NotFound,
)
from certsvc.registry.models import Authority
from certsvc.runtime import Runtime
from certsvc.texts import both

SESSION_LIFETIME = dt.timedelta(hours=8)
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
# A pair's failures are forgotten after this long without another one.
THROTTLE_MEMORY = dt.timedelta(hours=1)
ACTIVATION_LINK_LIFETIME = dt.timedelta(days=7)
RESET_LINK_LIFETIME = dt.timedelta(hours=1)
API_TOKEN_PREFIX = "cst_"  # noqa: S105 - a public marker that makes leaked tokens easy to scan for
DEMO_PASSWORD = "certsvc-demo-2024"  # noqa: S105 - documented demo login, development/test only
USERNAME = _USERNAME = re.compile(r"[a-z][a-z0-9_.-]{2,31}")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,}")
ROLE_LOGIN_PREFIX = {"operator": "op", "reviewer": "rv", "auditor": "au"}

LOGIN_FAILED_MESSAGE = (
    "Wrong account or password, or the account is locked for a while after repeated failures."
)
LOGIN_FAILED_ZH = "账号或密码错误，或因多次失败暂时锁定，请稍后再试。"
ACTIVATION_FAILED_MESSAGE = (
    "No account could be activated with these details. Check them; if you already have an account, "
    "sign in, or ask your issuing body for an activation link."
)
ACTIVATION_FAILED_ZH = "无法用这些信息激活账号。请核对；如已激活，请直接登录，或向发证机构申请激活链接。"


@dataclass(frozen=True)
class ApiPrincipal:
    """Who a bearer token speaks for."""

    authority_code: str
    role: str
    token_id: int


@dataclass(frozen=True)
class LoginResult:
    """A password accepted; ``needs_totp`` says a second factor must follow before the session opens."""

    user_id: int
    auth_epoch: int
    needs_totp: bool


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- sign-in -------------------------------------------------------------------------------------
def login_key(runtime: Runtime, account: str) -> str | None:
    """The ``users.login`` an account name maps to: a staff username, or a holder's ID number."""
    from certsvc.certificates.holders import id_index

    text = account.strip()
    if _USERNAME.fullmatch(text.lower()):
        return text.lower()
    id_number = normalize_id_number(text)
    if len(id_number) == 18 and id_number[:17].isdigit():
        return id_index(runtime, id_number)
    return None


def login(runtime: Runtime, account: str, password: str, *, client: str = "") -> LoginResult:
    """Check account and password; ``LoginFailed`` (one message for every cause) otherwise.

    ``client`` (the caller's address) scopes the lockout: failures lock this account for this
    client only, so a guesser elsewhere cannot lock the owner out (issue 16, finding 5).
    """
    key = login_key(runtime, account)
    now = runtime.now()
    with runtime.database.write() as session:
        user = session.scalar(select(User).where(User.login == key)) if key else None
        matches = verify_password(user.password_hash if user else None, password)
        throttle = _throttle(session, key or account.strip().lower()[:200], client, now)
        if user is None or not user.active or _locked(throttle, now) or not matches:
            _count_failure(throttle, now)
            result = None
        else:
            if not user.totp_enabled:
                _succeed(user, throttle, now)
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            result = LoginResult(user.id, user.auth_epoch, user.totp_enabled)
    if result is None:
        raise LoginFailed(LOGIN_FAILED_MESSAGE, detail_zh=LOGIN_FAILED_ZH)
    return result


def second_factor(runtime: Runtime, user_id: int, code: str, *, client: str = "") -> LoginResult:
    """Finish a sign-in with a TOTP code; wrong codes count toward the lockout like wrong passwords."""
    now = runtime.now()
    keys = runtime.keys.data_keys()
    with runtime.database.write() as session:
        user = session.get(User, user_id)
        result = None
        throttle = _throttle(session, user.login, client, now) if user is not None else None
        if (
            user is not None
            and throttle is not None
            and user.active
            and user.totp_secret is not None
            and not _locked(throttle, now)
        ):
            secret = totp.decrypt_secret(keys, user.id, user.totp_secret)
            counter = totp.matching_counter(secret, code, now, user.totp_last_counter)
            if counter is None:
                _count_failure(throttle, now)
            else:
                user.totp_last_counter = counter
                _succeed(user, throttle, now)
                result = LoginResult(user.id, user.auth_epoch, needs_totp=False)
    if result is None:
        raise LoginFailed(LOGIN_FAILED_MESSAGE, detail_zh=LOGIN_FAILED_ZH)
    return result


def open_session(runtime: Runtime, user_id: int) -> str:
    """Register a new browser session; returns its random id (kept in the signed cookie)."""
    sid = secrets.token_urlsafe(24)
    now = runtime.now()
    with runtime.database.write() as session:
        # Rows past their lifetime are useless; dropping them here keeps the table small.
        session.execute(delete(UserSession).where(UserSession.created_at < now - SESSION_LIFETIME))
        session.add(UserSession(sid_sha256=sha256_hex(sid), user_id=user_id, created_at=now))
    return sid


def close_session(runtime: Runtime, sid: str) -> None:
    """End a session: its cookie, or any copy of it, no longer signs anyone in."""
    with runtime.database.write() as session:
        row = session.get(UserSession, sha256_hex(sid))
        if row is not None and row.ended_at is None:
            row.ended_at = runtime.now()


def session_user(session: Session, runtime: Runtime, user_id: int, auth_epoch: int, sid: str) -> User | None:
    """The signed-in user behind a session, or None once it ended, expired, the account was
    disabled or its password changed."""
    row = session.get(UserSession, sha256_hex(sid))
    if (
        row is None
        or row.user_id != user_id
        or row.ended_at is not None
        or row.created_at <= runtime.now() - SESSION_LIFETIME
    ):
        return None
    user = session.get(User, user_id)
    if user is None or not user.active or user.auth_epoch != auth_epoch:
        return None
    return user


def _throttle(session: Session, login: str, client: str, now: dt.datetime) -> LoginThrottle:
    """The failure count of ``login`` from ``client`` (created empty; stale rows start afresh)."""
    key = sha256_hex(f"{login}\x1f{client}")
    row = session.get(LoginThrottle, key, with_for_update=True)
    if row is None:
        # Old rows are useless once their window passed; dropping them keeps the table small.
        session.execute(delete(LoginThrottle).where(LoginThrottle.updated_at < now - THROTTLE_MEMORY))
        # Two first failures at once must not collide on the key: insert-if-absent, then lock.
        dialect = session.get_bind().dialect.name
        insert_row = postgresql.insert if dialect == "postgresql" else sqlite.insert
        session.execute(
            insert_row(LoginThrottle)
            .values(
                key_sha256=key, login_sha256=sha256_hex(login), failures=0, locked_until=None, updated_at=now
            )
            .on_conflict_do_nothing()
        )
        row = session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
        assert row is not None
    elif row.updated_at < now - THROTTLE_MEMORY:
        row.failures, row.locked_until = 0, None
    return row


def _locked(throttle: LoginThrottle, now: dt.datetime) -> bool:
    return throttle.locked_until is not None and throttle.locked_until > now


def _count_failure(throttle: LoginThrottle, now: dt.datetime) -> None:
    throttle.failures += 1
    throttle.updated_at = now
    if throttle.failures >= MAX_FAILURES:
        throttle.locked_until = now + LOCKOUT
        throttle.failures = 0


def _succeed(user: User, throttle: LoginThrottle, now: dt.datetime) -> None:
    throttle.failures = 0
    throttle.locked_until = None
    throttle.updated_at = now
    user.last_login_at = now


# --- password and TOTP management -----------------------------------------------------------------
def change_password(session: Session, user: User, current: str, new: str, confirmation: str) -> None:
    if not verify_password(user.password_hash, current):
        raise Forbidden("the current password is wrong", detail_zh="当前密码不正确")
    user.password_hash = hash_password(check_new_password(new, confirmation))
    user.auth_epoch += 1


def enable_totp(runtime: Runtime, user: User, secret: str, code: str) -> None:
    """Turn on TOTP once the user proves their authenticator shows the right code."""
    now = runtime.now()
    counter = totp.matching_counter(secret, code, now, None)
    if counter is None:
        raise BadRequest("the code does not match; check the authenticator's clock", detail_zh="验证码不正确")
    user.totp_secret = totp.encrypt_secret(runtime.keys.data_keys(), user.id, secret)
    user.totp_last_counter = counter
    # A second factor added because a session may be stolen must end the others (issue 16).
    user.auth_epoch += 1


def disable_totp(user: User, password: str) -> None:
    if not verify_password(user.password_hash, password):
        raise Forbidden("the password is wrong", detail_zh="密码不正确")
    user.totp_secret = None
    user.totp_last_counter = None
    user.auth_epoch += 1


# --- holder activation and reset ------------------------------------------------------------------
def _holder_by_identity(
    session: Session, runtime: Runtime, id_number: str, name: str, certificate_number: str
) -> Holder | None:
    from certsvc.certificates.holders import id_index

    number = validate_certificate_number(certificate_number)
    id_number = normalize_id_number(id_number)
    if len(id_number) != 18:
        return None
    holder = session.scalar(select(Holder).where(Holder.id_index == id_index(runtime, id_number)))
    if holder is None:
        return None
    # The name is the one on that certificate (each authority registers its own; issue 16).
    try:
        certificate = find_certificate(session, number, holder_id=holder.id)
    except NotFound:
        return None
    if certificate.holder_name != normalize_name(name):
        return None
    return holder


def clean_email(email: str | None) -> str | None:
    email = (email or "").strip()
    if not email:
        return None
    if not _EMAIL.fullmatch(email) or len(email) > 254:
        raise BadRequest("this is not an email address", detail_zh="邮箱地址格式不正确")
    return email


def create_holder_user(
    session: Session, runtime: Runtime, holder: Holder, password: str, email: str | None
) -> User:
    return add_user(
        session,
        login=holder.id_index,
        kind="holder",
        holder_id=holder.id,
        display_name=mask_name(holder.name),
        email=email,
        password_hash=hash_password(password),
        created_at=runtime.now(),
    )


def add_user(session: Session, *, created_at: dt.datetime, **account: Any) -> User:
    """A new account (holder, staff or employer user: ``account`` says which and who), in the state
    every account starts in: active, no failed sign-ins, sessions at epoch 0. Flushed, so it has
    its id."""
    user = User(failed_logins=0, auth_epoch=0, active=True, created_at=created_at, **account)
    session.add(user)
    session.flush()
    return user


def create_activation_link(
    session: Session,
    runtime: Runtime,
    number: str,
    *,
    created_by: Actor | str,
    actor_authority: str | None = None,
    action: str = "activation-link",
) -> str:
    """A one-time link (valid 7 days) letting the holder of certificate ``number`` set a password.

    The issuing body hands it over after checking the person's identity, so it also replaces a
    forgotten password and a lost authenticator.
    """
    actor = as_actor(created_by)
    certificate = find_certificate(session, number, authority_code=actor_authority)
    link = _new_link(session, runtime, certificate.holder_id, "activate", actor.reference[:100])
    record_action(
        session,
        runtime,
        actor,
        action,
        target_kind="certificate",
        target=certificate.number,
        authority_code=certificate.authority_code,
    )
    return link


def _new_link(session: Session, runtime: Runtime, holder_id: int, purpose: str, created_by: str) -> str:
    assert purpose in LINK_PURPOSES
    token = secrets.token_urlsafe(32)
    now = runtime.now()
    lifetime = ACTIVATION_LINK_LIFETIME if purpose == "activate" else RESET_LINK_LIFETIME
    session.add(
        OneTimeLink(
            token_sha256=sha256_hex(token),
            purpose=purpose,
            holder_id=holder_id,
            created_by=created_by,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return f"{runtime.settings.base_url}/auth/link/{token}"


def valid_link(session: Session, runtime: Runtime, token: str) -> OneTimeLink:
    link = session.scalar(select(OneTimeLink).where(OneTimeLink.token_sha256 == sha256_hex(token)))
    if link is None or link.used_at is not None or link.expires_at <= runtime.now():
        raise ActivationFailed(
            "this link is unknown, used or expired; ask your issuing body for a new one",
            detail_zh="链接无效、已使用或已过期，请向发证机构重新申请",
        )
    return link


def use_link(
    session: Session,
    runtime: Runtime,
    token: str,
    *,
    password: str,
    confirmation: str,
    email: str | None = None,
) -> User:
    """Set a password through a one-time link: creates the account, or resets an existing one."""
    check_new_password(password, confirmation)
    email = clean_email(email)
    link = valid_link(session, runtime, token)
    link.used_at = runtime.now()
    user = session.scalar(select(User).where(User.holder_id == link.holder_id))
    if user is None:
        holder = session.get(Holder, link.holder_id)
        assert holder is not None
        return create_holder_user(session, runtime, holder, password, email)
    restore_account(session, user, password, email, clear_totp=link.purpose == "activate")
    return user


def restore_account(
    session: Session, user: User, password: str, email: str | None, *, clear_totp: bool = True
) -> None:
    """A new password set through a secret the issuing body handed over (link or activation code):
    other sessions end and the lockout lifts. The issuing body checked the person face to face,
    so unless this is a self-service reset, a lost authenticator must not lock them out either."""
    user.password_hash = hash_password(password)
    user.auth_epoch += 1
    # A new password from a verified link unlocks the account from every client at once.
    session.execute(delete(LoginThrottle).where(LoginThrottle.login_sha256 == sha256_hex(user.login)))
    if email:
        user.email = email
    if clear_totp:
        user.totp_secret = None
        user.totp_last_counter = None


def request_password_reset(
    session: Session, runtime: Runtime, *, id_number: str, name: str, certificate_number: str
) -> None:
    """Email a reset link when the details match an account with an email address; silent otherwise."""
    try:
        holder = _holder_by_identity(session, runtime, id_number, name, certificate_number)
    except CertsvcError:
        return
    if holder is None:
        return
    user = session.scalar(select(User).where(User.holder_id == holder.id))
    if user is None or not user.email:
        return
    link = _new_link(session, runtime, holder.id, "reset", "self-service")
    notify(
        session,
        runtime,
        user,
        both("重置密码"),
        both("请在 1 小时内打开以下链接设置新密码：\n%(link)s", link=link),
        portal=False,
    )


# --- staff and API tokens -------------------------------------------------------------------------
def _check_staff(session: Session, authority_code: str, role: str) -> None:
    if role not in STAFF_ROLES:
        raise BadRequest(f"role must be one of {', '.join(STAFF_ROLES)}")
    if session.scalar(select(Authority.id).where(Authority.code == authority_code)) is None:
        raise NotFound(f"no authority {authority_code}", detail_zh=f"没有发证机构 {authority_code}")


def create_staff_user(
    session: Session,
    runtime: Runtime,
    *,
    username: str,
    authority_code: str,
    role: str,
    display_name: str | None = None,
    password: str | None = None,
    email: str | None = None,
    actor: Actor | None = None,
) -> tuple[User, str]:
    """A staff account of one authority; returns it with its password (random when not given).
    ``actor`` (default: the server's operator) is recorded in the action log."""
    username = username.strip().lower()
    if not _USERNAME.fullmatch(username):
        raise BadRequest("a username is 3-32 characters a-z 0-9 _ . - starting with a letter")
    _check_staff(session, authority_code, role)
    if session.scalar(select(User.id).where(User.login == username)) is not None:
        raise BadRequest(f"username {username} is taken")
    password = password or secrets.token_urlsafe(12)
    check_new_password(password)
    digest = hash_password(password) if password != DEMO_PASSWORD else _demo_password_hash()
    user = add_user(
        session,
        login=username,
        kind="staff",
        authority_code=authority_code,
        role=role,
        display_name=display_name or username,
        email=clean_email(email),
        password_hash=digest,
        created_at=runtime.now(),
    )
    record_action(
        session,
        runtime,
        actor or OPERATOR,
        "staff-create",
        target_kind="account",
        target=username,
        authority_code=authority_code,
        details={"role": role},
    )
    return user, password


@functools.cache
def _demo_password_hash() -> str:
    """One argon2 run for all demo accounts: they share the password anyway, and 16 runs cost ~10 s."""
    return hash_password(DEMO_PASSWORD)


def create_api_token(
    session: Session,
    runtime: Runtime,
    *,
    authority_code: str,
    role: str,
    label: str,
    expires_at: dt.datetime | None = None,
    actor: Actor | None = None,
) -> str:
    """A new bearer token; only its hash is stored, so the returned value is shown exactly once.
    ``actor`` (default: the server's operator) is recorded in the action log."""
    _check_staff(session, authority_code, role)
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        token_sha256=sha256_hex(token),
        prefix=token[:10],
        label=label[:100],
        authority_code=authority_code,
        role=role,
        created_at=runtime.now(),
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    record_action(
        session,
        runtime,
        actor or OPERATOR,
        "token-create",
        target_kind="account",
        target=f"api-token:{row.id}",
        authority_code=authority_code,
        details={"role": role, "label": label[:100]},
    )
    return token


def authenticate_api_token(runtime: Runtime, token: str) -> ApiPrincipal:
    """The principal of a bearer token: ``AuthenticationRequired`` when unknown, expired or revoked."""
    if not token or not token.startswith(API_TOKEN_PREFIX) or len(token) > 200:
        raise AuthenticationRequired("a valid API token is required", detail_zh="需要有效的 API 令牌")
    now = runtime.now()
    with runtime.database.write() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == sha256_hex(token)))
        if (
            row is None
            or row.revoked_at is not None
            or (row.expires_at is not None and row.expires_at <= now)
        ):
            raise AuthenticationRequired("a valid API token is required", detail_zh="需要有效的 API 令牌")
        row.last_used_at = now
        return ApiPrincipal(row.authority_code, row.role, row.id)


def require_role(principal: ApiPrincipal, *roles: str) -> None:
    """``Forbidden`` unless the principal holds one of ``roles`` (e.g. an auditor token may not import)."""
    if principal.role not in roles:
        raise Forbidden(f"role {principal.role} may not do this", detail_zh="当前角色无权执行此操作")


def revoke_api_token(session: Session, runtime: Runtime, token_id: int) -> None:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"no API token {token_id}")
    row.revoked_at = runtime.now()


# --- demo -----------------------------------------------------------------------------------------
def create_demo_accounts(runtime: Runtime) -> list[str]:
    """Staff of every role for each authority and one activated holder; idempotent.

    Development and test installations get the fixed password ``DEMO_PASSWORD`` so the demo can be
    followed from the README; any other environment gets random passwords printed once.
    """
    from certsvc.certificates.holders import decrypt_id

    fixed = runtime.settings.environment in ("development", "test")
    lines: list[str] = []
    with runtime.database.write() as session:
        authorities = session.scalars(select(Authority).order_by(Authority.code)).all()
        for authority in authorities:
            for role in STAFF_ROLES:
                username = f"{ROLE_LOGIN_PREFIX[role]}-{authority.code.lower()}"
                if session.scalar(select(User.id).where(User.login == username)) is not None:
                    lines.append(f"staff {authority.code} {role}: {username} (exists, password unchanged)")
                    continue
                _, password = create_staff_user(
                    session,
                    runtime,
                    username=username,
                    authority_code=authority.code,
                    role=role,
                    display_name=f"{authority.name} {role}",
                    password=DEMO_PASSWORD if fixed else None,
                )
                lines.append(f"staff {authority.code} {role}: {username} / {password}")
        certificate = session.scalar(select(Certificate).order_by(Certificate.authority_code, Certificate.id))
        if certificate is None:
            return lines
        holder = session.get(Holder, certificate.holder_id)
        assert holder is not None
        login_id = decrypt_id(runtime, holder)
        if session.scalar(select(User.id).where(User.holder_id == holder.id)) is not None:
            lines.append(
                f"holder (certificate {certificate.number}): {login_id} (exists, password unchanged)"
            )
            return lines
        password = DEMO_PASSWORD if fixed else secrets.token_urlsafe(12)
        create_holder_user(session, runtime, holder, password, None)
        lines.append(f"holder (certificate {certificate.number}): {login_id} / {password}")
    return lines
