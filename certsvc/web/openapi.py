"""The OpenAPI 3.1 document, assembled from the ``OPENAPI`` fragments of the web modules.

Each web module that serves JSON declares ``OPENAPI = {"paths": {...}, "components": {...}}`` next
to its routes, so the description cannot drift far from the code that implements it.
"""

from __future__ import annotations

import sys
from typing import Any

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
    },
    "required": ["type", "title", "status"],
}


def build_document(base_url: str, version: str = "0.1.0") -> dict[str, Any]:
    from certsvc.web import blueprints

    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "certsvc",
            "version": version,
            "description": "Electronic professional-title certificates: verification, ledger and issuing API.",
        },
        "servers": [{"url": base_url}],
        "paths": {},
        "components": {"schemas": {"Problem": PROBLEM_SCHEMA}, "securitySchemes": {}},
    }
    for blueprint in blueprints():
        fragment = getattr(sys.modules[blueprint.import_name], "OPENAPI", None)
        if not fragment:
            continue
        document["paths"].update(fragment.get("paths", {}))
        for section, entries in fragment.get("components", {}).items():
            document["components"].setdefault(section, {}).update(entries)
    return document


def problem_responses(*statuses: int) -> dict[str, Any]:
    """Standard problem-details responses for the given statuses, for use in fragments."""
    return {
        str(status): {
            "description": "Problem",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
