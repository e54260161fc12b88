"""Holder activation that proves something beyond what the certificate prints.

ID number, name and certificate number are all printed on the certificate the holder hands to
employers, so they alone must not open an account. The issuing body therefore gives the holder
one of two secrets after checking who they are:

- an **activation code** on a printed notice (or handed over through the employer): 16 characters
  of Crockford Base32 (80 random bits), typed together with ID number and name; single use, valid
  ``ACTIVATION_CODE_LIFETIME``, and spent after ``MAX_CODE_FAILURES`` wrong identities;
- an **e-mail link** sent at once through ``CERTSVC_SMTP_URL`` to the address the holder gave the
  issuing body: the one-time link of :func:`certsvc.accounts.services.create_activation_link`.

A new code replaces any unused earlier one (a lost notice stops working). Every failure answers
the same message, so nobody learns whether a code, a person or an account exists.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from certsvc.accounts.models import ActivationCode, User
from certsvc.accounts.notifications import send_email
from certsvc.accounts.passwords import check_new_password
from certsvc.accounts.services import (
    ACTIVATION_FAILED_MESSAGE,
    ACTIVATION_FAILED_ZH,
    ACTIVATION_LINK_LIFETIME,
    clean_email,
    create_activation_link,
    create_holder_user,
    restore_account,
    sha256_hex,
)
from certsvc.audit.actors import Actor, as_actor
from certsvc.audit.services import record_action
from certsvc.certificates.holders import id_index
from certsvc.certificates.models import Certificate, Holder
from certsvc.domain.certno import validate_certificate_number
from certsvc.domain.idnumber import normalize_id_number
from certsvc.domain.names import mask_name, normalize_name
from certsvc.errors import ActivationFailed, BadRequest, NotFound
from certsvc.registry.models import Authority
from certsvc.runtime import Runtime
from certsvc.texts import both

ACTIVATION_CODE_LIFETIME = dt.timedelta(days=30)
MAX_CODE_FAILURES = 5
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U to misread
CODE_LENGTH = 16
# Crockford decoding: letters people type for digits they read.
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_]+")


@dataclass(frozen=True)
class ActivationNotice:
    """What the printed notice says; ``code`` is shown this once and stored only as a digest."""

    code: str
    expires_at: dt.datetime
    holder: str
    certificate_number: str
    authority: str
    activate_url: str


def normalize_code(text: str) -> str:
    """The code as issued, whatever separators, case or look-alike letters were typed."""
    return _SEPARATORS.sub("", text).upper().translate(_CONFUSABLE)


def _formatted(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _certificate(session: Session, number: str, actor_authority: str | None) -> Certificate:
    try:
        canonical = validate_certificate_number(number)
    except BadRequest:
        raise NotFound("no such certificate here", detail_zh="本机构没有这张证书") from None
    certificate = session.scalar(select(Certificate).where(Certificate.number == canonical))
    if certificate is None or (actor_authority is not None and certificate.authority_code != actor_authority):
        raise NotFound(f"no certificate {canonical} here", detail_zh=f"本机构没有证书 {canonical}")
    return certificate


def issue_activation_code(
    runtime: Runtime, number: str, *, created_by: Actor | str, actor_authority: str | None = None
) -> ActivationNotice:
    """A new code for the holder of certificate ``number``; earlier unused codes stop working."""
    actor = as_actor(created_by)
    now = runtime.now()
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    with runtime.database.write() as session:
        certificate = _certificate(session, number, actor_authority)
        holder = session.get(Holder, certificate.holder_id)
        assert holder is not None  # a foreign key guarantees it
        session.execute(
            update(ActivationCode)
            .where(ActivationCode.holder_id == holder.id, ActivationCode.used_at.is_(None))
            .values(used_at=now)
        )
        session.add(
            ActivationCode(
                code_sha256=sha256_hex(code),
                holder_id=holder.id,
                created_by=actor.reference[:100],
                created_at=now,
                expires_at=now + ACTIVATION_CODE_LIFETIME,
                failures=0,
            )
        )
        record_action(
            session,
            runtime,
            actor,
            "activation-code",
            target_kind="certificate",
            target=certificate.number,
            authority_code=certificate.authority_code,
        )
        authority = session.scalar(select(Authority.name).where(Authority.code == certificate.authority_code))
        return ActivationNotice(
            code=_formatted(code),
            expires_at=now + ACTIVATION_CODE_LIFETIME,
            holder=mask_name(holder.name),
            certificate_number=certificate.number,
            authority=authority or certificate.authority_code,
            activate_url=f"{runtime.settings.base_url}/auth/activate",
        )


def activate_with_code(
    runtime: Runtime,
    *,
    code: str,
    id_number: str,
    name: str,
    password: str,
    confirmation: str,
    email: str | None = None,
) -> tuple[int, int]:
    """Open (or re-open) the holder's account with a code from the issuing body, their ID number
    and name; returns ``(user_id, auth_epoch)`` for the new session.

    Runs its own transaction: a wrong identity typed with a real code must count against that
    code even though the answer is a failure.
    """
    check_new_password(password, confirmation)
    email = clean_email(email)
    normalized = normalize_code(code)
    id_number = normalize_id_number(id_number)
    now = runtime.now()
    result: tuple[int, int] | None = None
    with runtime.database.write() as session:
        row = (
            session.scalar(select(ActivationCode).where(ActivationCode.code_sha256 == sha256_hex(normalized)))
            if len(normalized) == CODE_LENGTH
            else None
        )
        if row is not None and row.used_at is None and row.expires_at > now:
            holder = session.get(Holder, row.holder_id)
            assert holder is not None
            matches = (
                len(id_number) == 18
                and holder.id_index == id_index(runtime, id_number)
                and holder.name == normalize_name(name)
            )
            if matches:
                row.used_at = now
                user = session.scalar(select(User).where(User.holder_id == holder.id))
                if user is None:
                    user = create_holder_user(session, runtime, holder, password, email)
                else:
                    restore_account(session, user, password, email)
                result = (user.id, user.auth_epoch)
            else:
                row.failures += 1
                if row.failures >= MAX_CODE_FAILURES:
                    row.used_at = now  # spent: a stolen notice cannot be tried at leisure
    if result is None:
        raise ActivationFailed(ACTIVATION_FAILED_MESSAGE, detail_zh=ACTIVATION_FAILED_ZH)
    return result


def email_activation_link(
    runtime: Runtime,
    number: str,
    address: str,
    *,
    created_by: Actor | str,
    actor_authority: str | None = None,
) -> None:
    """Send the holder of certificate ``number`` a one-time activation link at ``address``.

    The link is committed first and mailed after: a mail server that refuses leaves an unused,
    expiring link behind and the caller sees the error, rather than a link nobody received.
    """
    if not runtime.settings.smtp_url:
        raise BadRequest(
            "e-mail is not set up on this server (CERTSVC_SMTP_URL); print an activation code instead",
            detail_zh="本系统未配置邮件发送，请改为打印激活码通知书",
        )
    to = clean_email(address)
    if to is None:
        raise BadRequest("type the holder's e-mail address", detail_zh="请填写持证人的邮箱地址")
    with runtime.database.write() as session:
        certificate = _certificate(session, number, actor_authority)
        link = create_activation_link(
            session,
            runtime,
            certificate.number,
            created_by=created_by,
            actor_authority=actor_authority,
            action="activation-email",
        )
        authority = session.scalar(select(Authority.name).where(Authority.code == certificate.authority_code))
        canonical = certificate.number
    days = ACTIVATION_LINK_LIFETIME.days
    body = both(
        "%(authority)s为您的职称电子证书 %(number)s 开通了持证人账号。\n"
        "请在 %(days)s 天内打开以下链接设置密码（链接只能使用一次）：\n%(link)s\n\n"
        "如果您没有申请，请忽略本邮件。",
        authority=authority or "",
        number=canonical,
        days=days,
        link=link,
    )
    send_email(runtime, to, both("激活持证人账号"), body)
