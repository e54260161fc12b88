"""Password hashing, password policy and TOTP codes: pure functions, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from certsvc.accounts import totp
from certsvc.accounts.passwords import check_new_password, hash_password, verify_password
from certsvc.errors import BadRequest, ConfigurationError
from certsvc.signing.keystore import DataKeys

NOW = dt.datetime(2026, 11, 21, 2, 0, tzinfo=dt.UTC)


def test_password_hash_verifies_only_the_right_password() -> None:
    """An argon2id hash accepts its password and nothing else; a missing hash never matches."""
    stored = hash_password("a long enough secret")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "a long enough secret")
    assert not verify_password(stored, "a long enough secreT")
    assert not verify_password(None, "a long enough secret")
    assert not verify_password("not a hash", "a long enough secret")


@pytest.mark.parametrize(
    ("password", "confirmation"),
    [("short", "short"), ("aaaaaaaaaaaa", "aaaaaaaaaaaa"), ("a long enough secret", "a different secret")],
)
def test_weak_or_mistyped_new_passwords_are_refused(password: str, confirmation: str) -> None:
    """Too short, too repetitive, or two entries that differ: the user is told, nothing is set."""
    with pytest.raises(BadRequest):
        check_new_password(password, confirmation)


def test_totp_accepts_the_current_code_once() -> None:
    """The code shown now is accepted; the same code again (a replay) is not."""
    secret = totp.new_secret()
    code = totp.code_at(secret, NOW)
    counter = totp.matching_counter(secret, code, NOW, None)
    assert counter is not None
    assert totp.matching_counter(secret, code, NOW, counter) is None


def test_totp_tolerates_one_step_of_clock_drift_but_not_more() -> None:
    """A phone 30 s off still works; a code from two minutes ago does not."""
    secret = totp.new_secret()
    assert totp.matching_counter(secret, totp.code_at(secret, NOW - dt.timedelta(seconds=30)), NOW, None)
    assert (
        totp.matching_counter(secret, totp.code_at(secret, NOW - dt.timedelta(minutes=2)), NOW, None) is None
    )
    assert totp.matching_counter(secret, "12345", NOW, None) is None
    assert totp.matching_counter(secret, "abcdef", NOW, None) is None


def test_totp_secret_is_encrypted_and_bound_to_its_user() -> None:
    """The stored secret does not contain the secret, and a row copied to another user fails."""
    keys = DataKeys(b"\x01" * 32)
    secret = totp.new_secret()
    blob = totp.encrypt_secret(keys, 7, secret)
    assert secret.encode() not in blob
    assert totp.decrypt_secret(keys, 7, blob) == secret
    with pytest.raises(ConfigurationError):
        totp.decrypt_secret(keys, 8, blob)
