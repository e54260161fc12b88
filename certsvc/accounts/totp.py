"""Time-based one-time passwords (RFC 6238, via pyotp) and their secrets at rest.

Secrets are encrypted with AES-GCM under a key derived from the key store's master secret, bound
to the user id, so a copied row cannot be moved to another account.
"""

from __future__ import annotations

import datetime as dt
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
