"""certsvc.ledger.merkle against the transparency-dev vectors and an RFC 6962 reference model."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certsvc.errors import LedgerError, LedgerRangeError
from certsvc.ledger import merkle
from certsvc.ledger.merkle import NodeRef, ProofError

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "merkle"

# Our verifier refuses any hash that is not a 32-byte SHA-256 digest. Upstream compares the two
# roots of equal-size trees byte for byte, so it accepts this vector's 12-byte placeholder roots.
# The eight leaf inputs of the RFC 6962 test tree used by the transparency-dev vectors.
RFC6962_TEST_LEAVES = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]
STRICTER_THAN_UPSTREAM = {"consistency/additional/sizes-are-equal-one-and-proof-is-empty.json"}


# --- reference model: RFC 6962 §2.1 MTH, PATH, PROOF written as recursion ------------------------
def ref_mth(leaves: Sequence[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + ref_mth(leaves[:k]) + ref_mth(leaves[k:])).digest()


def ref_path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*ref_path(m, leaves[:k]), ref_mth(leaves[k:])]
    return [*ref_path(m - k, leaves[k:]), ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [ref_mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*ref_subproof(m, leaves[:k], complete), ref_mth(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), ref_mth(leaves[:k])]


def make_leaves(count: int) -> list[bytes]:
    return [merkle.leaf_hash(b"entry %d" % i) for i in range(count)]


def flip_bit(data: bytes, bit: int) -> bytes:
    buffer = bytearray(data)
    buffer[bit // 8 % len(buffer)] ^= 1 << (bit % 8)
    return bytes(buffer)


# --- published vectors -------------------------------------------------------------------------
def _vector_files(kind: str) -> list[Path]:
    return sorted((VECTORS / kind).rglob("*.json"))


def _b64(value: str) -> bytes:
    return base64.b64decode(value)


def _vector_id(path: Path) -> str:
    return str(path.relative_to(VECTORS))


@pytest.mark.skipif(not VECTORS.is_dir(), reason="shared Merkle vectors not present")
@pytest.mark.parametrize("path", _vector_files("inclusion"), ids=_vector_id)
def test_inclusion_vector(path: Path) -> None:
    """Each transparency-dev inclusion vector verifies exactly when it is expected to."""
    case: dict[str, Any] = json.loads(path.read_text())
    proof = [_b64(h) for h in case["proof"] or []]
    args = (case["leafIdx"], case["treeSize"], _b64(case["leafHash"]), proof, _b64(case["root"]))
    if case["wantErr"]:
        with pytest.raises(ProofError):
            merkle.verify_inclusion(*args)
    else:
        merkle.verify_inclusion(*args)


@pytest.mark.skipif(not VECTORS.is_dir(), reason="shared Merkle vectors not present")
@pytest.mark.parametrize("path", _vector_files("consistency"), ids=_vector_id)
def test_consistency_vector(path: Path) -> None:
    """Each transparency-dev consistency vector verifies exactly when it is expected to."""
    case: dict[str, Any] = json.loads(path.read_text())
    proof = [_b64(h) for h in case["proof"] or []]
    args = (case["size1"], case["size2"], _b64(case["root1"]), _b64(case["root2"]), proof)
    if case["wantErr"] or _vector_id(path) in STRICTER_THAN_UPSTREAM:
        with pytest.raises(ProofError):
            merkle.verify_consistency(*args)
    else:
        merkle.verify_consistency(*args)


@pytest.mark.skipif(not VECTORS.is_dir(), reason="shared Merkle vectors not present")
def test_vector_set_is_complete() -> None:
    """The vector folders were found and hold both happy paths and corruptions."""
    cases = [json.loads(p.read_text()) for kind in ("inclusion", "consistency") for p in _vector_files(kind)]
    assert len(cases) > 150
    assert any(c["wantErr"] for c in cases)
    assert any(not c["wantErr"] for c in cases)


@pytest.mark.skipif(not VECTORS.is_dir(), reason="shared Merkle vectors not present")
def test_happy_path_vectors_match_our_proofs() -> None:
    """Our builders produce the published proofs for the 8-leaf tree of RFC 6962's test data."""
    leaves = [merkle.leaf_hash(bytes.fromhex(h)) for h in RFC6962_TEST_LEAVES]
    inclusion = json.loads((VECTORS / "inclusion" / "1" / "happy-path.json").read_text())
    assert inclusion["treeSize"] == len(leaves)
    assert merkle.root(leaves) == _b64(inclusion["root"])
    expected_path = [_b64(h) for h in inclusion["proof"]]
    assert merkle.inclusion_proof(inclusion["leafIdx"], leaves) == expected_path
    consistency = json.loads((VECTORS / "consistency" / "1" / "happy-path.json").read_text())
    expected = [_b64(h) for h in consistency["proof"]]
    assert merkle.consistency_proof(consistency["size1"], leaves[: consistency["size2"]]) == expected


