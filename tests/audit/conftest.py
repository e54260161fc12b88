"""Portal fixtures (see tests/accounts/fixtures.py)."""

from tests.accounts.fixtures import issued, portal_app, web  # noqa: F401
