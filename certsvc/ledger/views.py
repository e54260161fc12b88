"""``/api/v1/ledger``: signed checkpoints, the note key, entries and Merkle proofs, for auditors.

Everything about a fixed tree size never changes, so entries, proofs and past checkpoints are
served as immutable; only "the latest checkpoint" moves, and it is cached briefly.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response
from flask.typing import ResponseReturnValue
from pydantic import BaseModel

from certsvc.errors import LedgerRangeError, NotFound
from certsvc.ledger import services as ledger_service
from certsvc.ledger.schemas import (
    ConsistencyProof,
    ConsistencyQuery,
    EntryArguments,
    InclusionProof,
    InclusionQuery,
    LedgerEntry,
    SizeArguments,
)
from certsvc.ledger.services import b64
from certsvc.ledger.store import LedgerStore
from certsvc.web import runtime
from certsvc.web.extensions import limiter
from certsvc.web.jsonio import json_response, parse, query
from certsvc.web.openapi import Reply, Route, problems

bp = Blueprint("ledger_api", __name__, url_prefix="/api/v1/ledger")

IMMUTABLE = "public, max-age=31536000, immutable"
LATEST = "public, max-age=10"
KEY = "public, max-age=3600"
RATE_LIMIT = "1200 per minute"


@bp.get("/checkpoint")
@limiter.limit(RATE_LIMIT)
def checkpoint() -> ResponseReturnValue:
    with runtime().database.read() as session:
        note = ledger_service.latest_checkpoint(session)
    return _text(note, LATEST)


@bp.get("/checkpoints/<size>")
@limiter.limit(RATE_LIMIT)
def checkpoint_at(size: str) -> ResponseReturnValue:
    tree_size = parse(SizeArguments, {"size": size}).size
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
    position = parse(EntryArguments, {"index": index}).index
    with runtime().database.read() as session:
        stored = LedgerStore(session).entry(position)
    if stored is None:
        raise NotFound(f"ledger entry {position} does not exist")
    try:
        content = json.loads(stored.content)
    except ValueError:
        content = None
    if isinstance(content, dict):
        body = LedgerEntry(index=stored.index, leaf_hash=b64(stored.leaf_hash), content=content)
    else:
        # Every entry certsvc writes is a JSON object; anything else is still served, byte for byte.
        body = LedgerEntry(
            index=stored.index,
            leaf_hash=b64(stored.leaf_hash),
            content=None,
            content_base64=b64(stored.content),
        )
    return _json(body, IMMUTABLE)


@bp.get("/proof/inclusion")
@limiter.limit(RATE_LIMIT)
def inclusion_proof() -> ResponseReturnValue:
    arguments = query(InclusionQuery)
    index, requested_size = arguments.index, arguments.size
    with runtime().database.read() as session:
        store = LedgerStore(session)
        size = _tree_size(store, requested_size)
        if index >= size:
            raise LedgerRangeError(f"entry {index} is outside the tree of size {size}")
        stored = store.entry(index)
        assert stored is not None
        body = InclusionProof(
            index=index,
            size=size,
            leaf_hash=b64(stored.leaf_hash),
            root=b64(store.root(size)),
            hashes=[b64(digest) for digest in store.inclusion_proof(index, size)],
        )
    return _json(body, IMMUTABLE if requested_size is not None else LATEST)


@bp.get("/proof/consistency")
@limiter.limit(RATE_LIMIT)
def consistency_proof() -> ResponseReturnValue:
    arguments = query(ConsistencyQuery)
    first, second = arguments.first, arguments.second
    if not 0 < first <= second:
        raise LedgerRangeError("a consistency proof needs 0 < first <= second")
    with runtime().database.read() as session:
        store = LedgerStore(session)
        _tree_size(store, second)
        hashes = store.consistency_proof(first, second)
    proof = ConsistencyProof(first=first, second=second, hashes=[b64(digest) for digest in hashes])
    return _json(proof, IMMUTABLE)


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


def _text(body: str, cache_control: str) -> Response:
    response = Response(body, mimetype="text/plain")
    response.headers["Cache-Control"] = cache_control
    return response


def _json(body: BaseModel, cache_control: str) -> Response:
    response = json_response(body)
    response.headers["Cache-Control"] = cache_control
    return response


_TEXT = "text/plain"
_MALFORMED_OR_ABSENT = problems(400, 404, 429)
ROUTES = (
    Route(
        "get",
        "/api/v1/ledger/checkpoint",
        "getLedgerCheckpoint",
        "Latest signed checkpoint (C2SP tlog-checkpoint signed note)",
        {200: Reply("Signed checkpoint note", str, _TEXT), **problems(404, 429)},
    ),
    Route(
        "get",
        "/api/v1/ledger/checkpoints/{size}",
        "getLedgerCheckpointAt",
        "The signed checkpoint stored for one tree size",
        {200: Reply("Signed checkpoint note", str, _TEXT), **_MALFORMED_OR_ABSENT},
        path_arguments=SizeArguments,
    ),
    Route(
        "get",
        "/api/v1/ledger/key",
        "getLedgerKey",
        "Checkpoint verifier key (signed-note form name+hex(keyid)+base64(0x01‖pubkey))",
        {200: Reply("Note verifier key", str, _TEXT), **problems(429)},
    ),
    Route(
        "get",
        "/api/v1/ledger/entries/{index}",
        "getLedgerEntry",
        "One ledger entry with its RFC 6962 leaf hash",
        {200: Reply("The entry", LedgerEntry), **_MALFORMED_OR_ABSENT},
        path_arguments=EntryArguments,
    ),
    Route(
        "get",
        "/api/v1/ledger/proof/inclusion",
        "getLedgerInclusionProof",
        "RFC 9162 inclusion proof of entry `index` in the tree of `size` entries",
        {200: Reply("Inclusion proof", InclusionProof), **_MALFORMED_OR_ABSENT},
        query=InclusionQuery,
    ),
    Route(
        "get",
        "/api/v1/ledger/proof/consistency",
        "getLedgerConsistencyProof",
        "RFC 9162 consistency proof from the tree of `first` entries to that of `second`",
        {200: Reply("Consistency proof", ConsistencyProof), **_MALFORMED_OR_ABSENT},
        query=ConsistencyQuery,
    ),
)
