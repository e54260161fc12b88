"""``/api/v1/ledger``: signed checkpoints, the note key, entries and Merkle proofs, for auditors.

Everything about a fixed tree size never changes, so entries, proofs and past checkpoints are
served as immutable; only "the latest checkpoint" moves, and it is cached briefly.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from certsvc.errors import BadRequest, LedgerRangeError, NotFound
from certsvc.ledger import services as ledger_service
from certsvc.ledger.services import b64
from certsvc.ledger.store import LedgerStore
from certsvc.web import runtime
from certsvc.web.extensions import limiter
from certsvc.web.openapi import problem_responses

bp = Blueprint("ledger_api", __name__, url_prefix="/api/v1/ledger")

IMMUTABLE = "public, max-age=31536000, immutable"
LATEST = "public, max-age=10"
KEY = "public, max-age=3600"
RATE_LIMIT = "1200 per minute"
_COUNT = re.compile(r"[0-9]{1,19}")


@bp.get("/checkpoint")
@limiter.limit(RATE_LIMIT)
def checkpoint() -> ResponseReturnValue:
    with runtime().database.read() as session:
        note = ledger_service.latest_checkpoint(session)
    return _text(note, LATEST)


@bp.get("/checkpoints/<size>")
@limiter.limit(RATE_LIMIT)
def checkpoint_at(size: str) -> ResponseReturnValue:
    tree_size = _parse_count(size, "size")
    with runtime().database.read() as session:
        stored = LedgerStore(session).checkpoint(tree_size)
    if stored is None:
        raise NotFound(f"no checkpoint was signed at tree size {tree_size}")
    return _text(stored.note, IMMUTABLE)


@bp.get("/key")
@limiter.limit(RATE_LIMIT)
def key() -> ResponseReturnValue:
    return _text(ledger_service.verifier_key(runtime()) + "\n", KEY)


@bp.get("/entries/<index>")
@limiter.limit(RATE_LIMIT)
def entry(index: str) -> ResponseReturnValue:
    position = _parse_count(index, "index")
    with runtime().database.read() as session:
        stored = LedgerStore(session).entry(position)
    if stored is None:
        raise NotFound(f"ledger entry {position} does not exist")
    body: dict[str, Any] = {"index": stored.index, "leaf_hash": b64(stored.leaf_hash)}
    try:
        body["content"] = json.loads(stored.content)
    except ValueError:
        # Every entry certsvc writes is JSON; anything else is still served, byte for byte.
        body["content"] = None
        body["content_base64"] = b64(stored.content)
    return _json(body, IMMUTABLE)


@bp.get("/proof/inclusion")
@limiter.limit(RATE_LIMIT)
def inclusion_proof() -> ResponseReturnValue:
    index = _count_argument("index")
    requested_size = _optional_count_argument("size")
    with runtime().database.read() as session:
        store = LedgerStore(session)
        size = _tree_size(store, requested_size)
        if index >= size:
            raise LedgerRangeError(f"entry {index} is outside the tree of size {size}")
        stored = store.entry(index)
        assert stored is not None
        body = {
            "index": index,
            "size": size,
            "leaf_hash": b64(stored.leaf_hash),
            "root": b64(store.root(size)),
            "hashes": [b64(digest) for digest in store.inclusion_proof(index, size)],
        }
    return _json(body, IMMUTABLE if requested_size is not None else LATEST)


@bp.get("/proof/consistency")
@limiter.limit(RATE_LIMIT)
def consistency_proof() -> ResponseReturnValue:
    first = _count_argument("first")
    second = _count_argument("second")
    if not 0 < first <= second:
        raise LedgerRangeError("a consistency proof needs 0 < first <= second")
    with runtime().database.read() as session:
        store = LedgerStore(session)
        _tree_size(store, second)
        hashes = store.consistency_proof(first, second)
    return _json({"first": first, "second": second, "hashes": [b64(digest) for digest in hashes]}, IMMUTABLE)


# --- helpers -------------------------------------------------------------------------------------
def _tree_size(store: LedgerStore, requested: int | None) -> int:
    """The requested tree size, or the latest one; NotFound for a tree the ledger has not reached."""
    current = store.size()
    if requested is None:
        if current == 0:
            raise NotFound("the ledger is empty")
        return current
    if requested > current:
        raise NotFound(f"the ledger has {current} entries; there is no tree of size {requested} yet")
    return requested


def _count_argument(name: str) -> int:
    value = _optional_count_argument(name)
    if value is None:
        raise BadRequest(f"query parameter {name!r} is required")
    return value


def _optional_count_argument(name: str) -> int | None:
    raw = request.args.get(name)
    return None if raw is None else _parse_count(raw, name)


def _parse_count(raw: str, name: str) -> int:
    if not _COUNT.fullmatch(raw):
        raise BadRequest(f"{name} must be a non-negative decimal integer")
    return int(raw)


def _text(body: str, cache_control: str) -> Response:
    response = Response(body, mimetype="text/plain")
    response.headers["Cache-Control"] = cache_control
    return response


def _json(body: dict[str, Any], cache_control: str) -> Response:
    response = jsonify(body)
    response.headers["Cache-Control"] = cache_control
    return response


_B64_HASH = {"type": "string", "contentEncoding": "base64", "description": "SHA-256, standard base64"}
_TEXT = {"text/plain": {"schema": {"type": "string"}}}


def _count_parameter(
    name: str, description: str, *, required: bool = True, where: str = "query"
) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": required,
        "description": description,
        "schema": {"type": "integer", "minimum": 0},
    }


def _json_response(schema: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


OPENAPI: dict[str, Any] = {
    "paths": {
        "/api/v1/ledger/checkpoint": {
            "get": {
                "summary": "Latest signed checkpoint (C2SP tlog-checkpoint signed note)",
                "operationId": "getLedgerCheckpoint",
                "responses": {
                    "200": {"description": "Signed checkpoint note", "content": _TEXT},
                    **problem_responses(404, 429),
                },
            }
        },
        "/api/v1/ledger/checkpoints/{size}": {
            "get": {
                "summary": "The signed checkpoint stored for one tree size",
                "operationId": "getLedgerCheckpointAt",
                "parameters": [_count_parameter("size", "Tree size", where="path")],
                "responses": {
                    "200": {"description": "Signed checkpoint note", "content": _TEXT},
                    **problem_responses(400, 404, 429),
                },
            }
        },
        "/api/v1/ledger/key": {
            "get": {
                "summary": "Checkpoint verifier key (signed-note form name+hex(keyid)+base64(0x01‖pubkey))",
                "operationId": "getLedgerKey",
                "responses": {
                    "200": {"description": "Note verifier key", "content": _TEXT},
                    **problem_responses(429),
                },
            }
        },
        "/api/v1/ledger/entries/{index}": {
            "get": {
                "summary": "One ledger entry with its RFC 6962 leaf hash",
                "operationId": "getLedgerEntry",
                "parameters": [_count_parameter("index", "Entry index (0-based)", where="path")],
                "responses": {
                    "200": _json_response("LedgerEntry", "The entry"),
                    **problem_responses(400, 404, 429),
                },
            }
        },
        "/api/v1/ledger/proof/inclusion": {
            "get": {
                "summary": "RFC 9162 inclusion proof of entry `index` in the tree of `size` entries",
                "operationId": "getLedgerInclusionProof",
                "parameters": [
                    _count_parameter("index", "Entry index (0-based)"),
                    _count_parameter("size", "Tree size; defaults to the latest", required=False),
                ],
                "responses": {
                    "200": _json_response("InclusionProof", "Inclusion proof"),
                    **problem_responses(400, 404, 429),
                },
            }
        },
        "/api/v1/ledger/proof/consistency": {
            "get": {
                "summary": "RFC 9162 consistency proof from the tree of `first` entries to that of `second`",
                "operationId": "getLedgerConsistencyProof",
                "parameters": [
                    _count_parameter("first", "Older tree size (at least 1)"),
                    _count_parameter("second", "Newer tree size"),
                ],
                "responses": {
                    "200": _json_response("ConsistencyProof", "Consistency proof"),
                    **problem_responses(400, 404, 429),
                },
            }
        },
    },
    "components": {
        "schemas": {
            "LedgerEntry": {
                "type": "object",
                "properties": {
                    "index": {"type": "integer", "minimum": 0},
                    "leaf_hash": _B64_HASH,
                    "content": {
                        "type": ["object", "null"],
                        "description": "The entry (canonical JSON, no personal data)",
                    },
                    "content_base64": {"type": "string", "description": "Only for an entry that is not JSON"},
                },
                "required": ["index", "leaf_hash", "content"],
            },
            "InclusionProof": {
                "type": "object",
                "properties": {
                    "index": {"type": "integer", "minimum": 0},
                    "size": {"type": "integer", "minimum": 1},
                    "leaf_hash": _B64_HASH,
                    "root": _B64_HASH,
                    "hashes": {"type": "array", "items": _B64_HASH},
                },
                "required": ["index", "size", "leaf_hash", "root", "hashes"],
            },
            "ConsistencyProof": {
                "type": "object",
                "properties": {
                    "first": {"type": "integer", "minimum": 1},
                    "second": {"type": "integer", "minimum": 1},
                    "hashes": {"type": "array", "items": _B64_HASH},
                },
                "required": ["first", "second", "hashes"],
            },
        }
    },
}