# --- hashing and sizes -------------------------------------------------------------------------
def test_hashes_are_domain_separated() -> None:
    """Leaf and node hashes use the RFC 6962 prefixes, so a leaf can never pose as a node."""
    assert merkle.leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert merkle.node_hash(b"l", b"r") == hashlib.sha256(b"\x01lr").digest()
    assert merkle.root([]) == hashlib.sha256(b"").digest()


def test_builders_refuse_impossible_requests() -> None:
    """Proofs for leaves or sizes outside the tree are refused with a ledger range error."""
    leaves = make_leaves(5)
    with pytest.raises(LedgerRangeError):
        merkle.inclusion_proof(5, leaves)
    with pytest.raises(LedgerRangeError):
        merkle.inclusion_proof(-1, leaves)
    with pytest.raises(LedgerRangeError):
        merkle.consistency_proof(6, leaves)
    with pytest.raises(LedgerRangeError):
        merkle.consistency_proof(0, leaves)
    with pytest.raises(LedgerRangeError):
        merkle.root([b"short"])
    assert merkle.consistency_proof(5, leaves) == []


def test_proof_error_is_a_value_error_and_a_ledger_error() -> None:
    """Callers may catch a failed proof as ValueError or as certsvc's LedgerError."""
    with pytest.raises(ValueError, match="outside"):
        merkle.verify_inclusion(3, 3, bytes(32), [], bytes(32))
    assert issubclass(ProofError, LedgerError)


def test_verifiers_refuse_non_digest_hashes() -> None:
    """A proof element, leaf hash or root that is not 32 bytes is refused before any hashing."""
    leaves = make_leaves(4)
    proof = merkle.inclusion_proof(1, leaves)
    good_root = merkle.root(leaves)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(1, 4, leaves[1], [*proof[:-1], proof[-1] + b"\x00"], good_root)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(1, 4, leaves[1][:31], proof, good_root)
    with pytest.raises(ProofError):
        merkle.verify_consistency(4, 4, good_root, bytearray(good_root), [])  # type: ignore[arg-type]


# --- plans: the store's view -------------------------------------------------------------------
def test_node_ref_covers_its_documented_leaf_range() -> None:
    """Node (level L, index i) covers leaves [i·2^L, (i+1)·2^L)."""
    node = NodeRef(3, 5)
    assert (node.first_leaf, node.end_leaf) == (40, 48)


def test_root_plan_is_the_perfect_subtree_decomposition() -> None:
    """A 13-leaf tree is the perfect subtrees of 8, 4 and 1 leaves, left to right."""
    assert merkle.root_plan(13) == (NodeRef(3, 0), NodeRef(2, 2), NodeRef(0, 12))
    assert merkle.root_plan(16) == (NodeRef(4, 0),)
    assert merkle.root_plan(0) == ()


