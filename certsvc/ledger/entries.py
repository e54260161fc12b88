"""Ledger entries: the canonical bytes appended to the public log.

An entry is a canonical JSON object (``certsvc.domain.canonical.canonical_json``) with ``type``
and ``time`` (RFC 3339, UTC) and, for certificate events, ``certificate_number``, ``version`` and
``credential_sha256``; key events carry the key's ``kid``. The log is public and permanent, so
entries hold no personal data: constructors refuse extra fields whose names or values look like
a name, an ID number or contact details.

Since issue 20 an entry also says who acted: ``actor`` is ``{"role": …, "staff": …}``, the acting
role (``operator``, ``reviewer``, ``auditor``, ``holder``, ``server-operator`` for the command
line, ``system``) and a pseudonymous staff id (``st-`` + 12 hex digits, a keyed digest only the
installation can link to a person; ``tk-`` for an API token, ``cli`` for the command line; none
for holders). A change that took effect on a second person's approval also carries
``proposed_by`` (same shape) and ``proposal`` (its number). Entries written before have no
``actor``; they verify exactly as before, since the tree hashes the stored bytes
(docs/adr/0015-two-person-rule-and-action-log.md).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import unicodedata
from typing import Any

from certsvc.domain.canonical import canonical_json
from certsvc.domain.certno import validate_certificate_number
from certsvc.domain.checkdigits import gb11643_check_char
from certsvc.errors import InvalidCertificateNumber, LedgerEntryError
from certsvc.timefmt import rfc3339

CERTIFICATE_EVENTS = frozenset(
    {"issue", "reissue", "suspend", "reinstate", "revoke", "reissue-request", "reissue-reject"}
)
KEY_EVENTS = frozenset({"key-rotate", "key-compromise"})
# Integrity records (诚信档案): opened by a fraud revocation, ended by decision; no personal data.
INTEGRITY_EVENTS = frozenset({"integrity-open", "integrity-end"})
ENTRY_TYPES = CERTIFICATE_EVENTS | KEY_EVENTS | INTEGRITY_EVENTS

ACTOR_ROLES = frozenset({"operator", "reviewer", "auditor", "holder", "server-operator", "system"})
_STAFF_PSEUDONYM = re.compile(r"st-[0-9a-f]{12}|tk-[0-9a-f]{12}|cli")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_KID = re.compile(r"[A-Za-z0-9_-]{1,128}")
_RFC3339_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z")
# Field-name fragments (compared lower-case, without separators) that denote personal data.
_PERSONAL_FIELD_FRAGMENTS = (
    "name",
    "idnumber",
    "idno",
    "idcard",
    "identity",
    "citizen",
    "birth",
    "phone",
    "mobile",
    "email",
    "address",
    "姓名",
    "名字",
    "身份证",
    "证件号",
    "出生",
    "电话",
    "手机",
    "邮箱",
    "地址",
)
# 18 characters shaped like a GB 11643 citizen ID number, standing alone within a value.
_ID_NUMBER_SHAPE = re.compile(r"(?<![0-9A-Za-z])([0-9]{17})([0-9Xx])(?![0-9A-Za-z])")


def actor_field(role: str, staff: str | None = None) -> dict[str, str]:
    """The ``actor`` (or ``proposed_by``) member of an entry: the acting role and, for staff, API
    tokens and the command line, the pseudonymous staff id. Anything else is refused."""
    if role not in ACTOR_ROLES:
        raise LedgerEntryError(f"unknown acting role {role!r}")
    if staff is None:
        return {"role": role}
    if not isinstance(staff, str) or not _STAFF_PSEUDONYM.fullmatch(staff):
        raise LedgerEntryError("the staff id of a ledger entry must be a pseudonym (st-…, tk-… or cli)")
    return {"role": role, "staff": staff}


def _check_actor(actor: Any) -> str:
    """The canonical JSON text of a valid actor member (``LedgerEntryError`` otherwise)."""
    if (
        not isinstance(actor, dict)
        or not actor.keys() <= {"role", "staff"}
        or not all(isinstance(value, str) for value in actor.values())
    ):
        raise LedgerEntryError("actor must be {role, staff} made by actor_field")
    return _actor_text(actor.get("role", ""), actor.get("staff"))


@functools.lru_cache(maxsize=1024)
def _actor_text(role: str, staff: str | None) -> str:
    # Cached: every entry of a batch names the same actor (a refusal raises and is not cached).
    return canonical_json(actor_field(role, staff)).decode("ascii")


def certificate_event(
    type: str,
    certificate_number: str,
    version: int,
    credential_sha256: str,
    time: dt.datetime,
    *,
    actor: dict[str, str] | None = None,
    **extra: Any,
) -> bytes:
    """Canonical bytes of a certificate event (issue, reissue, suspend, revoke …).

    ``actor`` (from ``actor_field``) names who acted; ``extra`` may add ``proposed_by`` and
    ``proposal`` for a change a second person approved, and the event's own facts.
    """
    if type not in CERTIFICATE_EVENTS:
        raise LedgerEntryError(f"unknown certificate event type {type!r}")
    try:
        canonical_number = validate_certificate_number(certificate_number)
    except InvalidCertificateNumber:
        raise LedgerEntryError("ledger entries need a valid certificate number") from None
    if canonical_number != certificate_number:
        raise LedgerEntryError("ledger entries need the certificate number in canonical form")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise LedgerEntryError("certificate version must be a positive integer")
    if not isinstance(credential_sha256, str) or not _SHA256_HEX.fullmatch(credential_sha256):
        raise LedgerEntryError("credential_sha256 must be 64 lower-case hex digits")
    actor_text = None if actor is None else _check_actor(actor)
    if not extra and version.__class__ is int and credential_sha256.__class__ is str:
        # Every issue takes this path. Each value is checked above to be a plain int or text in
        # a fixed alphabet (0-9A-Z, hex, RFC 3339, a known type, an actor of actor_field) that
        # JSON writes unescaped, so the canonical bytes can be spelled out: a third of the cost of
        # building and encoding a dict. "actor" sorts before every other key, so it leads.
        # test_entries pins them to canonical_json.
        plain = _PLAIN_CERTIFICATE_EVENT.format(
            canonical_number, credential_sha256, format_time(time), _PLAIN_TYPES[type], version
        )
        if actor_text is not None:
            plain = '{"actor":' + actor_text + "," + plain[1:]
        return plain.encode("ascii")
    return _entry(
        type,
        time,
        actor,
        extra,
        certificate_number=certificate_number,
        version=version,
        credential_sha256=credential_sha256,
    )


# Keys in sorted order, as canonical_json writes them.
_PLAIN_CERTIFICATE_EVENT = (
    '{{"certificate_number":"{0}","credential_sha256":"{1}","time":"{2}","type":"{3}","version":{4:d}}}'
)
# The type as a plain str of the known set (a caller's str subclass could format differently).
_PLAIN_TYPES = {name: name for name in CERTIFICATE_EVENTS}


def key_event(
    type: str, kid: str, time: dt.datetime, *, actor: dict[str, str] | None = None, **extra: Any
) -> bytes:
    """Canonical bytes of a signing-key event (key-rotate, key-compromise); ``extra`` may say
    since when a key is compromised and which proposal decided it."""
    if type not in KEY_EVENTS:
        raise LedgerEntryError(f"unknown key event type {type!r}")
    if not isinstance(kid, str) or not _KID.fullmatch(kid):
        raise LedgerEntryError("kid must be a base64url key identifier")
    return _entry(type, time, actor, extra, kid=kid)


def integrity_event(
    type: str,
    record: int,
    authority_code: str,
    doc_no: str,
    time: dt.datetime,
    *,
    actor: dict[str, str] | None = None,
    **dates: str,
) -> bytes:
    """Canonical bytes of an integrity-record event: which record, by whom, by which decision and
    when it runs or ended; never whose record it is (the record itself is not public)."""
    if type not in INTEGRITY_EVENTS:
        raise LedgerEntryError(f"unknown integrity event type {type!r}")
    if isinstance(record, bool) or not isinstance(record, int) or record < 1:
        raise LedgerEntryError("integrity record numbers are positive integers")
    return _entry(
        type,
        time,
        actor,
        dates,
        integrity_record=record,
        authority=authority_code,
        doc_no=doc_no,
    )


def parse_entry(data: bytes) -> dict[str, Any]:
    """The entry object behind ledger bytes; refuses anything a constructor could not have made."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise LedgerEntryError("ledger entry is not UTF-8 JSON") from None
    if not isinstance(value, dict):
        raise LedgerEntryError("ledger entry is not a JSON object")
    if value.get("type") not in ENTRY_TYPES:
        raise LedgerEntryError("ledger entry has no known type")
    if not isinstance(value.get("time"), str) or not _RFC3339_UTC.fullmatch(value["time"]):
        raise LedgerEntryError("ledger entry has no RFC 3339 UTC time")
    if canonical_json(value) != data:
        raise LedgerEntryError("ledger entry is not in canonical JSON form")
    return value


