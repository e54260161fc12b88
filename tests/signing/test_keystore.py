"""The file key store: protection at rest, rotation, compromise, shared directories, data keys."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest
from jwcrypto import jwk

from certsvc.errors import KeyStoreError
from certsvc.signing.keystore import FileKeyStore, UnsafePlaintextKeys
from tests.signing.support import NOW, PASSPHRASE

LATER = NOW + dt.timedelta(days=30)


def _private_files(keys_dir: Path) -> list[Path]:
    return [path for path in keys_dir.iterdir() if path.suffix in (".pem", ".key")]


def test_initial_key_is_idempotent_across_processes(tmp_path: Path) -> None:
    """Running init twice, or from a second process, keeps the one key instead of minting another."""
    first = FileKeyStore(tmp_path, PASSPHRASE, unsafe_plaintext=False).ensure_initial_key(NOW)
    again = FileKeyStore(tmp_path, PASSPHRASE, unsafe_plaintext=False).ensure_initial_key(LATER)
    assert again == first
    assert len(FileKeyStore(tmp_path, PASSPHRASE, unsafe_plaintext=False).history()) == 1


def test_private_files_are_encrypted_and_owner_only(store: FileKeyStore, tmp_path: Path) -> None:
    """Every private file is passphrase-encrypted PKCS#8 with mode 0600; the passphrase is nowhere on disk."""
    files = _private_files(tmp_path / "keys")
    assert {path.name for path in files} >= {"ledger-note.pem", "master.key", "issuing-ca.pem"}
    assert len(files) == 4
    for path in files:
        content = path.read_bytes()
        assert content.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        assert PASSPHRASE not in content
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_manifest_lists_public_history(store: FileKeyStore, tmp_path: Path) -> None:
    """keys.json holds kid, public x, window, compromise and status for each key, and no private key."""
    text = (tmp_path / "keys" / "keys.json").read_text(encoding="utf-8")
    entry = json.loads(text)["signing_keys"][0]
    assert set(entry) == {"kid", "x", "not_before", "not_after", "compromised_since", "status"}
    assert entry["not_after"] is None and entry["status"] == "active"
    assert "PRIVATE" not in text and '"d"' not in text


def test_kid_is_rfc7638_thumbprint(store: FileKeyStore) -> None:
    """The key id equals the RFC 7638 thumbprint an independent JOSE library computes."""
    info = store.history()[0]
    key = jwk.JWK(kty="OKP", crv="Ed25519", x=info.x)
    assert info.kid == key.thumbprint()


def test_wrong_passphrase_is_refused(store: FileKeyStore, tmp_path: Path) -> None:
    """A store opened with the wrong passphrase cannot sign, and says so without leaking key bytes."""
    other = FileKeyStore(tmp_path / "keys", b"wrong", unsafe_plaintext=False)
    with pytest.raises(KeyStoreError, match="wrong passphrase"):
        other.current(NOW)


def test_production_requires_a_passphrase(tmp_path: Path) -> None:
    """Without a passphrase a production store refuses to start rather than write plaintext keys."""
    with pytest.raises(KeyStoreError):
        FileKeyStore(tmp_path, None, unsafe_plaintext=False)


def test_unsafe_plaintext_mode_is_loud_and_refused_in_production(tmp_path: Path) -> None:
    """Development mode warns by name and writes plaintext; a production store then refuses those files."""
    with pytest.warns(UnsafePlaintextKeys):
        dev = FileKeyStore(tmp_path, None, unsafe_plaintext=True)
    dev.ensure_initial_key(NOW)
    assert dev.current(NOW).kid == dev.history()[0].kid
    assert all(b"BEGIN PRIVATE KEY" in path.read_bytes() for path in _private_files(tmp_path))
    with pytest.raises(KeyStoreError, match="not encrypted"):
        FileKeyStore(tmp_path, PASSPHRASE, unsafe_plaintext=False).current(NOW)


