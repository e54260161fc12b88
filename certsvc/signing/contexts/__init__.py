"""JSON-LD contexts of certsvc credentials.

``certsvc-v1.jsonld`` defines every term a ``ProfessionalTitleCredential`` uses beyond the W3C VC 2.0
base context, so JSON-LD expansion drops nothing (VC Data Model 2.0 §5.2); the service publishes it
at ``<base>/contexts/v1.jsonld`` and credentials list that URL after the base context. The file never
changes once published: a new term means a ``v2`` file beside it.

``credentials-v2.jsonld`` is a copy of the W3C VC 2.0 base context (from the BSD-licensed
``@digitalcredentials/credentials-v2-context`` package; no Python package ships it), kept so that a
verifier can expand credentials with a document loader that never goes to the network.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
CERTSVC_CONTEXT_PATH = "/contexts/v1.jsonld"
CONTEXT_MEDIA_TYPE = "application/ld+json"


def certsvc_context_url(base_url: str) -> str:
    """Where the installation at ``base_url`` serves the certsvc context."""
    return base_url.rstrip("/") + CERTSVC_CONTEXT_PATH


def is_certsvc_context_url(url: object) -> bool:
    """True for a URL made by ``certsvc_context_url`` (any installation's base)."""
    return (
        isinstance(url, str)
        and url.startswith(("https://", "http://"))
        and url.endswith(CERTSVC_CONTEXT_PATH)
    )


@functools.cache
def certsvc_context_bytes() -> bytes:
    """The certsvc context document as served (bytes of the packaged file)."""
    return resources.files(__package__).joinpath("certsvc-v1.jsonld").read_bytes()


@functools.cache
def vc_context_bytes() -> bytes:
    """The packaged copy of the W3C VC 2.0 base context."""
    return resources.files(__package__).joinpath("credentials-v2.jsonld").read_bytes()


def context_document(url: str) -> dict[str, Any] | None:
    """The parsed context behind ``url`` when it is one certsvc knows, else None (offline loaders)."""
    if url == VC_CONTEXT:
        return dict(json.loads(vc_context_bytes()))
    if is_certsvc_context_url(url):
        return dict(json.loads(certsvc_context_bytes()))
    return None
