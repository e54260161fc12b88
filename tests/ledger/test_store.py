"""The SQL ledger: appends, proofs, signed checkpoints and append-only tables, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import multiprocessing

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from certsvc.db.session import Database
from certsvc.errors import NotFound
from certsvc.ledger import checkpoint, merkle
from certsvc.ledger import services as ledger
from certsvc.ledger.store import LedgerStore
from certsvc.runtime import Runtime
from tests.ledger.db_helpers import (
    APPEND_ONLY_TABLES,
    append,
    append_batches,
    concurrent_appender,
    key_entries,
)

BATCH_SIZES = [1, 1, 2, 3, 5, 8, 13, 21, 1, 16, 7]


def test_stored_roots_and_proofs_equal_the_pure_merkle_functions(runtime: Runtime) -> None:
    """For every tree size the log went through, the store's root and proofs are RFC 6962's."""
    log = append_batches(runtime, [1, 1, 2, 3, 5, 8, 13, 1, 7])
    leaves = [merkle.leaf_hash(entry) for entry in log]
    with runtime.database.read() as session:
        store = LedgerStore(session)
        assert store.size() == len(log)
        for size in range(1, len(log) + 1):
            assert store.root(size) == merkle.root(leaves[:size])
            for index in range(size):
                assert store.inclusion_proof(index, size) == merkle.inclusion_proof(index, leaves[:size])
            for first in range(1, size + 1):
                assert store.consistency_proof(first, size) == merkle.consistency_proof(first, leaves[:size])


def test_every_batch_ends_with_a_signed_checkpoint_of_its_tree(runtime: Runtime) -> None:
    """Each committed batch leaves a C2SP checkpoint, signed by the published key, over the right root."""
    log = append_batches(runtime, BATCH_SIZES)
    leaves = [merkle.leaf_hash(entry) for entry in log]
    key = ledger.verifier_key(runtime)
    sizes = [sum(BATCH_SIZES[: n + 1]) for n in range(len(BATCH_SIZES))]
    with runtime.database.read() as session:
        store = LedgerStore(session)
        for size in sizes:
            stored = store.checkpoint(size)
            assert stored is not None
            signed = checkpoint.verify_note(stored.note, key, origin=runtime.settings.ledger_origin)
            assert (signed.size, signed.root) == (size, merkle.root(leaves[:size]))
        assert [size for size, _, _ in store.iter_checkpoints()] == sizes


def test_consistency_proofs_between_every_pair_of_checkpoints_verify(runtime: Runtime) -> None:
    """An auditor holding any two signed checkpoints can prove the log only grew between them."""
    append_batches(runtime, BATCH_SIZES)
    key = ledger.verifier_key(runtime)
    with runtime.database.read() as session:
        store = LedgerStore(session)
        signed = [checkpoint.verify_note(note, key) for _, _, note in store.iter_checkpoints()]
        for older in signed:
            for newer in signed:
                if older.size <= newer.size:
                    proof = store.consistency_proof(older.size, newer.size)
                    merkle.verify_consistency(older.size, newer.size, older.root, newer.root, proof)


def test_evidence_proves_inclusion_against_the_latest_checkpoint(runtime: Runtime) -> None:
    """Verification pages get an entry's proof and the signed checkpoint it verifies against."""
    log = append_batches(runtime, [3, 4])
    with runtime.database.read() as session:
        proof = ledger.evidence(session, runtime, 2)
    signed = checkpoint.verify_note(proof["checkpoint"], ledger.verifier_key(runtime))
    assert (proof["index"], proof["size"], signed.size) == (2, len(log), len(log))
    hashes = [base64.b64decode(digest) for digest in proof["hashes"]]
    merkle.verify_inclusion(2, signed.size, merkle.leaf_hash(log[2]), hashes, signed.root)


def test_evidence_for_an_entry_not_in_the_log_is_not_found(runtime: Runtime) -> None:
    """Asking for the proof of an entry beyond the log is a 404, not a crash."""
    append_batches(runtime, [2])
    with runtime.database.read() as session, pytest.raises(NotFound):
        ledger.evidence(session, runtime, 2)


