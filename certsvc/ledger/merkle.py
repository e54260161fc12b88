"""Pure RFC 9162 (RFC 6962 §2.1) Merkle tree: bytes in, bytes out, no I/O.

Every hash the tree ever needs is either a leaf hash or the hash of a *perfect subtree*: a
complete binary tree over 2^L consecutive leaves. A perfect subtree is named by
``NodeRef(level, index)``: the node at level ``L`` with index ``i`` covers leaves
``[i·2^L, (i+1)·2^L)``; level 0 nodes are the leaf hashes themselves. Perfect subtrees never
change once their last leaf is appended, so a store can keep them forever (append-only).

Any other node of an RFC 6962 tree (the right edge of a tree whose size is not a power of two)
is the right fold ``node_hash(p0, node_hash(p1, …))`` of the perfect subtrees that decompose
its leaf range, largest first. A *plan* lists, for each hash of a root, inclusion proof or
consistency proof, the perfect subtrees whose fold it is. Plans have O(log n) nodes in all, so
a SQL store answers any proof with one batched read; the pure functions below run the very
same plans against an in-memory lookup over a list of leaf hashes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from certsvc.errors import LedgerError, LedgerRangeError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


class ProofError(LedgerError, ValueError):
    """A Merkle inclusion or consistency proof does not verify, or is malformed."""

    code = "ledger-proof"
    status = 422
    title = "Merkle proof does not verify"


@dataclass(frozen=True, slots=True, order=True)
class NodeRef:
    """A perfect subtree: ``level`` L, ``index`` i, covering leaves [i·2^L, (i+1)·2^L)."""

    level: int
    index: int

    @property
    def first_leaf(self) -> int:
        return self.index << self.level

    @property
    def end_leaf(self) -> int:
        """One past the last leaf covered."""
        return (self.index + 1) << self.level


Span = tuple[NodeRef, ...]
"""Perfect subtrees, left to right, whose right fold is one hash."""

Plan = list[Span]
"""One span per hash of a proof, in proof order."""

HashLookup = Callable[[Sequence[NodeRef]], Mapping[NodeRef, bytes]]
"""Batched read of perfect-subtree hashes; must return every node asked for."""


# --- hashing -----------------------------------------------------------------------------------
def leaf_hash(data: bytes) -> bytes:
    """MTH of a one-entry tree: SHA-256(0x00 ‖ data)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Interior node: SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def fold(hashes: Sequence[bytes]) -> bytes:
    """Right fold of a span's hashes; the empty span is the empty tree."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for left in reversed(hashes[:-1]):
        acc = node_hash(left, acc)
    return acc


# --- plans -------------------------------------------------------------------------------------
def decompose(start: int, end: int) -> Span:
    """Largest-first perfect subtrees covering leaves [start, end).

    For a node of an RFC 6962 tree (whose ``start`` is aligned to a power of two at least its
    width) the right fold of this span is exactly that node's MTH.
    """
    if not 0 <= start <= end:
        raise LedgerRangeError(f"invalid leaf range [{start}, {end})")
    nodes: list[NodeRef] = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start:
            level = min(level, (start & -start).bit_length() - 1)
        nodes.append(NodeRef(level, start >> level))
        start += 1 << level
    return tuple(nodes)


def root_plan(size: int) -> Span:
    """The perfect subtree decomposition of a tree of ``size`` leaves (empty for size 0)."""
    _require_size(size)
    return decompose(0, size)


def inclusion_plan(index: int, size: int) -> Plan:
    """Spans of the RFC 6962 PATH(index, D[size]), leaf level first."""
    _require_size(size)
    if not 0 <= index < size:
        raise LedgerRangeError(f"leaf index {index} is outside a tree of size {size}")
    outer_first: Plan = []
    start, end = 0, size
    while end - start > 1:
        mid = start + _split(end - start)
        if index < mid:
            outer_first.append(decompose(mid, end))
            end = mid
        else:
            outer_first.append(decompose(start, mid))
            start = mid
    outer_first.reverse()
    return outer_first


def consistency_plan(size1: int, size2: int) -> Plan:
    """Spans of the RFC 6962 PROOF(size1, D[size2]) (SUBPROOF with b = true).

    A consistency proof from the empty tree proves nothing and verifiers reject it, so
    ``size1`` must be at least 1; equal sizes give the empty proof.
    """
    _require_size(size2)
    if not 0 < size1 <= size2:
        raise LedgerRangeError(f"no consistency proof from size {size1} to size {size2}")
    outer_first: Plan = []
    start, end, remaining = 0, size2, size1
    whole_old_tree_is_root = True
    while remaining != end - start:
        mid = start + _split(end - start)
        if remaining <= mid - start:
            outer_first.append(decompose(mid, end))
            end = mid
        else:
            outer_first.append(decompose(start, mid))
            remaining -= mid - start
            start = mid
            whole_old_tree_is_root = False
    if not whole_old_tree_is_root:
        outer_first.append(decompose(start, end))
    outer_first.reverse()
    return outer_first


def plan_nodes(plan: Iterable[Span]) -> list[NodeRef]:
    """Every distinct node a plan reads, in first-use order (one batched lookup)."""
    return list(dict.fromkeys(node for span in plan for node in span))


def resolve(plan: Sequence[Span], lookup: HashLookup) -> list[bytes]:
    """Hashes of a plan, reading all its nodes through one ``lookup`` call."""
    nodes = plan_nodes(plan)
    found = lookup(nodes) if nodes else {}
    missing = [node for node in nodes if node not in found]
    if missing:
        raise LedgerError(f"subtree hashes missing from the store: {missing[:3]}")
    return [fold([found[node] for node in span]) for span in plan]


def root_from(size: int, lookup: HashLookup) -> bytes:
    """Root of the first ``size`` leaves, from stored perfect-subtree hashes."""
    return resolve([root_plan(size)], lookup)[0]


def inclusion_proof_from(index: int, size: int, lookup: HashLookup) -> list[bytes]:
    return resolve(inclusion_plan(index, size), lookup)


def consistency_proof_from(size1: int, size2: int, lookup: HashLookup) -> list[bytes]:
    return resolve(consistency_plan(size1, size2), lookup)


def new_subtrees(
    size: int, new_leaf_hashes: Sequence[bytes], lookup: HashLookup
) -> list[tuple[NodeRef, bytes]]:
    """Every perfect subtree (levels 0 and up) completed by appending leaves after ``size``.

    Reads only the current tree's root plan (its "frontier", at most log2(size) nodes): those
    are the only older nodes a new subtree can have as a left child. Output is in completion
    order, so a store may insert it as is.
    """
    _require_hashes(new_leaf_hashes)
    frontier = root_plan(size)
    # The frontier, largest subtree first, is a stack: a new node with an odd index always has
    # its left sibling on top (the binary-counter view of an append-only tree).
    found = resolve([(node,) for node in frontier], lookup)
    stack = [(node.level, digest) for node, digest in zip(frontier, found, strict=True)]
    created: list[tuple[NodeRef, bytes]] = []
    for position, leaf in enumerate(new_leaf_hashes, start=size):
        level, index, digest = 0, position, leaf
        created.append((NodeRef(0, index), digest))
        while index & 1:
            _, left = stack.pop()
            level, index, digest = level + 1, index >> 1, node_hash(left, digest)
            created.append((NodeRef(level, index), digest))
        stack.append((level, digest))
    return created


def append_leaves(
    size: int, new_leaf_hashes: Sequence[bytes], lookup: HashLookup
) -> tuple[list[tuple[int, int, bytes]], bytes]:
    """What appending leaves after ``size`` adds to a store, and the new tree's root.

    The first item is ``new_subtrees`` above level 0 as ``(level, index, hash)`` rows, in the same
    (completion) order; the root is ``root_from`` of the grown tree: the right fold of the new
    frontier, which the same pass leaves on its stack. Plain tuples instead of a ``NodeRef`` per
    node: a ledger append of a large batch spent most of its Python time creating and hashing
    those.
    """
    _require_hashes(new_leaf_hashes)
    frontier = root_plan(size)
    stack = resolve([(node,) for node in frontier], lookup)
    inner: list[tuple[int, int, bytes]] = []
    pop, push, add, sha256 = stack.pop, stack.append, inner.append, hashlib.sha256
    for position, leaf in enumerate(new_leaf_hashes, start=size):
        level, index, digest = 0, position, leaf
        while index & 1:
            level, index = level + 1, index >> 1
            digest = sha256(_NODE_PREFIX + pop() + digest).digest()
            add((level, index, digest))
        push(digest)
    return inner, fold(stack)


def roots_at(leaf_hashes: Iterable[bytes], sizes: Iterable[int]) -> dict[int, bytes]:
    """Roots of the tree at each of ``sizes``, in one streaming pass over the leaves.

    What an audit needs to check every checkpoint against the entries: O(n) hashing plus
    O(log n) per size, without storing any subtree.
    """
    wanted = sorted(set(sizes))
    for size in wanted:
        _require_size(size)
    roots: dict[int, bytes] = {}
    stack: list[tuple[int, bytes]] = []
    pending = iter(wanted)
    target = next(pending, None)
    if target == 0:
        roots[0] = EMPTY_ROOT
        target = next(pending, None)
    for count, leaf in enumerate(leaf_hashes, start=1):
        if target is None:
            break
        _require_hashes([leaf])
        level, digest, index = 0, leaf, count - 1
        while index & 1:
            _, left = stack.pop()
            level, index, digest = level + 1, index >> 1, node_hash(left, digest)
        stack.append((level, digest))
        if count == target:
            roots[count] = fold([d for _, d in stack])
            target = next(pending, None)
    if target is not None:
        raise LedgerRangeError(f"tree has fewer than {target} leaves")
    return roots


# --- over a list of leaf hashes ------------------------------------------------------------------
def leaf_list_lookup(leaf_hashes: Sequence[bytes]) -> HashLookup:
    """A lookup that computes perfect-subtree hashes from the leaf hashes on demand."""

    def lookup(nodes: Sequence[NodeRef]) -> dict[NodeRef, bytes]:
        result: dict[NodeRef, bytes] = {}
        for node in nodes:
            if node.end_leaf > len(leaf_hashes):
                raise LedgerRangeError(f"subtree {node} lies beyond {len(leaf_hashes)} leaves")
            result[node] = _perfect_root(leaf_hashes[node.first_leaf : node.end_leaf])
        return result

    return lookup


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of the tree with these leaf hashes; SHA-256(b"") for the empty tree."""
    _require_hashes(leaf_hashes)
    return root_from(len(leaf_hashes), leaf_list_lookup(leaf_hashes))


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """RFC 6962 audit path of leaf ``index`` in the tree of all ``leaf_hashes``."""
    _require_hashes(leaf_hashes)
    return inclusion_proof_from(index, len(leaf_hashes), leaf_list_lookup(leaf_hashes))


