"""Merkle core at 1,000,000 entries: proofs through subtree plans over an in-memory node store.

The dict stands in for the SQL node table, so the figures are the algorithm's share of a proof;
DESIGN §6 asks for an inclusion proof in ≤ 2 ms and a full audit in ≤ 10 s at this size.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

from bench import Case, Row, timed_ms
from certsvc.ledger import merkle
from certsvc.ledger.merkle import NodeRef

SIZE = 1_000_000


def run() -> list[Row]:
    entry_bytes = [b'{"certificate_number":"%018d","type":"issue"}' % i for i in range(SIZE)]

    started = time.perf_counter()
    leaves = [merkle.leaf_hash(entry) for entry in entry_bytes]
    checkpoint_sizes = range(SIZE // 1000, SIZE + 1, SIZE // 1000)
    audit_roots = merkle.roots_at(leaves, checkpoint_sizes)
    audit_s = time.perf_counter() - started

    started = time.perf_counter()
    nodes = dict(merkle.new_subtrees(0, leaves, lambda wanted: {}))
    build_s = time.perf_counter() - started

    def lookup(wanted: Sequence[NodeRef]) -> dict[NodeRef, bytes]:
        return {node: nodes[node] for node in wanted}

    root = merkle.root_from(SIZE, lookup)
    assert root == audit_roots[SIZE] == merkle.root(leaves)

    rng = random.Random(6962)
    indices = [rng.randrange(SIZE) for _ in range(200)]
    pending = iter(indices)

    def one_inclusion_proof() -> None:
        merkle.inclusion_proof_from(next(pending), SIZE, lookup)

    proofs = [(i, merkle.inclusion_proof_from(i, SIZE, lookup)) for i in indices[:50]]
    checks = iter(proofs * 4)

    def one_verification() -> None:
        index, proof = next(checks)
        merkle.verify_inclusion(index, SIZE, leaves[index], proof, root)

    return [
        {"metric": "append 1M leaves (all subtree hashes)", "value": build_s, "unit": "s"},
        {"metric": "audit: hash 1M entries, roots at 1,000 checkpoints", "value": audit_s, "unit": "s"},
        {
            "metric": "root from stored subtrees",
            "value": timed_ms(lambda: merkle.root_from(SIZE, lookup)),
            "unit": "ms",
        },
        {
            "metric": "inclusion proof (plan + lookup)",
            "value": timed_ms(one_inclusion_proof, repeat=200),
            "unit": "ms",
        },
        {
            "metric": "consistency proof 999,999 → 1M",
            "value": timed_ms(lambda: merkle.consistency_proof_from(SIZE - 1, SIZE, lookup)),
            "unit": "ms",
        },
        {"metric": "verify inclusion", "value": timed_ms(one_verification, repeat=200), "unit": "ms"},
    ]


CASES = [Case("ledger_core", run)]
