"""``certsvc ledger audit``: recompute the ledger from its entries and name the first thing that differs."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certsvc.cli import main
from certsvc.db.session import Database
from certsvc.errors import CheckpointError
from certsvc.ledger import checkpoint, merkle
from certsvc.ledger import services as ledger
from certsvc.runtime import Runtime
from tests.ledger.db_helpers import (
    add_certificate,
    append,
    append_batches,
    certificate_event,
    certificate_number,
    key_entries,
    tamper,
)

BATCHES = [3, 5, 1, 8]


@pytest.fixture
def cli_env(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the ``certsvc`` command at the test's database and keys."""
    settings = runtime.settings
    monkeypatch.setenv("CERTSVC_ENV", "test")
    monkeypatch.setenv("CERTSVC_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CERTSVC_KEYS_DIR", str(settings.keys_dir))
    monkeypatch.setenv("CERTSVC_INSTANCE_DIR", str(settings.instance_dir))
    monkeypatch.setenv("CERTSVC_BASE_URL", settings.base_url)
    monkeypatch.setenv("CERTSVC_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("CERTSVC_LEDGER_ORIGIN", settings.ledger_origin)


@pytest.mark.usefixtures("cli_env")
def test_an_untouched_ledger_audits_clean(runtime: Runtime, capsys: pytest.CaptureFixture[str]) -> None:
    """The command exits 0 and says how much it checked: every entry, subtree and checkpoint."""
    append_batches(runtime, BATCHES)
    assert main(["ledger", "audit"]) == 0
    out = capsys.readouterr().out
    assert "OK" in out
    assert "17 entries" in out
    assert "4 checkpoints" in out
    report = ledger.audit(runtime, None)
    assert (report.entries, report.nodes, report.checkpoints) == (17, 17 - 2, 4)


def test_an_empty_ledger_audits_clean(runtime: Runtime) -> None:
    """A fresh installation has nothing to check and nothing wrong."""
    report = ledger.audit(runtime, None)
    assert report.ok
    assert report.entries == 0


@pytest.mark.parametrize(
    ("statements", "named"),
    [
        (["UPDATE ledger_entries SET content = {content} WHERE idx = 6"], "entry 6: stored leaf hash"),
        # A careful forger rewrites the leaf hash too; the subtree above it no longer matches.
        (
            ["UPDATE ledger_entries SET content = {content}, leaf_hash = {leaf} WHERE idx = 6"],
            "node (level 1, index 3)",
        ),
        (["DELETE FROM ledger_entries WHERE idx = 9"], "entry 9 is missing"),
        (["UPDATE ledger_nodes SET hash = {leaf} WHERE level = 2 AND idx = 1"], "node (level 2, index 1)"),
        (["DELETE FROM ledger_nodes WHERE level = 3 AND idx = 0"], "node (level 3, index 0) is missing"),
        (["UPDATE ledger_checkpoints SET root = {leaf} WHERE size = 9"], "checkpoint 9: stored root"),
        (
            ["UPDATE ledger_checkpoints SET note = replace(note, '\n9\n', '\n8\n') WHERE size = 9"],
            "checkpoint 9",
        ),
        (["UPDATE ledger_head SET size = 16"], "head says 16 entries but 17 are stored"),
    ],
)
@pytest.mark.usefixtures("cli_env")
def test_tampering_with_triggers_dropped_fails_the_audit_naming_it(
    runtime: Runtime,
    database: Database,
    capsys: pytest.CaptureFixture[str],
    statements: list[str],
    named: str,
) -> None:
    """Someone with database access drops the triggers and rewrites history: exit 1, naming where."""
    append_batches(runtime, BATCHES)
    literals = {"leaf": _blob(database, merkle.leaf_hash(b"{}")), "content": _blob(database, b"{}")}
    tamper(database, *(statement.format(**literals) for statement in statements))
    assert main(["ledger", "audit"]) == 1
    err = capsys.readouterr().err
    assert "FAILED" in err
    assert named in err


def _blob(database: Database, data: bytes) -> str:
    return f"X'{data.hex()}'" if database.dialect == "sqlite" else f"'\\x{data.hex()}'::bytea"


@pytest.mark.usefixtures("cli_env")
def test_a_saved_checkpoint_is_checked_for_consistency(
    runtime: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An auditor's earlier checkpoint must be a prefix of today's log (``--since FILE``)."""
    append_batches(runtime, BATCHES[:2])
    saved = tmp_path / "checkpoint.txt"
    assert main(["ledger", "checkpoint"]) == 0
    saved.write_text(capsys.readouterr().out, encoding="utf-8")
    append(runtime, key_entries(6, start=100))
    assert main(["ledger", "audit", "--since", str(saved)]) == 0
    assert "extends the saved checkpoint of size 8" in capsys.readouterr().out


def test_a_forked_log_fails_the_since_check(runtime: Runtime) -> None:
    """A checkpoint the log once signed for other contents proves the history was rewritten."""
    append_batches(runtime, [4])
    fork = [merkle.leaf_hash(entry) for entry in key_entries(4, start=50)]
    name = ledger.note_key_name(runtime.settings.ledger_origin)
    note = checkpoint.sign_note(
        checkpoint.format_checkpoint(runtime.settings.ledger_origin, 4, merkle.root(fork)),
        name,
        runtime.keys.ledger_note_key(runtime.now()),
    )
    report = ledger.audit(runtime, note)
    assert not report.ok
    assert "not a prefix of this ledger" in (report.mismatch or "")


def test_a_saved_checkpoint_larger_than_the_log_fails(runtime: Runtime) -> None:
    """The log cannot shrink below a size it once signed."""
    log = append_batches(runtime, [4])
    leaves = [merkle.leaf_hash(entry) for entry in [*log, *key_entries(2, start=9)]]
    note = ledger.checkpoint_signer(runtime)(6, merkle.root(leaves))
    report = ledger.audit(runtime, note)
    assert "larger than the ledger" in (report.mismatch or "")


@pytest.mark.usefixtures("cli_env")
def test_a_checkpoint_signed_by_another_key_is_refused(runtime: Runtime, tmp_path: Path) -> None:
    """A saved checkpoint that this log's key did not sign cannot vouch for anything: exit 1."""
    append_batches(runtime, [2])
    saved = tmp_path / "foreign.txt"
    body = checkpoint.format_checkpoint(runtime.settings.ledger_origin, 2, merkle.EMPTY_ROOT)
    name = ledger.note_key_name(runtime.settings.ledger_origin)
    saved.write_text(checkpoint.sign_note(body, name, Ed25519PrivateKey.generate()), encoding="utf-8")
    assert main(["ledger", "audit", "--since", str(saved)]) == 1
    with pytest.raises(CheckpointError):
        ledger.audit(runtime, saved.read_text(encoding="utf-8"))


def _certificate_history(runtime: Runtime) -> None:
    """Certificate 1 issued, reissued, revoked; 2 issued and suspended; 3 issued, suspended, reinstated."""
    append(runtime, [certificate_event("issue", serial, 1) for serial in (1, 2, 3)])
    append(runtime, [certificate_event("reissue", 1, 2), certificate_event("suspend", 2, 1)])
    append(
        runtime, [certificate_event("suspend", 3, 1), *key_entries(1), certificate_event("reinstate", 3, 1)]
    )
    append(runtime, [certificate_event("revoke", 1, 2)])
    add_certificate(runtime, 1, status="revoked", version=2)
    add_certificate(runtime, 2, status="suspended", version=1)
    add_certificate(runtime, 3, status="valid", version=1)


def test_certificate_states_match_the_replayed_history(runtime: Runtime) -> None:
    """Replaying issue/reissue/suspend/reinstate/revoke entries gives every certificate's current state."""
    _certificate_history(runtime)
    report = ledger.audit(runtime, None)
    assert report.ok, report.mismatch
    assert report.certificates == 3


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        # Quietly un-revoking a certificate in the database, without a ledger entry.
        (
            "UPDATE certificates SET status = 'valid' WHERE number = '{one}'",
            "certificate {one} is version 2 valid",
        ),
        (
            "UPDATE certificate_versions SET status = 'valid' WHERE version = 2",
            "certificate {one}: its current version is valid, not revoked",
        ),
        (
            "UPDATE certificates SET current_version = 1 WHERE number = '{one}'",
            "certificate {one} is version 1",
        ),
    ],
)
def test_a_certificate_changed_behind_the_ledgers_back_fails(
    runtime: Runtime, database: Database, statement: str, named: str
) -> None:
    """A status change that never went through the ledger is found and the certificate named."""
    _certificate_history(runtime)
    one = certificate_number(1)
    tamper(database, statement.format(one=one))
    report = ledger.audit(runtime, None)
    assert named.format(one=one) in (report.mismatch or "")


