"""Ledger entries: canonical bytes, and no personal data in the public log."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certsvc.domain.canonical import canonical_json
from certsvc.domain.certno import MAX_SERIAL, make_certificate_number
from certsvc.domain.levels import Level
from certsvc.errors import LedgerEntryError
from certsvc.ledger import entries

CERT_NO = "50000020241000001Z"
JWS_SHA256 = hashlib.sha256(b"header.payload.signature").hexdigest()
NOON_BEIJING = dt.datetime(2024, 10, 8, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_certificate_event_is_canonical_json_in_utc() -> None:
    """An issue entry is sorted, whitespace-free JSON with the time converted to UTC."""
    data = entries.certificate_event("issue", CERT_NO, 1, JWS_SHA256, NOON_BEIJING)
    assert data == (
        b'{"certificate_number":"50000020241000001Z","credential_sha256":"' + JWS_SHA256.encode() + b'",'
        b'"time":"2024-10-08T12:00:00Z","type":"issue","version":1}'
    )
    assert entries.parse_entry(data)["version"] == 1


def test_extra_fields_are_recorded() -> None:
    """Non-personal extra fields, such as a revocation reason and document number, are kept."""
    data = entries.certificate_event(
        "revoke", CERT_NO, 2, JWS_SHA256, NOON_BEIJING, reason="fraud", doc_no="人社发〔2024〕12号"
    )
    assert entries.parse_entry(data)["doc_no"] == "人社发〔2024〕12号"


def test_key_event() -> None:
    """A key rotation entry names the key by its thumbprint and nothing else."""
    kid = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    data = entries.key_event("key-rotate", kid, NOON_BEIJING)
    assert entries.parse_entry(data) == {"type": "key-rotate", "kid": kid, "time": "2024-10-08T12:00:00Z"}


@pytest.mark.parametrize(
    "extra",
    [
        {"name": "张三"},
        {"holder_name": "张三"},
        {"id_number": "x"},
        {"IdNumber": "x"},
        {"姓名": "张三"},
        {"details": {"phone": "x"}},
        {"note": "身份证 11010519491231002X"},
        {"refs": ["11010519491231002X"]},
    ],
    ids=[
        "name",
        "holder_name",
        "id_number",
        "camel-case",
        "chinese-key",
        "nested",
        "id-in-text",
        "id-in-list",
    ],
)
def test_personal_data_is_refused(extra: dict[str, object]) -> None:
    """Fields named like personal data, or values holding an ID number, never reach the public log."""
    with pytest.raises(LedgerEntryError):
        entries.certificate_event("issue", CERT_NO, 1, JWS_SHA256, NOON_BEIJING, **extra)


def test_hashes_are_not_mistaken_for_id_numbers() -> None:
    """A hex digest in an extra field is recorded even when it starts with an ID-shaped digit run."""
    digest = "110105194912310038" + "ab" * 23
    data = entries.certificate_event("reissue", CERT_NO, 2, JWS_SHA256, NOON_BEIJING, supersedes=digest)
    assert entries.parse_entry(data)["supersedes"] == digest


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("publish", CERT_NO, 1, JWS_SHA256, NOON_BEIJING), "type"),
        (("issue", "50000020241000001A", 1, JWS_SHA256, NOON_BEIJING), "certificate number"),
        (("issue", "500000-20241000001z", 1, JWS_SHA256, NOON_BEIJING), "canonical"),
        (("issue", CERT_NO, 0, JWS_SHA256, NOON_BEIJING), "version"),
        (("issue", CERT_NO, 1, JWS_SHA256.upper(), NOON_BEIJING), "hex"),
        (("issue", CERT_NO, 1, JWS_SHA256, dt.datetime(2024, 10, 8, 12)), "timezone"),
    ],
    ids=["type", "check-char", "not-canonical", "version", "hex-case", "naive-time"],
)
def test_malformed_certificate_events_are_refused(args: tuple[object, ...], message: str) -> None:
    """Each required field is checked before anything is appended to the log."""
    with pytest.raises(LedgerEntryError, match=message):
        entries.certificate_event(*args)  # type: ignore[arg-type]


def test_parse_entry_refuses_non_canonical_bytes() -> None:
    """Bytes that are not exactly what a constructor writes are refused, so each entry has one form."""
    data = entries.key_event("key-compromise", "kid1", NOON_BEIJING)
    with pytest.raises(LedgerEntryError, match="canonical"):
        entries.parse_entry(data.replace(b",", b", "))
    with pytest.raises(LedgerEntryError):
        entries.parse_entry(b"[1]")
    with pytest.raises(LedgerEntryError):
        entries.parse_entry(b'{"type":"issue"}')


# --- the spelled-out bytes of a plain certificate event equal canonical_json --------------------
_LEVELS = list(Level)
_ZONES = st.sampled_from(
    [dt.UTC, dt.timezone(dt.timedelta(hours=8)), dt.timezone(dt.timedelta(hours=-5, minutes=-30))]
)


@given(
    type=st.sampled_from(sorted(entries.CERTIFICATE_EVENTS)),
    authority=st.from_regex(r"[0-9A-Z]{6}", fullmatch=True),
    year=st.integers(1000, 9999),
    level=st.sampled_from(_LEVELS),
    serial=st.integers(0, MAX_SERIAL),
    version=st.integers(1, 10**12),
    digest=st.binary(min_size=1, max_size=64).map(lambda data: hashlib.sha256(data).hexdigest()),
    moment=st.datetimes(timezones=_ZONES),
)
@settings(max_examples=300)
def test_plain_certificate_event_is_exactly_canonical_json(
    type: str,
    authority: str,
    year: int,
    level: Level,
    serial: int,
    version: int,
    digest: str,
    moment: dt.datetime,
) -> None:
    """A certificate event without extra fields is byte for byte the canonical JSON of its fields,
    whatever the number, version, digest, time zone and sub-second time."""
    number = make_certificate_number(authority, year, level, serial)
    expected = canonical_json(
        {
            "type": type,
            "time": _utc_text_uncached(moment),
            "certificate_number": number,
            "version": version,
            "credential_sha256": digest,
        }
    )
    assert entries.certificate_event(type, number, version, digest, moment) == expected
    assert entries.parse_entry(expected)["time"] == _utc_text_uncached(moment)


def test_equal_instants_in_different_zones_give_one_time() -> None:
    """The same instant written in two time zones is recorded with the same UTC time, and a later
    instant with its own, so remembering recent times never mixes them up."""
    in_utc = NOON_BEIJING.astimezone(dt.UTC)
    first = entries.certificate_event("issue", CERT_NO, 1, JWS_SHA256, NOON_BEIJING)
    assert entries.certificate_event("issue", CERT_NO, 1, JWS_SHA256, in_utc) == first
    later = entries.certificate_event("issue", CERT_NO, 1, JWS_SHA256, in_utc + dt.timedelta(microseconds=5))
    assert entries.parse_entry(later)["time"] == "2024-10-08T12:00:00.000005Z"


def test_int_and_str_subclasses_take_the_general_path() -> None:
    """A version given as a bool-free int subclass or a digest as a str subclass is written as
    canonical_json writes it, not through the subclass's own formatting."""

    class Version(int):
        def __format__(self, spec: str) -> str:
            return "not a number"

    class Digest(str):
        def __format__(self, spec: str) -> str:
            return "not a digest"

    data = entries.certificate_event("issue", CERT_NO, Version(3), Digest(JWS_SHA256), NOON_BEIJING)
    assert data == entries.certificate_event("issue", CERT_NO, 3, JWS_SHA256, NOON_BEIJING)


