"""The full ledger audit: recompute everything from the entries and compare with what is stored.

One pass over the entries in index order, in bounded memory: each leaf hash is recomputed from
the entry's content, the tree is rebuilt through its frontier (at most log2 n hashes), every
perfect subtree completed along the way is compared with the stored node (one keyset-paginated
stream per level), and at every checkpointed size the frontier's root is compared with the
checkpoint, whose signature is verified too. Certificate events are replayed into their final
state for comparison with the certificate tables. The audit stops at the first mismatch, which
names the entry, node or checkpoint at fault.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from certsvc.certificates.models import Certificate, CertificateVersion
from certsvc.errors import CheckpointError, LedgerAuditFailure
from certsvc.ledger import checkpoint as notes
from certsvc.ledger import merkle
from certsvc.ledger.checkpoint import Checkpoint, VerifierKey
from certsvc.ledger.store import LedgerStore


class Mismatch(LedgerAuditFailure):
    """The first disagreement between the stored ledger and its recomputation (ends the pass)."""


@dataclass
class AuditReport:
    """What the audit checked and, when it failed, the first mismatch it found."""

    size: int = 0
    entries: int = 0
    nodes: int = 0
    checkpoints: int = 0
    certificates: int = 0
    since_size: int | None = None
    mismatch: str | None = None

    @property
    def ok(self) -> bool:
        return self.mismatch is None


# Certificate event -> status of the certificate's current version afterwards.
_STATUS_AFTER = {
    "issue": "valid",
    "reissue": "valid",
    "suspend": "suspended",
    "reinstate": "valid",
    "revoke": "revoked",
}
_CERTIFICATE_MARKER = b'"certificate_number"'


def audit_ledger(
    session: Session, verifier: VerifierKey, origin: str, since: Checkpoint | None = None
) -> AuditReport:
    """Audit the ledger as seen by ``session``'s transaction (use one snapshot: a read transaction)."""
    report = AuditReport(since_size=since.size if since else None)
    try:
        _Audit(session, verifier, origin, since, report).run()
    except Mismatch as mismatch:
        report.mismatch = str(mismatch)
    return report


