"""JSON-LD contexts of certsvc credentials.

``certsvc-v1.jsonld`` and ``certsvc-v2.jsonld`` define every term a ``ProfessionalTitleCredential``
uses beyond the W3C VC 2.0 base context, so JSON-LD expansion drops nothing (VC Data Model 2.0
§5.2); the service publishes them at ``<base>/contexts/v1.jsonld`` and ``<base>/contexts/v2.jsonld``
and credentials list the current one after the base context. A published file never changes: v2
is v1 plus the acquisition-route terms (route, committee, reviewDate, education, original…, exam…)
and the issuer's ``supervisor``; credentials issued with v1 keep expanding with v1.

``credentials-v2.jsonld`` is a copy of the W3C VC 2.0 base context (from the BSD-licensed
``@digitalcredentials/credentials-v2-context`` package; no Python package ships it), kept so that a
verifier can expand credentials with a document loader that never goes to the network.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType
from typing import Any

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
# Served path -> packaged file, oldest first; the last is what new credentials name.
CERTSVC_CONTEXTS: Mapping[str, str] = MappingProxyType(
    {"/contexts/v1.jsonld": "certsvc-v1.jsonld", "/contexts/v2.jsonld": "certsvc-v2.jsonld"}
)
CERTSVC_CONTEXT_PATH = "/contexts/v2.jsonld"
CONTEXT_MEDIA_TYPE = "application/ld+json"


def certsvc_context_url(base_url: str) -> str:
    """Where the installation at ``base_url`` serves the current certsvc context."""
    return base_url.rstrip("/") + CERTSVC_CONTEXT_PATH


def _served_path(url: object) -> str | None:
    """The context path a certsvc context URL (any installation's base) ends in, else None."""
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return None
    return next((path for path in CERTSVC_CONTEXTS if url.endswith(path)), None)


def is_certsvc_context_url(url: object) -> bool:
    """True for a URL of one of certsvc's contexts (any installation's base)."""
    return _served_path(url) is not None


@functools.cache
def certsvc_context_bytes(path: str = CERTSVC_CONTEXT_PATH) -> bytes:
    """The certsvc context document served at ``path`` (bytes of the packaged file)."""
    return resources.files(__package__).joinpath(CERTSVC_CONTEXTS[path]).read_bytes()


@functools.cache
def vc_context_bytes() -> bytes:
    """The packaged copy of the W3C VC 2.0 base context."""
    return resources.files(__package__).joinpath("credentials-v2.jsonld").read_bytes()


def context_document(url: str) -> dict[str, Any] | None:
    """The parsed context behind ``url`` when it is one certsvc knows, else None (offline loaders)."""
    if url == VC_CONTEXT:
        return dict(json.loads(vc_context_bytes()))
    path = _served_path(url)
    if path is not None:
        return dict(json.loads(certsvc_context_bytes(path)))
    return None