def test_inclusion_plan_reads_few_nodes_at_a_million_leaves() -> None:
    """Proving a leaf in a 10^6-leaf tree reads O(log n) stored nodes, not the leaves."""
    plan = merkle.inclusion_plan(123_456, 1_000_000)
    assert len(plan) == 20
    assert len(merkle.plan_nodes(plan)) <= 2 * 20


def test_resolve_reports_missing_subtrees() -> None:
    """A store that lacks a node the plan needs gets a ledger error, not a wrong proof."""
    with pytest.raises(LedgerError, match="missing"):
        merkle.root_from(3, lambda nodes: {})


def test_new_subtrees_reads_only_the_frontier() -> None:
    """Appending to a stored tree asks the store only for the current root plan's nodes."""
    leaves = make_leaves(11)
    store = dict(merkle.new_subtrees(0, leaves[:7], lambda nodes: {}))
    asked: list[NodeRef] = []

    def lookup(nodes: Sequence[NodeRef]) -> dict[NodeRef, bytes]:
        asked.extend(nodes)
        return {node: store[node] for node in nodes}

    store.update(merkle.new_subtrees(7, leaves[7:], lookup))
    assert asked == list(merkle.root_plan(7))
    assert store[NodeRef(3, 0)] == merkle.root(leaves[:8])
    assert merkle.root_from(11, lambda nodes: {n: store[n] for n in nodes}) == merkle.root(leaves)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 300), st.integers(1, 80))
def test_append_leaves_equals_new_subtrees_and_root_from(size: int, added: int) -> None:
    """The store's one-pass append writes the same inner nodes, in the same order, as
    ``new_subtrees``, reads the same frontier, and yields the root of the grown tree."""
    leaves = make_leaves(size + added)
    stored = dict(merkle.new_subtrees(0, leaves[:size], lambda nodes: {}))
    asked: list[list[NodeRef]] = []

    def lookup(nodes: Sequence[NodeRef]) -> dict[NodeRef, bytes]:
        asked.append(list(nodes))
        return {node: stored[node] for node in nodes}

    inner, root = merkle.append_leaves(size, leaves[size:], lookup)
    asked_by_append_leaves = asked[:]
    created = merkle.new_subtrees(size, leaves[size:], lookup)
    assert asked_by_append_leaves == asked[len(asked_by_append_leaves) :]
    assert [node for nodes in asked_by_append_leaves for node in nodes] == list(merkle.root_plan(size))
    assert inner == [(node.level, node.index, digest) for node, digest in created if node.level]
    assert root == merkle.root(leaves) == ref_mth(leaves)


def test_append_leaves_refuses_what_is_not_a_leaf_hash() -> None:
    """A value that is not a 32-byte digest is refused before anything is hashed."""
    with pytest.raises(LedgerRangeError):
        merkle.append_leaves(0, [b"short"], lambda nodes: {})


def test_roots_at_matches_root_for_every_checkpoint_size() -> None:
    """One streaming pass yields the root at each checkpoint size, as an audit needs."""
    leaves = make_leaves(70)
    sizes = [0, 1, 2, 3, 31, 32, 33, 70]
    assert merkle.roots_at(iter(leaves), sizes) == {n: merkle.root(leaves[:n]) for n in sizes}
    with pytest.raises(LedgerRangeError):
        merkle.roots_at(leaves, [71])


# --- properties against the reference model ----------------------------------------------------
sizes = st.integers(min_value=1, max_value=300)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), size=sizes)
def test_root_and_inclusion_match_reference(data: st.DataObject, size: int) -> None:
    """Root and audit path equal RFC 6962 MTH/PATH, and the verifier accepts them."""
    leaves = make_leaves(size)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    root = merkle.root(leaves)
    proof = merkle.inclusion_proof(index, leaves)
    assert root == ref_mth(leaves)
    assert proof == ref_path(index, leaves)
    merkle.verify_inclusion(index, size, leaves[index], proof, root)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), size2=sizes)
