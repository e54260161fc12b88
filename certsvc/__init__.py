"""certsvc: signed electronic professional-title certificates with a public Merkle ledger."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from certsvc.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Lazy, so that importing any certsvc module does not import Flask and the runtime: the
    # import's signing worker (certificates/signer.py) starts from the signing modules alone.
    if name == "create_app":
        from certsvc.app import create_app

        return create_app
    raise AttributeError(f"module 'certsvc' has no attribute {name!r}")
