"""The notification outbox: messages are written in the business transaction and delivered after it.

Every message is shown in the holder's portal. When ``CERTSVC_SMTP_URL`` is set
(``smtp://user:pass@host:587?from=certs@example.org&starttls=1`` or ``smtps://…``) messages with an
address are also emailed by :func:`deliver_outbox`, which callers run after their commit, so an
unreachable mail server never undoes a decision.

Messages are written in both languages from the catalog (``certsvc.texts.both``): the portal shows
the part in the page's language (:func:`in_language`); an e-mail carries both, Chinese first, since
nobody knows which one the reader prefers.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from certsvc.accounts.models import OutboxMessage, User
from certsvc.errors import BadRequest, ConfigurationError
from certsvc.runtime import Runtime

MAX_ATTEMPTS = 5
SMTP_TIMEOUT_SECONDS = 10
# Between the Chinese and the English of a stored subject or body (ASCII "unit separator").
LANGUAGE_SEPARATOR = "\x1f"
EMAIL_LANGUAGE_RULE = "\n\n" + "—" * 24 + "\n\n"
MAX_SUBJECT_CHARS = 200
Both = tuple[str, str]  # (Chinese, English), from certsvc.texts.both

log = logging.getLogger(__name__)


def notify(
    session: Session, runtime: Runtime, user: User, subject: Both, body: Both, *, portal: bool = True
) -> OutboxMessage:
    """Queue a message for ``user``, in both languages. ``portal=False`` marks it read at once (e.g.
    a reset link, which is useless to someone already signed in)."""
    now = runtime.now()
    zh_subject, en_subject = subject
    half = (MAX_SUBJECT_CHARS - len(LANGUAGE_SEPARATOR)) // 2
    message = OutboxMessage(
        user_id=user.id,
        subject=zh_subject[:half] + LANGUAGE_SEPARATOR + en_subject[:half],
        body=body[0] + LANGUAGE_SEPARATOR + body[1],
        email_to=user.email,
        created_at=now,
        attempts=0,
        read_at=None if portal else now,
    )
    session.add(message)
    session.flush()
    return message


def deliver_outbox(runtime: Runtime, limit: int = 50) -> int:
    """Email pending messages when SMTP is configured; returns how many were sent."""
    url = runtime.settings.smtp_url
    if not url:
        return 0
    sent = 0
    with runtime.database.write() as session:
        pending = session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.email_to.is_not(None),
                OutboxMessage.attempts < MAX_ATTEMPTS,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).all()
        for message in pending:
            message.attempts += 1
            try:
                _send(url, message)
            except (OSError, smtplib.SMTPException) as error:
                message.last_error = type(error).__name__
                log.warning("notification email failed", extra={"fields": {"outbox_id": message.id}})
                continue
            message.sent_at = runtime.now()
            sent += 1
    return sent


def in_language(stored: str, language: str) -> str:
    """The part of a stored subject or body in ``language`` (``zh`` or ``en``); a message stored
    in one language only (older ones) as it is."""
    parts = stored.split(LANGUAGE_SEPARATOR)
    if len(parts) != 2:
        return stored
    return parts[0] if language == "zh" else parts[1]


def email_subject(subject: Both | str) -> str:
    """A subject in both languages for an e-mail: ``重置密码 / Password reset``."""
    parts = subject.split(LANGUAGE_SEPARATOR) if isinstance(subject, str) else list(subject)
    return " / ".join(parts)[:MAX_SUBJECT_CHARS]


def email_body(body: Both | str) -> str:
    """A body in both languages for an e-mail: the Chinese, a rule, the English."""
    parts = body.split(LANGUAGE_SEPARATOR) if isinstance(body, str) else list(body)
    return EMAIL_LANGUAGE_RULE.join(parts)


def send_email(runtime: Runtime, to: str, subject: Both, body: Both) -> None:
    """Send one message now, in both languages, for someone without an account yet (an
    activation link); raises ``BadRequest`` with a clear message when SMTP is not set up or the
    server refuses."""
    url = runtime.settings.smtp_url
    if not url:
        raise BadRequest("e-mail is not set up (CERTSVC_SMTP_URL)", detail_zh="本系统未配置邮件发送")
    try:
        _deliver(url, to, email_subject(subject), email_body(body))
    except (OSError, smtplib.SMTPException) as error:
        log.warning("direct email failed", extra={"fields": {"error": type(error).__name__}})
        raise BadRequest(
            f"the mail server did not accept the message ({type(error).__name__}); try again later",
            detail_zh="邮件服务器未接受该邮件，请稍后重试",
        ) from error


def _send(url: str, message: OutboxMessage) -> None:
    _deliver(url, message.email_to or "", email_subject(message.subject), email_body(message.body))


def _deliver(url: str, to: str, subject: str, body: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigurationError("CERTSVC_SMTP_URL must be smtp://… or smtps://… with a host")
    query = parse_qs(parts.query)
    sender = query.get("from", [f"certsvc@{parts.hostname}"])[0]
    email = EmailMessage()
    email["From"] = sender
    email["To"] = to
    email["Subject"] = subject
    email.set_content(body)
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(
            parts.hostname, parts.port or 465, timeout=SMTP_TIMEOUT_SECONDS, context=context
        )
    else:
        client = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=SMTP_TIMEOUT_SECONDS)
    with client:
        if parts.scheme == "smtp" and query.get("starttls", ["0"])[0] in ("1", "true", "yes"):
            client.starttls(context=context)
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(email)


def has_unread(session: Session, user_id: int) -> bool:
    """Whether ``user_id`` has a portal message not yet read."""
    unread = session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.user_id == user_id, OutboxMessage.read_at.is_(None))
    )
    return unread is not None


def read_messages(
    session: Session, runtime: Runtime, user_id: int, limit: int = 100
) -> list[dict[str, object]]:
    """``user_id``'s newest portal messages (``new`` when unread until now), all marked read."""
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.user_id == user_id)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    ).all()
    now = runtime.now()
    messages: list[dict[str, object]] = [
        {"subject": m.subject, "body": m.body, "at": m.created_at, "new": m.read_at is None} for m in rows
    ]
    for message in rows:
        message.read_at = message.read_at or now
    return messages