def consistency_proof(size1: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """RFC 6962 consistency proof from the first ``size1`` leaves to all ``leaf_hashes``."""
    _require_hashes(leaf_hashes)
    return consistency_proof_from(size1, len(leaf_hashes), leaf_list_lookup(leaf_hashes))


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2, step by step) ---------------------------------
def verify_inclusion(index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Raise ProofError unless ``proof`` shows ``leaf_hash`` at ``index`` in the tree ``root``.

    ``size`` and ``root`` must come together from one signed checkpoint: like every RFC 9162
    verifier, this one can accept a valid path against the right root under a wrong, larger
    size whose path has the same shape, so the size is only as trustworthy as its checkpoint.
    """
    _require_proof_hash(leaf_hash, "leaf hash")
    _require_proof_hash(root, "root")
    for element in proof:
        _require_proof_hash(element, "proof hash")
    if not _is_count(index) or not _is_count(size) or index >= size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    fn, sn = index, size - 1
    r = leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    if r != root:
        raise ProofError("inclusion proof does not lead to the root")


def verify_consistency(size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]) -> None:
    """Raise ProofError unless ``proof`` shows tree (size2, root2) extends tree (size1, root1)."""
    _require_proof_hash(root1, "first root")
    _require_proof_hash(root2, "second root")
    for element in proof:
        _require_proof_hash(element, "proof hash")
    if not _is_count(size1) or not _is_count(size2) or size1 > size2:
        raise ProofError(f"no consistency proof from size {size1} to size {size2}")
    if size1 == 0:
        # Everything extends the empty tree; accepting a "proof" here would prove nothing.
        raise ProofError("a consistency proof from the empty tree proves nothing")
    if size1 == size2:
        if proof:
            raise ProofError("trees of equal size need an empty consistency proof")
        if root1 != root2:
            raise ProofError("trees of equal size have different roots")
        return
    if not proof:
        raise ProofError("consistency proof is empty")
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != root1:
        raise ProofError("consistency proof does not lead to the first root")
    if sr != root2:
        raise ProofError("consistency proof does not lead to the second root")


# --- helpers -----------------------------------------------------------------------------------
def _split(width: int) -> int:
    """RFC 6962 k: the largest power of two strictly smaller than ``width`` (width ≥ 2)."""
    return 1 << ((width - 1).bit_length() - 1)


def _perfect_root(hashes: Sequence[bytes]) -> bytes:
    level = list(hashes)
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def _is_count(value: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _require_size(size: int) -> None:
    if not _is_count(size):
        raise LedgerRangeError(f"invalid tree size {size!r}")


def _require_hashes(hashes: Sequence[bytes]) -> None:
    for position, digest in enumerate(hashes):
        if not isinstance(digest, bytes) or len(digest) != HASH_SIZE:
            raise LedgerRangeError(f"leaf hash {position} is not a {HASH_SIZE}-byte SHA-256 digest")


def _require_proof_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise ProofError(f"{what} is not a {HASH_SIZE}-byte SHA-256 digest")