def test_an_empty_batch_writes_nothing(runtime: Runtime) -> None:
    """Recording no entries neither grows the log nor signs a checkpoint."""
    assert append(runtime, []) == []
    with runtime.database.read() as session:
        assert LedgerStore(session).size() == 0
        assert LedgerStore(session).latest_checkpoint() is None


def test_a_rolled_back_batch_leaves_no_gap(runtime: Runtime) -> None:
    """Indexes come from the ledger head, so an aborted issue does not burn sequence numbers."""
    append_batches(runtime, [2])
    with pytest.raises(RuntimeError), runtime.database.write() as session:
        ledger.record(session, runtime, key_entries(5, start=100))
        raise RuntimeError("issuing failed after the ledger append")
    assert append(runtime, key_entries(1, start=200)) == [2]


def _refused_statements(dialect: str, table: str) -> list[str]:
    column = "hash" if table == "ledger_nodes" else "created_at"
    common = [f"UPDATE {table} SET {column} = {column}", f"DELETE FROM {table}"]
    if dialect == "postgresql":
        return [*common, f"TRUNCATE {table}"]
    # REPLACE deletes the old row without firing DELETE triggers; a BEFORE INSERT trigger catches it.
    replace = {
        "ledger_entries": "INSERT OR REPLACE INTO ledger_entries SELECT idx, leaf_hash, X'00', created_at "
        "FROM ledger_entries WHERE idx = 0",
        "ledger_nodes": "INSERT OR REPLACE INTO ledger_nodes VALUES (1, 0, zeroblob(32))",
        "ledger_checkpoints": "REPLACE INTO ledger_checkpoints SELECT size, root, 'forged', created_at "
        "FROM ledger_checkpoints",
    }
    return [*common, replace[table]]


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_ledger_tables_refuse_every_change(runtime: Runtime, database: Database, table: str) -> None:
    """UPDATE, DELETE, TRUNCATE (PostgreSQL) and INSERT OR REPLACE (SQLite) are refused by the database."""
    append_batches(runtime, [4])
    with runtime.database.read() as session:
        root_before = LedgerStore(session).root(4)
    for statement in _refused_statements(database.dialect, table):
        with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as connection:
            connection.execute(text(statement))
    with runtime.database.read() as session:
        assert LedgerStore(session).root(4) == root_before
    assert ledger.audit(runtime, None).ok


def test_the_head_may_only_grow(runtime: Runtime, database: Database) -> None:
    """Shrinking or deleting the head (to overwrite entries later) is refused; growing it is the append."""
    append_batches(runtime, [3])
    refused = ["UPDATE ledger_head SET size = 1", "DELETE FROM ledger_head"]
    refused.append(
        "TRUNCATE ledger_head"
        if database.dialect == "postgresql"
        else "REPLACE INTO ledger_head VALUES (1, 0)"
    )
    for statement in refused:
        with (
            pytest.raises(DBAPIError, match=r"may only grow|append-only"),
            database.engine.begin() as connection,
        ):
            connection.execute(text(statement))
    with runtime.database.read() as session:
        assert LedgerStore(session).size() == 3


def test_concurrent_appending_processes_leave_a_contiguous_consistent_log(runtime: Runtime) -> None:
    """Four processes, each with its own engine, append at once; the log stays gap-free and audits clean."""
    workers, batches = 4, 12
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers) as pool:
        results = pool.starmap(
            concurrent_appender, [(runtime.settings, worker, batches, worker) for worker in range(workers)]
        )
    indexes = sorted(index for result in results for index in result)
    assert indexes == list(range(len(indexes)))
    for result in results:
        assert result == sorted(result)  # each process saw its own batches in log order
    report = ledger.audit(runtime, None)
    assert report.ok, report.mismatch
    assert (report.entries, report.checkpoints) == (len(indexes), workers * batches)