def test_repr_shows_no_private_material(store: FileKeyStore) -> None:
    """repr of the store, a signing key and the data keys never shows key bytes or the passphrase."""
    key = store.current(NOW)
    raw = key.private_key.private_bytes_raw()
    texts = [repr(store), repr(key), repr(store.data_keys())]
    for text in texts:
        assert raw.hex() not in text and str(raw) not in text
        assert PASSPHRASE.decode() not in text
    assert "redacted" in texts[2]


def test_rotation_closes_old_window_and_opens_new(store: FileKeyStore) -> None:
    """After rotate(t) the old key ends at t, the new one starts at t and is the one used to sign."""
    old = store.current(NOW)
    new_info = store.rotate(LATER)
    first, second = store.history()
    assert first.kid == old.kid and first.not_after == LATER and first.status == "retired"
    assert second == new_info and second.not_before == LATER and second.not_after is None
    assert store.current(LATER + dt.timedelta(seconds=1)).kid == new_info.kid
    assert store.current(LATER - dt.timedelta(seconds=1)).kid == old.kid


def test_rotation_in_one_process_reaches_another(store: FileKeyStore, tmp_path: Path) -> None:
    """A second server process sharing the directory signs with the new key after a rotation elsewhere."""
    other = FileKeyStore(tmp_path / "keys", PASSPHRASE, unsafe_plaintext=False)
    assert other.current(NOW).kid == store.current(NOW).kid
    new_info = store.rotate(LATER)
    assert other.current(LATER).kid == new_info.kid


def test_compromised_current_key_stops_signing_until_rotation(store: FileKeyStore) -> None:
    """A key marked compromised is never handed out for signing; rotating restores signing."""
    kid = store.current(NOW).kid
    info = store.mark_compromised(kid, NOW + dt.timedelta(days=1))
    assert info.status == "compromised"
    with pytest.raises(KeyStoreError):
        store.current(LATER)
    store.rotate(LATER)
    assert store.current(LATER).kid != kid
    assert store.history()[0].compromised_since == NOW + dt.timedelta(days=1)


def test_mark_compromised_unknown_kid(store: FileKeyStore) -> None:
    """Marking a key that does not exist is an error, not a silent no-op."""
    with pytest.raises(KeyStoreError):
        store.mark_compromised("no-such-kid", NOW)


def test_data_keys_are_stable_and_purpose_specific(store: FileKeyStore, tmp_path: Path) -> None:
    """Every process derives the same 32-byte keys from master.key, and each purpose gets its own key."""
    mine = store.data_keys()
    theirs = FileKeyStore(tmp_path / "keys", PASSPHRASE, unsafe_plaintext=False).data_keys()
    keys = {mine.blind_index, mine.id_encryption, mine.status_permutation}
    assert len(keys) == 3 and all(len(key) == 32 for key in keys)
    assert theirs.blind_index == mine.blind_index
    assert mine.derive("other-purpose") not in keys


def test_data_keys_are_never_invented_for_an_uninitialised_directory(tmp_path: Path) -> None:
    """A missing master secret is an error: a fresh one would make every stored blind index unreadable."""
    with pytest.raises(KeyStoreError, match="certsvc init"):
        FileKeyStore(tmp_path, PASSPHRASE, unsafe_plaintext=False).data_keys()


def test_ledger_note_key_is_separate_and_stable(store: FileKeyStore, tmp_path: Path) -> None:
    """The ledger note key differs from the signing key and is the same for every process."""
    note = store.ledger_note_key(NOW)
    again = FileKeyStore(tmp_path / "keys", PASSPHRASE, unsafe_plaintext=False).ledger_note_key(LATER)
    assert note.public_key().public_bytes_raw() == again.public_key().public_bytes_raw()
    signing_public = store.current(NOW).private_key.public_key().public_bytes_raw()
    assert note.public_key().public_bytes_raw() != signing_public
