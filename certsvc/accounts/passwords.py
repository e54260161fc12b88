"""Password hashing (argon2id via argon2-cffi) and the minimum password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from certsvc.errors import BadRequest

MIN_LENGTH = 10
MAX_LENGTH = 256

# argon2-cffi's defaults follow RFC 9106's second recommended profile (64 MiB, 3 passes).
_hasher = PasswordHasher()
# Verified when the account does not exist, so "unknown user" costs as much time as "wrong password".
_DUMMY_HASH = _hasher.hash("certsvc-no-such-account")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; always spends one argon2 verification, even without a hash."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def check_new_password(password: str, confirmation: str | None = None) -> str:
    """The password if it is acceptable as a new password; ``BadRequest`` saying why otherwise."""
    if confirmation is not None and password != confirmation:
        raise BadRequest("the two passwords differ", detail_zh="两次输入的密码不一致")
    if len(password) < MIN_LENGTH:
        raise BadRequest(
            f"a password needs at least {MIN_LENGTH} characters",
            detail_zh=f"密码至少需要 {MIN_LENGTH} 个字符",
        )
    if len(password) > MAX_LENGTH:
        raise BadRequest(f"a password has at most {MAX_LENGTH} characters", detail_zh="密码过长")
    if len(set(password)) < 4:
        raise BadRequest("this password is too easy to guess", detail_zh="密码过于简单")
    return password