@dataclass
class _Audit:
    session: Session
    verifier: VerifierKey
    origin: str
    since: Checkpoint | None
    report: AuditReport
    store: LedgerStore = field(init=False)
    node_streams: dict[int, Iterator[tuple[int, bytes]]] = field(default_factory=dict)
    # Roots of the perfect subtrees of the tree so far, largest first: one per set bit of its size.
    frontier: list[bytes] = field(default_factory=list)
    replay: dict[str, tuple[int, str]] | None = None

    def __post_init__(self) -> None:
        self.store = LedgerStore(self.session)

    def run(self) -> None:
        head = self.store.size()
        self.report.size = head
        if self.session.execute(select(Certificate.id).limit(1)).first() is not None:
            self.replay = {}
        if self.since is not None and self.since.size == 0:
            raise Mismatch("the saved checkpoint is of the empty tree; nothing to check against")
        checkpoints = self.store.iter_checkpoints()
        pending = next(checkpoints, None)
        since_size = self.since.size if self.since is not None else -1
        stop = self._next_stop(pending, since_size, 0)
        sha256 = hashlib.sha256
        frontier = self.frontier
        replay = self.replay
        count = 0
        # The hot loop of the audit (a million turns): kept flat, one comparison per check.
        for index, stored_leaf, content in self.store.iter_entries():
            if index != count:
                raise Mismatch(f"entry {count} is missing: the next stored entry is {index}")
            digest = sha256(b"\x00" + content).digest()
            if digest != stored_leaf:
                raise Mismatch(f"entry {index}: stored leaf hash does not match the entry's content")
            # Appending leaf ``index`` completes one subtree per trailing 1-bit of ``index``.
            completed = (index ^ (index + 1)).bit_length() - 1
            for level in range(1, completed + 1):
                digest = sha256(b"\x01" + frontier.pop() + digest).digest()
                stored = next(self._nodes(level), None)
                if stored is None or stored[0] != index >> level or stored[1] != digest:
                    self._node_mismatch(level, index >> level, stored)
                self.report.nodes += 1
            frontier.append(digest)
            count += 1
            if count == stop:
                while pending is not None and pending[0] == count:
                    self._check_checkpoint(*pending)
                    pending = next(checkpoints, None)
                if since_size == count:
                    self._check_since()
                stop = self._next_stop(pending, since_size, count)
            if replay is not None and _CERTIFICATE_MARKER in content:
                self._replay(index, content)
        self.report.entries = count
        if count != head:
            raise Mismatch(f"the ledger head says {head} entries but {count} are stored")
        if pending is not None:
            raise Mismatch(f"checkpoint for size {pending[0]} lies beyond the {count} stored entries")
        if since_size > count:
            raise Mismatch(f"the saved checkpoint of size {since_size} is larger than the ledger ({count})")
        self._check_no_extra_nodes(count)
        if replay is not None:
            self._compare_certificates()

    @staticmethod
    def _next_stop(pending: tuple[int, bytes, str] | None, since_size: int, count: int) -> int:
        """The next tree size at which something is checked (-1: none)."""
        stops = [size for size in (pending[0] if pending else -1, since_size) if size > count]
        return min(stops, default=-1)

    # --- tree ------------------------------------------------------------------------------------
    def _nodes(self, level: int) -> Iterator[tuple[int, bytes]]:
        stream = self.node_streams.get(level)
        if stream is None:
            stream = self.node_streams[level] = self.store.iter_nodes(level)
        return stream

    @staticmethod
    def _node_mismatch(level: int, index: int, stored: tuple[int, bytes] | None) -> None:
        if stored is None or stored[0] != index:
            raise Mismatch(f"node (level {level}, index {index}) is missing from the stored subtrees")
        first, end = index << level, (index + 1) << level
        raise Mismatch(
            f"node (level {level}, index {index}) over entries {first}..{end - 1}: "
            "stored hash differs from the hash recomputed from the entries"
        )

    def _root(self) -> bytes:
        return merkle.fold(self.frontier)

    def _check_no_extra_nodes(self, size: int) -> None:
        counts = {level: size >> level for level in range(1, size.bit_length())}
        extra = self.store.node_beyond(counts)
        if extra is not None:
            raise Mismatch(
                f"node (level {extra.level}, index {extra.index}) is stored but not part of the tree"
            )

    # --- checkpoints -----------------------------------------------------------------------------
    def _check_checkpoint(self, size: int, stored_root: bytes, note: str) -> None:
        root = self._root()
        if stored_root != root:
            raise Mismatch(
                f"checkpoint {size}: stored root differs from the root recomputed from the entries"
            )
        try:
            signed = notes.verify_note(note, self.verifier, origin=self.origin)
        except CheckpointError as error:
            raise Mismatch(f"checkpoint {size}: {error.message}") from None
        if signed.size != size or signed.root != root:
            raise Mismatch(f"checkpoint {size}: the signed note states another tree (size {signed.size})")
        self.report.checkpoints += 1

    def _check_since(self) -> None:
        assert self.since is not None
        if self._root() != self.since.root:
            raise Mismatch(
                f"the saved checkpoint of size {self.since.size} is not a prefix of this ledger: "
                "the log was rewritten since it was saved"
            )
        latest = self.store.latest_checkpoint()
        if latest is not None and latest.size >= self.since.size:
            try:
                proof = self.store.consistency_proof(self.since.size, latest.size)
                merkle.verify_consistency(self.since.size, latest.size, self.since.root, latest.root, proof)
            except merkle.ProofError as error:
                raise Mismatch(
                    f"consistency proof from the saved checkpoint fails: {error.message}"
                ) from None

    # --- certificates ----------------------------------------------------------------------------
    def _replay(self, index: int, content: bytes) -> None:
        assert self.replay is not None
        try:
            event = json.loads(content)
            kind, number, version = event["type"], event["certificate_number"], event["version"]
        except (ValueError, KeyError, TypeError):
            raise Mismatch(f"entry {index}: certificate event is not readable") from None
        status = _STATUS_AFTER.get(kind)
        if status is None:
            return
        known = self.replay.get(number)
        if kind == "issue":
            if known is not None:
                raise Mismatch(f"entry {index}: certificate {number} is issued a second time")
        elif known is None:
            raise Mismatch(f"entry {index}: {kind} of certificate {number}, which was never issued")
        elif kind == "reissue" and version != known[0] + 1:
            raise Mismatch(
                f"entry {index}: reissue of {number} as version {version} after version {known[0]}"
            )
        elif kind != "reissue" and version != known[0]:
            raise Mismatch(f"entry {index}: {kind} of {number} version {version}, current is {known[0]}")
        self.replay[number] = (version, status)

    def _compare_certificates(self) -> None:
        assert self.replay is not None
        last_id = 0
        while True:
            rows = self.session.execute(
                select(Certificate.id, Certificate.number, Certificate.status, Certificate.current_version)
                .where(Certificate.id > last_id)
                .order_by(Certificate.id)
                .limit(5_000)
            ).all()
            if not rows:
                break
            last_id = rows[-1][0]
            version_status = self._current_version_status([row[0] for row in rows])
            for certificate_id, number, status, current_version in rows:
                self._compare_certificate(number, status, current_version, version_status.get(certificate_id))
        if self.replay:
            number = min(self.replay)
            raise Mismatch(f"the ledger records certificate {number}, which is not in the certificate tables")

    def _current_version_status(self, certificate_ids: list[int]) -> dict[int, str]:
        rows = self.session.execute(
            select(CertificateVersion.certificate_id, CertificateVersion.status)
            .join(Certificate, Certificate.id == CertificateVersion.certificate_id)
            .where(
                CertificateVersion.certificate_id.in_(certificate_ids),
                CertificateVersion.version == Certificate.current_version,
            )
        )
        return {certificate_id: status for certificate_id, status in rows}

    def _compare_certificate(
        self, number: str, status: str, version: int, version_status: str | None
    ) -> None:
        assert self.replay is not None
        expected = self.replay.pop(number, None)
        if expected is None:
            raise Mismatch(f"certificate {number} has no history in the ledger")
        if (version, status) != expected:
            raise Mismatch(
                f"certificate {number} is version {version} {status} in the database, "
                f"but the ledger says version {expected[0]} {expected[1]}"
            )
        if version_status != status:
            raise Mismatch(f"certificate {number}: its current version is {version_status}, not {status}")
        self.report.certificates += 1