def test_a_certificate_without_ledger_history_fails(runtime: Runtime) -> None:
    """A certificate issued without its ledger entry is named."""
    _certificate_history(runtime)
    add_certificate(runtime, 4, status="valid", version=1)
    report = ledger.audit(runtime, None)
    assert report.mismatch == f"certificate {certificate_number(4)} has no history in the ledger"


def test_an_impossible_history_fails(runtime: Runtime) -> None:
    """A status event for a version that is not current is an inconsistent history."""
    append(runtime, [certificate_event("issue", 7, 1), certificate_event("revoke", 7, 2)])
    add_certificate(runtime, 7, status="revoked", version=1)
    report = ledger.audit(runtime, None)
    assert report.mismatch is not None
    assert report.mismatch.startswith("entry 1: revoke of")


def test_a_ledger_of_entries_with_and_without_actors_audits_clean(runtime: Runtime) -> None:
    """Entries from before issue 20 (no actor) and after (actor, proposal) sit in one tree; the audit
    recomputes it from the stored bytes and finds nothing wrong."""
    from certsvc.ledger.entries import actor_field, key_event

    old = key_entries(3)
    append(runtime, old)
    moment = runtime.now()
    new = [
        key_event("key-rotate", f"kid-{n}", moment, actor=actor_field("reviewer", "st-0123456789ab"))
        for n in range(3)
    ]
    append(runtime, new)
    report = ledger.audit(runtime, None)
    assert report.ok and report.entries == 6