def _utc_text_uncached(moment: dt.datetime) -> str:
    utc = moment.astimezone(dt.UTC)
    spec = "microseconds" if utc.microsecond else "seconds"
    return utc.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


# --- who acted (issue 20) ---------------------------------------------------------------------------
REVIEWER = entries.actor_field("reviewer", "st-0123456789ab")


def test_an_entry_names_the_acting_role_and_pseudonymous_staff_id() -> None:
    """The actor member leads the canonical bytes (the fast path of issue entries spells them out, and
    they equal canonical_json), and parses back."""
    data = entries.certificate_event("issue", CERT_NO, 1, JWS_SHA256, NOON_BEIJING, actor=REVIEWER)
    expected = {
        "actor": {"role": "reviewer", "staff": "st-0123456789ab"},
        "certificate_number": CERT_NO,
        "credential_sha256": JWS_SHA256,
        "time": "2024-10-08T12:00:00Z",
        "type": "issue",
        "version": 1,
    }
    assert data == canonical_json(expected)
    assert data.startswith(b'{"actor":{"role":"reviewer","staff":"st-0123456789ab"},"certificate_number"')
    assert entries.parse_entry(data) == expected


def test_an_approved_change_names_both_people_and_the_proposal() -> None:
    """A change a second person approved carries proposed_by and the proposal's number; proposed_by
    without a proposal number is refused."""
    proposer = entries.actor_field("operator", "st-ba9876543210")
    data = entries.certificate_event(
        "revoke", CERT_NO, 1, JWS_SHA256, NOON_BEIJING, actor=REVIEWER, proposed_by=proposer, proposal=7
    )
    parsed = entries.parse_entry(data)
    assert (parsed["actor"], parsed["proposed_by"], parsed["proposal"]) == (REVIEWER, proposer, 7)
    with pytest.raises(LedgerEntryError):
        entries.certificate_event(
            "revoke", CERT_NO, 1, JWS_SHA256, NOON_BEIJING, actor=REVIEWER, proposed_by=proposer
        )
    key = entries.key_event(
        "key-rotate", "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", NOON_BEIJING, actor=REVIEWER
    )
    assert entries.parse_entry(key)["actor"] == REVIEWER


@pytest.mark.parametrize(
    ("role", "staff"),
    [
        ("admin", None),
        ("reviewer", "rev-500000"),
        ("reviewer", "张三"),
        ("reviewer", "st-0123"),
        ("holder", "11010519491231002X"),
    ],
    ids=["unknown-role", "a-login", "a-name", "short-digest", "an-id-number"],
)
def test_an_actor_is_a_role_and_a_pseudonym_only(role: str, staff: str | None) -> None:
    """A login, a name or an ID number can never stand as the staff id of a public entry."""
    with pytest.raises(LedgerEntryError):
        entries.actor_field(role, staff)
    with pytest.raises(LedgerEntryError):
        entries.certificate_event(
            "issue", CERT_NO, 1, JWS_SHA256, NOON_BEIJING, actor={"role": role, "staff": staff or ""}
        )


def test_entries_written_before_actors_existed_still_parse() -> None:
    """The old shape (no actor) is still a valid entry: nothing stored before issue 20 changes meaning."""
    old = (
        b'{"certificate_number":"50000020241000001Z","credential_sha256":"' + JWS_SHA256.encode() + b'",'
        b'"time":"2024-10-08T12:00:00Z","type":"issue","version":1}'
    )
    assert "actor" not in entries.parse_entry(old)