def test_consistency_matches_reference(data: st.DataObject, size2: int) -> None:
    """Consistency proofs equal RFC 6962 PROOF, and the verifier accepts them."""
    leaves = make_leaves(size2)
    size1 = data.draw(st.integers(min_value=1, max_value=size2))
    proof = merkle.consistency_proof(size1, leaves)
    assert proof == ref_subproof(size1, leaves, True)
    merkle.verify_consistency(size1, size2, ref_mth(leaves[:size1]), ref_mth(leaves), proof)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), size=st.integers(min_value=2, max_value=300))
def test_inclusion_rejects_any_tampering(data: st.DataObject, size: int) -> None:
    """A flipped bit anywhere, another index, or another size makes the inclusion proof fail."""
    leaves = make_leaves(size)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    root = merkle.root(leaves)
    proof = merkle.inclusion_proof(index, leaves)
    where = data.draw(st.sampled_from(["leaf", "root", *(["proof"] if proof else [])]))
    bit = data.draw(st.integers(min_value=0, max_value=255))
    leaf, bad_root, bad_proof = leaves[index], root, list(proof)
    if where == "leaf":
        leaf = flip_bit(leaf, bit)
    elif where == "root":
        bad_root = flip_bit(root, bit)
    else:
        element = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bad_proof[element] = flip_bit(bad_proof[element], bit)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(index, size, leaf, bad_proof, bad_root)

    other_index = data.draw(st.integers(min_value=0, max_value=size - 1).filter(lambda i: i != index))
    with pytest.raises(ProofError):
        merkle.verify_inclusion(other_index, size, leaves[index], proof, root)

    # A wrong size is judged against that size's real root, as a verifier takes both from one
    # signed checkpoint: the audit path alone does not bind the size (see verify_inclusion).
    other_size = data.draw(st.integers(min_value=1, max_value=2 * size).filter(lambda n: n != size))
    with pytest.raises(ProofError):
        merkle.verify_inclusion(index, other_size, leaves[index], proof, merkle.root(make_leaves(other_size)))


@settings(max_examples=150, deadline=None)
@given(data=st.data(), size2=st.integers(min_value=2, max_value=300))
def test_consistency_rejects_any_tampering(data: st.DataObject, size2: int) -> None:
    """A flipped bit in either root or the proof, or other sizes, make the consistency proof fail."""
    leaves = make_leaves(size2)
    size1 = data.draw(st.integers(min_value=1, max_value=size2 - 1))
    root1, root2 = merkle.root(leaves[:size1]), merkle.root(leaves)
    proof = merkle.consistency_proof(size1, leaves)
    where = data.draw(st.sampled_from(["root1", "root2", "proof"]))
    bit = data.draw(st.integers(min_value=0, max_value=255))
    bad = {"root1": root1, "root2": root2, "proof": list(proof)}
    if where == "proof":
        element = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bad["proof"][element] = flip_bit(proof[element], bit)  # type: ignore[index]
    else:
        bad[where] = flip_bit(root1 if where == "root1" else root2, bit)
    with pytest.raises(ProofError):
        merkle.verify_consistency(size1, size2, bad["root1"], bad["root2"], bad["proof"])  # type: ignore[arg-type]

    # Wrong sizes are judged against those trees' real roots (see the inclusion test above).
    other_size1 = data.draw(st.integers(min_value=0, max_value=size2).filter(lambda n: n != size1))
    with pytest.raises(ProofError):
        merkle.verify_consistency(other_size1, size2, merkle.root(leaves[:other_size1]), root2, proof)
    other_size2 = data.draw(st.integers(min_value=size1, max_value=2 * size2).filter(lambda n: n != size2))
    with pytest.raises(ProofError):
        merkle.verify_consistency(size1, other_size2, root1, merkle.root(make_leaves(other_size2)), proof)
