"""Pure fixtures for the signing tests: a key store in a temp dir, sample facts, a fixed clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from certsvc.signing.credential import CredentialFacts, issuer_id_for_uscc
from certsvc.signing.jwks import KeySet
from certsvc.signing.keystore import FileKeyStore
from certsvc.signing.qrpayload import QrFields
from tests.signing.support import NOW, PASSPHRASE


@pytest.fixture
def store(tmp_path: Path) -> FileKeyStore:
    keystore = FileKeyStore(tmp_path / "keys", PASSPHRASE, unsafe_plaintext=False)
    keystore.ensure_initial_key(NOW)
    return keystore


@pytest.fixture
def keyset(store: FileKeyStore) -> KeySet:
    return KeySet.from_history(store.history())


@pytest.fixture
def facts() -> CredentialFacts:
    return CredentialFacts(
        certificate_number="HB2024GC0001237",
        version=1,
        holder_name="雷俊怡",
        title="工程师",
        level="中级",
        series="工程技术",
        specialty="数字技术",
        obtained=dt.date(2024, 11, 20),
        issuer_id=issuer_id_for_uscc("11421200011223344X"),
        issuer_name="咸宁市人力资源和社会保障局",
        status_list_id=1,
        status_index=4711,
        employer="重庆云链数据服务有限公司",
    )


@pytest.fixture
def qr_fields() -> QrFields:
    return QrFields(
        certificate_number="HB2024GC0001237",
        version=1,
        masked_name="雷*怡",
        title="工程师",
        level="中级",
        obtained=dt.date(2024, 11, 20),
        issued_at=NOW,
        status_list_id=1,
        status_index=4711,
    )
