"""``/api/v1/ledger``: what an outside auditor fetches, verified as an auditor would."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from flask.testing import FlaskClient

from certsvc.ledger import checkpoint, merkle
from certsvc.runtime import Runtime
from tests.ledger.db_helpers import append, append_batches

IMMUTABLE = "public, max-age=31536000, immutable"
BATCHES = [1, 2, 5, 1, 9]


def _served_checkpoint(client: FlaskClient) -> checkpoint.Checkpoint:
    key = client.get("/api/v1/ledger/key").get_data(as_text=True).strip()
    note = client.get("/api/v1/ledger/checkpoint").get_data(as_text=True)
    return checkpoint.verify_note(note, key)


def _hashes(body: dict[str, list[str]]) -> list[bytes]:
    return [base64.b64decode(digest, validate=True) for digest in body["hashes"]]


def test_checkpoint_and_key_are_plain_text_and_verify(client: FlaskClient, runtime: Runtime) -> None:
    """The latest checkpoint is a C2SP signed note that verifies under the published key; cached briefly."""
    log = append_batches(runtime, BATCHES)
    response = client.get("/api/v1/ledger/checkpoint")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert "max-age=10" in response.headers["Cache-Control"]
    key_response = client.get("/api/v1/ledger/key")
    assert key_response.mimetype == "text/plain"
    signed = _served_checkpoint(client)
    assert signed.origin == runtime.settings.ledger_origin
    assert (signed.size, signed.root) == (len(log), merkle.root([merkle.leaf_hash(e) for e in log]))


def test_an_empty_ledger_has_no_checkpoint_yet(client: FlaskClient) -> None:
    """Before the first append there is nothing signed: a 404 problem, not an error page."""
    response = client.get("/api/v1/ledger/checkpoint")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_entries_are_served_with_their_leaf_hash_and_cached_forever(
    client: FlaskClient, runtime: Runtime
) -> None:
    """An entry's JSON content hashes (canonically, with the 0x00 prefix) to the leaf hash served with it."""
    log = append_batches(runtime, BATCHES)
    for index, raw in enumerate(log):
        response = client.get(f"/api/v1/ledger/entries/{index}")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == IMMUTABLE
        body = response.get_json()
        assert body["index"] == index
        assert body["content"] == json.loads(raw)
        assert base64.b64decode(body["leaf_hash"]) == hashlib.sha256(b"\x00" + raw).digest()


def test_every_inclusion_proof_verifies_against_the_served_checkpoint(
    client: FlaskClient, runtime: Runtime
) -> None:
    """With only the key, the checkpoint and the proof, an auditor verifies every entry's inclusion."""
    log = append_batches(runtime, BATCHES)
    signed = _served_checkpoint(client)
    for index in range(len(log)):
        response = client.get(f"/api/v1/ledger/proof/inclusion?index={index}&size={signed.size}")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == IMMUTABLE
        body = response.get_json()
        assert (body["index"], body["size"], base64.b64decode(body["root"])) == (
            index,
            signed.size,
            signed.root,
        )
        leaf = base64.b64decode(body["leaf_hash"])
        assert leaf == merkle.leaf_hash(log[index])
        merkle.verify_inclusion(index, signed.size, leaf, _hashes(body), signed.root)


def test_inclusion_proof_defaults_to_the_latest_tree(client: FlaskClient, runtime: Runtime) -> None:
    """Without ``size`` the proof is against the latest checkpoint, and is only briefly cacheable."""
    append_batches(runtime, BATCHES)
    signed = _served_checkpoint(client)
    response = client.get("/api/v1/ledger/proof/inclusion?index=3")
    body = response.get_json()
    assert body["size"] == signed.size
    assert response.headers["Cache-Control"] != IMMUTABLE
    merkle.verify_inclusion(3, signed.size, base64.b64decode(body["leaf_hash"]), _hashes(body), signed.root)


def test_consistency_proofs_between_all_checkpoints_verify(client: FlaskClient, runtime: Runtime) -> None:
    """For every pair of signed checkpoints, the served proof shows the newer tree extends the older."""
    append_batches(runtime, BATCHES)
    key = client.get("/api/v1/ledger/key").get_data(as_text=True).strip()
    sizes = [sum(BATCHES[: n + 1]) for n in range(len(BATCHES))]
    signed = {}
    for size in sizes:
        response = client.get(f"/api/v1/ledger/checkpoints/{size}")
        assert response.headers["Cache-Control"] == IMMUTABLE
        signed[size] = checkpoint.verify_note(response.get_data(as_text=True), key)
    for first in sizes:
        for second in sizes:
            if first > second:
                continue
            response = client.get(f"/api/v1/ledger/proof/consistency?first={first}&second={second}")
            assert response.status_code == 200
            body = response.get_json()
            assert (body["first"], body["second"]) == (first, second)
            merkle.verify_consistency(first, second, signed[first].root, signed[second].root, _hashes(body))


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/ledger/entries/abc", 400),
        ("/api/v1/ledger/entries/-1", 400),
        ("/api/v1/ledger/entries/1e3", 400),
        ("/api/v1/ledger/entries/" + "9" * 30, 400),
        ("/api/v1/ledger/entries/18", 404),
        ("/api/v1/ledger/entries/" + "9" * 19, 404),
        ("/api/v1/ledger/checkpoints/5", 404),
        ("/api/v1/ledger/checkpoints/0", 404),
        ("/api/v1/ledger/checkpoints/x", 400),
        ("/api/v1/ledger/proof/inclusion", 400),
        ("/api/v1/ledger/proof/inclusion?index=x&size=3", 400),
        ("/api/v1/ledger/proof/inclusion?index=3&size=-3", 400),
        ("/api/v1/ledger/proof/inclusion?index=3&size=3", 400),
        ("/api/v1/ledger/proof/inclusion?index=0&size=0", 400),
        ("/api/v1/ledger/proof/inclusion?index=0&size=19", 404),
        ("/api/v1/ledger/proof/inclusion?index=0&size=" + "9" * 19, 404),
        ("/api/v1/ledger/proof/consistency?first=1", 400),
        ("/api/v1/ledger/proof/consistency?first=0&second=3", 400),
        ("/api/v1/ledger/proof/consistency?first=4&second=3", 400),
        ("/api/v1/ledger/proof/consistency?first=3&second=19", 404),
        ("/api/v1/ledger/proof/consistency?first=%20&second=3", 400),
    ],
)
def test_bad_or_out_of_range_parameters_are_problems_not_crashes(
    client: FlaskClient, runtime: Runtime, path: str, status: int
) -> None:
    """Malformed numbers are 400; trees or entries the log has not reached, 404: problem JSON either way."""
    append_batches(runtime, BATCHES)
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.headers.get("Cache-Control") != IMMUTABLE


def test_openapi_describes_the_ledger_endpoints(client: FlaskClient) -> None:
    """Every ledger endpoint appears in the published OpenAPI document."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/ledger/checkpoint",
        "/api/v1/ledger/key",
        "/api/v1/ledger/entries/{index}",
        "/api/v1/ledger/proof/inclusion",
        "/api/v1/ledger/proof/consistency",
    ):
        assert "get" in paths[path]


def test_an_entry_that_is_not_json_is_still_served_byte_for_byte(
    client: FlaskClient, runtime: Runtime
) -> None:
    """The log serves exactly what it holds: bytes that are not JSON come back base64-encoded."""
    append(runtime, [b"\xffnot json"])
    body = client.get("/api/v1/ledger/entries/0").get_json()
    assert body["content"] is None
    assert base64.b64decode(body["content_base64"]) == b"\xffnot json"
