"""Signing and offline verification rates, side by side in one run (DESIGN §6).

Targets: signing alone ~22,000/s; offline QR verification >= 5,000/s and at least half the raw
Ed25519 verify rate measured in the same run (the ``ratio`` column).
"""

from __future__ import annotations

import datetime as dt
import tempfile

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench import Case, Row, rate
from certsvc.signing.credential import CredentialFacts, sign_credential
from certsvc.signing.jwks import KeySet, jwks_document
from certsvc.signing.keystore import FileKeyStore
from certsvc.signing.qrpayload import QrFields, encode_qr, qr_url
from certsvc.signing.statuslist import StatusBits, sign_status_list, status_list_url, verify_status_list
from certsvc.signing.verifier import StatusEvidence, verify

NOW = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)
BASE_URL = "https://zhicheng.example.gov.cn"
FACTS = CredentialFacts(
    certificate_number="HB2024GC0001237",
    version=1,
    holder_name="雷俊怡",
    title="工程师",
    level="中级",
    series="工程技术",
    specialty="数字技术",
    obtained=dt.date(2024, 11, 20),
    issuer_id="urn:uscc:11421200011223344X",
    issuer_name="咸宁市人力资源和社会保障局",
    status_list_id=1,
    status_index=4711,
)
QR = QrFields("HB2024GC0001237", 1, "雷*怡", "工程师", "中级", dt.date(2024, 11, 20), NOW, 1, 4711)


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as keys_dir:
        store = FileKeyStore(keys_dir, b"bench passphrase", unsafe_plaintext=False)
        store.ensure_initial_key(NOW)
        key = store.current(NOW)
        keyset = KeySet.from_jwks(jwks_document(store.history()))
    evidence = StatusEvidence.of(
        verify_status_list(
            sign_status_list(
                StatusBits(), purpose, status_list_url(BASE_URL, 1, purpose), key, NOW, ttl_seconds=3600
            ),
            keyset,
            NOW,
        )
        for purpose in ("revocation", "suspension")
    )
    raw_key = Ed25519PrivateKey.generate()
    raw_public = raw_key.public_key()
    message = b"x" * 200
    raw_signature = raw_key.sign(message)
    credential = sign_credential(FACTS, key, BASE_URL, NOW)
    url = qr_url(BASE_URL, encode_qr(QR, key))
    assert verify(url, keyset, NOW, evidence).outcome == "valid"
    assert verify(credential, keyset, NOW, evidence).outcome == "valid"

    raw_sign = rate(lambda: raw_key.sign(message))
    raw_verify = rate(lambda: raw_public.verify(raw_signature, message))
    jws_sign = rate(lambda: sign_credential(FACTS, key, BASE_URL, NOW))
    qr_sign = rate(lambda: encode_qr(QR, key))
    jws_verify = rate(lambda: verify(credential, keyset, NOW, evidence))
    qr_verify = rate(lambda: verify(url, keyset, NOW, evidence))
    return [
        {"metric": "raw Ed25519 sign", "value": raw_sign, "unit": "/s"},
        {"metric": "raw Ed25519 verify", "value": raw_verify, "unit": "/s"},
        {"metric": "JWS credential sign", "value": jws_sign, "unit": "/s", "ratio": jws_sign / raw_sign},
        {"metric": "QR token sign", "value": qr_sign, "unit": "/s", "ratio": qr_sign / raw_sign},
        {
            "metric": "JWS verify (offline, with status)",
            "value": jws_verify,
            "unit": "/s",
            "ratio": jws_verify / raw_verify,
        },
        {
            "metric": "QR URL verify (offline, with status)",
            "value": qr_verify,
            "unit": "/s",
            "ratio": qr_verify / raw_verify,
        },
    ]


CASES = [Case("signing", run)]
