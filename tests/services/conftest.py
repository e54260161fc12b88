"""Fixtures of the service tests (see tests/services/lists_support.py)."""

from tests.services.lists_support import office  # noqa: F401
