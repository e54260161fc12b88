"""Canonical bytes: what certsvc signs and hashes, never an ORM row."""

from __future__ import annotations

import json
from typing import Any

# Built once: ``json.dumps`` with any non-default option builds a new encoder per call, which is a
# sixth of the cost for a credential (two calls per issued certificate). The encoder keeps only
# its options, so sharing it between threads is safe.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON with sorted keys and no insignificant whitespace; NaN/Infinity are refused."""
    return _ENCODER.encode(value).encode("utf-8")
