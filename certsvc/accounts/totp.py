"""Time-based one-time passwords (RFC 6238, via pyotp) and their secrets at rest.

Secrets are encrypted with AES-GCM under a key derived from the key store's master secret, bound
to the user id, so a copied row cannot be moved to another account.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from certsvc.errors import ConfigurationError
from certsvc.signing.keystore import DataKeys

ISSUER_NAME = "certsvc"
STEP_SECONDS = 30
_NONCE_BYTES = 12


def new_secret() -> str:
    return pyotp.random_base32()


def enrolment_secret(keys: DataKeys, user_id: int, auth_epoch: int, session_id: str) -> str:
    """The secret offered while TOTP is being set up in one signed-in session, derived server-side.

    Nothing about it travels in the (readable, only signed) session cookie: it is recomputed from
    the master secret, the account, its authentication epoch and the session id, so it stays the
    same across page loads of one set-up and is new after the epoch changes or in another session
    (issue 16, finding 6).
    """
    material = f"{user_id}|{auth_epoch}|{session_id}".encode()
    digest = hmac.new(keys.derive("totp-enrolment"), material, hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode("ascii")


def provisioning_uri(secret: str, account_label: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account_label, issuer_name=ISSUER_NAME)


def matching_counter(secret: str, code: str, now: dt.datetime, last_counter: int | None) -> int | None:
    """The time-step counter ``code`` belongs to (current step ± 1), or None.

    A code whose counter is not after ``last_counter`` was already used: refusing it stops replay.
    """
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for counter in (current, current - 1, current + 1):
        if last_counter is not None and counter <= last_counter:
            continue
        if secrets.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def code_at(secret: str, now: dt.datetime) -> str:
    """The code an authenticator shows at ``now`` (for tests and enrolment checks)."""
    return pyotp.TOTP(secret).at(now)


def encrypt_secret(data_keys: DataKeys, user_id: int, secret: str) -> bytes:
    nonce = secrets.token_bytes(_NONCE_BYTES)
    aead = AESGCM(data_keys.derive("totp-secret"))
    return nonce + aead.encrypt(nonce, secret.encode("ascii"), _associated(user_id))


def decrypt_secret(data_keys: DataKeys, user_id: int, blob: bytes) -> str:
    aead = AESGCM(data_keys.derive("totp-secret"))
    try:
        plain = aead.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], _associated(user_id))
    except InvalidTag:
        raise ConfigurationError("a TOTP secret cannot be decrypted: wrong master secret?") from None
    return plain.decode("ascii")


def _associated(user_id: int) -> bytes:
    return f"certsvc-totp:{user_id}".encode("ascii")