def format_time(moment: dt.datetime) -> str:
    """RFC 3339 in UTC with a ``Z``; sub-second digits only when there are any."""
    if not isinstance(moment, dt.datetime) or moment.utcoffset() is None:
        raise LedgerEntryError("ledger entry times must be timezone-aware datetimes")
    return rfc3339(moment, exact=True)


def _entry(
    type: str, time: dt.datetime, actor: dict[str, str] | None, extra: dict[str, Any], **fields: Any
) -> bytes:
    """Canonical bytes of an entry of ``type`` at ``time`` with its own ``fields``, the ``actor``
    who acted (when given) and the caller's ``extra`` fields, which may replace none of these."""
    if actor is not None:
        _check_actor(actor)
        extra = {**extra, "actor": actor}
    fields = {"type": type, "time": format_time(time), **fields}
    clash = sorted(set(extra) & set(fields))
    if clash:
        raise LedgerEntryError(f"extra fields may not replace {clash}")
    if "proposed_by" in extra:
        _check_actor(extra["proposed_by"])
        proposal = extra.get("proposal")
        if isinstance(proposal, bool) or not isinstance(proposal, int) or proposal < 1:
            raise LedgerEntryError("proposed_by goes with the proposal's number")
    _refuse_personal_data(extra)
    try:
        return canonical_json({**extra, **fields})
    except (TypeError, ValueError):
        raise LedgerEntryError("extra ledger fields must be plain JSON values") from None


def _refuse_personal_data(value: Any, path: str = "") -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise LedgerEntryError("ledger field names must be strings")
            folded = re.sub(r"[\s_\-.·]", "", key.lower())
            if any(fragment in folded for fragment in _PERSONAL_FIELD_FRAGMENTS):
                raise LedgerEntryError(f"field {path + key!r} looks like personal data; the ledger is public")
            _refuse_personal_data(item, f"{path}{key}.")
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_personal_data(item, path)
    elif isinstance(value, str) and _holds_id_number(value):
        raise LedgerEntryError(f"field {path.rstrip('.')!r} holds what looks like an ID number")


def _holds_id_number(text: str) -> bool:
    # Only a valid check character counts, so hashes and serials rarely trip this.
    return any(
        gb11643_check_char(match[1]) == match[2].upper()
        for match in _ID_NUMBER_SHAPE.finditer(unicodedata.normalize("NFKC", text))
    )
