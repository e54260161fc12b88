"""Ledger use cases: record entries, give evidence of inclusion, publish the note key, audit.

``record`` and ``evidence`` run inside the caller's transaction; ``audit`` opens its own read
transaction so that it sees one consistent snapshot of the whole ledger.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from sqlalchemy.orm import Session

from certsvc.errors import NotFound
from certsvc.ledger import checkpoint as notes
from certsvc.ledger.audit import AuditReport, audit_ledger
from certsvc.ledger.store import CheckpointSigner, LedgerStore
from certsvc.runtime import Runtime

_NOT_IN_KEY_NAME = re.compile(r"[\s+]")


def note_key_name(origin: str) -> str:
    """The note key name: the log origin, as C2SP checkpoints customarily use, made a valid key name."""
    return _NOT_IN_KEY_NAME.sub("-", origin)


def verifier_key(runtime: Runtime) -> str:
    """The checkpoint verifier key, ``name+hex(key ID)+base64(0x01 ‖ public key)``, for auditors to pin."""
    public_key = runtime.keys.ledger_note_key(runtime.now()).public_key()
    return notes.verifier_key(note_key_name(runtime.settings.ledger_origin), public_key)


def checkpoint_signer(runtime: Runtime) -> CheckpointSigner:
    """Sign the checkpoint of a tree (size, root) with the ledger note key."""
    origin = runtime.settings.ledger_origin
    name = note_key_name(origin)
    private_key = runtime.keys.ledger_note_key(runtime.now())

    def sign(size: int, root: bytes) -> str:
        return notes.sign_note(notes.format_checkpoint(origin, size, root), name, private_key)

    return sign


def lock(session: Session) -> None:
    """Take the ledger's append lock now, before any other row lock.

    Every writing use case ends by appending to the ledger. Taking the ledger lock first in all of
    them gives writers one lock order (ledger, then rows), so on PostgreSQL an import and a reissue
    queue up instead of deadlocking. Taking it again later in the same transaction is free.
    """
    LedgerStore(session).lock()


def record(session: Session, runtime: Runtime, entries: list[bytes]) -> list[int]:
    """Append ``entries`` (canonical entry bytes) and a new signed checkpoint; return their indexes.

    ``entries`` come from the ``certsvc.ledger.entries`` constructors, which refuse malformed
    entries and personal data; they are not parsed again here (that would cost a quarter of the
    append time). One call per batch: the ledger lock is held from here to the caller's commit,
    so call this late in the transaction. Nothing is written for an empty batch.
    """
    if not entries:
        return []
    first = LedgerStore(session).append(
        entries, now=runtime.now(), sign_checkpoint=checkpoint_signer(runtime)
    )
    return list(range(first, first + len(entries)))


def evidence(session: Session, runtime: Runtime, index: int) -> dict[str, Any]:
    """Entry ``index``'s inclusion proof against the latest signed checkpoint.

    ``{"index", "leaf_hash", "size", "root", "hashes", "checkpoint"}``, hashes in standard base64.
    """
    store = LedgerStore(session)
    latest = store.latest_checkpoint()
    if latest is None or not 0 <= index < latest.size:
        raise NotFound(f"ledger entry {index} is not covered by a signed checkpoint")
    entry = store.entry(index)
    if entry is None:
        raise NotFound(f"ledger entry {index} does not exist")
    return {
        "index": index,
        "leaf_hash": b64(entry.leaf_hash),
        "size": latest.size,
        "root": b64(latest.root),
        "hashes": [b64(digest) for digest in store.inclusion_proof(index, latest.size)],
        "checkpoint": latest.note,
    }


def latest_checkpoint(session: Session) -> str:
    """The latest signed checkpoint note; NotFound while the ledger is empty."""
    latest = LedgerStore(session).latest_checkpoint()
    if latest is None:
        raise NotFound("the ledger is empty: no checkpoint has been signed yet")
    return latest.note


def audit(runtime: Runtime, since_checkpoint: str | None) -> AuditReport:
    """Recompute and check the whole ledger; ``since_checkpoint`` is a signed note an auditor saved.

    A saved checkpoint that does not verify under this ledger's key raises CheckpointError.
    """
    verifier = verifier_key(runtime)
    origin = runtime.settings.ledger_origin
    since = (
        notes.verify_note(since_checkpoint, verifier, origin=origin) if since_checkpoint is not None else None
    )
    with runtime.database.read() as session:
        if session.get_bind().dialect.name == "postgresql":
            # One snapshot for the whole pass, so appends committed meanwhile are not half-seen.
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        return audit_ledger(session, notes.parse_verifier_key(verifier), origin, since)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
