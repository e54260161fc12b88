"""Bugs the attack tests found in code owned by other packages, pinned as strict xfails.

When the owner fixes one, its test passes, ``strict=True`` fails the run, and the marker is removed
so the test guards the fix from then on.
"""

from __future__ import annotations

import pytest

from tests.security.conftest import World


@pytest.mark.xfail(
    strict=True,
    reason="BUG: a request id beyond the database integer range is a 500 (OverflowError on SQLite, "
    "out-of-range on PostgreSQL) instead of 404 (certsvc/web/holder.py:138 request_detail, "
    "certsvc/web/issuer.py:280 request_detail and :301 evidence, via services/reissue.get_request); "
    "fix: use <int(max=2147483647):request_id> in the routes, or answer NotFound in get_request",
)
@pytest.mark.parametrize(
    ("principal", "url"),
    [
        ("holder-a", "/me/requests/{id}"),
        ("auditor-own", "/issuer/requests/{id}"),
        ("auditor-own", "/issuer/requests/{id}/evidence"),
    ],
)
def test_request_ids_out_of_range_are_not_found(world: World, principal: str, url: str) -> None:
    """Guessing an absurd request id gets the same 404 as any other id that is not yours."""
    response = world.client(principal).get(url.format(id=2**63))
    assert response.status_code == 404
