"""The CJK font every rendering test uses (found once per session), and a key store with an issuing
CA and a seal certificate for the sample documents' authority."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from certsvc.documents.fonts import CjkFont, find_cjk_font
from certsvc.documents.signature import PdfSealer
from certsvc.signing.keystore import FileKeyStore
from tests.documents.support import SAMPLE_USCC, VERSION_ONE

KEYS_CREATED = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def font() -> CjkFont:
    return find_cjk_font()


@pytest.fixture(scope="session")
def session_keys(tmp_path_factory: pytest.TempPathFactory) -> FileKeyStore:
    store = FileKeyStore(tmp_path_factory.mktemp("keys"), b"test passphrase", unsafe_plaintext=False)
    store.ensure_initial_key(KEYS_CREATED)
    return store


@pytest.fixture(scope="session")
def sealer(session_keys: FileKeyStore) -> PdfSealer:
    """The sample authority's seal, as ``certificates.services.pdf_sealer`` builds it."""
    seal = session_keys.seal_key(SAMPLE_USCC, VERSION_ONE.authority_name, KEYS_CREATED)
    return PdfSealer(seal.private_key, seal.certificate, seal.ca_certificate)


@pytest.fixture
def keys(tmp_path: Path) -> FileKeyStore:
    """A fresh key store of its own, for tests that rotate keys."""
    store = FileKeyStore(tmp_path / "keys", b"test passphrase", unsafe_plaintext=False)
    store.ensure_initial_key(KEYS_CREATED)
    return store
